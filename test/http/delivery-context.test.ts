/**
 * What GitLab's filters learn from the host and from earlier events: the protected branches the
 * reconcile reads from the test GitLab and the test Gitea, which `branches_to_be_notified:
 * protected` holds pushes to, and the last pipeline status of each ref, which
 * `notify_only_when_pipeline_status_changes` compares each pipeline with, kept by the dispatcher
 * in the order the events were received.
 */
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { hostClientFactory } from '../../src/code-hosts/clients.js';
import { runReconcile } from '../../src/code-hosts/sync.js';
import { writeConnection } from '../../src/db/client.js';
import { deliveries, hostEvents, pipelineStatuses, projects, type CodeHost } from '../../src/db/schema.js';
import { DeliveryDispatcher } from '../../src/delivery/dispatcher.js';
import { createPlanner } from '../../src/delivery/planner.js';
import { parseAllowlist, type Allowlist } from '../../src/outbound/addresses.js';
import { createTestApp, TEST_SECRET_KEY_BASE } from '../support/app.js';
import {
  deliver,
  deliveryPayload,
  hostHeaders,
  insertConnection,
  insertImportedProject,
} from '../support/code-host-events.js';
import { requests } from '../support/deliveries.js';
import { pushPayload } from '../support/host-payloads/gitea.js';
import { pushEvent } from '../support/host-payloads/gitlab.js';
import { saveInstanceSlack } from '../support/integrations.js';
import { startTestGitea } from '../support/test-gitea.js';
import { startTestGitLab } from '../support/test-gitlab.js';
import type { HostTree, TreeProject, TreeUser } from '../support/test-host.js';
import { buildWorld } from '../support/world.js';

const allowlisted = parseAllowlist('127.0.0.1') as { ok: true; allowlist: Allowlist };
const clients = hostClientFactory({ pageSize: 2 });
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/XXXX';

async function setUp(slack: Record<string, string>) {
  const t = await createTestApp();
  const world = await buildWorld(t.db);
  expect((await saveInstanceSlack(t.app, world.cookies.admin!, { webhook: WEBHOOK, ...slack })).status).toBe(303);
  const dispatcher = new DeliveryDispatcher(t.db, createPlanner(t.db, TEST_SECRET_KEY_BASE), { requests });
  /** Dispatches what was received; the events of each delivery, oldest first. */
  const dispatch = async () => {
    await dispatcher.wake();
    const sent = await t.db
      .select({ hostEventId: deliveries.hostEventId })
      .from(deliveries)
      .orderBy(asc(deliveries.id));
    return sent.map(({ hostEventId }) => hostEventId);
  };
  return { ...t, dispatch };
}

/** The id of the event the receiver stored last. */
async function lastEventId(t: { db: Awaited<ReturnType<typeof createTestApp>>['db'] }) {
  const stored = await t.db.select({ id: hostEvents.id }).from(hostEvents).orderBy(asc(hostEvents.id));
  return stored.at(-1)!.id;
}

/** A group's project on the host, protecting `release/*`, with a user who pushes. */
function protectingTree(tree: HostTree): { project: TreeProject; pusher: TreeUser } {
  const group = tree.addGroup({ name: 'Platform' });
  const project = tree.addProject({ name: 'API', groupId: group.id, protectedBranches: ['release/*'] });
  return { project, pusher: tree.addUser({ username: 'alice', name: 'Alice' }) };
}

describe('branches_to_be_notified: protected, with the branches the host protects', () => {
  it('GitLab: a push to release/1 is sent and one to feature is not, once the reconcile has read the rules', async () => {
    const gitlab = await startTestGitLab();
    onTestFinished(() => gitlab.close());
    const { project, pusher } = protectingTree(gitlab.tree);
    const t = await setUp({ branches_to_be_notified: 'protected', push_events: '1' });
    const connection = await insertConnection(t.db, 'gitlab');
    const client = clients(
      { kind: 'gitlab', url: gitlab.url, token: gitlab.token },
      { allowLocalRequests: false, allowlist: allowlisted.allowlist },
    );
    await runReconcile(t.db, connection, client);

    const push = async (branch: string) => {
      const body = JSON.stringify(
        pushEvent(gitlab.tree, gitlab.url, project, pusher, { ref: `refs/heads/${branch}`, projectHook: true }),
      );
      expect((await deliver(t.app, connection.id, body, hostHeaders('gitlab', 'Push Hook', body))).status).toBe(201);
      return lastEventId(t);
    };
    const release = await push('release/1');
    await push('feature');
    expect(await t.dispatch()).toEqual([release]);
  });

  it('Gitea: the same rules, read from its branch protections', async () => {
    const gitea = await startTestGitea();
    onTestFinished(() => gitea.close());
    const { project, pusher } = protectingTree(gitea.tree);
    const t = await setUp({ branches_to_be_notified: 'protected', push_events: '1' });
    const connection = await insertConnection(t.db, 'gitea');
    const client = clients(
      { kind: 'gitea', url: gitea.url, token: gitea.token },
      { allowLocalRequests: false, allowlist: allowlisted.allowlist },
    );
    await runReconcile(t.db, connection, client);

    const push = async (branch: string) => {
      const body = JSON.stringify(pushPayload(gitea.tree, gitea.url, project, pusher, `refs/heads/${branch}`));
      expect((await deliver(t.app, connection.id, body, hostHeaders('gitea', 'push', body))).status).toBe(201);
      return lastEventId(t);
    };
    const release = await push('release/1');
    await push('feature');
    await push('release/1/nested');
    expect(await t.dispatch()).toEqual([release]);
  });
});

/** GitLab's documented pipeline hook (of project 1), of pipeline `id` on `ref` with `status`. */
function pipelineHook(id: number, status: string, ref = 'master'): string {
  const body = deliveryPayload('gitlab-pipeline');
  Object.assign(body.object_attributes as Record<string, unknown>, { id, status, ref, tag: false });
  return JSON.stringify(body);
}

describe('notify_only_when_pipeline_status_changes', () => {
  async function pipelineWorld() {
    const t = await setUp({
      branches_to_be_notified: 'all',
      pipeline_events: '1',
      notify_only_when_pipeline_status_changes: '1',
      notify_only_broken_pipelines: '0',
    });
    const connection: CodeHost = await insertConnection(t.db, 'gitlab');
    const project = await insertImportedProject(t.db, connection, 1, 'gitlab-test');
    await writeConnection(t.db).update(projects).set({ defaultBranch: 'master' }).where(eq(projects.id, project.id));
    const receive = async (id: number, status: string, ref?: string) => {
      const body = pipelineHook(id, status, ref);
      expect((await deliver(t.app, connection.id, body, hostHeaders('gitlab', 'Pipeline Hook', body))).status).toBe(
        201,
      );
      return lastEventId(t);
    };
    return { ...t, receive, project };
  }

  it("sends a pipeline only when it changes its ref's status, as GitLab's broken and fixed", async () => {
    const t = await pipelineWorld();
    // A ref's first finished pipeline changes nothing GitLab tells of.
    await t.receive(1, 'success');
    expect(await t.dispatch()).toEqual([]);
    await t.receive(2, 'success');
    expect(await t.dispatch()).toEqual([]);
    const broken = await t.receive(3, 'failed');
    expect(await t.dispatch()).toEqual([broken]);
    await t.receive(4, 'failed');
    // A running or canceled pipeline leaves the ref's status as it is.
    await t.receive(5, 'running');
    await t.receive(5, 'canceled');
    expect(await t.dispatch()).toEqual([broken]);
    const fixed = await t.receive(6, 'success');
    expect(await t.dispatch()).toEqual([broken, fixed]);
    // Another ref has a status of its own.
    await t.receive(7, 'failed', 'feature');
    expect(await t.dispatch()).toEqual([broken, fixed]);
    expect(
      await t.db
        .select({ ref: pipelineStatuses.ref, status: pipelineStatuses.status, pipelineId: pipelineStatuses.pipelineId })
        .from(pipelineStatuses)
        .orderBy(asc(pipelineStatuses.ref)),
    ).toEqual([
      { ref: 'refs/heads/feature', status: 'failed', pipelineId: 7 },
      { ref: 'refs/heads/master', status: 'success', pipelineId: 6 },
    ]);
  });

  it('applies events dispatched in one batch in the order they were received', async () => {
    const t = await pipelineWorld();
    await t.receive(1, 'success');
    const broken = await t.receive(2, 'failed');
    await t.receive(3, 'failed');
    const fixed = await t.receive(4, 'success');
    await t.receive(5, 'success');
    expect(await t.dispatch()).toEqual([broken, fixed]);
  });

  it('compares an older pipeline that finishes late with nothing, and keeps the newer status', async () => {
    const t = await pipelineWorld();
    await t.receive(10, 'success');
    await t.receive(9, 'failed');
    const broken = await t.receive(11, 'failed');
    expect(await t.dispatch()).toEqual([broken]);
  });
});
