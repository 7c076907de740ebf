/**
 * @module delivery/dispatcher
 * Turns the content events the receiver stored (`received`) into deliveries, oldest first. The
 * planner (which resolves the project's settings and builds each request) runs outside any write
 * transaction; then one transaction moves the event to `dispatched` and stores its deliveries.
 * A server killed before that commit leaves the event `received`, and it is planned again; once
 * committed, its deliveries are stored. No event is skipped or dispatched twice.
 *
 * Several servers of one PostgreSQL database may plan the same event at once: the move to
 * `dispatched` is conditional (`where outcome = 'received'`), so only the first to commit stores
 * deliveries and the others drop their plan. Writes take turns there anyway (src/db/postgres.ts),
 * and PostgreSQL re-checks the condition of an UPDATE on a row another transaction changed, so
 * no `skip locked` is needed here.
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { hostEvents, type HostEvent } from '../db/schema.js';
import { CONTENT_EVENT_KINDS } from '../code-hosts/events.js';
import type { Logger } from '../logger.js';
import { insertDeliveries, type DeliveryRequests, type PlannedDelivery } from './queue.js';

/** What to send for an event, from the effective settings of its project's integrations. */
export type Planner = (event: HostEvent) => Promise<PlannedDelivery[]>;

/** Thrown by a planner for an event that cannot be delivered; the message is shown in Recent events. */
export class UndeliverableEvent extends Error {}

export const NO_INTEGRATION_DETAIL = 'No active integration';
const NO_PROJECT_DETAIL = 'The project is no longer in Cascade.';
const UNEXPECTED_DETAIL = 'An unexpected error; it was logged.';

/** Events read per query while draining. */
const BATCH = 100;

type Plan = { deliveries: PlannedDelivery[]; detail: string | null } | { failed: string };

export interface DeliveryDispatcherOptions {
  requests: DeliveryRequests;
  /** Told after deliveries were stored (the worker's wake). */
  onDispatched?: () => void;
  /** The longest wait between looks for events other servers' receivers stored. */
  pollIntervalMs?: number;
  now?: () => Date;
  logger?: Logger;
}

/**
 * @example
 * const dispatcher = new DeliveryDispatcher(db, planner, { requests, onDispatched: () => worker.wake() })
 * dispatcher.start()
 * dispatcher.wake() // after the receiver stored a content event
 * await dispatcher.stop()
 */
export class DeliveryDispatcher {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly planner: Planner,
    private readonly options: DeliveryDispatcherOptions,
  ) {}

  /** Dispatches what is `received` now (left by a previous run too), then looks again every poll interval. */
  start(): void {
    this.started = true;
    void this.wake();
  }

  /** Dispatches the received content events, after the drain already running, if any. */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drainWhileAsked();
    return this.running;
  }

  /** Lets the event being dispatched finish; no other starts. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private poll(): void {
    if (!this.started || this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.wake(), this.options.pollIntervalMs ?? 1_000);
    this.timer.unref();
  }

  private async drainWhileAsked(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.drain();
      } while (this.again && !this.stopped);
    } catch (error) {
      this.options.logger?.error({ err: error }, 'Dispatching events failed');
    } finally {
      // In the same turn as the last check of `again`: a wake from now on starts a new drain.
      this.running = undefined;
      this.poll();
    }
  }

  private async drain(): Promise<void> {
    let after = 0;
    while (!this.stopped) {
      const batch = await this.db
        .select()
        .from(hostEvents)
        .where(
          and(
            eq(hostEvents.outcome, 'received'),
            inArray(hostEvents.kind, [...CONTENT_EVENT_KINDS]),
            gt(hostEvents.id, after),
          ),
        )
        .orderBy(asc(hostEvents.id))
        .limit(BATCH);
      for (const event of batch) {
        if (this.stopped) return;
        try {
          await this.dispatch(event);
        } catch (error) {
          // Left `received`: the next drain plans it again.
          this.options.logger?.error({ err: error, hostEventId: event.id }, 'Dispatching an event failed');
        }
        after = event.id;
      }
      if (batch.length < BATCH) return;
    }
  }

  private async plan(event: HostEvent): Promise<Plan> {
    if (event.projectId === null) return { deliveries: [], detail: NO_PROJECT_DETAIL };
    try {
      const deliveries = await this.planner(event);
      return { deliveries, detail: deliveries.length === 0 ? NO_INTEGRATION_DETAIL : null };
    } catch (error) {
      if (error instanceof UndeliverableEvent) return { failed: error.message };
      this.options.logger?.error({ err: error, hostEventId: event.id }, 'Planning the deliveries of an event failed');
      return { failed: UNEXPECTED_DETAIL };
    }
  }

  private async dispatch(event: HostEvent): Promise<void> {
    const plan = await this.plan(event);
    const now = (this.options.now ?? (() => new Date()))();
    const outcome =
      'failed' in plan ? { outcome: 'failed', detail: plan.failed } : { outcome: 'dispatched', detail: plan.detail };
    const stored = await this.db.transaction(async (tx) => {
      const taken = await tx
        .update(hostEvents)
        .set({ ...outcome, processedAt: now })
        .where(and(eq(hostEvents.id, event.id), eq(hostEvents.outcome, 'received')))
        .returning({ id: hostEvents.id });
      // Another server dispatched it first.
      if (taken.length === 0 || 'failed' in plan || event.projectId === null) return 0;
      // A project removed since the event was read fails the foreign key: the event stays `received`.
      await insertDeliveries(
        tx,
        { id: event.id, projectId: event.projectId },
        plan.deliveries,
        this.options.requests,
        now,
      );
      return plan.deliveries.length;
    });
    if (stored > 0) this.options.onDispatched?.();
  }
}
