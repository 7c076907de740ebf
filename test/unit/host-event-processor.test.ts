import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { HostEventProcessor } from '../../src/code-hosts/processor.js';
import { HostRequestFailed, HostSyncProblem, type HostSync } from '../../src/code-hosts/host.js';
import { deleteOldHostEvents } from '../../src/code-hosts/retention.js';
import { writeConnection } from '../../src/db/client.js';
import { hostEvents } from '../../src/db/schema.js';
import { createTestApp } from '../support/app.js';
import { openAsAnotherServer } from '../support/database.js';
import {
  deliver,
  hostHeaders,
  insertConnection,
  insertImportedProject,
  payload,
  recordingSync,
  storedEvents,
} from '../support/code-host-events.js';

const GITLAB_TREE = [
  'system-project-create',
  'system-group-rename',
  'system-user-add-to-group',
  'system-project-rename',
  'system-user-add-to-team',
];

describe('the processor of received code host events', () => {
  it('applies tree events through the HostSync, in the order they were received, and sets their outcomes', async () => {
    const { app, db } = await createTestApp();
    const gitlab = await insertConnection(db, 'gitlab');
    for (const name of GITLAB_TREE) {
      const body = payload(`gitlab-${name}`);
      await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body));
    }
    const { sync, calls } = recordingSync();
    // The project the sync would have imported for project_create (74), and the group of the member event.
    const project = await insertImportedProject(db, gitlab, 74);
    await writeConnection(db).update(hostEvents).set({ projectId: null });
    const processor = new HostEventProcessor(db, () => sync);
    await processor.start();
    // Group 78 is unknown to Cascade: its member event waits for the reconcile; project 73 too.
    expect(calls).toEqual(['project 74', 'group 64', 'project 73', 'projectMembers 74']);
    expect((await storedEvents(db)).map((event) => [event.kind, event.outcome, event.projectId])).toEqual([
      ['project_created', 'applied', project.id],
      ['group_renamed', 'applied', null],
      ['member_added', 'unknown_project', null],
      ['project_renamed', 'applied', null],
      ['member_added', 'applied', project.id],
    ]);
    expect((await storedEvents(db)).every((event) => event.processedAt !== null)).toBe(true);
  });

  it('leaves content events received, for their delivery, and never hands them to the sync', async () => {
    const { app, db } = await createTestApp();
    const gitlab = await insertConnection(db, 'gitlab');
    await insertImportedProject(db, gitlab, 15);
    for (const name of ['system-push', 'system-project-rename']) {
      const body = payload(`gitlab-${name}`);
      await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body));
    }
    const { sync, calls } = recordingSync();
    await new HostEventProcessor(db, () => sync).start();
    expect(calls).toEqual(['project 73']);
    expect(await storedEvents(db)).toMatchObject([
      { kind: 'push', outcome: 'received', processedAt: null },
      { kind: 'project_renamed', outcome: 'applied' },
    ]);
  });

  it('records why an event failed and goes on with the next', async () => {
    const { app, db } = await createTestApp();
    const gitea = await insertConnection(db, 'gitea');
    for (const name of ['repository-created', 'repository-deleted']) {
      const body = payload(`gitea-${name}`);
      await deliver(app, gitea.id, body, hostHeaders('gitea', 'repository', body));
    }
    let first = true;
    const { sync, calls } = recordingSync(() => {
      if (!first) return undefined;
      first = false;
      return new HostRequestFailed('The host answered 502 Bad Gateway.', 502);
    });
    await new HostEventProcessor(db, () => sync).start();
    expect(calls).toEqual(['project 141', 'project 141']);
    expect((await storedEvents(db)).map((event) => [event.kind, event.outcome, event.detail])).toEqual([
      ['project_created', 'failed', 'The host answered 502 Bad Gateway.'],
      ['project_destroyed', 'applied', null],
    ]);
  });

  it('records what the sync could not take over, such as a path collision, as the reason an event failed', async () => {
    const { app, db } = await createTestApp();
    const gitea = await insertConnection(db, 'gitea');
    const body = payload('gitea-repository-created');
    await deliver(app, gitea.id, body, hostHeaders('gitea', 'repository', body));
    const { sync } = recordingSync(
      () => new HostSyncProblem("The path platform/api is taken by a project of Cascade's own."),
    );
    await new HostEventProcessor(db, () => sync).start();
    expect((await storedEvents(db)).map((event) => [event.outcome, event.detail])).toEqual([
      ['failed', "The path platform/api is taken by a project of Cascade's own."],
    ]);
  });

  it('applies an event stored while the app runs, when the receiver wakes it', async () => {
    const { sync, calls } = recordingSync();
    const holder: { processor?: HostEventProcessor } = {};
    const { app, db } = await createTestApp({ hostEventProcessor: { wake: (id) => holder.processor!.wake(id) } });
    holder.processor = new HostEventProcessor(db, () => sync);
    const gitlab = await insertConnection(db, 'gitlab');
    const body = payload('gitlab-system-project-create');
    await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body));
    await holder.processor.wake(gitlab.id);
    expect(calls).toEqual(['project 74']);
    expect(await storedEvents(db)).toMatchObject([{ outcome: 'applied' }]);
  });

  it('applies on start the events a stopped server left received, once', async () => {
    const { app, db } = await createTestApp();
    const gitlab = await insertConnection(db, 'gitlab');
    const body = payload('gitlab-system-project-rename');
    await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body));
    const first = recordingSync();
    await new HostEventProcessor(db, () => first.sync).start();
    const second = recordingSync();
    await new HostEventProcessor(db, () => second.sync).start();
    expect([first.calls, second.calls]).toEqual([['project 73'], []]);
  });
});

/**
 * A HostSync that records each call ("first: project 74") in the list that every server's sync
 * shares, and answers only when `answer` says, as a host that takes its time.
 */
function slowSync(server: string, calls: string[], answer: () => Promise<void>): HostSync {
  const record = (name: string) => async (id?: number) => {
    calls.push(`${server}: ${name} ${id}`);
    await answer();
  };
  return {
    group: record('group'),
    project: record('project'),
    groupMembers: record('groupMembers'),
    projectMembers: record('projectMembers'),
    reconcile: record('reconcile'),
  };
}

const pause = (ms: number) => () => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('the processors of several servers on one database', () => {
  it('apply each event once, in the order received, when both are woken for the same connection', async () => {
    const { app, db } = await createTestApp();
    const gitlab = await insertConnection(db, 'gitlab');
    for (const name of ['system-project-create', 'system-group-rename', 'system-project-rename']) {
      const body = payload(`gitlab-${name}`);
      await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body));
    }
    const calls: string[] = [];
    const first = new HostEventProcessor(db, () => slowSync('first', calls, pause(20)));
    const second = new HostEventProcessor(openAsAnotherServer(db), () => slowSync('second', calls, pause(20)));
    await Promise.all([first.wake(gitlab.id), second.wake(gitlab.id)]);
    expect(calls.map((call) => call.replace(/^\w+: /, ''))).toEqual(['project 74', 'group 64', 'project 73']);
    expect((await storedEvents(db)).map((event) => event.outcome)).toEqual(['applied', 'applied', 'applied']);
  });

  it('leave an event stored while another server applies the connection`s events to that server, which applies it next', async () => {
    const { app, db } = await createTestApp();
    const gitlab = await insertConnection(db, 'gitlab');
    const store = async (name: string) => {
      const body = payload(`gitlab-${name}`);
      await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body));
    };
    await store('system-project-create');
    let answerHost!: () => void;
    const hostAnswers = new Promise<void>((resolve) => (answerHost = resolve));
    const calls: string[] = [];
    const first = new HostEventProcessor(db, () => slowSync('first', calls, () => hostAnswers));
    const second = new HostEventProcessor(openAsAnotherServer(db), () => slowSync('second', calls, pause(0)));
    const applying = first.wake(gitlab.id);
    await vi.waitFor(() => expect(calls).toEqual(['first: project 74']));
    await store('system-project-rename');
    await second.wake(gitlab.id);
    answerHost();
    await applying;
    expect(calls).toEqual(['first: project 74', 'first: project 73']);
    expect((await storedEvents(db)).map((event) => event.outcome)).toEqual(['applied', 'applied']);
  });
});

describe('the retention of received events', () => {
  it('deletes the events older than the retention period, in batches, and keeps the rest', async () => {
    const { app, db } = await createTestApp();
    const gitea = await insertConnection(db, 'gitea');
    const body = payload('gitea-push');
    for (let i = 0; i < 5; i++) await deliver(app, gitea.id, body, hostHeaders('gitea', 'push', body));
    const [oldest, older, , , newest] = await storedEvents(db);
    const now = new Date();
    const days = (n: number) => new Date(now.getTime() - n * 24 * 60 * 60 * 1000);
    await writeConnection(db)
      .update(hostEvents)
      .set({ receivedAt: days(20) })
      .where(eq(hostEvents.id, oldest!.id));
    await writeConnection(db)
      .update(hostEvents)
      .set({ receivedAt: days(15) })
      .where(eq(hostEvents.id, older!.id));
    await writeConnection(db)
      .update(hostEvents)
      .set({ receivedAt: days(13) })
      .where(eq(hostEvents.id, newest!.id));
    expect(await deleteOldHostEvents(db, 14, now, 1)).toBe(2);
    expect((await storedEvents(db)).map((event) => event.id)).not.toContain(oldest!.id);
    expect(await storedEvents(db)).toHaveLength(3);
  });
});
