/**
 * The tree by API, through app.request on a fresh database: groups, projects, their members and
 * users, created, changed, moved and deleted with GitLab's paths, statuses and JSON, through the
 * same domain functions as the Admin Area. A refused request changes nothing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { auditEvents, integrationSettings, members } from '../../src/db/schema.js';
import { findGroupById } from '../../src/model/groups.js';
import { findProjectById } from '../../src/model/projects.js';
import { findUserById } from '../../src/model/users.js';
import { type ActorTokens, apiRequest, apiTokens, json } from '../support/api.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { databaseSnapshot } from '../support/snapshot.js';
import { type World, openWorld } from '../support/world.js';

const API = '/api/v4';
const SLACK = { webhook: 'https://hooks.slack.com/services/T000/B000/TREE', channel: '#other' };

let t: TestApp;
let w: World;
let tokens: ActorTokens;

beforeEach(async () => {
  const opened = await openWorld();
  t = await createTestApp({ db: opened.db });
  w = opened.world;
  tokens = await apiTokens(t.db, w);
});

const call = (method: string, url: string, params?: Record<string, unknown>, token = tokens.admin) =>
  apiRequest(t.app, method, `${API}${url}`, { token, params });
const body = async (response: Response) => ({ status: response.status, body: await json(response) });
const events = async () => await t.db.select().from(auditEvents);

/** Runs `request` and checks that it is refused with `status` and `answer`, and that no row changed. */
async function refused(request: () => Promise<Response>, status: number, answer: unknown) {
  const before = await databaseSnapshot(t.db);
  expect(await body(await request())).toEqual({ status, body: answer });
  expect(await databaseSnapshot(t.db)).toBe(before);
}

describe('groups', () => {
  it('creates a top-level group and a subgroup, as GitLab answers them', async () => {
    const created = await body(
      await call('POST', '/groups', { name: 'Platform', path: 'platform', description: 'All' }),
    );
    expect(created).toMatchObject({
      status: 201,
      body: { name: 'Platform', path: 'platform', full_path: 'platform', parent_id: null, description: 'All' },
    });
    const parentId = created.body.id as number;
    const sub = await body(await call('POST', '/groups', { name: 'Backend', path: 'backend', parent_id: parentId }));
    expect(sub).toMatchObject({
      status: 201,
      body: { full_path: 'platform/backend', full_name: 'Platform / Backend', parent_id: parentId },
    });
  });

  it("refuses a taken path, a missing name or parent, and non-administrators, with GitLab's answers", async () => {
    await refused(() => call('POST', '/groups', { name: 'Top again', path: 'top' }), 400, {
      message: { path: ['Path has already been taken'] },
    });
    await refused(() => call('POST', '/groups', { path: 'nameless' }), 400, { error: 'name is missing' });
    await refused(() => call('POST', '/groups', { name: 'X', path: 'x', parent_id: 999_999 }), 404, {
      message: '404 Group Not Found',
    });
    await refused(() => call('POST', '/groups', { name: 'Mine', path: 'mine' }, tokens.owner), 403, {
      message: '403 Forbidden',
    });
    // The owner of "top" sees it but may not add to the tree; a stranger does not even see it.
    await refused(() => call('POST', '/groups', { name: 'S', path: 's', parent_id: w.top.id }, tokens.owner), 403, {
      message: '403 Forbidden',
    });
    await refused(() => call('POST', '/groups', { name: 'S', path: 's', parent_id: w.top.id }, tokens.nonMember), 404, {
      message: '404 Group Not Found',
    });
  });

  it('renames a group, and a new path moves its subgroups and projects with it, audited as a move and an edit', async () => {
    const updated = await body(await call('PUT', `/groups/${w.sub.id}`, { name: 'Subsidiary', path: 'subsidiary' }));
    expect(updated).toMatchObject({ status: 200, body: { name: 'Subsidiary', full_path: 'top/subsidiary' } });
    expect((await findProjectById(t.db, w.project.id))?.fullPath).toBe('top/subsidiary/app');
    expect(await events()).toEqual([
      expect.objectContaining({ action: 'group.moved', ownerPath: 'top/subsidiary', actorName: 'admin' }),
      expect.objectContaining({ action: 'group.edited', ownerPath: 'top/subsidiary', actorName: 'admin' }),
    ]);
    expect(await json(await call('PUT', `/groups/${w.sub.id}`, { path: 'Subsidiary' }))).toMatchObject({
      full_path: 'top/Subsidiary',
    });
    await refused(() => call('PUT', `/groups/${w.sub.id}`, { path: 'bad path!' }), 400, {
      message: { path: [expect.stringContaining('Path can contain only')] },
    });
  });

  it('deletes a group with its subgroups, projects, settings and members, answering 202', async () => {
    expect((await call('PUT', `/groups/${w.sub.id}/integrations/slack`, SLACK)).status).toBe(200);
    expect((await call('PUT', `/projects/${w.project.id}/integrations/slack`, SLACK)).status).toBe(200);
    expect(await body(await call('DELETE', `/groups/${w.top.id}`))).toEqual({
      status: 202,
      body: { message: '202 Accepted' },
    });
    expect(await findGroupById(t.db, w.top.id)).toBeUndefined();
    expect(await findGroupById(t.db, w.sub.id)).toBeUndefined();
    expect(await findProjectById(t.db, w.project.id)).toBeUndefined();
    expect(await t.db.select().from(integrationSettings)).toEqual([]);
    expect((await t.db.select().from(members)).map((member) => member.groupId ?? member.projectId)).toEqual([]);
    expect(await findGroupById(t.db, w.other.id)).toBeDefined();
    expect((await events()).at(-1)).toMatchObject({ action: 'group.deleted', ownerPath: 'top', groupId: w.top.id });
    expect((await call('GET', `/groups/${w.top.id}`)).status).toBe(404);
  });

  it('transfers a group under another one, and its projects inherit from the new parent at once', async () => {
    expect((await call('PUT', `/groups/${w.other.id}/integrations/slack`, SLACK)).status).toBe(200);
    const moved = await body(await call('POST', `/groups/${w.sub.id}/transfer`, { group_id: w.other.id }));
    expect(moved).toMatchObject({ status: 201, body: { full_path: 'other/sub', parent_id: w.other.id } });
    const slack = await json(await call('GET', `/projects/${w.project.id}/integrations/slack`));
    expect(slack).toMatchObject({
      inherited: true,
      inherits_from: { level: 'group', full_path: 'other' },
      properties: { channel: '#other' },
    });
    expect((await events()).at(-1)).toMatchObject({ action: 'group.moved', ownerPath: 'other/sub' });
  });

  it('transfers a group to the top level without group_id, and refuses a move into itself', async () => {
    expect(await body(await call('POST', `/groups/${w.sub.id}/transfer`))).toMatchObject({
      status: 201,
      body: { full_path: 'sub', parent_id: null },
    });
    await refused(() => call('POST', `/groups/${w.sub.id}/transfer`), 400, {
      message: 'Transfer failed: The group is already there',
    });
    await refused(() => call('POST', `/groups/${w.top.id}/transfer`, { group_id: w.top.id }), 400, {
      message: 'Transfer failed: A group cannot be moved into itself or one of its subgroups',
    });
    await refused(() => call('POST', `/groups/${w.top.id}/transfer`, { group_id: 'abc' }), 400, {
      error: 'group_id is invalid',
    });
  });
});

describe('projects', () => {
  it("creates a project in a group named by id or path, its path made from the name as GitLab's is", async () => {
    const created = await body(await call('POST', '/projects', { name: 'My New App', namespace_id: w.sub.id }));
    expect(created).toMatchObject({
      status: 201,
      body: { name: 'My New App', path: 'my-new-app', path_with_namespace: 'top/sub/my-new-app' },
    });
    expect(await body(await call('POST', '/projects', { path: 'tool', namespace_id: 'top/sub' }))).toMatchObject({
      status: 201,
      body: { name: 'tool', path_with_namespace: 'top/sub/tool', namespace: { id: w.sub.id } },
    });
  });

  it('refuses what GitLab refuses, and non-administrators, changing nothing', async () => {
    await refused(() => call('POST', '/projects', { namespace_id: w.sub.id }), 400, {
      error: 'name, path are missing, at least one parameter must be provided',
    });
    await refused(() => call('POST', '/projects', { name: 'Homeless' }), 400, { error: 'namespace_id is missing' });
    await refused(() => call('POST', '/projects', { name: 'X', namespace_id: 'no/such' }), 404, {
      message: '404 Namespace Not Found',
    });
    await refused(() => call('POST', '/projects', { name: 'App', namespace_id: w.sub.id }), 400, {
      message: { path: ['Path has already been taken'] },
    });
    await refused(() => call('POST', '/projects', { name: 'Mine', namespace_id: w.sub.id }, tokens.maintainer), 403, {
      message: '403 Forbidden',
    });
    await refused(() => call('PUT', `/projects/${w.project.id}`, { name: 'Mine' }, tokens.maintainer), 403, {
      message: '403 Forbidden',
    });
    await refused(() => call('DELETE', `/projects/${w.project.id}`, undefined, tokens.nonMember), 404, {
      message: '404 Project Not Found',
    });
  });

  it('changes a project; a new path is audited as a move, a new description as an edit', async () => {
    const updated = await body(
      await call('PUT', `/projects/${w.project.id}`, { description: 'The app', path: 'application' }),
    );
    expect(updated).toMatchObject({
      status: 200,
      body: { description: 'The app', path: 'application', path_with_namespace: 'top/sub/application' },
    });
    expect(await events()).toEqual([
      expect.objectContaining({ action: 'project.moved', ownerPath: 'top/sub/application' }),
      expect.objectContaining({ action: 'project.edited', ownerPath: 'top/sub/application' }),
    ]);
  });

  it('deletes a project with its settings and members, answering 202, audited', async () => {
    expect((await call('PUT', `/projects/${w.project.id}/integrations/slack`, SLACK)).status).toBe(200);
    expect(await body(await call('DELETE', `/projects/${encodeURIComponent('top/sub/app')}`))).toEqual({
      status: 202,
      body: { message: '202 Accepted' },
    });
    expect(await findProjectById(t.db, w.project.id)).toBeUndefined();
    expect(await t.db.select().from(integrationSettings)).toEqual([]);
    expect((await t.db.select().from(members)).some((member) => member.projectId === w.project.id)).toBe(false);
    expect((await events()).at(-1)).toMatchObject({ action: 'project.deleted', ownerPath: 'top/sub/app' });
  });

  it('transfers a project to a group named by path, which it inherits from at once', async () => {
    expect((await call('PUT', `/groups/${w.other.id}/integrations/slack`, SLACK)).status).toBe(200);
    const moved = await body(await call('PUT', `/projects/${w.project.id}/transfer`, { namespace: 'other' }));
    expect(moved).toMatchObject({
      status: 200,
      body: { path_with_namespace: 'other/app', namespace: { id: w.other.id } },
    });
    const slack = await json(await call('GET', `/projects/${w.project.id}/integrations/slack`));
    expect(slack).toMatchObject({ inherits_from: { level: 'group', full_path: 'other' } });
    expect((await events()).at(-1)).toMatchObject({ action: 'project.moved', ownerPath: 'other/app' });
    await refused(() => call('PUT', `/projects/${w.project.id}/transfer`, { namespace: w.other.id }), 400, {
      message: 'Failed to transfer project: The project is already in this group',
    });
    await refused(() => call('PUT', `/projects/${w.project.id}/transfer`), 400, { error: 'namespace is missing' });
  });
});

describe('members', () => {
  it("lists a group's direct members, and a project's with those inherited, each at their highest level", async () => {
    const direct = await json<{ username: string; access_level: number }[]>(
      await call('GET', `/groups/${w.sub.id}/members`),
    );
    expect(direct.map(({ username, access_level }) => [username, access_level])).toEqual([
      ['developer', 30],
      ['reporter', 20],
    ]);
    expect(direct[0]).not.toHaveProperty('email');
    const all = await json<{ username: string; access_level: number }[]>(
      await call('GET', `/projects/${w.project.id}/members/all`, undefined, tokens.reporter),
    );
    expect(all.map(({ username, access_level }) => [username, access_level])).toEqual([
      ['blocked', 20],
      ['developer', 30],
      ['maintainer', 40],
      ['owner', 50],
      ['reporter', 20],
    ]);
    expect(await body(await call('GET', `/projects/${w.project.id}/members/${w.users.maintainer.id}`))).toMatchObject({
      status: 200,
      body: { id: w.users.maintainer.id, username: 'maintainer', access_level: 40, state: 'active' },
    });
  });

  it('adds a member by user id with an access level, which then lets them in; changes and removes them', async () => {
    const stranger = w.users.nonMember;
    expect((await call('GET', `/projects/${w.project.id}`, undefined, tokens.nonMember)).status).toBe(404);
    const added = await body(
      await call('POST', `/projects/${w.project.id}/members`, { user_id: stranger.id, access_level: 30 }),
    );
    expect(added).toMatchObject({ status: 201, body: { id: stranger.id, username: 'stranger', access_level: 30 } });
    expect((await call('GET', `/projects/${w.project.id}`, undefined, tokens.nonMember)).status).toBe(200);
    expect(
      await body(await call('PUT', `/projects/${w.project.id}/members/${stranger.id}`, { access_level: 40 })),
    ).toMatchObject({ status: 200, body: { access_level: 40 } });
    expect((await call('DELETE', `/projects/${w.project.id}/members/${stranger.id}`)).status).toBe(204);
    expect((await call('GET', `/projects/${w.project.id}`, undefined, tokens.nonMember)).status).toBe(404);
  });

  it("refuses levels Cascade has no role for, a member twice, unknown users and members, with GitLab's answers", async () => {
    const group = `/groups/${w.sub.id}/members`;
    const project = `/projects/${w.project.id}/members`;
    const invalid = { error: 'access_level does not have a valid value' };
    await refused(() => call('POST', group, { user_id: w.users.nonMember.id, access_level: 10 }), 400, invalid);
    await refused(() => call('POST', project, { user_id: w.users.nonMember.id, access_level: 50 }), 400, invalid);
    await refused(() => call('POST', group, { user_id: w.users.nonMember.id, access_level: 35 }), 400, invalid);
    await refused(() => call('POST', group, { user_id: w.users.nonMember.id }), 400, {
      error: 'access_level is missing',
    });
    await refused(() => call('POST', group, { user_id: w.users.developer.id, access_level: 30 }), 409, {
      message: 'Member already exists',
    });
    await refused(() => call('POST', group, { user_id: 999_999, access_level: 30 }), 404, {
      message: '404 User Not Found',
    });
    await refused(() => call('PUT', `${group}/${w.users.developer.id}`, { access_level: 10 }), 400, invalid);
    await refused(() => call('DELETE', `${group}/${w.users.nonMember.id}`), 404, { message: '404 Member Not Found' });
    // A group's Owner is an Owner of the group's project; the project cannot hold the role itself.
    expect(await body(await call('POST', group, { user_id: w.users.nonMember.id, access_level: 50 }))).toMatchObject({
      status: 201,
      body: { access_level: 50 },
    });
  });

  it('lets readers list members, and only administrators change them', async () => {
    expect((await call('GET', `/groups/${w.sub.id}/members`, undefined, tokens.reporter)).status).toBe(200);
    await refused(
      () =>
        call('POST', `/groups/${w.sub.id}/members`, { user_id: w.users.nonMember.id, access_level: 20 }, tokens.owner),
      403,
      { message: '403 Forbidden' },
    );
    await refused(() => call('GET', `/groups/${w.sub.id}/members`, undefined, tokens.nonMember), 404, {
      message: '404 Group Not Found',
    });
  });
});

describe('users', () => {
  const ada = { name: 'Ada', username: 'ada', email: 'ada@example.com', password: 'ada-password-123' };

  it('creates, shows, lists and changes users for administrators', async () => {
    const created = await body(await call('POST', '/users', { ...ada, admin: true }));
    expect(created).toMatchObject({ status: 201, body: { username: 'ada', is_admin: true, state: 'active' } });
    const id = created.body.id as number;
    expect(await json(await call('GET', `/users/${id}`))).toMatchObject({ username: 'ada', email: 'ada@example.com' });
    expect(await json(await call('GET', '/users?username=ADA'))).toEqual([expect.objectContaining({ id })]);
    const list = await call('GET', '/users?per_page=2');
    expect(list.headers.get('x-total')).toBe(String(Object.keys(w.users).length + 1));
    expect(await body(await call('PUT', `/users/${id}`, { name: 'Ada Lovelace', admin: false }))).toMatchObject({
      status: 200,
      body: { name: 'Ada Lovelace', is_admin: false },
    });
  });

  it("refuses taken usernames and emails with GitLab's 409, invalid values with its 400, others with 403", async () => {
    await refused(() => call('POST', '/users', { ...ada, email: 'REPORTER@example.com' }), 409, {
      message: 'Email has already been taken',
    });
    await refused(() => call('PUT', `/users/${w.users.reporter.id}`, { username: 'Developer' }), 409, {
      message: 'Username has already been taken',
    });
    await refused(() => call('POST', '/users', { ...ada, password: 'short' }), 400, {
      message: { password: [expect.stringContaining('Password is too short')] },
    });
    await refused(() => call('POST', '/users', { name: 'No email', username: 'x1', password: 'x'.repeat(12) }), 400, {
      error: 'email is missing',
    });
    await refused(() => call('GET', '/users/999999'), 404, { message: '404 User Not Found' });
    for (const actor of ['reporter', 'owner'] as const) {
      await refused(() => call('GET', '/users', undefined, tokens[actor]), 403, { message: '403 Forbidden' });
      await refused(() => call('POST', '/users', ada, tokens[actor]), 403, { message: '403 Forbidden' });
    }
  });

  it('blocks a user, whose token stops working, and unblocks them, answering 201 true', async () => {
    expect(await body(await call('POST', `/users/${w.users.reporter.id}/block`))).toEqual({ status: 201, body: true });
    expect((await findUserById(t.db, w.users.reporter.id))?.blockedAt).not.toBeNull();
    expect((await call('GET', '/user', undefined, tokens.reporter)).status).toBe(401);
    expect(await body(await call('POST', `/users/${w.users.reporter.id}/unblock`))).toEqual({
      status: 201,
      body: true,
    });
    expect((await call('GET', '/user', undefined, tokens.reporter)).status).toBe(200);
  });

  it('refuses to let administrators block themselves or drop their own administrator access', async () => {
    const answer = { error: 'You cannot change your own administrator access or block yourself.' };
    await refused(() => call('POST', `/users/${w.users.admin.id}/block`), 400, answer);
    await refused(() => call('PUT', `/users/${w.users.admin.id}`, { admin: false }), 400, answer);
  });
});
