/**
 * The import through the real GitLab client against the test GitLab (test/support/test-gitlab.ts):
 * keyset pages, a failure in the middle, and the resumed import, as an administrator would meet them;
 * and the project hooks Cascade keeps on each imported project.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hostClientFactory } from '../../src/code-hosts/clients.js';
import { HostRequestFailed } from '../../src/code-hosts/host.js';
import { createHostSync, runImport, runReconcile } from '../../src/code-hosts/sync.js';
import { eq } from 'drizzle-orm';
import { groups, hostSyncRuns, members, projects, users } from '../../src/db/schema.js';
import { parseAllowlist, type Allowlist } from '../../src/outbound/addresses.js';
import type { OutboundPolicy } from '../../src/outbound/request.js';
import { createTestApp } from '../support/app.js';
import { insertConnection, TEST_SECRET_KEY_BASE } from '../support/fake-host-client.js';
import { startTestGitLab, type TestGitLab } from '../support/test-gitlab.js';
import { HostTree } from '../support/test-host.js';

const allowlist = parseAllowlist('127.0.0.1') as { ok: true; allowlist: Allowlist };
/** The test GitLab is on this machine: 127.0.0.1 allowlisted, as the Network settings would. */
const POLICY: OutboundPolicy = { allowLocalRequests: false, allowlist: allowlist.allowlist };
const factory = hostClientFactory({ pageSize: 2, maxRetryWaitMs: 50, maxTries: 1 });

let gitlab: TestGitLab | undefined;
afterEach(async () => {
  await gitlab?.close();
  gitlab = undefined;
});

function nestedTree(): HostTree {
  const tree = new HostTree();
  const ada = tree.addUser({ username: 'ada' });
  const platform = tree.addGroup({ name: 'Platform' });
  const backend = tree.addGroup({ name: 'Backend', parentId: platform.id });
  const ops = tree.addGroup({ name: 'Ops' });
  for (const [name, groupId] of [
    ['API', backend.id],
    ['Web', platform.id],
    ['Infra', ops.id],
    ['Jobs', backend.id],
    ['Docs', platform.id],
  ] as const)
    tree.addProject({ name, groupId });
  tree.groupMembers.set(platform.id, new Map([[ada.id, 50]]));
  return tree;
}

describe('an import from the test GitLab', () => {
  it('takes every page, and resumes after a failure without duplicates', async () => {
    gitlab = await startTestGitLab({ tree: nestedTree() });
    const { db } = await createTestApp();
    const connection = await insertConnection(db, { url: gitlab.url, name: '127.0.0.1' });
    const client = () => factory({ kind: 'gitlab', url: gitlab!.url, token: gitlab!.token }, POLICY);
    gitlab.fail({
      match: ({ path }) => path.startsWith('/api/v4/projects?') && path.includes('id_after='),
      status: 500,
    });
    await expect(runImport(db, connection, client())).rejects.toThrow(HostRequestFailed);
    const failed = (await db.select().from(hostSyncRuns))[0]!;
    expect(failed).toMatchObject({ status: 'failed', phase: 'projects' });
    expect((await db.select().from(projects)).length).toBe(2);

    const resumed = await runImport(db, connection, client());
    expect(resumed).toMatchObject({ id: failed.id, status: 'finished', error: null });
    expect((await db.select().from(groups)).map((g) => g.fullPath).sort()).toEqual([
      'ops',
      'platform',
      'platform/backend',
    ]);
    expect((await db.select().from(projects)).map((p) => p.fullPath).sort()).toEqual([
      'ops/infra',
      'platform/backend/api',
      'platform/backend/jobs',
      'platform/docs',
      'platform/web',
    ]);
    expect((await db.select().from(members)).length).toBe(1);
    expect((await db.select().from(users)).map((u) => u.username)).toEqual(['ada']);
    expect(JSON.parse(resumed.counts)).toMatchObject({ groups: 3, projects: 5, members: 1, users: 1 });
  });
});

const RECEIVER = { publicOrigin: 'https://cascade.example.com', secretKeyBase: TEST_SECRET_KEY_BASE };

/** The events GitLab's system hooks do not carry, which each project hook is for. */
const PROJECT_HOOK_EVENTS = [
  'push_events',
  'tag_push_events',
  'issues_events',
  'confidential_issues_events',
  'note_events',
  'confidential_note_events',
  'merge_requests_events',
  'pipeline_events',
  'job_events',
  'wiki_page_events',
  'deployment_events',
  'releases_events',
];

describe('project hooks on the test GitLab', () => {
  async function imported() {
    gitlab = await startTestGitLab({ tree: nestedTree() });
    const { db } = await createTestApp();
    const connection = await insertConnection(db, { url: gitlab.url, name: '127.0.0.1' });
    const client = factory({ kind: 'gitlab', url: gitlab.url, token: gitlab.token }, POLICY);
    await runImport(db, connection, client, { receiver: RECEIVER });
    const hookOf = async (hostId: number) =>
      (await db.select().from(projects).where(eq(projects.hostId, hostId)))[0]?.hostHookId;
    return { gitlab, db, connection, client, hookOf };
  }
  const projectHooks = () => gitlab!.hooks.filter((hook) => hook.projectId !== null);

  it('registers one on every imported project, to the receiver, for the content events, and records its id', async () => {
    const { db, connection } = await imported();
    const rows = await db.select().from(projects);
    expect(
      projectHooks()
        .map((hook) => hook.projectId)
        .sort(),
    ).toEqual(rows.map((row) => row.hostId).sort());
    for (const hook of projectHooks()) {
      expect(hook.url).toBe(`https://cascade.example.com/-/code_hosts/${connection.id}/hook`);
      expect(hook.token).toBe('hook-secret');
      expect(
        Object.keys(hook.events)
          .filter((name) => hook.events[name])
          .sort(),
      ).toEqual([...PROJECT_HOOK_EVENTS, 'enable_ssl_verification'].sort());
      expect(rows.find((row) => row.hostId === hook.projectId)?.hostHookId).toBe(hook.id);
    }
  });

  it('registers a hook again on the reconcile when the host no longer has it, and only there', async () => {
    const { gitlab, db, connection, client, hookOf } = await imported();
    const lost = projectHooks()[0]!;
    gitlab.hooks.splice(gitlab.hooks.indexOf(lost), 1);
    const before = gitlab.requests.length;
    await runReconcile(db, connection, client, { receiver: RECEIVER });
    const registrations = gitlab.requests
      .slice(before)
      .filter((request) => request.method === 'POST' && request.path.endsWith('/hooks'));
    expect(registrations.map((request) => request.path)).toEqual([`/api/v4/projects/${lost.projectId}/hooks`]);
    const again = projectHooks().find((hook) => hook.projectId === lost.projectId)!;
    expect(again.id).not.toBe(lost.id);
    expect(await hookOf(lost.projectId!)).toBe(again.id);
  });

  it('gives a project that comes through a hook one too', async () => {
    const { gitlab, db, connection, client, hookOf } = await imported();
    const added = gitlab.tree.addProject({ name: 'New', groupId: [...gitlab.tree.groups.keys()][0]! });
    await createHostSync(db, connection, client, { receiver: RECEIVER }).project(added.id);
    const hook = projectHooks().find((each) => each.projectId === added.id);
    expect(hook).toBeDefined();
    expect(await hookOf(added.id)).toBe(hook!.id);
  });

  it('removes the hook of a project that left for a user namespace, by hook and by reconcile', async () => {
    const { gitlab, db, connection, client, hookOf } = await imported();
    const ada = [...gitlab.tree.users.values()].find((user) => user.username === 'ada')!;
    const [first, second] = projectHooks().map((hook) => hook.projectId!);
    gitlab.tree.project(first!).namespace = { kind: 'user', id: ada.id };
    gitlab.tree.project(second!).namespace = { kind: 'user', id: ada.id };

    await createHostSync(db, connection, client, { receiver: RECEIVER }).project(first!);
    expect(await hookOf(first!)).toBeUndefined();
    expect(projectHooks().some((hook) => hook.projectId === first)).toBe(false);

    await runReconcile(db, connection, client, { receiver: RECEIVER });
    expect(await hookOf(second!)).toBeUndefined();
    expect(projectHooks().some((hook) => hook.projectId === second)).toBe(false);
    expect(projectHooks()).toHaveLength(3);
  });
});
