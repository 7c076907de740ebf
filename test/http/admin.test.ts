/**
 * The Admin Area through HTTP: users, groups, projects and members with good and bad input,
 * and the protections every form post gets (cross-site requests, oversized bodies).
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../src/auth/permissions.js';
import { groups, members, projects, sessions, users, type Group } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import {
  controlOf,
  createTestApp,
  fieldErrorOf,
  flashOf,
  get,
  insertUser,
  post,
  sessionCookie,
  TEST_PASSWORD,
  textOf,
  type TestApp,
} from '../support/app.js';
import { writeConnection } from '../../src/db/client.js';

interface AdminTest extends TestApp {
  /** The Cookie header of the signed-in administrator "root". */
  admin: string;
  rootId: number;
}

async function signedInAdmin(): Promise<AdminTest> {
  const t = await createTestApp();
  const root = await insertUser(t.db, 'root', { isAdmin: true });
  return { ...t, admin: await sessionCookie(t.db, root), rootId: root.id };
}

const userRows = async (t: TestApp) => await t.db.select().from(users);
const groupRows = async (t: TestApp) => await t.db.select().from(groups);
const projectRows = async (t: TestApp) => await t.db.select().from(projects);
const memberRows = async (t: TestApp) => await t.db.select().from(members);
const userNamed = async (t: TestApp, username: string) =>
  (await t.db.select().from(users).where(eq(users.username, username)).limit(1))[0];

async function newGroup(t: TestApp, path: string, parent?: Group): Promise<Group> {
  const outcome = await createGroup(t.db, { name: path.charAt(0).toUpperCase() + path.slice(1), path }, parent);
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  return outcome.value;
}

async function newProject(t: TestApp, path: string, group: Group) {
  const outcome = await createProject(t.db, { name: path, path }, group);
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  return outcome.value;
}

const validUser = {
  name: 'Ada Lovelace',
  username: 'ada',
  email: 'ada@example.com',
  password: 'analytical-engine',
  is_admin: '0',
};

describe('Admin Area pages', () => {
  it('shows the instance counts on the overview', async () => {
    const t = await signedInAdmin();
    await insertUser(t.db, 'ada', { blockedAt: new Date() });
    const platform = await newGroup(t, 'platform');
    await newGroup(t, 'backend', platform);
    await newProject(t, 'api', platform);
    const text = textOf(await (await get(t.app, '/admin', { cookie: t.admin })).text());
    expect(text).toContain('Users 2 1 administrators, 1 blocked');
    expect(text).toContain('Groups 2 including subgroups');
    expect(text).toContain('Projects 1 in all groups');
  });

  it('offers the new-user form with every field and no value filled in', async () => {
    const t = await signedInAdmin();
    const html = await (await get(t.app, '/admin/users/new', { cookie: t.admin })).text();
    for (const field of ['name', 'username', 'email', 'password'])
      expect(controlOf(html, field)).not.toContain('value=');
    expect(controlOf(html, 'password')).toContain('autocomplete="new-password"');
  });

  it('preselects the parent group on the new-group form and the group on the new-project form', async () => {
    const t = await signedInAdmin();
    const platform = await newGroup(t, 'platform');
    await newGroup(t, 'tools');
    const group = await (await get(t.app, `/admin/groups/new?parent_id=${platform.id}`, { cookie: t.admin })).text();
    expect(group).toContain(`<option value="${platform.id}" selected="">platform</option>`);
    const project = await (await get(t.app, `/admin/projects/new?group_id=${platform.id}`, { cookie: t.admin })).text();
    expect(project).toContain(`<option value="${platform.id}" selected="">platform</option>`);
  });

  it('asks for a group first when there is none to put a project in', async () => {
    const t = await signedInAdmin();
    const html = await (await get(t.app, '/admin/projects/new', { cookie: t.admin })).text();
    expect(textOf(html)).toContain('Projects live in groups. Create a group first.');
    expect(controlOf(html, 'group_id')).toBeUndefined();
  });

  it("shows a group's members, subgroups and projects, and a project's members", async () => {
    const t = await signedInAdmin();
    const platform = await newGroup(t, 'platform');
    await newGroup(t, 'backend', platform);
    const api = await newProject(t, 'api', platform);
    const ada = await insertUser(t.db, 'ada');
    await writeConnection(t.db)
      .insert(members)
      .values([
        { userId: ada.id, groupId: platform.id, accessLevel: ROLES.maintainer },
        { userId: ada.id, projectId: api.id, accessLevel: ROLES.reporter },
      ]);
    const group = await (await get(t.app, `/admin/groups/${platform.id}`, { cookie: t.admin })).text();
    expect(textOf(group)).toContain('ada @ada Role of ada Reporter Developer Maintainer Owner');
    expect(group).toMatch(/<option value="maintainer" selected="">Maintainer<\/option>/);
    expect(textOf(group)).toContain('Subgroups Backend Projects api');
    const project = await (await get(t.app, `/admin/projects/${api.id}`, { cookie: t.admin })).text();
    expect(project).toMatch(/<option value="reporter" selected="">Reporter<\/option>/);
  });

  it('treats a page number that is not a number as the first page', async () => {
    const t = await signedInAdmin();
    await newGroup(t, 'platform');
    const response = await get(t.app, '/admin/groups?page=abc', { cookie: t.admin });
    expect(response.status).toBe(200);
    expect(textOf(await response.text())).toContain('Platform platform');
  });
});

describe('Admin Area > Users > New user', () => {
  it('creates a user with a hashed password and says so on the list', async () => {
    const t = await signedInAdmin();
    const response = await post(t.app, '/admin/users', validUser, { cookie: t.admin });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/users');
    expect(flashOf(response)).toBe('User ada was successfully created.');
    const ada = (await userNamed(t, 'ada'))!;
    expect(ada).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', isAdmin: false, blockedAt: null });
    expect(ada.passwordHash).toMatch(/^scrypt\$/);
    expect(ada.passwordHash).not.toContain('analytical-engine');
    expect(textOf(await (await get(t.app, '/admin/users', { cookie: t.admin })).text())).toContain(
      'Ada Lovelace @ada ada@example.com Regular',
    );
  });

  it('creates an administrator when the box is ticked', async () => {
    const t = await signedInAdmin();
    await post(t.app, '/admin/users', { ...validUser, is_admin: ['0', '1'] }, { cookie: t.admin });
    expect((await userNamed(t, 'ada'))!.isAdmin).toBe(true);
  });

  it.each([
    [
      'empty fields',
      { name: '', username: '', email: '', password: '' },
      {
        name: 'Name is required',
        username: 'Username is too short (minimum is 2 characters)',
        email: 'Email is invalid',
        password: 'Password is too short (minimum is 8 characters)',
      },
    ],
    ['an invalid email', { ...validUser, email: 'ada-at-example' }, { email: 'Email is invalid' }],
    [
      'a too short password',
      { ...validUser, password: 'seven77' },
      { password: 'Password is too short (minimum is 8 characters)' },
    ],
    [
      'a username taken in another letter case',
      { ...validUser, username: 'ROOT' },
      { username: 'Username has already been taken' },
    ],
    [
      'an email taken in another letter case',
      { ...validUser, email: 'ROOT@example.com' },
      { email: 'Email has already been taken' },
    ],
    [
      'a name over 255 characters',
      { ...validUser, name: 'A'.repeat(256) },
      { name: 'Name is too long (maximum is 255 characters)' },
    ],
    [
      'a username with spaces',
      { ...validUser, username: 'ada lovelace' },
      { username: "Username can contain only letters, digits, '_', '-' and '.'" },
    ],
  ])('refuses %s with 422, the message next to each field, and creates nobody', async (_case, form, expected) => {
    const t = await signedInAdmin();
    const response = await post(t.app, '/admin/users', form, { cookie: t.admin });
    expect(response.status).toBe(422);
    const html = await response.text();
    for (const [field, message] of Object.entries(expected)) expect(fieldErrorOf(html, field)).toBe(message);
    expect(textOf(html)).toContain(
      Object.keys(expected).length === 1
        ? 'The form has 1 error'
        : `The form has ${Object.keys(expected).length} errors`,
    );
    expect((await userRows(t)).map((user) => user.username)).toEqual(['root']);
  });

  it('keeps the submitted values after an error, but never the password', async () => {
    const t = await signedInAdmin();
    const html = await (
      await post(
        t.app,
        '/admin/users',
        { ...validUser, email: 'not-an-email', password: 'a-secret-password-123' },
        { cookie: t.admin },
      )
    ).text();
    expect(controlOf(html, 'name')).toContain('value="Ada Lovelace"');
    expect(controlOf(html, 'username')).toContain('value="ada"');
    expect(controlOf(html, 'email')).toContain('value="not-an-email"');
    expect(controlOf(html, 'password')).not.toContain('value=');
    expect(html).not.toContain('a-secret-password-123');
  });
});

describe('Admin Area > Users: administrator access and blocking', () => {
  async function withAda() {
    const t = await signedInAdmin();
    const ada = await insertUser(t.db, 'ada');
    return { ...t, ada, adaCookie: await sessionCookie(t.db, ada) };
  }

  it('makes a user an administrator and revokes it again', async () => {
    const t = await withAda();
    const made = await post(t.app, `/admin/users/${t.ada.id}/make_admin`, {}, { cookie: t.admin });
    expect(made.status).toBe(303);
    expect(made.headers.get('location')).toBe('/admin/users');
    expect(flashOf(made)).toBe('ada is now an administrator.');
    expect((await userNamed(t, 'ada'))!.isAdmin).toBe(true);
    expect((await get(t.app, '/admin', { cookie: t.adaCookie })).status).toBe(200);

    const revoked = await post(t.app, `/admin/users/${t.ada.id}/revoke_admin`, {}, { cookie: t.admin });
    expect(flashOf(revoked)).toBe('ada is no longer an administrator.');
    expect((await userNamed(t, 'ada'))!.isAdmin).toBe(false);
    expect((await get(t.app, '/admin', { cookie: t.adaCookie })).status).toBe(404);
  });

  it('blocks a user, ending their sessions, and unblocks them so they can sign in again', async () => {
    const t = await withAda();
    const blocked = await post(t.app, `/admin/users/${t.ada.id}/block`, {}, { cookie: t.admin });
    expect(blocked.status).toBe(303);
    expect(flashOf(blocked)).toBe('ada was blocked and signed out everywhere.');
    expect((await userNamed(t, 'ada'))!.blockedAt).toBeInstanceOf(Date);
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, t.ada.id))).toHaveLength(0);
    expect((await get(t.app, '/', { cookie: t.adaCookie })).status).toBe(302);
    expect(textOf(await (await get(t.app, '/admin/users', { cookie: t.admin })).text())).toContain(
      '@ada ada@example.com Blocked',
    );

    const unblocked = await post(t.app, `/admin/users/${t.ada.id}/unblock`, {}, { cookie: t.admin });
    expect(flashOf(unblocked)).toBe('ada was unblocked.');
    expect((await userNamed(t, 'ada'))!.blockedAt).toBeNull();
    expect((await post(t.app, '/users/sign_in', { username: 'ada', password: TEST_PASSWORD })).status).toBe(303);
  });

  it.each(['revoke_admin', 'block'])(
    'refuses to let an administrator %s themself (400) and changes nothing',
    async (action) => {
      const t = await withAda();
      const response = await post(t.app, `/admin/users/${t.rootId}/${action}`, {}, { cookie: t.admin });
      expect(response.status).toBe(400);
      expect(textOf(await response.text())).toContain(
        'You cannot change your own administrator access or block yourself.',
      );
      expect(await userNamed(t, 'root')).toMatchObject({ isAdmin: true, blockedAt: null });
      expect((await get(t.app, '/admin', { cookie: t.admin })).status).toBe(200);
    },
  );

  it.each(['make_admin', 'revoke_admin', 'block', 'unblock'])(
    'answers 404 to %s for an unknown or non-numeric user id',
    async (action) => {
      const t = await withAda();
      for (const id of ['999', 'abc', '0', '-1', '1.5']) {
        const response = await post(t.app, `/admin/users/${id}/${action}`, {}, { cookie: t.admin });
        expect(response.status, `id ${id}`).toBe(404);
      }
      expect(await userNamed(t, 'ada')).toMatchObject({ isAdmin: false, blockedAt: null });
    },
  );

  it('lists users with search and pagination', async () => {
    const t = await signedInAdmin();
    for (let n = 1; n <= 22; n++) await insertUser(t.db, `user${String(n).padStart(2, '0')}`);
    const first = textOf(await (await get(t.app, '/admin/users', { cookie: t.admin })).text());
    expect(first).toContain('Page 1 of 2');
    expect(first).toContain('@user19');
    expect(first).not.toContain('@user20');
    const second = textOf(await (await get(t.app, '/admin/users?page=2', { cookie: t.admin })).text());
    expect(second).toContain('@user20');
    expect(second).toContain('@user22');
    expect(second).not.toContain('@user19');
    const search = textOf(await (await get(t.app, '/admin/users?search=user07', { cookie: t.admin })).text());
    expect(search).toContain('@user07');
    expect(search).not.toContain('@user08');
  });
});

describe('Admin Area > Groups', () => {
  const groupForm = (overrides: Record<string, string> = {}) => ({
    name: 'Platform',
    path: 'platform',
    parent_id: '',
    description: '',
    ...overrides,
  });

  it('creates a top-level group', async () => {
    const t = await signedInAdmin();
    const response = await post(t.app, '/admin/groups', groupForm({ description: 'Shared services' }), {
      cookie: t.admin,
    });
    expect(response.status).toBe(303);
    const [platform] = await groupRows(t);
    expect(platform).toMatchObject({
      name: 'Platform',
      fullPath: 'platform',
      parentId: null,
      description: 'Shared services',
    });
    expect(platform!.traversalIds).toBe(`/${platform!.id}/`);
    expect(response.headers.get('location')).toBe(`/admin/groups/${platform!.id}`);
    expect(flashOf(response)).toBe('Group platform was successfully created.');
  });

  it('creates a subgroup via parent_id, below its parent', async () => {
    const t = await signedInAdmin();
    const platform = await newGroup(t, 'platform');
    const response = await post(
      t.app,
      '/admin/groups',
      groupForm({ name: 'Backend', path: 'backend', parent_id: String(platform.id) }),
      { cookie: t.admin },
    );
    expect(response.status).toBe(303);
    expect(flashOf(response)).toBe('Group platform/backend was successfully created.');
    const backend = (await groupRows(t)).find((group) => group.path === 'backend')!;
    expect(backend).toMatchObject({
      fullPath: 'platform/backend',
      parentId: platform.id,
      traversalIds: `/${platform.id}/${backend.id}/`,
    });
    expect(textOf(await (await get(t.app, `/admin/groups/${platform.id}`, { cookie: t.admin })).text())).toContain(
      'Subgroups Backend',
    );
  });

  it('allows a reserved word as the path of a subgroup', async () => {
    const t = await signedInAdmin();
    const platform = await newGroup(t, 'platform');
    const response = await post(
      t.app,
      '/admin/groups',
      groupForm({ name: 'Admin', path: 'admin', parent_id: String(platform.id) }),
      { cookie: t.admin },
    );
    expect(response.status).toBe(303);
    expect((await groupRows(t)).map((group) => group.fullPath)).toContain('platform/admin');
  });

  it.each([
    ['a path taken in another letter case', groupForm({ path: 'Platform' }), 'path', 'Path has already been taken'],
    [
      'a reserved top-level path',
      groupForm({ path: 'admin' }),
      'path',
      'Path "admin" is reserved for Cascade\'s own pages',
    ],
    [
      'a reserved top-level path in capitals',
      groupForm({ path: 'USERS' }),
      'path',
      'Path "USERS" is reserved for Cascade\'s own pages',
    ],
    [
      'a path with a space',
      groupForm({ path: 'my group' }),
      'path',
      "Path can contain only letters, digits, '_', '-' and '.', and cannot start or end with '-' or '.'",
    ],
    [
      'a path with a slash',
      groupForm({ path: 'a/b' }),
      'path',
      "Path can contain only letters, digits, '_', '-' and '.', and cannot start or end with '-' or '.'",
    ],
    ['a path ending in .git', groupForm({ path: 'repo.git' }), 'path', "Path cannot end in '.git' or '.atom'"],
    ['an empty name', groupForm({ name: ' ' }), 'name', 'Name is required'],
    [
      'a tampered parent_id "999"',
      groupForm({ path: 'fresh', parent_id: '999' }),
      'parent_id',
      'Parent group does not exist',
    ],
    [
      'a tampered parent_id "abc"',
      groupForm({ path: 'fresh', parent_id: 'abc' }),
      'parent_id',
      'Parent group does not exist',
    ],
  ])(
    'refuses %s with 422 next to the field, keeps the values, and creates nothing',
    async (_case, form, field, message) => {
      const t = await signedInAdmin();
      await newGroup(t, 'platform');
      const response = await post(t.app, '/admin/groups', form, { cookie: t.admin });
      expect(response.status).toBe(422);
      const html = await response.text();
      expect(fieldErrorOf(html, field)).toBe(message);
      expect(controlOf(html, 'path')).toContain(`value="${form.path}"`);
      expect((await groupRows(t)).map((group) => group.fullPath)).toEqual(['platform']);
    },
  );

  it('refuses a subgroup path already used by a project of the parent', async () => {
    const t = await signedInAdmin();
    const platform = await newGroup(t, 'platform');
    await newProject(t, 'api', platform);
    const response = await post(
      t.app,
      '/admin/groups',
      groupForm({ name: 'API', path: 'api', parent_id: String(platform.id) }),
      { cookie: t.admin },
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'path')).toBe('Path has already been taken');
    expect(await groupRows(t)).toHaveLength(1);
  });

  it('lists groups with search and pagination', async () => {
    const t = await signedInAdmin();
    for (let n = 1; n <= 23; n++) await newGroup(t, `team${String(n).padStart(2, '0')}`);
    await newGroup(t, 'platform');
    const first = textOf(await (await get(t.app, '/admin/groups', { cookie: t.admin })).text());
    expect(first).toContain('Page 1 of 2');
    expect(first).toContain('Platform platform');
    expect(first).toContain('Team19 team19');
    expect(first).not.toContain('Team20');
    const second = textOf(await (await get(t.app, '/admin/groups?page=2', { cookie: t.admin })).text());
    expect(second).toContain('Page 2 of 2');
    expect(second).toContain('Team20 team20');
    expect(second).toContain('Team23 team23');
    expect(second).not.toContain('Team19');
    const search = await (await get(t.app, '/admin/groups?search=plat', { cookie: t.admin })).text();
    expect(textOf(search)).toContain('Platform platform');
    expect(textOf(search)).not.toContain('Team');
    expect(controlOf(search, 'search')).toContain('value="plat"');
    const none = textOf(await (await get(t.app, '/admin/groups?search=nothing-like-it', { cookie: t.admin })).text());
    expect(none).toContain('No group matches your search.');
  });

  it('answers 404 for an unknown or non-numeric group id', async () => {
    const t = await signedInAdmin();
    expect((await get(t.app, '/admin/groups/999', { cookie: t.admin })).status).toBe(404);
    expect((await get(t.app, '/admin/groups/abc', { cookie: t.admin })).status).toBe(404);
  });
});

describe('Admin Area > Projects', () => {
  const projectForm = (group: Group, overrides: Record<string, string> = {}) => ({
    name: 'API',
    group_id: String(group.id),
    path: 'api',
    description: '',
    ...overrides,
  });

  it('creates a project in a group', async () => {
    const t = await signedInAdmin();
    const platform = await newGroup(t, 'platform');
    const response = await post(t.app, '/admin/projects', projectForm(platform), { cookie: t.admin });
    expect(response.status).toBe(303);
    const [api] = await projectRows(t);
    expect(api).toMatchObject({ name: 'API', fullPath: 'platform/api', groupId: platform.id });
    expect(response.headers.get('location')).toBe(`/admin/projects/${api!.id}`);
    expect(flashOf(response)).toBe('Project platform/api was successfully created.');
  });

  it.each(['999', 'abc', ''])('refuses a tampered group_id %j with 422 and creates nothing', async (groupId) => {
    const t = await signedInAdmin();
    const platform = await newGroup(t, 'platform');
    const response = await post(t.app, '/admin/projects', projectForm(platform, { group_id: groupId }), {
      cookie: t.admin,
    });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(fieldErrorOf(html, 'group_id')).toBe('Choose the group the project belongs to');
    expect(controlOf(html, 'name')).toContain('value="API"');
    expect(await projectRows(t)).toHaveLength(0);
  });

  it.each([
    ['a path taken by a project', 'API'],
    ['a path taken by a subgroup', 'backend'],
  ])('refuses %s with 422 and creates nothing', async (_case, path) => {
    const t = await signedInAdmin();
    const platform = await newGroup(t, 'platform');
    await newGroup(t, 'backend', platform);
    await newProject(t, 'api', platform);
    const response = await post(t.app, '/admin/projects', projectForm(platform, { path }), { cookie: t.admin });
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'path')).toBe('Path has already been taken');
    expect(await projectRows(t)).toHaveLength(1);
  });

  it('lists 25 projects on two pages, and finds one by search', async () => {
    const t = await signedInAdmin();
    const platform = await newGroup(t, 'platform');
    for (let n = 1; n <= 25; n++) await newProject(t, `service${String(n).padStart(2, '0')}`, platform);
    const first = textOf(await (await get(t.app, '/admin/projects', { cookie: t.admin })).text());
    expect(first).toContain('Page 1 of 2');
    expect(first).toContain('platform/service01');
    expect(first).toContain('platform/service20');
    expect(first).not.toContain('platform/service21');
    const second = textOf(await (await get(t.app, '/admin/projects?page=2', { cookie: t.admin })).text());
    expect(second).toContain('Page 2 of 2');
    expect(second.match(/platform\/service\d\d/g)).toEqual(
      ['21', '22', '23', '24', '25'].map((n) => `platform/service${n}`),
    );
    const search = textOf(await (await get(t.app, '/admin/projects?search=service07', { cookie: t.admin })).text());
    expect(search.match(/platform\/service\d\d/g)).toEqual(['platform/service07']);
    expect(textOf(await (await get(t.app, '/admin/projects?search=zzz', { cookie: t.admin })).text())).toContain(
      'No project matches your search.',
    );
  });

  it('answers 404 for an unknown or non-numeric project id', async () => {
    const t = await signedInAdmin();
    expect((await get(t.app, '/admin/projects/999', { cookie: t.admin })).status).toBe(404);
    expect((await get(t.app, '/admin/projects/x1', { cookie: t.admin })).status).toBe(404);
  });
});

describe('Admin Area: members of groups and projects', () => {
  async function withTeam() {
    const t = await signedInAdmin();
    const platform = await newGroup(t, 'platform');
    const tools = await newGroup(t, 'tools');
    const api = await newProject(t, 'api', platform);
    const ada = await insertUser(t.db, 'ada');
    const bob = await insertUser(t.db, 'bob');
    return { ...t, platform, tools, api, ada, bob };
  }

  it('adds a member to a group with a role', async () => {
    const t = await withTeam();
    const response = await post(
      t.app,
      `/admin/groups/${t.platform.id}/members`,
      { username: 'ADA', role: 'owner' },
      { cookie: t.admin },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/admin/groups/${t.platform.id}`);
    expect(flashOf(response)).toBe('ada was added.');
    expect(await memberRows(t)).toMatchObject([
      { userId: t.ada.id, groupId: t.platform.id, projectId: null, accessLevel: ROLES.owner },
    ]);
    expect(textOf(await (await get(t.app, `/admin/groups/${t.platform.id}`, { cookie: t.admin })).text())).toContain(
      'ada @ada',
    );
  });

  it('adds a member to a project with a role', async () => {
    const t = await withTeam();
    const response = await post(
      t.app,
      `/admin/projects/${t.api.id}/members`,
      { username: 'ada', role: 'maintainer' },
      { cookie: t.admin },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/admin/projects/${t.api.id}`);
    expect(await memberRows(t)).toMatchObject([
      { userId: t.ada.id, groupId: null, projectId: t.api.id, accessLevel: ROLES.maintainer },
    ]);
  });

  it('refuses an unknown username with 422 next to the field, keeping what was typed', async () => {
    const t = await withTeam();
    const response = await post(
      t.app,
      `/admin/groups/${t.platform.id}/members`,
      { username: 'nobody', role: 'developer' },
      { cookie: t.admin },
    );
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(fieldErrorOf(html, 'username')).toBe('No user with that username');
    expect(controlOf(html, 'username')).toContain('value="nobody"');
    expect(await memberRows(t)).toHaveLength(0);
  });

  it('refuses to add someone who is already a member', async () => {
    const t = await withTeam();
    await post(
      t.app,
      `/admin/groups/${t.platform.id}/members`,
      { username: 'ada', role: 'developer' },
      { cookie: t.admin },
    );
    const again = await post(
      t.app,
      `/admin/groups/${t.platform.id}/members`,
      { username: 'ada', role: 'maintainer' },
      { cookie: t.admin },
    );
    expect(again.status).toBe(422);
    expect(fieldErrorOf(await again.text(), 'username')).toBe('ada is already a member');
    expect(await memberRows(t)).toMatchObject([{ userId: t.ada.id, accessLevel: ROLES.developer }]);
  });

  it('refuses the Owner role for a project (a tampered select value), and does not offer it', async () => {
    const t = await withTeam();
    const page = await (await get(t.app, `/admin/projects/${t.api.id}`, { cookie: t.admin })).text();
    expect(page).not.toContain('value="owner"');
    const response = await post(
      t.app,
      `/admin/projects/${t.api.id}/members`,
      { username: 'ada', role: 'owner' },
      { cookie: t.admin },
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'role')).toBe('Role must be one of reporter, developer, maintainer');
    expect(await memberRows(t)).toHaveLength(0);
  });

  it("changes a member's role, and refuses a role that does not exist", async () => {
    const t = await withTeam();
    await post(
      t.app,
      `/admin/groups/${t.platform.id}/members`,
      { username: 'ada', role: 'developer' },
      { cookie: t.admin },
    );
    const [member] = await memberRows(t);
    const changed = await post(
      t.app,
      `/admin/groups/${t.platform.id}/members/${member!.id}`,
      { role: 'reporter' },
      { cookie: t.admin },
    );
    expect(changed.status).toBe(303);
    expect(flashOf(changed)).toBe('The role of ada was changed.');
    expect((await memberRows(t))[0]!.accessLevel).toBe(ROLES.reporter);

    const invalid = await post(
      t.app,
      `/admin/groups/${t.platform.id}/members/${member!.id}`,
      { role: 'superuser' },
      { cookie: t.admin },
    );
    expect(invalid.status).toBe(422);
    expect(textOf(await invalid.text())).toContain('Role must be one of reporter, developer, maintainer, owner');
    expect((await memberRows(t))[0]!.accessLevel).toBe(ROLES.reporter);
  });

  it('removes a member', async () => {
    const t = await withTeam();
    await post(
      t.app,
      `/admin/projects/${t.api.id}/members`,
      { username: 'bob', role: 'reporter' },
      { cookie: t.admin },
    );
    const [member] = await memberRows(t);
    const response = await post(
      t.app,
      `/admin/projects/${t.api.id}/members/${member!.id}/delete`,
      {},
      { cookie: t.admin },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/admin/projects/${t.api.id}`);
    expect(flashOf(response)).toBe('bob was removed.');
    expect(await memberRows(t)).toHaveLength(0);
  });

  it('answers 404 for an unknown member id and for a member of another group, changing nothing', async () => {
    const t = await withTeam();
    await post(
      t.app,
      `/admin/groups/${t.tools.id}/members`,
      { username: 'ada', role: 'developer' },
      { cookie: t.admin },
    );
    const [ofTools] = await memberRows(t);
    for (const memberId of ['999', 'abc', String(ofTools!.id)]) {
      const base = `/admin/groups/${t.platform.id}/members/${memberId}`;
      expect((await post(t.app, base, { role: 'owner' }, { cookie: t.admin })).status, `change ${memberId}`).toBe(404);
      expect((await post(t.app, `${base}/delete`, {}, { cookie: t.admin })).status, `remove ${memberId}`).toBe(404);
    }
    const viaProject = `/admin/projects/${t.api.id}/members/${ofTools!.id}`;
    expect((await post(t.app, viaProject, { role: 'maintainer' }, { cookie: t.admin })).status).toBe(404);
    expect((await post(t.app, `${viaProject}/delete`, {}, { cookie: t.admin })).status).toBe(404);
    expect(await memberRows(t)).toMatchObject([{ id: ofTools!.id, groupId: t.tools.id, accessLevel: ROLES.developer }]);
  });

  it('answers 404 when the group or project of the URL does not exist', async () => {
    const t = await withTeam();
    expect(
      (await post(t.app, '/admin/groups/999/members', { username: 'ada', role: 'developer' }, { cookie: t.admin }))
        .status,
    ).toBe(404);
    expect(
      (await post(t.app, '/admin/projects/abc/members', { username: 'ada', role: 'developer' }, { cookie: t.admin }))
        .status,
    ).toBe(404);
    expect(await memberRows(t)).toHaveLength(0);
  });
});

describe('protections of every form post', () => {
  const CSRF_MESSAGE =
    'The request did not come from a page of this site, so it was refused (cross-site request forgery protection).';

  it.each([
    ['without an Origin header', { origin: null }],
    ['from a foreign Origin', { origin: 'https://evil.example' }],
    ['from the same host on another port', { origin: 'http://localhost:4000' }],
    ['marked cross-site by the browser', { origin: null, headers: { 'sec-fetch-site': 'cross-site' } }],
  ])('refuses a form post %s with 403 and a clear message, changing nothing', async (_case, options) => {
    const t = await signedInAdmin();
    const response = await post(
      t.app,
      '/admin/groups',
      { name: 'Platform', path: 'platform', parent_id: '' },
      { cookie: t.admin, ...options },
    );
    expect(response.status).toBe(403);
    expect(textOf(await response.text())).toContain(CSRF_MESSAGE);
    expect(await groupRows(t)).toHaveLength(0);
  });

  it('refuses a cross-site sign-out, keeping the session', async () => {
    const t = await signedInAdmin();
    const response = await post(t.app, '/users/sign_out', {}, { cookie: t.admin, origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(await t.db.select().from(sessions)).toHaveLength(1);
  });

  it('refuses a body over 256 KiB with 413, changing nothing', async () => {
    const t = await signedInAdmin();
    const response = await post(
      t.app,
      '/admin/groups',
      { name: 'Platform', path: 'platform', parent_id: '', description: 'x'.repeat(257 * 1024) },
      { cookie: t.admin },
    );
    expect(response.status).toBe(413);
    expect(textOf(await response.text())).toContain('The submitted form is too large.');
    expect(await groupRows(t)).toHaveLength(0);
  });

  it('accepts a body just under the limit (and then validates it)', async () => {
    const t = await signedInAdmin();
    const response = await post(
      t.app,
      '/admin/groups',
      { name: 'Platform', path: 'platform', parent_id: '', description: 'x'.repeat(200 * 1024) },
      { cookie: t.admin },
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'description')).toBe(
      'Description is too long (maximum is 2000 characters)',
    );
  });
});
