/**
 * @module settings/overrides
 * The descendants of a level (projects and subgroups) that use custom settings for a type:
 * listed with keyset pagination by full path, and switched back to the defaults in one action.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { groupsReadableBy, projectsReadableBy } from '../auth/permissions.js';
import { perDatabase, type Db } from '../db/client.js';
import { groups } from '../db/schema.js';
import type { FieldValue, IntegrationType } from '../integrations/types.js';
import { recordAuditEvent, settingsChanges } from '../audit/trail.js';
import type { User } from '../db/schema.js';
import type { EffectiveSettings, SettingsOwner, SettingsRow } from './resolve.js';
import type { SettingsStore } from './store.js';

export interface OverrideEntry {
  owner: SettingsOwner;
}

export interface OverridePage {
  entries: OverrideEntry[];
  /** The full path to continue after, or null on the last page. */
  next: string | null;
}

export interface OverrideQuery {
  search: string;
  after: string;
  limit: number;
  /** Only the descendants this user may open; null: all of them, for counting and pushing. */
  visibleTo: User | null;
}

const statements = perDatabase((db: Db) => ({
  inSubtree: db.$client.prepare(`
    select coalesce(p.full_path, g.full_path) as path, coalesce(p.full_path, g.full_path) as name
      from integration_settings s
      left join projects p on p.id = s.project_id
      join groups g on g.id = coalesce(p.group_id, s.group_id)
     where s.type = :type and g.traversal_ids like :prefix
       and ((:kind = 'project' and s.project_id = :id) or (:kind = 'group' and s.group_id = :id and s.group_id <> :self))`),
}));

/**
 * The descendants of an owner with custom settings for a type, as (kind, id, name, full_path)
 * rows, limited to those `viewer` may open (null: all).
 */
function customDescendantRows(db: Db, owner: SettingsOwner, type: string, viewer: User | null): SQL {
  const prefix = subtreePattern(db, owner);
  const everything = sql`1`;
  const projectVisible = viewer ? (projectsReadableBy(viewer, { id: sql`p.id`, traversalIds: sql`g.traversal_ids` }) ?? everything) : everything;
  const groupVisible = viewer ? (groupsReadableBy(viewer, sql`g.traversal_ids`) ?? everything) : everything;
  // CROSS JOIN keeps SQLite's join order: from the few settings rows of a type to their projects,
  // never from the groups through every project in them.
  return sql`
      select 'project' as kind, p.id as id, p.name as name, p.full_path as full_path
        from integration_settings s
        cross join projects p on p.id = s.project_id
        cross join groups g on g.id = p.group_id
       where s.type = ${type} and g.traversal_ids like ${prefix} and ${projectVisible}
      union all
      select 'group', g.id, g.name, g.full_path
        from integration_settings s
        join groups g on g.id = s.group_id
       where s.type = ${type} and g.traversal_ids like ${prefix} and g.id <> ${owner.id ?? -1} and ${groupVisible}`;
}

/** The LIKE pattern of everything below an owner ("/1/5/%"); everything for the instance. */
function subtreePattern(db: Db, owner: SettingsOwner): string {
  if (owner.level !== 'group') return '/%';
  const row = db.select({ t: groups.traversalIds }).from(groups).where(eq(groups.id, owner.id!)).get();
  return `${row?.t ?? '/-1/'}%`;
}

/**
 * @example
 * listOverrides(db, INSTANCE_OWNER, 'slack', { search: '', after: '', limit: 20, visibleTo: user }).entries[0]?.owner.path // 'platform/api'
 */
export function listOverrides(db: Db, owner: SettingsOwner, type: string, query: OverrideQuery): OverridePage {
  const search = query.search.replace(/[%_\\]/g, '');
  const pattern = `%${search}%`;
  const rows = db.all<{ kind: 'project' | 'group'; id: number; name: string; full_path: string }>(sql`
    select kind, id, name, full_path from (${customDescendantRows(db, owner, type, query.visibleTo)})
    where full_path > ${query.after} and (${search} = '' or full_path like ${pattern} or name like ${pattern})
    order by full_path
    limit ${query.limit + 1}`);
  const entries = rows.slice(0, query.limit).map((row) => ({
    owner: { level: row.kind, id: row.id, name: row.name, path: row.full_path } satisfies SettingsOwner,
  }));
  return { entries, next: rows.length > query.limit ? entries[entries.length - 1]!.owner.path : null };
}

/** How many descendants with custom settings for a type `viewer` may open. */
export function countVisibleOverrides(db: Db, owner: SettingsOwner, type: string, viewer: User): number {
  return db.get<{ n: number }>(sql`select count(*) as n from (${customDescendantRows(db, owner, type, viewer)})`)?.n ?? 0;
}

export interface OverrideTarget {
  kind: 'project' | 'group';
  id: number;
}

/** "project:5" / "group:3", as the checkboxes of the list post them; null for anything else. */
export function parseOverrideTarget(value: string): OverrideTarget | null {
  const match = /^(project|group):(\d{1,15})$/.exec(value);
  return match ? { kind: match[1] as OverrideTarget['kind'], id: Number(match[2]) } : null;
}

/**
 * The targets that really are descendants of the owner with custom settings for the type, as
 * owners; anything else in the list (tampered, already switched back) is left out.
 */
export function customDescendants(db: Db, owner: SettingsOwner, type: string, targets: readonly OverrideTarget[]): SettingsOwner[] {
  const prefix = subtreePattern(db, owner);
  const found = new Map<string, SettingsOwner>();
  for (const target of targets) {
    const row = statements(db).inSubtree.get({ type, prefix, kind: target.kind, id: target.id, self: owner.id ?? -1 }) as
      | { path: string; name: string }
      | undefined;
    if (row) found.set(`${target.kind}:${target.id}`, { level: target.kind, id: target.id, name: row.name, path: row.path });
  }
  return [...found.values()];
}

/**
 * Deletes the descendants' custom settings, with an audit event each, in one transaction: those
 * levels inherit from then on.
 */
export function switchToDefaults(store: SettingsStore, type: IntegrationType, descendants: readonly SettingsOwner[], actor: User): void {
  store.db.transaction(() => {
    for (const owner of descendants) {
      const before = store.findOwn(owner, type.slug);
      if (!before || !store.remove(owner, type.slug)) continue;
      recordAuditEvent(store.db, { actor, action: 'settings.switched_back', owner, integration: type.slug, changes: settingsChanges(type, before, undefined) });
    }
  });
}

export interface Difference {
  key: string;
  label: string;
  /** The descendant's own value; never set for secrets, which are only said to differ. */
  value?: FieldValue | boolean;
  secret: boolean;
}

/**
 * What a descendant's own settings change from the defaults it would otherwise use.
 *
 * @example
 * differingValues(slack, projectRow, instanceEffective) // [{ key: 'username', label: 'Username', value: 'bot', secret: false }]
 */
export function differingValues(type: IntegrationType, own: SettingsRow, defaults: EffectiveSettings): Difference[] {
  const differences: Difference[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (own.active !== undefined && own.active !== defaults.active) differences.push({ key: 'active', label: 'Enabled', value: own.active, secret: false });
  for (const field of type.fields) {
    if (!(field.name in own.fields) || same(own.fields[field.name], defaults.fields[field.name])) continue;
    const secret = field.kind === 'secret';
    differences.push({ key: field.name, label: field.label, ...(secret ? {} : { value: own.fields[field.name] }), secret });
  }
  for (const event of type.events) {
    const value = own.events[event.name];
    if (value !== undefined && value !== defaults.events[event.name]) differences.push({ key: event.name, label: `${event.label} events`, value, secret: false });
  }
  return differences;
}
