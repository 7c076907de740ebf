/**
 * @module code-hosts/processor
 * Applies the stored tree events (projects, groups, members) after the host has had its answer:
 * per connection, in the order they were received, each through the connection's HostSync, which
 * fetches the object as it is now. Content events (pushes, merge requests, ...) stay `received`
 * for their delivery to integrations; this processor never takes them.
 *
 * Each server of a PostgreSQL database has its processor, and a delivery wakes the one of the
 * server that stored it. So that one server applies each event, and a connection's events stay in
 * order, a processor drains a connection only while it holds the connection's lock
 * (`withExclusive`, an advisory lock on PostgreSQL); one that finds the lock taken leaves the
 * events to the holder. Claiming rows instead (`for update skip locked`) would need each
 * connection's events kept in order across servers and the claims of a crashed server taken back;
 * a lock held by a connection ends with it.
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { withExclusive, type Db } from '../db/client.js';
import { codeHosts, groups, hostEvents, projects, type CodeHost, type HostEvent } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { normaliseEvent, TREE_EVENT_KINDS, type HostEventSubject } from './events.js';
import { HostRequestFailed, HostSyncProblem, type HostSync } from './host.js';
import { UNKNOWN_PROJECT_DETAIL } from './receiver.js';

/** Makes the HostSync of a connection (sync.ts; tests give a recording fake). */
export type HostSyncFactory = (connection: CodeHost) => HostSync;

/** Events read per query while draining a connection. */
const BATCH = 100;

type Outcome = { outcome: 'applied' | 'failed' | 'unknown_project'; detail: string | null };

/** The events this processor applies, and has not yet. */
const receivedTreeEvents = () =>
  and(eq(hostEvents.outcome, 'received'), inArray(hostEvents.kind, [...TREE_EVENT_KINDS]));

const UNKNOWN_GROUP_DETAIL = 'Cascade does not know this group; the next reconcile imports it with its members.';

/**
 * @example
 * const processor = new HostEventProcessor(db, (connection) => new Sync(connection), logger)
 * await processor.start() // applies what a previous run left `received`
 * processor.wake(receipt.codeHostId) // after storing a delivery
 */
export class HostEventProcessor {
  /** Per connection: the drain running now, so that a connection's events are applied one at a time. */
  private readonly running = new Map<number, Promise<void>>();
  /** Connections woken while their drain was running: drained once more after it. */
  private readonly again = new Set<number>();
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly syncFor: HostSyncFactory,
    private readonly logger?: Logger,
  ) {}

  /** Drains every connection that has tree events still `received` (stored before a stop or crash). */
  async start(): Promise<void> {
    const pending = await this.db
      .selectDistinct({ codeHostId: hostEvents.codeHostId })
      .from(hostEvents)
      .where(receivedTreeEvents());
    await Promise.all(pending.map(({ codeHostId }) => this.wake(codeHostId)));
  }

  /** Applies the connection's received tree events, after any drain already running for it. */
  wake(codeHostId: number): Promise<void> {
    const current = this.running.get(codeHostId);
    if (current) {
      this.again.add(codeHostId);
      return current;
    }
    const drain = (async () => {
      try {
        do {
          this.again.delete(codeHostId);
          await this.drainHoldingLock(codeHostId);
        } while (this.again.has(codeHostId) && !this.stopped);
      } catch (error) {
        this.logger?.error({ err: error, codeHostId }, 'Applying code host events failed');
      } finally {
        // In the same turn as the last look at `again`: a wake after it starts a new drain.
        this.running.delete(codeHostId);
      }
    })();
    this.running.set(codeHostId, drain);
    return drain;
  }

  /** Lets the drains in flight finish their current event; no new one starts. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running.values());
  }

  /**
   * Drains the connection while holding its lock; when another server holds it, that server
   * applies the events. None is left behind: an event stored before another server tried the lock
   * was committed before the holder lets go, and the holder looks for received events once more
   * after letting go (taking the lock again for them). One stored after the holder let go finds
   * the lock free when its own server tries it.
   */
  private async drainHoldingLock(codeHostId: number): Promise<void> {
    for (;;) {
      const drained = await withExclusive(this.db, { name: 'code-host-events', id: codeHostId }, () =>
        this.drain(codeHostId).then(() => true),
      );
      if (!drained || this.stopped || !(await this.hasReceived(codeHostId))) return;
    }
  }

  private async drain(codeHostId: number): Promise<void> {
    const [connection] = await this.db.select().from(codeHosts).where(eq(codeHosts.id, codeHostId)).limit(1);
    if (!connection) return;
    const sync = this.syncFor(connection);
    let after = 0;
    while (!this.stopped) {
      const batch = await this.db
        .select()
        .from(hostEvents)
        .where(and(eq(hostEvents.codeHostId, codeHostId), receivedTreeEvents(), gt(hostEvents.id, after)))
        .orderBy(asc(hostEvents.id))
        .limit(BATCH);
      for (const event of batch) {
        if (this.stopped) return;
        await this.record(event, await this.apply(connection, sync, event));
        after = event.id;
      }
      if (batch.length < BATCH) return;
    }
  }

  private async hasReceived(codeHostId: number): Promise<boolean> {
    const [event] = await this.db
      .select({ id: hostEvents.id })
      .from(hostEvents)
      .where(and(eq(hostEvents.codeHostId, codeHostId), receivedTreeEvents()))
      .limit(1);
    return event !== undefined;
  }

  private async apply(connection: CodeHost, sync: HostSync, event: HostEvent): Promise<Outcome> {
    const normalised = normaliseEvent(
      connection.kind,
      event.hostEvent,
      JSON.parse(event.payload) as Record<string, unknown>,
    );
    if (!('event' in normalised)) return { outcome: 'failed', detail: 'The stored payload is no longer understood.' };
    const subject = normalised.event;
    try {
      return await this.applySubject(connection.id, sync, subject);
    } catch (error) {
      if (error instanceof HostRequestFailed || error instanceof HostSyncProblem)
        return { outcome: 'failed', detail: error.message };
      this.logger?.error({ err: error, hostEventId: event.id }, 'Applying a code host event failed');
      return { outcome: 'failed', detail: 'An unexpected error; it was logged.' };
    }
  }

  private async applySubject(codeHostId: number, sync: HostSync, subject: HostEventSubject): Promise<Outcome> {
    const applied: Outcome = { outcome: 'applied', detail: null };
    const { kind, hostProjectId, hostGroupId } = subject;
    if (kind.startsWith('project_') && hostProjectId !== null) {
      await sync.project(hostProjectId);
      return applied;
    }
    if (kind.startsWith('group_') && hostGroupId !== null) {
      await sync.group(hostGroupId);
      return applied;
    }
    if (kind.startsWith('member_') && hostProjectId !== null) {
      if (!(await this.knows(projects, codeHostId, hostProjectId))) {
        return { outcome: 'unknown_project', detail: UNKNOWN_PROJECT_DETAIL };
      }
      await sync.projectMembers(hostProjectId);
      return applied;
    }
    if (kind.startsWith('member_') && hostGroupId !== null) {
      if (!(await this.knows(groups, codeHostId, hostGroupId))) {
        return { outcome: 'unknown_project', detail: UNKNOWN_GROUP_DETAIL };
      }
      await sync.groupMembers(hostGroupId);
      return applied;
    }
    return { outcome: 'failed', detail: `A ${kind} event changes nothing in Cascade's tree.` };
  }

  private async knows(table: typeof projects | typeof groups, codeHostId: number, hostId: number): Promise<boolean> {
    const [row] = await this.db
      .select({ id: table.id })
      .from(table)
      .where(and(eq(table.codeHostId, codeHostId), eq(table.hostId, hostId)))
      .limit(1);
    return row !== undefined;
  }

  /** The outcome, and the Cascade project the event is about now (imported, or gone). */
  private async record(event: HostEvent, { outcome, detail }: Outcome): Promise<void> {
    const [project] =
      event.hostProjectId === null
        ? []
        : await this.db
            .select({ id: projects.id })
            .from(projects)
            .where(and(eq(projects.codeHostId, event.codeHostId), eq(projects.hostId, event.hostProjectId)))
            .limit(1);
    await this.db.transaction(async (tx) => {
      await tx
        .update(hostEvents)
        .set({ outcome, detail, projectId: project?.id ?? null, processedAt: new Date() })
        .where(eq(hostEvents.id, event.id));
    });
  }
}
