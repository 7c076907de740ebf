/**
 * @module audit/trail
 * The audit trail: who changed which settings where, and what each value was before and after.
 * Append-only: the application only inserts, and the database refuses updates and deletes.
 */
import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Queryable, Tx } from '../db/client.js';
import { auditEvents, type AuditEvent } from '../db/schema.js';
import type { FieldValue, IntegrationType } from '../integrations/types.js';
import { isCalendarDay, type FieldErrors, type Outcome } from '../validation.js';

export interface AuditChange {
  key: string;
  label: string;
  /** Text as shown; secrets only as "set" / "changed" / "removed", never their value. */
  before: string | null;
  after: string | null;
  /**
   * The side that took the value from the level above (per-field inheritance) rather than set it.
   * Absent in events recorded before it was kept, and on levels with nothing above.
   */
  beforeInherited?: true;
  afterInherited?: true;
  /**
   * Only where the value comes from changed, not the value: taken over from the level above as it
   * was, or given back to it with the same value. Absent in events recorded before it was kept.
   */
  sameValue?: true;
}

/**
 * The change of a level from inheriting to custom settings or back: `before` and `after` name the
 * level it inherited from, null while it used custom settings.
 */
export const INHERITS_FROM = 'inherits_from';

export type AuditAction =
  | 'settings.saved'
  | 'settings.inherited'
  | 'settings.reset'
  | 'settings.disabled'
  | 'settings.switched_back'
  | 'settings.enforced'
  | 'settings.enforcement_lifted'
  | 'settings.pushed'
  | 'delivery.resent'
  | 'integration.reenabled'
  | 'project.moved'
  | 'group.moved'
  | 'project.deleted'
  | 'group.deleted'
  | 'project.edited'
  | 'group.edited'
  | 'network.updated'
  | 'code_host.connected'
  | 'code_host.updated'
  | 'code_host.paused'
  | 'code_host.resumed'
  | 'code_host.removed'
  | 'code_host.imported'
  | 'group.imported'
  | 'group.updated'
  | 'project.imported'
  | 'project.updated'
  | 'member.added'
  | 'member.updated'
  | 'member.removed';

export const ACTION_LABELS: Record<AuditAction, string> = {
  'settings.saved': 'Saved the settings',
  'settings.inherited': 'Switched to inherited settings',
  'settings.reset': 'Reset the settings',
  'settings.disabled': 'Disabled the integration',
  'settings.switched_back': 'Switched back to the default settings',
  'settings.enforced': 'Enforced settings on everything below',
  'settings.enforcement_lifted': 'Lifted the enforcement',
  'settings.pushed': 'Custom values cleared by a push from above',
  'delivery.resent': 'Resent a delivery',
  'integration.reenabled': 'Re-enabled the integration after repeated failures',
  'project.moved': 'Moved the project',
  'group.moved': 'Moved the group',
  'project.deleted': 'Deleted the project',
  'group.deleted': 'Deleted the group, its subgroups and projects',
  'project.edited': "Changed the project's name or description",
  'group.edited': "Changed the group's name or description",
  'network.updated': 'Changed the network settings',
  'code_host.connected': 'Connected the code host',
  'code_host.updated': 'Changed the code host connection',
  'code_host.paused': 'Paused the code host connection',
  'code_host.resumed': 'Resumed the code host connection',
  'code_host.removed': 'Removed the code host connection',
  'code_host.imported': 'Imported groups, projects and members from the code host',
  'group.imported': 'Imported the group from the code host',
  'group.updated': 'Updated the group from the code host',
  'project.imported': 'Imported the project from the code host',
  'project.updated': 'Updated the project from the code host',
  'member.added': 'Added a member',
  'member.updated': "Changed a member's role",
  'member.removed': 'Removed a member',
};

/** The level an event is about, as the trail names it (a settings owner, a moved group or project). */
export interface AuditedLevel {
  level: 'instance' | 'group' | 'project';
  id: number | null;
  name: string;
  path: string | null;
}

/** The instance, as the trail names it. */
export const INSTANCE_LEVEL: AuditedLevel = { level: 'instance', id: null, name: 'Instance', path: null };

/**
 * Who made a change: a user, or a code host connection keeping the tree in step (id null,
 * named e.g. "gitlab.example.com (code host)").
 */
export interface AuditActor {
  id: number | null;
  username: string;
}

export interface NewAuditEvent {
  actor: AuditActor;
  action: AuditAction;
  owner: AuditedLevel;
  integration?: string;
  changes?: AuditChange[];
}

/**
 * Records an event in the transaction of the change it describes: both are written, or neither.
 *
 * @example
 * await db.transaction(async (tx) => {
 *   await store.remove(tx, owner, 'slack')
 *   await recordAuditEvent(tx, { actor: user, action: 'settings.reset', owner, integration: 'slack' })
 * })
 */
export async function recordAuditEvent(tx: Tx, event: NewAuditEvent): Promise<void> {
  await tx.insert(auditEvents).values({
    createdAt: new Date(),
    actorId: event.actor.id,
    actorName: event.actor.username,
    action: event.action,
    level: event.owner.level,
    groupId: event.owner.level === 'group' ? event.owner.id : null,
    projectId: event.owner.level === 'project' ? event.owner.id : null,
    ownerName: event.owner.name,
    ownerPath: event.owner.path,
    integration: event.integration ?? null,
    changes: JSON.stringify(event.changes ?? []),
  });
}

/** What a level sets itself, as the trail compares it. */
export interface OwnValues {
  active?: boolean | undefined;
  fields: Record<string, FieldValue>;
  events: Record<string, boolean>;
}

const shown = (value: FieldValue | undefined): string | null => {
  if (value === undefined || value === null || value === '') return null;
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
};

type SettingKind = 'active' | 'field' | 'event';

/** Whether a level's own values leave the key to the level above: no row at all, or the key left out. */
function leftToAbove(own: OwnValues | undefined, kind: SettingKind, key: string): boolean {
  if (!own) return true;
  if (kind === 'active') return own.active === undefined;
  return !(key in (kind === 'field' ? own.fields : own.events));
}

/**
 * The values that differ between a level's own settings before and after a change (either may
 * be absent: set up for the first time, or removed). On a level below the instance a value the
 * level does not set is inherited, and the change says so (`beforeInherited`, `afterInherited`);
 * given `above`, the values the levels above give it, an inherited side shows that value, and a
 * value taken over or given back unchanged is marked `sameValue` (secrets only as set or not).
 *
 * @example
 * settingsChanges(slack, { fields: { username: 'a' }, events: {} }, { fields: { username: 'b' }, events: {} }, 'instance')
 * // [{ key: 'username', label: 'Username', before: 'a', after: 'b' }]
 */
export function settingsChanges(
  type: IntegrationType,
  before: OwnValues | undefined,
  after: OwnValues | undefined,
  level: AuditedLevel['level'],
  above?: OwnValues,
): AuditChange[] {
  const hasLevelAbove = level !== 'instance';
  const inheritedValue = (kind: SettingKind, key: string): FieldValue | undefined =>
    kind === 'active' ? above?.active : kind === 'field' ? above?.fields[key] : above?.events[key];
  const changes: AuditChange[] = [];
  const compare = (
    kind: SettingKind,
    key: string,
    label: string,
    was: FieldValue | undefined,
    is: FieldValue | undefined,
    secret = false,
  ) => {
    const wasInherited = hasLevelAbove && leftToAbove(before, kind, key);
    const isInherited = hasLevelAbove && leftToAbove(after, kind, key);
    if (wasInherited && isInherited) return;
    if (wasInherited === isInherited && JSON.stringify(was ?? null) === JSON.stringify(is ?? null)) return;
    const change: AuditChange = { key, label, before: null, after: null };
    if (secret) {
      const had = !wasInherited && shown(was) !== null;
      const has = !isInherited && shown(is) !== null;
      change.before = had ? 'set' : null;
      change.after = has ? (had ? 'changed' : 'set') : null;
    } else {
      const fromAbove = above ? shown(inheritedValue(kind, key)) : null;
      change.before = wasInherited ? fromAbove : shown(was);
      change.after = isInherited ? fromAbove : shown(is);
      if (above && wasInherited !== isInherited && change.before === change.after) change.sameValue = true;
    }
    if (wasInherited) change.beforeInherited = true;
    if (isInherited) change.afterInherited = true;
    changes.push(change);
  };
  compare('active', 'active', 'Enabled', before?.active, after?.active);
  for (const field of type.fields)
    compare(
      'field',
      field.name,
      field.label,
      before?.fields[field.name],
      after?.fields[field.name],
      field.kind === 'secret',
    );
  for (const event of type.events)
    compare('event', event.name, `${event.label} events`, before?.events[event.name], after?.events[event.name]);
  return changes;
}

export interface AuditQuery {
  integration?: string | undefined;
  level?: 'instance' | 'group' | 'project' | undefined;
  /** Owner full path (exact), for the Admin Area filter. */
  ownerPath?: string | undefined;
  groupId?: number | undefined;
  projectId?: number | undefined;
  actorName?: string | undefined;
  /** Events at or after this moment. */
  since?: Date | undefined;
  /** Events before this moment (exclusive: the start of the day after the last one shown). */
  until?: Date | undefined;
  /** Keyset: events older than this id. */
  before?: number | undefined;
  limit: number;
}

/** The moments a From and a To day (both inclusive, UTC, "YYYY-MM-DD" or blank) bound. */
export interface AuditDateRange {
  since?: Date | undefined;
  until?: Date | undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * @example
 * auditDateRange('2026-11-01', '2026-11-30') // { ok: true, value: { since: 2026-11-01T00:00Z, until: 2026-12-01T00:00Z } }
 * auditDateRange('2026-11-30', '2026-11-01') // { ok: false, errors: { to: 'To must be on or after From' } }
 */
export function auditDateRange(from: string, to: string): Outcome<AuditDateRange> {
  const errors: FieldErrors = {};
  if (from && !isCalendarDay(from)) errors.from = 'From must be a date (YYYY-MM-DD)';
  if (to && !isCalendarDay(to)) errors.to = 'To must be a date (YYYY-MM-DD)';
  else if (from && to && !errors.from && to < from) errors.to = 'To must be on or after From';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      since: from ? new Date(`${from}T00:00:00Z`) : undefined,
      until: to ? new Date(new Date(`${to}T00:00:00Z`).getTime() + DAY_MS) : undefined,
    },
  };
}

export interface AuditPage {
  events: (AuditEvent & { changeList: AuditChange[] })[];
  /** The id to continue before, or null on the last page. */
  next: number | null;
}

/** Newest first, filtered, with keyset pagination. */
export async function listAuditEvents(db: Queryable, query: AuditQuery): Promise<AuditPage> {
  const filters: (SQL | undefined)[] = [
    query.integration ? eq(auditEvents.integration, query.integration) : undefined,
    query.level ? eq(auditEvents.level, query.level) : undefined,
    query.ownerPath ? sql`lower(${auditEvents.ownerPath}) = lower(${query.ownerPath})` : undefined,
    query.groupId !== undefined ? eq(auditEvents.groupId, query.groupId) : undefined,
    query.projectId !== undefined ? eq(auditEvents.projectId, query.projectId) : undefined,
    query.actorName ? sql`lower(${auditEvents.actorName}) = lower(${query.actorName})` : undefined,
    query.since ? gte(auditEvents.createdAt, query.since) : undefined,
    query.until ? lt(auditEvents.createdAt, query.until) : undefined,
    query.before !== undefined ? lt(auditEvents.id, query.before) : undefined,
  ];
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(...filters))
    .orderBy(desc(auditEvents.id))
    .limit(query.limit + 1);
  const events = rows
    .slice(0, query.limit)
    .map((row) => ({ ...row, changeList: JSON.parse(row.changes) as AuditChange[] }));
  return { events, next: rows.length > query.limit ? events[events.length - 1]!.id : null };
}

/**
 * Every event the query matches, newest first, read a page at a time so that an export of a long
 * trail never holds it all (the query's `before` and `limit` are those of the first page).
 *
 * @example
 * for await (const event of allAuditEvents(db, { integration: 'slack', limit: 500 })) write(event)
 */
export async function* allAuditEvents(db: Queryable, query: AuditQuery): AsyncGenerator<AuditPage['events'][number]> {
  let before = query.before;
  do {
    const page = await listAuditEvents(db, { ...query, before });
    yield* page.events;
    before = page.next ?? undefined;
  } while (before !== undefined);
}
