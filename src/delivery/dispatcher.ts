/**
 * @module delivery/dispatcher
 * Turns the content events the receiver stored (`received`) into deliveries, oldest first, a
 * batch at a time. The planner (which resolves each project's settings, once for the batch) runs
 * outside any write transaction; then one transaction, for the whole batch, reads the status of
 * each pipeline event's ref, chooses its deliveries by it, records the pipeline as the ref's
 * last, moves the events to `dispatched` and stores their deliveries. A server killed before
 * that commit leaves the events `received`, and they are planned again; once committed, their
 * deliveries are stored. No event is skipped or dispatched twice.
 *
 * Several servers of one PostgreSQL database may plan the same event at once: the move to
 * `dispatched` is conditional (`where outcome = 'received'`), so only the first to commit stores
 * deliveries and the others drop their plan. Writes take turns there anyway (src/db/postgres.ts),
 * and PostgreSQL re-checks the condition of an UPDATE on a row another transaction changed, so
 * no `skip locked` is needed here.
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { hostEvents, type HostEvent } from '../db/schema.js';
import { CONTENT_EVENT_KINDS } from '../code-hosts/events.js';
import type { Logger } from '../logger.js';
import {
  recordFinishedPipeline,
  refStatusOf,
  statusBefore,
  type FinishedPipeline,
  type RefStatus,
} from './pipeline-status.js';
import { insertEventDeliveries, type DeliveryRequests, type EventDeliveries, type PlannedDelivery } from './queue.js';

/**
 * What an event asks for. Its deliveries are chosen in the dispatch transaction, once the status
 * its pipeline's ref had before it is read there (null when there is none to compare with); that
 * transaction then records the pipeline as the ref's last.
 */
export interface EventPlan {
  /** The passed or failed pipeline the event reports; null for any other event. */
  pipeline: FinishedPipeline | null;
  deliveries(lastPipelineStatus: RefStatus['status'] | null): PlannedDelivery[];
}

/**
 * What the planner reads once for a batch of events (a project's settings and branches, a
 * connection's kind): the events of a batch are planned with the settings of one moment.
 */
export class PlanningBatch {
  private readonly loaded = new Map<string, Promise<unknown>>();

  /** What `load` answers, loaded once for the batch by `key`. */
  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let value = this.loaded.get(key) as Promise<T> | undefined;
    if (value === undefined) {
      value = load();
      this.loaded.set(key, value);
    }
    return value;
  }
}

/** What to send for an event, from the effective settings of its project's integrations. */
export type Planner = (event: HostEvent, batch: PlanningBatch) => Promise<EventPlan>;

/** Thrown by a planner for an event that cannot be delivered; the message is shown in Recent events. */
export class UndeliverableEvent extends Error {}

export const NO_INTEGRATION_DETAIL = 'No active integration';
const NO_PROJECT_DETAIL = 'The project is no longer in Cascade.';
const UNEXPECTED_DETAIL = 'An unexpected error; it was logged.';

/** Events read per query while draining. */
const BATCH = 100;

type Plan = { planned: EventPlan | null } | { failed: string };

interface Planned {
  event: HostEvent;
  plan: Plan;
}

/** What the dispatch transaction does with an event: its outcome, the deliveries to store, the pipeline to record. */
interface Settled {
  outcome: 'dispatched' | 'failed';
  detail: string | null;
  deliveries: PlannedDelivery[];
  pipeline: FinishedPipeline | null;
}

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
      if (batch.length === 0) return;
      const planning = new PlanningBatch();
      const planned: Planned[] = [];
      for (const event of batch) {
        if (this.stopped) return;
        planned.push({ event, plan: await this.plan(event, planning) });
      }
      try {
        await this.dispatch(planned);
      } catch {
        // An event whose deliveries cannot be stored (its project was removed since it was read)
        // fails the batch's transaction: each on its own then, so that the others go out.
        for (const each of planned) {
          try {
            await this.dispatch([each]);
          } catch (error) {
            // Left `received`: the next drain plans it again.
            this.options.logger?.error({ err: error, hostEventId: each.event.id }, 'Dispatching an event failed');
          }
        }
      }
      after = batch.at(-1)!.id;
      if (batch.length < BATCH) return;
    }
  }

  private async plan(event: HostEvent, batch: PlanningBatch): Promise<Plan> {
    if (event.projectId === null) return { planned: null };
    try {
      return { planned: await this.planner(event, batch) };
    } catch (error) {
      if (error instanceof UndeliverableEvent) return { failed: error.message };
      this.options.logger?.error({ err: error, hostEventId: event.id }, 'Planning the deliveries of an event failed');
      return { failed: UNEXPECTED_DETAIL };
    }
  }

  /** The deliveries of a plan, with its pipeline compared to the ref's status as `tx` reads it. */
  private async settle(tx: Tx, event: HostEvent, plan: Plan): Promise<Settled> {
    if ('failed' in plan) return { outcome: 'failed', detail: plan.failed, deliveries: [], pipeline: null };
    if (!plan.planned || event.projectId === null)
      return { outcome: 'dispatched', detail: NO_PROJECT_DETAIL, deliveries: [], pipeline: null };
    const { pipeline } = plan.planned;
    const last = pipeline ? statusBefore(pipeline, await refStatusOf(tx, event.projectId, pipeline.ref)) : null;
    try {
      const deliveries = plan.planned.deliveries(last);
      return {
        outcome: 'dispatched',
        detail: deliveries.length === 0 ? NO_INTEGRATION_DETAIL : null,
        deliveries,
        pipeline,
      };
    } catch (error) {
      this.options.logger?.error({ err: error, hostEventId: event.id }, 'Planning the deliveries of an event failed');
      return { outcome: 'failed', detail: UNEXPECTED_DETAIL, deliveries: [], pipeline };
    }
  }

  /** Settles the planned events in order, in one transaction, and stores their deliveries. */
  private async dispatch(planned: readonly Planned[]): Promise<void> {
    const now = (this.options.now ?? (() => new Date()))();
    const stored = await this.db.transaction(async (tx) => {
      // Another server may have dispatched some first: writes take turns, so what is still
      // `received` here stays so until this transaction ends.
      const open = await stillReceived(
        tx,
        planned.map(({ event }) => event.id),
      );
      const outcomes = new Map<string, { outcome: Settled['outcome']; detail: string | null; ids: number[] }>();
      const eventDeliveries: EventDeliveries[] = [];
      for (const { event, plan } of planned) {
        if (!open.has(event.id)) continue;
        const { outcome, detail, deliveries, pipeline } = await this.settle(tx, event, plan);
        const key = JSON.stringify([outcome, detail]);
        const same = outcomes.get(key) ?? outcomes.set(key, { outcome, detail, ids: [] }).get(key)!;
        same.ids.push(event.id);
        if (event.projectId === null) continue;
        if (pipeline) await recordFinishedPipeline(tx, event.projectId, pipeline, now);
        eventDeliveries.push({ event: { id: event.id, projectId: event.projectId }, planned: deliveries });
      }
      for (const { outcome, detail, ids } of outcomes.values())
        await tx
          .update(hostEvents)
          .set({ outcome, detail, processedAt: now })
          .where(and(inArray(hostEvents.id, ids), eq(hostEvents.outcome, 'received')));
      // A project removed since the events were read fails the foreign key: they stay `received`.
      return insertEventDeliveries(tx, eventDeliveries, this.options.requests, now);
    });
    if (stored > 0) this.options.onDispatched?.();
  }
}

/** Which of the events `ids` are still `received`. */
async function stillReceived(tx: Tx, ids: readonly number[]): Promise<Set<number>> {
  const open = await tx
    .select({ id: hostEvents.id })
    .from(hostEvents)
    .where(and(inArray(hostEvents.id, [...ids]), eq(hostEvents.outcome, 'received')));
  return new Set(open.map(({ id }) => id));
}
