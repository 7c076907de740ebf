/**
 * Reading a project's effective settings costs a fixed, small number of queries: the whole
 * chain of every type comes in one, however deep the project and however many types there are.
 */
import { describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase } from '../../src/db/client.js';
import type { Group } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { createTestApp, get, post } from '../support/app.js';
import { ADMIN_INTEGRATIONS, groupIntegrations, projectIntegrations, saveInstanceSlack } from '../support/integrations.js';
import { buildWorld } from '../support/world.js';

async function setup() {
  const statements: string[] = [];
  const db = openDatabase(':memory:', { onStatement: (sql) => statements.push(sql) });
  migrateDatabase(db);
  // No page cache: every request reads the database.
  const { app } = createTestApp({ db, pageCacheSize: 0 });
  const world = await buildWorld(db);
  const admin = world.cookies.admin!;
  await saveInstanceSlack(app, admin);
  await post(app, `${ADMIN_INTEGRATIONS}/jira`, { _version: '0', _confirmed: '1', active: '1', url: 'https://jira.example.com', jira_auth_type: '0', username: 'bot', password: 'secret' }, { cookie: admin });
  let parent: Group | undefined;
  for (const path of ['a', 'b', 'c', 'd']) {
    const group = createGroup(db, { name: path.toUpperCase(), path }, parent);
    if (!group.ok) throw new Error('group');
    parent = group.value;
    // Each level sets something of its own, so the chain has a row at every level.
    await post(app, `${groupIntegrations(parent.fullPath)}/slack`, { _version: '0', _confirmed: '1', inheritance: 'custom', _inherit: ['active', 'webhook'], username: `bot-${path}` }, { cookie: admin });
  }
  for (const [name, group] of [['shallow', world.other], ['deep', parent!]] as const) {
    if (!createProject(db, { name, path: name }, group).ok) throw new Error('project');
  }
  /** Statements one request runs, once the session lookup is remembered. */
  const queriesFor = async (url: string) => {
    expect((await get(app, url, { cookie: admin })).status).toBe(200);
    statements.length = 0;
    const html = await (await get(app, url, { cookie: admin })).text();
    return { count: statements.length, html };
  };
  return { queriesFor };
}

describe('queries per page', () => {
  it('reads the integrations of a project four groups deep in as many queries as one at the top', async () => {
    const { queriesFor } = await setup();
    const shallow = await queriesFor(projectIntegrations('other/shallow'));
    const deep = await queriesFor(projectIntegrations('a/b/c/d/deep'));
    expect(deep.html).toContain('Inherited from group');
    expect(deep.count).toBe(shallow.count);
    expect(deep.count).toBeLessThanOrEqual(6);
  });

  it('reads one type of a deep project, with where each value comes from, in the same few queries', async () => {
    const { queriesFor } = await setup();
    const shallow = await queriesFor(`${projectIntegrations('other/shallow')}/slack`);
    const deep = await queriesFor(`${projectIntegrations('a/b/c/d/deep')}/slack`);
    expect(deep.html).toContain('value="bot-d"');
    expect(deep.count).toBe(shallow.count);
    expect(deep.count).toBeLessThanOrEqual(6);
  });
});
