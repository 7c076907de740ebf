/**
 * Admin Area › Groups as a tree: each group after its parent, siblings by name, nested lists a
 * screen reader announces as levels, each group with its projects directly and with its
 * subgroups; paging keeps a page's first group nested in the groups it is in; a search lists
 * the matches.
 */
import { describe, expect, it } from 'vitest';
import type { Group } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { createTestApp, get, insertUser, sessionCookie, textOf } from '../support/app.js';
import { must } from '../support/world.js';

async function admin() {
  const t = await createTestApp();
  const root = await insertUser(t.db, 'root', { isAdmin: true });
  const group = async (name: string, path: string, parent?: Group) =>
    must(await createGroup(t.db, { name, path }, parent));
  const project = async (path: string, parent: Group) => must(await createProject(t.db, { name: path, path }, parent));
  const page = async (query = '') =>
    await (await get(t.app, `/admin/groups${query}`, { cookie: await sessionCookie(t.db, root) })).text();
  return { ...t, group, project, page };
}

/** The tree as nested lists: each group's name, indented by two spaces a level, with its counts. */
function outline(html: string): string[] {
  const lines: string[] = [];
  let depth = -1;
  const tree = html.slice(html.indexOf('<ul class="group-tree"'));
  for (const [tag] of tree.matchAll(
    /<ul class="group-tree"[^>]*>|<\/ul>|<div class="group-tree-item[^"]*">.*?<\/div>/g,
  )) {
    if (tag.startsWith('<ul')) depth++;
    else if (tag.startsWith('</ul')) depth--;
    else lines.push(`${'  '.repeat(depth)}${textOf(tag)}`);
  }
  return lines;
}

describe('Admin Area › Groups', () => {
  it('shows the groups as a tree, siblings by name, with projects directly and with subgroups', async () => {
    const t = await admin();
    // Paths in another order than names: the tree follows the names.
    const platform = await t.group('Platform', 'a-platform');
    const backend = await t.group('Backend', 'z-backend', platform);
    await t.group('Analytics', 'y-analytics', platform);
    const services = await t.group('services', 'services', backend);
    await t.group('Apps', 'apps');
    await t.group('Zebra', 'zebra');
    await t.project('api', backend);
    await t.project('worker', services);
    await t.project('docs', platform);
    expect(outline(await t.page())).toEqual([
      'Apps apps 0 projects',
      'Platform a-platform 1 project, 3 with subgroups',
      '  Analytics a-platform/y-analytics 0 projects',
      '  Backend a-platform/z-backend 1 project, 2 with subgroups',
      '    services a-platform/z-backend/services 1 project',
      'Zebra zebra 0 projects',
    ]);
  });

  it('nests a page that starts inside a subtree in the groups it is in, from the page before', async () => {
    const t = await admin();
    const top = await t.group('Top', 'top');
    for (let n = 1; n <= 21; n++) await t.group(`Team ${String(n).padStart(2, '0')}`, `team-${n}`, top);
    const first = await t.page();
    expect(outline(first)).toHaveLength(20);
    expect(textOf(first)).toContain('Page 1 of 2');
    const second = await t.page('?page=2');
    expect(outline(second)).toEqual([
      'Top top (continued from the previous page)',
      '  Team 20 top/team-20 0 projects',
      '  Team 21 top/team-21 0 projects',
    ]);
    expect(textOf(second)).toContain('Page 2 of 2');
  });

  it('lists the groups that match a search, by name or path, in tree order', async () => {
    const t = await admin();
    const platform = await t.group('Platform', 'platform');
    await t.group('Backend', 'backend', platform);
    await t.group('Back office', 'office');
    expect(outline(await t.page('?search=BACK'))).toEqual([
      'Back office office 0 projects',
      'Backend platform/backend 0 projects',
    ]);
    expect(outline(await t.page('?search=platform/'))).toEqual(['Backend platform/backend 0 projects']);
    expect(textOf(await t.page('?search=100%25'))).toContain('No group matches your search.');
  });

  it('answers a page past the last with the number of pages', async () => {
    const t = await admin();
    for (let n = 1; n <= 21; n++) await t.group(`Team ${n}`, `team-${n}`);
    const html = await t.page('?page=5');
    expect(textOf(html)).toContain('No groups yet.');
    expect(textOf(html)).toContain('Page 2 of 2');
  });
});
