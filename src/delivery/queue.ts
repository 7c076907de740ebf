/**
 * @module delivery/queue
 * The stored deliveries: written with their event's dispatch, leased by a worker while it sends
 * one, and given each attempt's outcome. The request is sealed (its URL, headers and body carry
 * tokens); what the log shows of it is `target`, redacted as it is stored, and `used`, which never
 * holds a secret.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { firstRow, inJsonArray, rows, type Db, type Queryable, type Tx } from '../db/client.js';
import { deliveries, deliveryAttempts, type Delivery, type HostEvent } from '../db/schema.js';
import type { FieldValue } from '../integrations/types.js';
import { deriveKey, seal, unseal } from '../seal.js';
import type { SettingsOwner, ValueSource } from '../settings/resolve.js';
import { isMailRequest, type StoredRequest } from './messages/request.js';
import { shownMail, shownRequest } from './redaction.js';
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

/** Stores the planned deliveries of an event, due now, in the caller's transaction. */
export async function insertDeliveries(
  tx: Tx,
  event: Pick<HostEvent, 'id'> & { projectId: number },
  planned: readonly PlannedDelivery[],
  requests: DeliveryRequests,
  now: Date,
): Promise<void> {
  if (planned.length === 0) return;
  await tx.insert(deliveries).values(
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
 * Leases due deliveries, oldest due first, at most `hostLimit` in flight per host. On
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

/**
 * Records an attempt and, while the lease is still this worker's, the delivery's next step. A
 * worker whose lease ran out (another took the delivery) records only what it saw.
 */
export async function recordAttempt(
  db: Db,
  { delivery, lease }: LeasedDelivery,
  attempt: { at: Date; result: AttemptResult },
  step: NextStep,
): Promise<void> {
  const finishedAt = step.state === 'pending' ? null : new Date(attempt.at.getTime() + attempt.result.durationMs);
  await db.transaction(async (tx) => {
    await tx.insert(deliveryAttempts).values(attemptRow(delivery.id, attempt, step));
    await tx
      .update(deliveries)
      .set({
        state: step.state,
        attempts: sql`${deliveries.attempts} + 1`,
        ...(step.state === 'pending' ? { nextAttemptAt: step.at } : {}),
        leasedUntil: null,
        finishedAt,
      })
      .where(and(eq(deliveries.id, delivery.id), eq(deliveries.leasedUntil, lease)));
  });
}
