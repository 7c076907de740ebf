/**
 * @module audit/trail
 * The audit trail: who changed which settings where, and what each value was before and after.
 * Append-only: the application only inserts, and the database refuses updates and deletes.
 */
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Queryable, Tx } from '../db/client.js';
import { auditEvents, type AuditEvent } from '../db/schema.js';
import type { FieldValue, IntegrationType } from '../integrations/types.js';

export interface AuditChange {
  key: string;
  label: string;
  /** Text as shown; secrets only as "set" / "changed" / "removed", never their value. */
  before: string | null;
  after: string | null;
}

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

/**
 * The values that differ between a level's own settings before and after a change (either may
 * be absent: set up for the first time, or removed).
 *
 * @example
 * settingsChanges(slack, { fields: { username: 'a' }, events: {} }, { fields: { username: 'b' }, events: {} })
 * // [{ key: 'username', label: 'Username', before: 'a', after: 'b' }]
 */
export function settingsChanges(
  type: IntegrationType,
  before: OwnValues | undefined,
  after: OwnValues | undefined,
): AuditChange[] {
  const changes: AuditChange[] = [];
  const compare = (
    key: string,
    label: string,
    was: FieldValue | undefined,
    is: FieldValue | undefined,
    secret = false,
  ) => {
    if (JSON.stringify(was ?? null) === JSON.stringify(is ?? null)) return;
    if (secret) {
      const had = shown(was) !== null;
      const has = shown(is) !== null;
      changes.push({ key, label, before: had ? 'set' : null, after: has ? (had ? 'changed' : 'set') : null });
    } else {
      changes.push({ key, label, before: shown(was), after: shown(is) });
    }
  };
  compare('active', 'Enabled', before?.active, after?.active);
  for (const field of type.fields)
    compare(field.name, field.label, before?.fields[field.name], after?.fields[field.name], field.kind === 'secret');
  for (const event of type.events)
    compare(event.name, `${event.label} events`, before?.events[event.name], after?.events[event.name]);
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
  /** Keyset: events older than this id. */
  before?: number | undefined;
  limit: number;
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
