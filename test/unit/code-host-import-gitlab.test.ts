/**
 * The import through the real GitLab client against the test GitLab (test/support/test-gitlab.ts):
 * keyset pages, a failure in the middle, and the resumed import, as an administrator would meet them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hostClientFactory } from '../../src/code-hosts/clients.js';
import { HostRequestFailed } from '../../src/code-hosts/host.js';
import { runImport } from '../../src/code-hosts/sync.js';
import { groups, hostSyncRuns, members, projects, users } from '../../src/db/schema.js';
import { parseAllowlist, type Allowlist } from '../../src/outbound/addresses.js';
import type { OutboundPolicy } from '../../src/outbound/request.js';
import { createTestApp } from '../support/app.js';
import { insertConnection } from '../support/fake-host-client.js';
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
