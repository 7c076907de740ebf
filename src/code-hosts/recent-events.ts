/**
 * @module code-hosts/recent-events
 * A connection's received events for Admin Area › Code hosts › Recent events: newest first,
 * keyset paged by id, optionally of one outcome, each with the Cascade project it is about.
 */
import { and, desc, eq, lt } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { codeHosts, hostEvents, projects } from '../db/schema.js';

/** Content events stay `received` until the delivery dispatcher (src/delivery/) stores their deliveries. */
export const EVENT_OUTCOMES = ['received', 'applied', 'dispatched', 'unknown_project', 'failed'] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

export interface RecentEvent {
  id: number;
  kind: string;
  hostEvent: string;
  hostProjectId: number | null;
  /** The project's full path in Cascade, when Cascade knows it. */
  projectPath: string | null;
  outcome: string;
  detail: string | null;
  receivedAt: Date;
}

export interface RecentEventsQuery {
  codeHostId: number;
  outcome?: EventOutcome;
  /** Events older than this id (the next page). */
  before?: number;
  limit: number;
}

export interface RecentEventsPage {
  events: RecentEvent[];
  /** The `before` of the next page; null on the last. */
  next: number | null;
}

/**
 * @example
 * await listRecentEvents(db, { codeHostId: 1, outcome: 'failed', limit: 25 })
 */
export async function listRecentEvents(db: Queryable, query: RecentEventsQuery): Promise<RecentEventsPage> {
  const rows = await db
    .select({
      id: hostEvents.id,
      kind: hostEvents.kind,
      hostEvent: hostEvents.hostEvent,
      hostProjectId: hostEvents.hostProjectId,
      projectPath: projects.fullPath,
      outcome: hostEvents.outcome,
      detail: hostEvents.detail,
      receivedAt: hostEvents.receivedAt,
    })
    .from(hostEvents)
    .leftJoin(projects, eq(projects.id, hostEvents.projectId))
    .where(
      and(
        eq(hostEvents.codeHostId, query.codeHostId),
        query.outcome ? eq(hostEvents.outcome, query.outcome) : undefined,
        query.before !== undefined ? lt(hostEvents.id, query.before) : undefined,
      ),
    )
    .orderBy(desc(hostEvents.id))
    .limit(query.limit + 1);
  const events = rows.slice(0, query.limit);
  return { events, next: rows.length > query.limit ? events[events.length - 1]!.id : null };
}

/** The connection whose events a page lists, by id; undefined when there is none. */
export async function findConnectionName(db: Queryable, id: number): Promise<{ id: number; name: string } | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  return (
    await db.select({ id: codeHosts.id, name: codeHosts.name }).from(codeHosts).where(eq(codeHosts.id, id)).limit(1)
  )[0];
}
