/**
 * Reading a project's effective settings costs a fixed, small number of queries: the whole
 * chain of every type comes in one, however deep the project and however many types there are.
 * Every list page, and every integration page of the instance, a group and a project, costs the
 * same number of queries whatever the number of groups, projects and custom settings.
 */
import { openTestDatabase } from '../support/database.js';
import { describe, expect, it } from 'vitest';
import { writeConnection } from '../../src/db/client.js';
import { ROLES } from '../../src/auth/permissions.js';
import { members, type Group } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { groupOwner, projectOwner } from '../../src/settings/owners.js';
import { SettingsStore } from '../../src/settings/store.js';
import { createTestApp, get, insertUser, post, shownValueOf } from '../support/app.js';
import {
  ADMIN_INTEGRATIONS,
  groupIntegrations,
  projectIntegrations,
  saveInstanceSlack,
} from '../support/integrations.js';
import { buildWorld, must } from '../support/world.js';

async function setup() {
  const statements: string[] = [];
  const db = await openTestDatabase({ onStatement: (sql) => statements.push(sql) });
  // No page cache: every request reads the database.
  const { app } = await createTestApp({ db, pageCacheSize: 0 });
  const world = await buildWorld(db);
  const admin = world.cookies.admin!;
  await saveInstanceSlack(app, admin);
  await post(
    app,
    `${ADMIN_INTEGRATIONS}/jira`,
    {
      _version: '0',
      _confirmed: '1',
      active: '1',
      url: 'https://jira.example.com',
      jira_auth_type: '0',
      username: 'bot',
      password: 'secret',
    },
    { cookie: admin },
  );
  let parent: Group | undefined;
  for (const path of ['a', 'b', 'c', 'd']) {
    const group = await createGroup(db, { name: path.toUpperCase(), path }, parent);
    if (!group.ok) throw new Error('group');
    parent = group.value;
    // Each level sets something of its own, so the chain has a row at every level.
    await post(
      app,
      `${groupIntegrations(parent.fullPath)}/slack`,
      {
        _version: '0',
        _confirmed: '1',
        inheritance: 'custom',
        _inherit: ['active', 'webhook'],
        username: `bot-${path}`,
      },
      { cookie: admin },
    );
  }
  for (const [name, group] of [
    ['shallow', world.other],
    ['deep', parent!],
  ] as const) {
    if (!(await createProject(db, { name, path: name }, group)).ok) throw new Error('project');
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
    expect(shownValueOf(deep.html, 'username')).toBe('bot-d');
    expect(deep.count).toBe(shallow.count);
    expect(deep.count).toBeLessThanOrEqual(6);
  });
});

/**
 * The world of test/support/world.ts grown by `size`: that many groups below "top", each with a
 * subgroup, three projects and a Reporter, custom settings of three types in every project and
 * of Slack in every other subgroup (at size 10, more than a page of "Projects using custom settings").
 */
async function sizedInstance(size: number) {
  const statements: string[] = [];
  const db = await openTestDatabase({ onStatement: (sql) => statements.push(sql) });
  const secretKeyBase = 'queries-test-secret-key-base-long-enough-0123456789';
  const { app } = await createTestApp({ db, pageCacheSize: 0, secretKeyBase });
  const world = await buildWorld(db);
  await saveInstanceSlack(app, world.cookies.admin!);
  const store = new SettingsStore(db, secretKeyBase);
  const own = { active: true, fields: { username: 'own' }, events: {} };
  for (let index = 0; index < size; index++) {
    const group = must(await createGroup(db, { name: `Team ${index}`, path: `team-${index}` }, world.top));
    const subgroup = must(await createGroup(db, { name: 'Services', path: 'services' }, group));
    const reporter = await insertUser(db, `reporter-${index}`);
    await writeConnection(db)
      .insert(members)
      .values({ userId: reporter.id, groupId: group.id, accessLevel: ROLES.reporter });
    if (index % 2 === 0) await store.save(groupOwner(subgroup, []), 'slack', own, 0, null);
    for (const [parent, name] of [
      [group, 'web'],
      [group, 'api'],
      [subgroup, 'worker'],
    ] as const) {
      const project = must(await createProject(db, { name, path: name }, parent));
      for (const type of ['slack', 'mattermost', 'jira'])
        await store.save(projectOwner(project, []), type, own, 0, null);
    }
  }
  const admin = world.cookies.admin!;
  const owner = world.cookies.owner!;
  /** Statements of one request, once the session lookup is remembered. */
  const queriesFor = async (url: string, cookie: string) => {
    expect((await get(app, url, { cookie })).status, url).toBe(200);
    statements.length = 0;
    await get(app, url, { cookie });
    return statements.length;
  };
  return { world, admin, owner, queriesFor };
}

type Sized = Awaited<ReturnType<typeof sizedInstance>>;

/**
 * The most statements each page may run, loaded as an administrator or as the Owner of "top".
 * The integration lists ran 71 (instance) and 90 (group) while usage was counted type by type;
 * their budget is now below the number of types.
 */
const PAGES: { page: string; url: (sized: Sized) => string; as: 'admin' | 'owner'; budget: number }[] = [
  { page: 'instance integrations', url: () => ADMIN_INTEGRATIONS, as: 'admin', budget: 7 },
  { page: 'instance Slack', url: () => `${ADMIN_INTEGRATIONS}/slack`, as: 'admin', budget: 7 },
  {
    page: 'instance Slack, projects using custom settings',
    url: () => `${ADMIN_INTEGRATIONS}/slack/overrides`,
    as: 'admin',
    budget: 6,
  },
  {
    page: 'instance Slack, projects using custom settings, second page',
    url: () => `${ADMIN_INTEGRATIONS}/slack/overrides?after=top%2Fteam-4`,
    as: 'admin',
    budget: 6,
  },
  {
    page: 'instance Slack, enforce and push',
    url: () => `${ADMIN_INTEGRATIONS}/slack/enforcement`,
    as: 'admin',
    budget: 4,
  },
  { page: 'group integrations', url: () => groupIntegrations('top'), as: 'owner', budget: 13 },
  { page: 'group Slack', url: () => `${groupIntegrations('top')}/slack`, as: 'owner', budget: 13 },
  {
    page: 'group Slack, projects using custom settings',
    url: () => `${groupIntegrations('top')}/slack/overrides`,
    as: 'owner',
    budget: 12,
  },
  {
    page: 'group Slack, projects using custom settings, as an administrator',
    url: () => `${groupIntegrations('top')}/slack/overrides`,
    as: 'admin',
    budget: 8,
  },
  {
    page: 'group Slack, enforce and push',
    url: () => `${groupIntegrations('top')}/slack/enforcement`,
    as: 'owner',
    budget: 9,
  },
  { page: 'project integrations', url: () => projectIntegrations('top/sub/app'), as: 'owner', budget: 7 },
  { page: 'project Slack', url: () => `${projectIntegrations('top/sub/app')}/slack`, as: 'owner', budget: 7 },
  { page: 'Admin Area', url: () => '/admin', as: 'admin', budget: 5 },
  { page: 'Admin Area users', url: () => '/admin/users', as: 'admin', budget: 4 },
  { page: 'Admin Area groups', url: () => '/admin/groups', as: 'admin', budget: 3 },
  { page: 'Admin Area groups, searched', url: () => '/admin/groups?search=team', as: 'admin', budget: 3 },
  { page: 'group general settings', url: () => '/groups/top/-/edit', as: 'owner', budget: 9 },
  { page: 'project general settings', url: () => '/top/sub/app/-/edit', as: 'owner', budget: 7 },
  { page: 'Admin Area projects', url: () => '/admin/projects', as: 'admin', budget: 4 },
  { page: 'Admin Area group', url: ({ world }) => `/admin/groups/${world.top.id}`, as: 'admin', budget: 7 },
  { page: 'group page', url: () => '/groups/top', as: 'owner', budget: 8 },
  { page: 'project page', url: () => '/top/sub/app', as: 'owner', budget: 6 },
  { page: 'dashboard', url: () => '/', as: 'owner', budget: 4 },
];

describe('queries per list and integration page', () => {
  it.each(PAGES)(
    'loads the $page in as many statements with ten times the groups, projects, members and custom settings',
    async ({ url, as, budget }) => {
      const [small, big] = [await sizedInstance(1), await sizedInstance(10)];
      const count = await small.queriesFor(url(small), small[as]);
      expect(await big.queriesFor(url(big), big[as])).toBe(count);
      expect(count).toBeLessThanOrEqual(budget);
    },
  );
});
