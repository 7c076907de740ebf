/**
 * Races on unique values: many requests that create the same thing at once. One of them wins;
 * every other gets the answer a duplicate sent later gets, never a 500. Within one process a
 * check and its insert are split wherever an await sits between them (password hashing, a DNS
 * lookup); elsewhere another process may still write between them. "Another writer" below is a
 * trigger that inserts the clashing row as part of the insert, after the check passed.
 */
import { eq, sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { auditEvents, groups, integrationSettings, members, projects, users } from '../../src/db/schema.js';
import { apiRequest, apiToken, json } from '../support/api.js';
import { createTestApp, fieldErrorOf, post, type TestApp } from '../support/app.js';
import { projectIntegrations, slackForm } from '../support/integrations.js';
import { buildWorld, type World } from '../support/world.js';
import { execute } from '../../src/db/client.js';

let t: TestApp;
let w: World;

beforeEach(async () => {
  t = await createTestApp();
  w = await buildWorld(t.db);
});

const admin = () => ({ cookie: w.cookies.admin });

/** Sends the same request `n` times at once; the statuses, and the pages of those refused. */
async function atOnce(n: number, send: () => Promise<Response>) {
  const responses = await Promise.all(Array.from({ length: n }, send));
  const statuses = responses.map((response) => response.status).sort();
  const refused = await Promise.all(
    responses.filter((response) => response.status === 422).map((response) => response.text()),
  );
  return { statuses, refused };
}

/** Lets "another writer" insert `columns` into `table` right before the app's next insert (or update) there, after its duplicate check. */
async function anotherWriterFirst(
  table: string,
  columns: Record<string, string | number>,
  before: 'insert' | 'update' = 'insert',
) {
  const names = Object.keys(columns).join(', ');
  const values = Object.values(columns)
    .map((value) => (typeof value === 'number' ? String(value) : `'${value}'`))
    .join(', ');
  const insert = `insert into ${table} (${names}) values (${values})`;
  // Once: the trigger's own insert must not fire it again.
  const statements =
    t.db.engine === 'sqlite'
      ? [`create temp trigger another_writer before ${before} on ${table} begin ${insert}; end`]
      : [
          `create function another_writer() returns trigger language plpgsql as $$
             begin if pg_trigger_depth() = 1 then ${insert}; end if; return new; end $$`,
          `create trigger another_writer before ${before} on ${table} for each row execute function another_writer()`,
        ];
  await t.db.transaction(async (tx) => {
    for (const statement of statements) await execute(tx, sql.raw(statement));
  });
  // PostgreSQL's test databases are emptied and used again (test/support/database.ts); SQLite's
  // temporary trigger ends with its connection.
  if (t.db.engine === 'postgres') {
    onTestFinished(() =>
      t.db.transaction((tx) =>
        execute(tx, sql.raw(`drop trigger another_writer on ${table}; drop function another_writer()`)),
      ),
    );
  }
}

const newUser = (username: string) => ({
  name: 'Ada',
  username,
  email: `${username}@example.com`,
  password: 'a-long-password',
});

describe('creating the same thing from many requests at once', () => {
  it('creates one user and tells the other nine that the username has been taken', async () => {
    const { statuses, refused } = await atOnce(10, () => post(t.app, '/admin/users', newUser('ada'), admin()));
    expect(statuses).toEqual([303, ...Array(9).fill(422)]);
    for (const page of refused) expect(fieldErrorOf(page, 'username')).toBe('Username has already been taken');
    expect(await t.db.select().from(users).where(eq(users.username, 'ada'))).toHaveLength(1);
  });

  it('creates one user and tells the other nine, with other usernames, that the email has been taken', async () => {
    let n = 0;
    const { statuses, refused } = await atOnce(10, () =>
      post(t.app, '/admin/users', { ...newUser(`ada${n++}`), email: 'ada@example.com' }, admin()),
    );
    expect(statuses).toEqual([303, ...Array(9).fill(422)]);
    for (const page of refused) expect(fieldErrorOf(page, 'email')).toBe('Email has already been taken');
  });

  it('creates one group and tells the other nine that the path has been taken', async () => {
    const { statuses, refused } = await atOnce(10, () =>
      post(t.app, '/admin/groups', { name: 'Data', path: 'data' }, admin()),
    );
    expect(statuses).toEqual([303, ...Array(9).fill(422)]);
    for (const page of refused) expect(fieldErrorOf(page, 'path')).toBe('Path has already been taken');
    expect(await t.db.select().from(groups).where(eq(groups.fullPath, 'data'))).toHaveLength(1);
  });

  it('creates one project and tells the other nine that the path has been taken', async () => {
    const form = { name: 'Web', path: 'web', group_id: String(w.sub.id) };
    const { statuses, refused } = await atOnce(10, () => post(t.app, '/admin/projects', form, admin()));
    expect(statuses).toEqual([303, ...Array(9).fill(422)]);
    for (const page of refused) expect(fieldErrorOf(page, 'path')).toBe('Path has already been taken');
    expect(await t.db.select().from(projects).where(eq(projects.fullPath, 'top/sub/web'))).toHaveLength(1);
  });

  it('adds a member once and tells the other nine that the user is already a member', async () => {
    const form = { username: 'stranger', role: 'developer' };
    const { statuses, refused } = await atOnce(10, () =>
      post(t.app, `/admin/groups/${w.other.id}/members`, form, admin()),
    );
    expect(statuses).toEqual([303, ...Array(9).fill(422)]);
    for (const page of refused) expect(fieldErrorOf(page, 'username')).toBe('stranger is already a member');
    expect(await t.db.select().from(members).where(eq(members.groupId, w.other.id))).toHaveLength(1);
  });

  it('saves the first custom settings of a project once and refuses the other, stale, form', async () => {
    const url = `${projectIntegrations('top/sub/app')}/slack`;
    const form = { ...slackForm(), inheritance: 'custom' };
    const responses = await Promise.all([1, 2].map(() => post(t.app, url, form, { cookie: w.cookies.maintainer })));
    expect(responses.map((response) => response.status).sort()).toEqual([303, 409]);
    expect(
      await t.db.select().from(integrationSettings).where(eq(integrationSettings.projectId, w.project.id)),
    ).toHaveLength(1);
  });

  it('saves one of ten forms opened at the same version and tells the other nine that someone else changed the settings', async () => {
    const url = `${projectIntegrations('top/sub/app')}/slack`;
    await post(t.app, url, { ...slackForm(), inheritance: 'custom' }, { cookie: w.cookies.maintainer });
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(
          t.app,
          url,
          { ...slackForm({ username: `bot-${i}`, _version: '1' }), inheritance: 'custom' },
          { cookie: w.cookies.maintainer },
        ),
      ),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([303, ...Array(9).fill(409)]);
    const [row] = await t.db.select().from(integrationSettings).where(eq(integrationSettings.projectId, w.project.id));
    expect(row!.version).toBe(2);
  });
});

describe('another writer between the duplicate check and the write', () => {
  it('tells the administrator that the group path has been taken', async () => {
    await anotherWriterFirst('groups', {
      name: 'Data',
      path: 'data',
      full_path: 'data',
      traversal_ids: '/999/',
      created_at: 0,
    });
    const response = await post(t.app, '/admin/groups', { name: 'Data', path: 'data' }, admin());
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'path')).toBe('Path has already been taken');
  });

  it('tells the administrator that the project path has been taken', async () => {
    await anotherWriterFirst('projects', {
      name: 'Web',
      path: 'web',
      full_path: 'top/sub/web',
      group_id: w.sub.id,
      created_at: 0,
    });
    const response = await post(
      t.app,
      '/admin/projects',
      { name: 'Web', path: 'web', group_id: String(w.sub.id) },
      admin(),
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'path')).toBe('Path has already been taken');
  });

  it('tells the administrator that the user is already a member', async () => {
    await anotherWriterFirst('members', {
      user_id: w.users.nonMember.id,
      group_id: w.other.id,
      access_level: 30,
      created_at: 0,
    });
    const response = await post(
      t.app,
      `/admin/groups/${w.other.id}/members`,
      { username: 'stranger', role: 'developer' },
      admin(),
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'username')).toBe('stranger is already a member');
  });

  it('tells the administrator that the path a project moves to has been taken', async () => {
    await anotherWriterFirst(
      'projects',
      { name: 'App', path: 'app', full_path: 'other/app', group_id: w.other.id, created_at: 0 },
      'update',
    );
    const response = await post(
      t.app,
      `/admin/projects/${w.project.id}/move`,
      { group_id: String(w.other.id) },
      admin(),
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'group_id')).toBe(
      'other/app is already taken by another group or project',
    );
  });

  it('tells the administrator that the path a group moves to has been taken', async () => {
    await anotherWriterFirst(
      'groups',
      { name: 'Sub', path: 'sub', full_path: 'other/sub', traversal_ids: '/999/', created_at: 0 },
      'update',
    );
    const response = await post(t.app, `/admin/groups/${w.sub.id}/move`, { parent_id: String(w.other.id) }, admin());
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'parent_id')).toBe(
      'other/sub is already taken by another group or project',
    );
  });

  it('refuses the first settings of a project as a stale form', async () => {
    await anotherWriterFirst('integration_settings', {
      type: 'slack',
      project_id: w.project.id,
      created_at: 0,
      updated_at: 0,
    });
    const response = await post(
      t.app,
      `${projectIntegrations('top/sub/app')}/slack`,
      { ...slackForm(), inheritance: 'custom' },
      { cookie: w.cookies.maintainer },
    );
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('Someone else changed these settings');
  });
});

describe('the API: saving the same integration from many clients at once', () => {
  it('saves every one of 100 PUTs that send no version, last write wins, in one row with an audit trail that adds up', async () => {
    const token = await apiToken(t.db, w.users.maintainer);
    const url = `/api/v4/projects/${w.project.id}/integrations/slack`;
    const channels = Array.from({ length: 100 }, (_, i) => `#channel-${i}`);
    const responses = await Promise.all(
      channels.map((channel) =>
        apiRequest(t.app, 'PUT', url, {
          token,
          params: { webhook: 'https://hooks.slack.com/services/T0/B0/X', channel },
        }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(100).fill(200));

    const rows = await t.db.select().from(integrationSettings).where(eq(integrationSettings.projectId, w.project.id));
    expect(rows).toHaveLength(1);
    const saved = await json<{ properties: { channel: string } }>(await apiRequest(t.app, 'GET', url, { token }));
    const trail = await t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.projectId, w.project.id))
      .orderBy(auditEvents.id);
    const channelChanges = trail.map((event) =>
      (JSON.parse(event.changes) as { key: string; before: string | null; after: string | null }[]).find(
        (c) => c.key === 'channel',
      ),
    );
    expect(channelChanges).toHaveLength(100);
    expect(channelChanges[0]!.before).toBeNull();
    // Each save starts from the one before it, and the last is what the row holds.
    for (let i = 1; i < channelChanges.length; i++)
      expect(channelChanges[i]!.before).toBe(channelChanges[i - 1]!.after);
    expect(channelChanges.at(-1)!.after).toBe(saved.properties.channel);
    expect(new Set(channelChanges.map((change) => change!.after))).toEqual(new Set(channels));
  });
});

describe('the API: enforcing from many clients at once', () => {
  it('applies every one of ten enforcement PUTs, last write wins, never a 409', async () => {
    const token = await apiToken(t.db, w.users.admin);
    const url = '/api/v4/admin/application_settings/integrations/slack';
    expect(
      (await apiRequest(t.app, 'PUT', url, { token, params: { webhook: 'https://hooks.slack.com/services/T0/B0/X' } }))
        .status,
    ).toBe(200);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        apiRequest(t.app, 'PUT', `${url}/enforcement`, { token, params: { keys: ['channel'], reason: `reason ${i}` } }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
  });
});
