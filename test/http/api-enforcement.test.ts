/**
 * Enforcement and push through the API: the same functions as the "Enforce and push" page, so
 * a project then sees the enforced value and may not change it, from the pages or the API.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ROLES } from '../../src/auth/permissions.js';
import { auditEvents, integrationSettings, members } from '../../src/db/schema.js';
import { apiRequest, apiToken, json } from '../support/api.js';
import { createTestApp, insertUser, post, type TestApp } from '../support/app.js';
import { groupIntegrations, projectIntegrations, saveInstanceSlack, slackForm } from '../support/integrations.js';
import { buildWorld, type World } from '../support/world.js';
import { writeConnection } from '../../src/db/client.js';

const INSTANCE = '/api/v4/admin/application_settings/integrations/slack';
const PROJECT = (w: World) => `/api/v4/projects/${w.project.id}/integrations/slack`;

let t: TestApp;
let w: World;
let admin: string;
let maintainer: string;

/** Instance Slack default with username "cascade"; the project sets its own channel. */
beforeEach(async () => {
  t = await createTestApp();
  w = await buildWorld(t.db);
  admin = await apiToken(t.db, w.users.admin);
  maintainer = await apiToken(t.db, w.users.maintainer);
  await saveInstanceSlack(t.app, w.cookies.admin!, { channel: '#general' });
  await post(
    t.app,
    `${projectIntegrations('top/sub/app')}/slack`,
    { ...slackForm({ webhook: '', channel: '#app' }), inheritance: 'custom', _inherit: ['webhook'] },
    { cookie: w.cookies.maintainer },
  );
});

const call = (method: string, url: string, token: string, params?: Record<string, unknown>) =>
  apiRequest(t.app, method, url, { token, params });
const instanceRow = async () =>
  (await t.db.select().from(integrationSettings)).find((row) => row.groupId === null && row.projectId === null)!;
const projectRow = async () =>
  (await t.db.select().from(integrationSettings)).find((row) => row.projectId === w.project.id);

describe('the enforcement API', () => {
  it('previews how many descendants override the given keys', async () => {
    const response = await call('GET', `${INSTANCE}/enforcement?keys[]=channel&keys[]=username`, admin);
    expect(await json(response)).toEqual({ enforced: null, overriding_descendants: { projects: 1, groups: 0 } });
  });

  it('enforces values that the project then sees and cannot change, and lifts them', async () => {
    const enforced = await call('PUT', `${INSTANCE}/enforcement`, admin, { keys: ['channel'], reason: 'One channel' });
    expect(enforced.status).toBe(200);
    expect(await json(enforced)).toEqual({
      enforced: { keys: ['channel'], reason: 'One channel' },
      overriding_descendants: { projects: 1, groups: 0 },
    });

    const shown = await json(await call('GET', PROJECT(w), maintainer));
    expect(shown).toMatchObject({
      properties: { channel: '#general' },
      enforced: { channel: { level: 'instance', reason: 'One channel' } },
    });
    const refused = await call('PUT', PROJECT(w), maintainer, { channel: '#mine' });
    expect(refused.status).toBe(422);
    expect(await json(refused)).toEqual({
      message: { channel: ['Default channel is enforced by Instance: One channel'] },
    });

    expect((await call('DELETE', `${INSTANCE}/enforcement`, admin)).status).toBe(204);
    expect((await instanceRow()).enforced).toBeNull();
    expect(await json(await call('GET', PROJECT(w), maintainer))).toMatchObject({ properties: { channel: '#app' } });
    expect((await t.db.select().from(auditEvents)).map((event) => event.action)).toEqual(
      expect.arrayContaining(['settings.enforced', 'settings.enforcement_lifted']),
    );
  });

  it('refuses unknown keys, no keys and a long reason with 400, enforcing nothing', async () => {
    for (const params of [{ keys: ['nonsense'] }, {}, { keys: 'channel', reason: 'x'.repeat(501) }]) {
      const response = await call('PUT', `${INSTANCE}/enforcement`, admin, params);
      expect(response.status).toBe(400);
      expect(Object.keys((await json<{ message: object }>(response)).message)).toHaveLength(1);
    }
    expect((await instanceRow()).enforced).toBeNull();
  });

  it('answers 404 when there is nothing to lift or no settings to enforce', async () => {
    expect((await call('DELETE', `${INSTANCE}/enforcement`, admin)).status).toBe(404);
    expect(
      (await call('PUT', `/api/v4/groups/${w.top.id}/integrations/slack/enforcement`, admin, { keys: '*' })).status,
    ).toBe(404);
  });

  it('lets a group Owner enforce, and refuses a Maintainer of the group with 403', async () => {
    await post(
      t.app,
      `${groupIntegrations('top')}/slack`,
      { ...slackForm({ webhook: '' }), inheritance: 'custom', _inherit: ['webhook'], _confirmed: '1' },
      { cookie: w.cookies.admin },
    );
    const groupMaintainer = await insertUser(t.db, 'group-maintainer');
    await writeConnection(t.db)
      .insert(members)
      .values({ userId: groupMaintainer.id, groupId: w.top.id, accessLevel: ROLES.maintainer });
    const url = `/api/v4/groups/top/integrations/slack/enforcement`;
    expect((await call('PUT', url, await apiToken(t.db, groupMaintainer), { keys: 'username' })).status).toBe(403);
    expect((await call('PUT', url, await apiToken(t.db, w.users.owner), { keys: 'username' })).status).toBe(200);
  });
});

describe('the push API', () => {
  it('clears the chosen values of the descendants that override them', async () => {
    const response = await call('POST', `${INSTANCE}/push`, admin, { keys: ['channel'] });
    expect(await json(response)).toEqual({ changed_descendants: { projects: 1, groups: 0 } });
    expect(JSON.parse((await projectRow())!.fields)).not.toHaveProperty('channel');
  });
});
