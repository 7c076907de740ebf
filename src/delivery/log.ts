/**
 * @module delivery/log
 * Recent deliveries: an integration's deliveries at one level (a project's own; everything
 * below a group or the instance), newest first and keyset paged, one delivery with its
 * attempts, and Resend. What is shown was redacted when the delivery was stored (`target`) or
 * never held a secret (`used`).
 */
import { and, asc, desc, eq, like, lt, sql, type SQL } from 'drizzle-orm';
import { recordAuditEvent, type AuditActor } from '../audit/trail.js';
import { projectsReadableBy } from '../auth/permissions.js';
import type { Db, Queryable } from '../db/client.js';
import {
  deliveries,
  deliveryAttempts,
  groups,
  hostEvents,
  projects,
  type Delivery,
  type DeliveryAttempt,
  type User,
} from '../db/schema.js';
import { Conflict } from '../errors.js';
import { groupLineage, findGroupById } from '../model/groups.js';
import { projectOwner } from '../settings/owners.js';
import type { SettingsOwner } from '../settings/resolve.js';
import type { UsedSettings } from './queue.js';
import type { ShownRequest } from './redaction.js';

export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** Whose deliveries a level sees: a project its own, a group those of every project below it, the instance all. */
export type DeliveryScope =
  { level: 'instance' } | { level: 'group'; traversalIds: string } | { level: 'project'; projectId: number };

export interface DeliveryListQuery {
  scope: DeliveryScope;
  integration: string;
  /** Only the projects the viewer may read are listed (a group's reader may not read every project below). */
  viewer: User;
  projectId?: number | undefined;
  state?: DeliveryState | undefined;
  /** The event's kind ("push", "merge_request", ...). */
  kind?: string | undefined;
  /** Deliveries older than this id (the next page). */
  before?: number | undefined;
  limit: number;
}

/** One line of Recent deliveries. */
export interface DeliverySummary {
  id: number;
  projectId: number;
  projectPath: string;
  kind: string;
  state: DeliveryState;
  attempts: number;
  /** The status of the last answer; null before the first or when none came. */
  lastStatus: number | null;
  target: ShownRequest;
  createdAt: Date;
  finishedAt: Date | null;
  resentFromId: number | null;
}

export interface DeliveryPage {
  events: DeliverySummary[];
  /** The `before` of the next page; null on the last. */
  next: number | null;
}

/** A delivery with what its page shows: the event, the attempts and the levels whose settings it used. */
export interface DeliveryDetail extends DeliverySummary {
  integration: string;
  hostEventId: number;
  /** The event as the host named it ("Push Hook"). */
  hostEvent: string;
  used: UsedSettings;
  /** The level whose settings supplied the target. */
  settingsLevel: Delivery['settingsLevel'];
  settingsOwnerId: number | null;
  nextAttemptAt: Date;
  attemptLog: DeliveryAttempt[];
}

const lastStatus = sql<number | null>`(select a.status from delivery_attempts a
  where a.delivery_id = ${deliveries.id} order by a.id desc limit 1)`;

function inScope(scope: DeliveryScope, viewer: User): SQL | undefined {
  const readable = projectsReadableBy(viewer);
  switch (scope.level) {
    case 'project':
      return eq(deliveries.projectId, scope.projectId);
    case 'group':
      return and(like(groups.traversalIds, `${scope.traversalIds}%`), readable);
    case 'instance':
      return readable;
  }
}

function summaryQuery(db: Queryable) {
  return db
    .select({
      delivery: deliveries,
      projectPath: projects.fullPath,
      kind: hostEvents.kind,
      hostEvent: hostEvents.hostEvent,
      lastStatus,
    })
    .from(deliveries)
    .innerJoin(projects, eq(projects.id, deliveries.projectId))
    .innerJoin(groups, eq(groups.id, projects.groupId))
    .innerJoin(hostEvents, eq(hostEvents.id, deliveries.hostEventId));
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaryQuery>['execute']>>[number];

function summaryOf({ delivery, projectPath, kind, lastStatus }: SummaryRow): DeliverySummary {
  return {
    id: delivery.id,
    projectId: delivery.projectId,
    projectPath,
    kind,
    state: delivery.state,
    attempts: delivery.attempts,
    lastStatus: lastStatus === null ? null : Number(lastStatus),
    target: JSON.parse(delivery.target) as ShownRequest,
    createdAt: delivery.createdAt,
    finishedAt: delivery.finishedAt,
    resentFromId: delivery.resentFromId,
  };
}

/**
 * @example
 * await listDeliveries(db, { scope: { level: 'group', traversalIds: '/1/' }, integration: 'slack', viewer, state: 'failed', limit: 20 })
 * // { events: [{ id: 12, projectPath: 'platform/api', kind: 'push', state: 'failed', ... }], next: null }
 */
export async function listDeliveries(db: Queryable, query: DeliveryListQuery): Promise<DeliveryPage> {
  const rows = await summaryQuery(db)
    .where(
      and(
        eq(deliveries.integration, query.integration),
        inScope(query.scope, query.viewer),
        query.projectId === undefined ? undefined : eq(deliveries.projectId, query.projectId),
        query.state ? eq(deliveries.state, query.state) : undefined,
        query.kind ? eq(hostEvents.kind, query.kind) : undefined,
        query.before === undefined ? undefined : lt(deliveries.id, query.before),
      ),
    )
    .orderBy(desc(deliveries.id))
    .limit(query.limit + 1);
  const events = rows.slice(0, query.limit).map(summaryOf);
  return { events, next: rows.length > query.limit ? events[events.length - 1]!.id : null };
}

/** One delivery of `integration` the scope sees; undefined for any other id. */
export async function findDelivery(
  db: Queryable,
  scope: DeliveryScope,
  viewer: User,
  integration: string,
  id: number,
): Promise<DeliveryDetail | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const [row] = await summaryQuery(db)
    .where(and(eq(deliveries.id, id), eq(deliveries.integration, integration), inScope(scope, viewer)))
    .limit(1);
  if (!row) return undefined;
  const attemptLog = await db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.deliveryId, id))
    .orderBy(asc(deliveryAttempts.id));
  const { delivery } = row;
  return {
    ...summaryOf(row),
    integration: delivery.integration,
    hostEventId: delivery.hostEventId,
    hostEvent: row.hostEvent,
    used: JSON.parse(delivery.used) as UsedSettings,
    settingsLevel: delivery.settingsLevel,
    settingsOwnerId: delivery.settingsOwnerId,
    nextAttemptAt: delivery.nextAttemptAt,
    attemptLog,
  };
}

/** The project a delivery is for, as the audit trail names it. */
async function auditedProject(db: Queryable, projectId: number): Promise<SettingsOwner> {
  const [project] = await db.select().from(projects).where(eq(projects.id, projectId)).limit(1);
  const lineage = await groupLineage(db, (await findGroupById(db, project!.groupId))!);
  return projectOwner(project!, lineage);
}

/**
 * Resend: the same sealed request queued again, due now, as a new delivery that points back to
 * the one it repeats. The original keeps its outcome and attempts, so the log says what happened
 * to each; the new one gets the whole retry schedule. Refused while the original is still being
 * sent (its retries would send it twice). Audited as `delivery.resent` on the delivery's project.
 *
 * @example
 * const resent = await resendDelivery(db, delivery, user) // the new delivery's id
 */
export async function resendDelivery(
  db: Db,
  delivery: Pick<DeliveryDetail, 'id' | 'state' | 'projectId' | 'integration'>,
  actor: AuditActor,
  now = new Date(),
): Promise<number> {
  if (delivery.state === 'pending')
    throw new Conflict('This delivery is still being sent: it can be resent once it is delivered or has failed.');
  const owner = await auditedProject(db, delivery.projectId);
  return db.transaction(async (tx) => {
    const [original] = await tx.select().from(deliveries).where(eq(deliveries.id, delivery.id)).limit(1);
    if (!original) throw new Conflict('This delivery was deleted meanwhile.');
    const [resent] = await tx
      .insert(deliveries)
      .values({
        hostEventId: original.hostEventId,
        projectId: original.projectId,
        integration: original.integration,
        settingsLevel: original.settingsLevel,
        settingsOwnerId: original.settingsOwnerId,
        targetHost: original.targetHost,
        // Sealed for the event and the integration, not for the row: it opens for the copy too.
        request: original.request,
        used: original.used,
        target: original.target,
        resentFromId: original.id,
        nextAttemptAt: now,
        createdAt: now,
      })
      .returning({ id: deliveries.id });
    await recordAuditEvent(tx, {
      actor,
      action: 'delivery.resent',
      owner,
      integration: original.integration,
      changes: [{ key: 'delivery', label: 'Delivery', before: `#${original.id}`, after: `#${resent!.id}` }],
    });
    return resent!.id;
  });
}
