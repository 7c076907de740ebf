/**
 * Import and reconcile of a code host's tree (src/code-hosts/sync.ts, mirror.ts) against the
 * in-memory host: keyed by host ids, resumable, idempotent, never overwriting Cascade's own.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { UNUSABLE_PASSWORD_HASH } from '../../src/auth/passwords.js';
import { HostRequestFailed } from '../../src/code-hosts/host.js';
import {
  HostSyncRefused,
  createHostSync,
  runImport,
  runReconcile,
  startReconciler,
} from '../../src/code-hosts/sync.js';
import type { HostTarget } from '../../src/code-hosts/host.js';
import type { Db } from '../../src/db/client.js';
import {
  auditEvents,
  codeHosts,
  groups,
  hostSyncRuns,
  integrationSettings,
  members,
  projects,
  sessions,
  users,
} from '../../src/db/schema.js';
import { createGroup, findGroupById } from '../../src/model/groups.js';
import { moveProject } from '../../src/model/moves.js';
import { findProjectById } from '../../src/model/projects.js';
import { protectedBranchesOf } from '../../src/model/protected-branches.js';
import { deleteGroup, deleteProject, updateProject } from '../../src/model/tree.js';
import { projectOwner } from '../../src/settings/owners.js';
import { SettingsStore } from '../../src/settings/store.js';
import { createTestApp, insertUser, sessionCookie } from '../support/app.js';
import {
  FakeHostClient,
  insertConnection,
  sampleTree,
  TEST_SECRET_KEY_BASE,
  type FakeHostOptions,
} from '../support/fake-host-client.js';
import { must } from '../support/world.js';

async function setUp(options: FakeHostOptions = {}) {
  const { db } = await createTestApp();
  const connection = await insertConnection(db);
  const host = new FakeHostClient(sampleTree(), options);
  return { db, connection, host };
}

const paths = async (db: Db) => ({
  groups: (await db.select().from(groups)).map((g) => g.fullPath).sort(),
  projects: (await db.select().from(projects)).map((p) => p.fullPath).sort(),
});

const memberRows = async (db: Db) =>
  (
    await db
      .select({
        username: users.username,
        level: members.accessLevel,
        groupId: members.groupId,
        codeHostId: members.codeHostId,
      })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
  )
    .map(
      (row) =>
        `${row.username}:${row.level}:${row.groupId === null ? 'project' : 'group'}:${row.codeHostId ?? 'local'}`,
    )
    .sort();

const importEvents = async (db: Db) =>
  (await db.select().from(auditEvents)).filter((event) => event.action === 'code_host.imported');

describe('runImport', () => {
  it('imports nested groups, projects, users and memberships with their roles, keyed by host ids', async () => {
    const { db, connection, host } = await setUp();
    const run = await runImport(db, connection, host);
    expect(run.status).toBe('finished');
    expect(await paths(db)).toEqual({
      groups: ['ops', 'platform', 'platform/backend'],
      projects: ['ops/infra', 'platform/backend/api', 'platform/web'],
    });
    const backend = (await db.select().from(groups).where(eq(groups.hostId, 11)))[0]!;
    const platform = (await findGroupById(db, backend.parentId!))!;
    expect(platform.hostId).toBe(10);
    expect(backend.traversalIds).toBe(`/${platform.id}/${backend.id}/`);
    expect(backend.codeHostId).toBe(connection.id);
    const api = (await db.select().from(projects).where(eq(projects.hostId, 100)))[0]!;
    expect(api).toMatchObject({ groupId: backend.id, defaultBranch: 'main', codeHostId: connection.id });
    const imported = await db.select().from(users).where(eq(users.codeHostId, connection.id));
    expect(imported.map((u) => u.username).sort()).toEqual(['alice', 'bob', 'carol']);
    expect(imported.every((u) => u.passwordHash === UNUSABLE_PASSWORD_HASH)).toBe(true);
    expect(await memberRows(db)).toEqual([
      `alice:50:group:${connection.id}`,
      `bob:40:project:${connection.id}`,
      `carol:20:project:${connection.id}`,
    ]);
    expect(JSON.parse(run.counts)).toMatchObject({
      groups: 3,
      groupsTotal: 3,
      projects: 3,
      projectsTotal: 3,
      users: 3,
      members: 3,
      groupsImported: 3,
      projectsImported: 3,
      usersImported: 3,
      membersAdded: 3,
    });
    // One event for the whole import, by the connection.
    const events = await db.select().from(auditEvents);
    expect(events.map((e) => e.action)).toEqual(['code_host.imported']);
    expect(events[0]).toMatchObject({ actorId: null, actorName: 'gitlab.example.com (code host)' });
  });

  it('changes nothing when run again', async () => {
    const { db, connection, host } = await setUp();
    await runImport(db, connection, host);
    const before = {
      paths: await paths(db),
      members: await memberRows(db),
      events: (await db.select().from(auditEvents)).length,
    };
    const again = await runImport(db, connection, host);
    expect(again.status).toBe('finished');
    expect({
      paths: await paths(db),
      members: await memberRows(db),
      events: (await db.select().from(auditEvents)).length,
    }).toEqual(before);
    const counts = JSON.parse(again.counts) as Record<string, number>;
    expect(counts).toMatchObject({ groups: 3, projects: 3, members: 3 });
    expect(counts.groupsImported ?? 0).toBe(0);
    expect(counts.projectsUpdated ?? 0).toBe(0);
  });

  it('resumes after a failure in the middle without duplicates, with the counts of an uninterrupted import', async () => {
    let projectPages = 0;
    let failing = true;
    const { db, connection, host } = await setUp({
      pageSize: 1,
      beforeRequest: (request) => {
        if (request === 'projects' && ++projectPages === 2 && failing)
          throw new HostRequestFailed('The host answered 502 Bad Gateway', 502);
      },
    });
    await expect(runImport(db, connection, host)).rejects.toThrow(HostRequestFailed);
    const failed = (await db.select().from(hostSyncRuns))[0]!;
    expect(failed).toMatchObject({ status: 'failed', error: 'The host answered 502 Bad Gateway', phase: 'projects' });
    expect(await paths(db)).toMatchObject({ projects: ['platform/backend/api'] });

    failing = false;
    const resumed = await runImport(db, connection, host);
    expect(resumed.id).toBe(failed.id);
    expect(resumed.status).toBe('finished');
    expect(resumed.error).toBeNull();
    expect((await db.select().from(projects)).length).toBe(3);
    expect((await db.select().from(groups)).length).toBe(3);
    expect((await db.select().from(members)).length).toBe(3);
    // The groups were not taken again: the run went on from the saved cursor.
    expect(host.requests.filter((r) => r === 'groups').length).toBe(3);

    const other = await setUp({ pageSize: 1 });
    const uninterrupted = await runImport(other.db, other.connection, other.host);
    expect(JSON.parse(resumed.counts)).toEqual(JSON.parse(uninterrupted.counts));
    expect((await importEvents(db))[0]!.changes).toEqual((await importEvents(other.db))[0]!.changes);
  });

  it('reports a path Cascade already has and overwrites nothing', async () => {
    const { db, connection, host } = await setUp();
    const ops = must(await createGroup(db, { name: 'Our ops', path: 'ops', description: 'local' }));
    const run = await runImport(db, connection, host);
    const problems = JSON.parse(run.problems) as string[];
    expect(problems.some((p) => p.startsWith('ops is already a group or project in Cascade'))).toBe(true);
    expect(await findGroupById(db, ops.id)).toMatchObject({
      name: 'Our ops',
      description: 'local',
      codeHostId: null,
      hostId: null,
    });
    // What is below the group is skipped with it.
    expect(await paths(db)).toEqual({
      groups: ['ops', 'platform', 'platform/backend'],
      projects: ['platform/backend/api', 'platform/web'],
    });
  });

  it('reports a username a local user has, and leaves the local user as it is', async () => {
    const { db, connection, host } = await setUp();
    const local = await insertUser(db, 'bob', { name: 'Local Bob' });
    const run = await runImport(db, connection, host);
    expect(JSON.parse(run.problems)).toContain(
      'The user bob was not imported: another user in Cascade has the username',
    );
    expect((await db.select().from(users).where(eq(users.id, local.id)))[0]).toMatchObject({
      name: 'Local Bob',
      codeHostId: null,
    });
    expect(await memberRows(db)).not.toContain(expect.stringMatching(/^bob:/));
  });

  it('does nothing for a paused connection', async () => {
    const { db, host } = await setUp();
    const paused = await insertConnection(db, {
      url: 'https://paused.example.com',
      name: 'paused',
      pausedAt: new Date(),
    });
    await expect(runImport(db, paused, host)).rejects.toThrow(HostSyncRefused);
    await expect(runReconcile(db, paused, host)).rejects.toThrow(HostSyncRefused);
    expect(host.requests).toEqual([]);
    expect(await db.select().from(hostSyncRuns)).toEqual([]);
    expect((await db.select().from(groups)).length).toBe(0);
  });
});

describe('runReconcile', () => {
  it('applies a rename and a transfer on the host as moves, keeping the settings', async () => {
    const { db, connection, host } = await setUp();
    await runImport(db, connection, host);
    const api = (await db.select().from(projects).where(eq(projects.hostId, 100)))[0]!;
    const store = new SettingsStore(db, TEST_SECRET_KEY_BASE);
    await store.save(
      projectOwner(api, []),
      'slack',
      { active: true, fields: { username: 'api-bot' }, events: {} },
      0,
      null,
    );

    const hostApi = host.tree.projects.find((p) => p.hostId === 100)!;
    Object.assign(hostApi, { groupHostId: 20, name: 'API', path: 'public-api', fullPath: 'ops/public-api' });
    const backend = host.tree.groups.find((g) => g.hostId === 11)!;
    Object.assign(backend, { path: 'back-end', fullPath: 'platform/back-end', name: 'Back end' });
    const run = await runReconcile(db, connection, host);
    expect(run.kind).toBe('reconcile');

    expect(await paths(db)).toEqual({
      groups: ['ops', 'platform', 'platform/back-end'],
      projects: ['ops/infra', 'ops/public-api', 'platform/web'],
    });
    const moved = (await findProjectById(db, api.id))!;
    expect(moved).toMatchObject({ name: 'API', fullPath: 'ops/public-api' });
    const settings = await db.select().from(integrationSettings).where(eq(integrationSettings.projectId, api.id));
    expect(settings.map((row) => [row.type, JSON.parse(row.fields)])).toEqual([['slack', { username: 'api-bot' }]]);
    const events = (await db.select().from(auditEvents)).filter((e) => e.action !== 'code_host.imported');
    expect(events.map((e) => `${e.action} ${e.ownerPath}`).sort()).toEqual([
      'group.moved platform/back-end',
      'group.updated platform/back-end',
      'project.moved ops/public-api',
      'project.updated ops/public-api',
    ]);
    expect(events.every((e) => e.actorName === 'gitlab.example.com (code host)')).toBe(true);
    expect((await db.select().from(codeHosts))[0]!.lastReconciledAt).not.toBeNull();
  });

  it('removes a project the host deleted, with its settings', async () => {
    const { db, connection, host } = await setUp();
    await runImport(db, connection, host);
    const infra = (await db.select().from(projects).where(eq(projects.hostId, 200)))[0]!;
    const store = new SettingsStore(db, TEST_SECRET_KEY_BASE);
    await store.save(
      projectOwner(infra, []),
      'slack',
      { active: true, fields: { username: 'x' }, events: {} },
      0,
      null,
    );
    host.tree.projects = host.tree.projects.filter((p) => p.hostId !== 200);
    host.tree.members.delete('project:200');
    await runReconcile(db, connection, host);
    expect(await findProjectById(db, infra.id)).toBeUndefined();
    expect(await db.select().from(integrationSettings).where(eq(integrationSettings.projectId, infra.id))).toEqual([]);
    expect(
      (await db.select().from(auditEvents)).some((e) => e.action === 'project.deleted' && e.ownerPath === 'ops/infra'),
    ).toBe(true);
  });

  it("sets exactly the host's memberships and leaves those given in Cascade alone", async () => {
    const { db, connection, host } = await setUp();
    await runImport(db, connection, host);
    const platform = (await db.select().from(groups).where(eq(groups.hostId, 10)))[0]!;
    const dave = await insertUser(db, 'dave');
    await db.transaction(async (tx) => {
      await tx.insert(members).values({ userId: dave.id, groupId: platform.id, accessLevel: 30 });
    });
    host.tree.members.set('group:10', [{ userHostId: 3, accessLevel: 10 }]);
    host.tree.members.set('project:100', [{ userHostId: 2, accessLevel: 30 }]);
    await runReconcile(db, connection, host);
    expect(await memberRows(db)).toEqual([
      `bob:30:project:${connection.id}`,
      `carol:10:group:${connection.id}`,
      `carol:20:project:${connection.id}`,
      'dave:30:group:local',
    ]);
    const actions = (await db.select().from(auditEvents)).map((e) => e.action).filter((a) => a.startsWith('member.'));
    expect(actions.sort()).toEqual(['member.added', 'member.removed', 'member.updated']);
  });

  it('blocks a user the host blocked, ending their sessions, and follows a new username', async () => {
    const { db, connection, host } = await setUp();
    await runImport(db, connection, host);
    const bob = (await db.select().from(users).where(eq(users.username, 'bob')))[0]!;
    await sessionCookie(db, bob);
    Object.assign(
      host.tree.users.find((u) => u.hostId === 2)!,
      { blocked: true, username: 'robert' },
    );
    await runReconcile(db, connection, host);
    const after = (await db.select().from(users).where(eq(users.id, bob.id)))[0]!;
    expect(after.username).toBe('robert');
    expect(after.blockedAt).not.toBeNull();
    expect(await db.select().from(sessions).where(eq(sessions.userId, bob.id))).toEqual([]);
  });

  it("reads each project's protected branches in the reconcile only, and keeps them as the host lists them now", async () => {
    const { db, connection, host } = await setUp();
    host.tree.protectedBranches = new Map([[100, ['main', 'release/*']]]);
    await runImport(db, connection, host);
    expect(host.requests.filter((request) => request.startsWith('protectedBranches'))).toEqual([]);
    const api = (await db.select().from(projects).where(eq(projects.hostId, 100)))[0]!;
    const infra = (await db.select().from(projects).where(eq(projects.hostId, 200)))[0]!;
    await runReconcile(db, connection, host);
    expect(await protectedBranchesOf(db, api.id)).toEqual(['main', 'release/*']);
    expect(await protectedBranchesOf(db, infra.id)).toEqual([]);
    host.tree.protectedBranches.set(100, ['stable']);
    await runReconcile(db, connection, host);
    expect(await protectedBranchesOf(db, api.id)).toEqual(['stable']);
  });

  it('does nothing and audits nothing when the host has not changed', async () => {
    const { db, connection, host } = await setUp();
    await runImport(db, connection, host);
    const events = (await db.select().from(auditEvents)).length;
    await runReconcile(db, connection, host);
    expect((await db.select().from(auditEvents)).length).toBe(events);
  });
});

describe('createHostSync', () => {
  it('imports a project whose group Cascade does not know, with the group first, and removes one the host deleted', async () => {
    const { db, connection, host } = await setUp();
    const sync = createHostSync(db, connection, host);
    await sync.project(100);
    expect(await paths(db)).toEqual({ groups: ['platform', 'platform/backend'], projects: ['platform/backend/api'] });
    host.tree.projects = host.tree.projects.filter((p) => p.hostId !== 100);
    await sync.project(100);
    expect((await paths(db)).projects).toEqual([]);
  });

  it("reads a project's protected branches with the project", async () => {
    const { db, connection, host } = await setUp();
    host.tree.protectedBranches = new Map([[100, ['release/*']]]);
    await createHostSync(db, connection, host).project(100);
    const api = (await db.select().from(projects).where(eq(projects.hostId, 100)))[0]!;
    expect(await protectedBranchesOf(db, api.id)).toEqual(['release/*']);
  });
});

describe('imported groups and projects in Cascade', () => {
  it('refuses to rename, move or delete them, and keeps them as they are', async () => {
    const { db, connection, host } = await setUp();
    await runImport(db, connection, host);
    const admin = await insertUser(db, 'admin', { isAdmin: true });
    const api = (await db.select().from(projects).where(eq(projects.hostId, 100)))[0]!;
    const backend = (await findGroupById(db, api.groupId))!;
    const ops = (await db.select().from(groups).where(eq(groups.hostId, 20)))[0]!;
    const message = 'platform/backend/api is managed by gitlab.example.com: change its name, path and place there';
    expect(await updateProject(db, api, backend, { name: 'Renamed' }, admin)).toEqual({
      ok: false,
      errors: { name: message },
    });
    expect(await updateProject(db, api, backend, { path: 'renamed' }, admin)).toEqual({
      ok: false,
      errors: { path: message },
    });
    expect(await moveProject(db, api, ops, admin)).toEqual({ ok: false, errors: { group_id: message } });
    expect(await deleteProject(db, api, admin)).toEqual({ ok: false, errors: { project: message } });
    expect((await deleteGroup(db, ops, admin)).ok).toBe(false);
    expect(await findProjectById(db, api.id)).toEqual(api);
    expect(await findGroupById(db, ops.id)).toEqual(ops);
    // An imported user is not the host: the column it shares with the host's objects gives it nothing.
    const alice = (await db.select().from(users).where(eq(users.username, 'alice')))[0]!;
    const importedAdmin = { ...alice, isAdmin: true };
    expect((await deleteProject(db, api, importedAdmin)).ok).toBe(false);
    expect(connection.id).toBe(alice.codeHostId);
  });
});

describe('startReconciler', () => {
  it('reconciles each active, imported connection once it is due, one at a time, until stopped', async () => {
    const { db, connection, host } = await setUp();
    const targets: HostTarget[] = [];
    const reconciler = startReconciler(db, {
      clients: (target) => {
        targets.push(target);
        return host;
      },
      secretKeyBase: TEST_SECRET_KEY_BASE,
      intervalMs: 3_600_000,
    });
    const reconciles = async () =>
      (await db.select().from(hostSyncRuns)).filter((run) => run.kind === 'reconcile' && run.status === 'finished');
    try {
      await reconciler.tick();
      // Nothing imported yet: nothing to reconcile.
      expect(await reconciles()).toEqual([]);
      await runImport(db, connection, host);
      await reconciler.tick();
      expect((await reconciles()).length).toBe(1);
      expect(targets).toEqual([{ kind: 'gitlab', url: 'https://gitlab.example.com', token: 'glpat-test' }]);
      await reconciler.tick();
      expect((await reconciles()).length).toBe(1);
      const due = new Date(Date.now() - 61 * 60_000);
      await db.transaction(async (tx) => {
        await tx.update(codeHosts).set({ lastReconciledAt: due }).where(eq(codeHosts.id, connection.id));
      });
      await Promise.all([reconciler.tick(), reconciler.tick()]);
      expect((await reconciles()).length).toBe(2);
      await db.transaction(async (tx) => {
        await tx
          .update(codeHosts)
          .set({ lastReconciledAt: due, pausedAt: new Date() })
          .where(eq(codeHosts.id, connection.id));
      });
      await reconciler.tick();
      expect((await reconciles()).length).toBe(2);
    } finally {
      await reconciler.stop();
    }
  });
});
