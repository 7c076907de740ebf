/**
 * @module delivery/queue
 * The stored deliveries: written with their event's dispatch, leased by a worker while it sends
 * one, and given each attempt's outcome. The request is sealed (its URL, headers and body carry
 * tokens); what the log shows of it is `target`, redacted as it is stored, and `used`, which never
 * holds a secret.
 */
import { inArray, sql, type SQL } from 'drizzle-orm';
import { execute, firstRow, inJsonArray, jsonRecords, rows, type Db, type Queryable, type Tx } from '../db/client.js';
import { deliveries, deliveryAttempts, type Delivery, type HostEvent } from '../db/schema.js';
import type { FieldValue } from '../integrations/types.js';
import { deriveKey, seal, unseal } from '../seal.js';
import type { SettingsOwner, ValueSource } from '../settings/resolve.js';
import { isMailRequest, type StoredRequest } from './messages/request.js';
import { shownMail, shownRequest } from './redaction.js';
import { healthOutcome, recordHealth, targetNotHeld, type HealthTarget } from './health.js';
import type { AttemptResult, NextStep } from './schedule.js';

/** What a delivery used of its settings: each value and the level it came from; secrets left out. */
export type UsedSettings = Record<string, { value: FieldValue; from: ValueSource }>;

/** One request the planner wants sent for an event. */
export interface PlannedDelivery {
  /** The integration type's slug. */
  integration: string;
  /** The level whose settings supplied the target. */
  settingsOwner: SettingsOwner;
  request: StoredRequest;
  /** Where a mail goes (the SMTP server's host): a mail names no host of its own. */
  mailHost?: string;
  used: UsedSettings;
  /** The values of the type's secret fields the request was built with: never shown in the log. */
  secrets: string[];
}

/** The first bytes of an answer's body kept with its attempt. */
export const RESPONSE_EXCERPT_BYTES = 8 * 1024;

/**
 * Seals the requests of deliveries with a key of their own, bound to the event and the
 * integration: a sealed request copied to another delivery's row does not open.
 *
 * @example
 * const requests = new DeliveryRequests(secretKeyBase)
 * const sealed = requests.seal({ hostEventId: 4, integration: 'slack' }, request)
 * requests.open({ hostEventId: 4, integration: 'slack', request: sealed }) // the request
 */
export class DeliveryRequests {
  private readonly key: Buffer;

  constructor(secretKeyBase: string) {
    this.key = deriveKey(secretKeyBase, 'delivery requests');
  }

  seal(delivery: Pick<Delivery, 'hostEventId' | 'integration'>, request: StoredRequest): string {
    return seal(this.key, JSON.stringify(request), boundTo(delivery));
  }

  /** The request, or null when it was sealed with another key or for another delivery. */
  open(delivery: Pick<Delivery, 'hostEventId' | 'integration' | 'request'>): StoredRequest | null {
    const json = unseal(this.key, delivery.request, boundTo(delivery));
    return json === null ? null : (JSON.parse(json) as StoredRequest);
  }
}

const boundTo = ({ hostEventId, integration }: Pick<Delivery, 'hostEventId' | 'integration'>) =>
  `delivery:${hostEventId}:${integration}`;

/**
 * "hooks.slack.com", "ci.example.com:8443", or a mail's SMTP server; '' for a URL that does not
 * parse, or a mail while no SMTP server is configured (either fails when sent).
 */
function targetHost({ request, mailHost }: PlannedDelivery): string {
  if (isMailRequest(request)) return mailHost ?? '';
  return URL.canParse(request.url) ? new URL(request.url).host : '';
}

/** An event and the deliveries planned for it. */
export interface EventDeliveries {
  event: Pick<HostEvent, 'id'> & { projectId: number };
  planned: readonly PlannedDelivery[];
}

/** Rows per insert: a delivery has 12 values, well within both databases' limits on parameters. */
const INSERT_ROWS = 500;

/** Stores the planned deliveries of events, due now, in the caller's transaction; answers how many. */
export async function insertEventDeliveries(
  tx: Tx,
  events: readonly EventDeliveries[],
  requests: DeliveryRequests,
  now: Date,
): Promise<number> {
  const values = events.flatMap(({ event, planned }) =>
    planned.map((delivery) => ({
      hostEventId: event.id,
      projectId: event.projectId,
      integration: delivery.integration,
      settingsLevel: delivery.settingsOwner.level,
      settingsOwnerId: delivery.settingsOwner.id,
      targetHost: targetHost(delivery),
      request: requests.seal({ hostEventId: event.id, integration: delivery.integration }, delivery.request),
      used: JSON.stringify(delivery.used),
      target: JSON.stringify(
        isMailRequest(delivery.request)
          ? shownMail(delivery.request)
          : shownRequest(delivery.request, delivery.secrets),
      ),
      nextAttemptAt: now,
      createdAt: now,
    })),
  );
  for (let from = 0; from < values.length; from += INSERT_ROWS)
    await tx.insert(deliveries).values(values.slice(from, from + INSERT_ROWS));
  return values.length;
}

/** Stores the planned deliveries of an event, due now, in the caller's transaction. */
export async function insertDeliveries(
  tx: Tx,
  event: EventDeliveries['event'],
  planned: readonly PlannedDelivery[],
  requests: DeliveryRequests,
  now: Date,
): Promise<void> {
  await insertEventDeliveries(tx, [{ event, planned }], requests, now);
}

/** A delivery a worker may send until `lease` has passed. */
export interface LeasedDelivery {
  delivery: Delivery;
  lease: Date;
}

export interface ClaimOptions {
  now: Date;
  leaseMs: number;
  /** The most deliveries to lease. */
  limit: number;
  /** The most sends to one host at once... */
  hostLimit: number;
  /** ...counting those this worker already has in flight, by host. */
  busyHosts: ReadonlyMap<string, number>;
}

const PENDING: Delivery['state'] = 'pending';

/**
 * Leases due deliveries, oldest due first, at most `hostLimit` in flight per host, leaving those
 * whose target is paused or disabled waiting (delivery/health.ts). On
 * PostgreSQL the candidates are locked with `for update skip locked`: writes already take turns
 * there (src/db/postgres.ts), so this only keeps two claims apart should they ever run at once.
 */
export async function claimDue(db: Db, options: ClaimOptions): Promise<LeasedDelivery[]> {
  const { now, leaseMs, limit, hostLimit, busyHosts } = options;
  const full = [...busyHosts].filter(([, count]) => count >= hostLimit).map(([host]) => host);
  const due = (on: Queryable, lock: SQL) =>
    rows<{ id: number; target_host: string }>(
      on,
      sql`select id, target_host from deliveries
           where state = ${PENDING} and next_attempt_at <= ${now.getTime()}
             and (leased_until is null or leased_until <= ${now.getTime()})
             and not (${inJsonArray(on.engine, sql`target_host`, JSON.stringify(full), 'text')})
             and ${targetNotHeld(now)}
           order by next_attempt_at limit ${limit} ${lock}`,
    );
  // Read first: an idle worker's poll takes no turn among the writes.
  if ((await due(db, sql``)).length === 0) return [];
  return db.transaction(async (tx) => {
    const candidates = await due(tx, tx.engine === 'postgres' ? sql`for update skip locked` : sql``);
    const chosen = withinHostLimit(candidates, hostLimit, busyHosts);
    if (chosen.length === 0) return [];
    const lease = new Date(now.getTime() + leaseMs);
    const leased = await tx
      .update(deliveries)
      .set({ leasedUntil: lease })
      .where(inArray(deliveries.id, chosen))
      .returning();
    return leased.map((delivery) => ({ delivery, lease }));
  });
}

/** The ids of the candidates that fit in their host's free sends, in order. */
function withinHostLimit(
  candidates: readonly { id: number; target_host: string }[],
  hostLimit: number,
  busyHosts: ReadonlyMap<string, number>,
): number[] {
  const taken = new Map(busyHosts);
  const chosen: number[] = [];
  for (const { id, target_host: host } of candidates) {
    const count = taken.get(host) ?? 0;
    if (count >= hostLimit) continue;
    taken.set(host, count + 1);
    chosen.push(id);
  }
  return chosen;
}

/** When the next pending delivery not due at `now` is due; null when none is waiting. */
export async function nextDueAt(db: Queryable, now: Date): Promise<Date | null> {
  const row = await firstRow<{ at: number | null }>(
    db,
    sql`select min(next_attempt_at) as at from deliveries where state = ${PENDING} and next_attempt_at > ${now.getTime()}`,
  );
  return row?.at == null ? null : new Date(Number(row.at));
}

/**
 * An attempt as the log shows it: an answer that is not a 2xx is an `http_status` failure; a
 * mail server's refusal keeps its reply.
 */
function attemptRow(deliveryId: number, { at, result }: { at: Date; result: AttemptResult }, step: NextStep) {
  const answered = result.ok
    ? { status: result.status, responseExcerpt: result.body }
    : {
        status: 'status' in result ? (result.status ?? null) : null,
        responseExcerpt: 'reply' in result ? (result.reply ?? null) : null,
      };
  const failure = result.ok
    ? step.state === 'delivered'
      ? {}
      : { failure: 'http_status', message: `The server answered with HTTP ${result.status}` }
    : { failure: result.failure, message: result.message };
  return { deliveryId, attemptedAt: at, durationMs: result.durationMs, ...answered, ...failure };
}

/** The level and integration a delivery's failures are counted against. */
export const healthTargetOf = (delivery: Delivery): HealthTarget => ({
  integration: delivery.integration,
  level: delivery.settingsLevel,
  ownerId: delivery.settingsOwnerId,
});

/** An attempt a worker made on a delivery it leased, and the delivery's next step. */
export interface FinishedAttempt {
  leased: LeasedDelivery;
  at: Date;
  result: AttemptResult;
  step: NextStep;
}

/** How {@link recordAttempts} moves each delivery on, as one JSON parameter. */
const STEPS = {
  id: 'integer',
  lease: 'bigint',
  state: 'text',
  next_attempt_at: 'bigint',
  finished_at: 'bigint',
} as const;

/**
 * Records attempts in one transaction: each attempt, its count against the delivery's target
 * and, while the lease is still the worker's, the delivery's next step. A worker whose lease ran
 * out (another took the delivery) records only what it saw. Returns the targets these attempts
 * disabled.
 */
export async function recordAttempts(db: Db, finished: readonly FinishedAttempt[]): Promise<HealthTarget[]> {
  if (finished.length === 0) return [];
  const steps = finished.map(({ leased: { delivery, lease }, at, result, step }) => ({
    id: delivery.id,
    lease: lease.getTime(),
    state: step.state,
    next_attempt_at: step.state === 'pending' ? step.at.getTime() : null,
    finished_at: step.state === 'pending' ? null : at.getTime() + result.durationMs,
  }));
  return db.transaction(async (tx) => {
    await tx
      .insert(deliveryAttempts)
      .values(finished.map(({ leased, at, result, step }) => attemptRow(leased.delivery.id, { at, result }, step)));
    await execute(
      tx,
      sql`update deliveries
             set state = j.state, attempts = deliveries.attempts + 1,
                 next_attempt_at = coalesce(j.next_attempt_at, deliveries.next_attempt_at),
                 leased_until = null, finished_at = j.finished_at
            from ${jsonRecords(tx.engine, JSON.stringify(steps), 'j', STEPS)}
           where deliveries.id = j.id and deliveries.leased_until = j.lease`,
    );
    return recordHealth(
      tx,
      finished.map(({ leased, at, result }) => ({
        target: healthTargetOf(leased.delivery),
        outcome: healthOutcome(result),
        at,
      })),
    );
  });
}

/** Gives back leases a worker took but will not send (it is stopping): another may take them at once. */
export async function releaseLeases(db: Db, leased: readonly LeasedDelivery[]): Promise<void> {
  if (leased.length === 0) return;
  const held = leased.map(({ delivery, lease }) => ({ id: delivery.id, lease: lease.getTime() }));
  await db.transaction((tx) =>
    execute(
      tx,
      sql`update deliveries set leased_until = null
            from ${jsonRecords(tx.engine, JSON.stringify(held), 'j', { id: 'integer', lease: 'bigint' })}
           where deliveries.id = j.id and deliveries.leased_until = j.lease`,
    ),
  );
}
