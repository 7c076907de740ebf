/**
 * @module settings/overrides
 * The descendants of a level (projects and subgroups) that use custom settings for a type:
 * listed with keyset pagination by full path, and switched back to the defaults in one action.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { groupsReadableBy, projectsReadableBy } from '../auth/permissions.js';
import { firstRow, namedRows, rows, type Queryable } from '../db/client.js';
import { groups } from '../db/schema.js';
import type { FieldValue, IntegrationType } from '../integrations/types.js';
import { recordAuditEvent, settingsChanges } from '../audit/trail.js';
import type { User } from '../db/schema.js';
import type { EffectiveSettings, SettingsOwner, SettingsRow } from './resolve.js';
import type { SettingsStore } from './store.js';
import { belowOwner, customDescendantCount } from './usage.js';

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

/** The path and name of a target, if it is a descendant (by `prefix`) with custom settings for the type. */
async function targetInSubtree(
  db: Queryable,
  type: string,
  prefix: string,
  target: OverrideTarget,
  self: number,
): Promise<{ path: string; name: string } | undefined> {
  const own =
    target.kind === 'project'
      ? sql`s.project_id = ${target.id}`
      : sql`s.group_id = ${target.id} and s.group_id <> ${self}`;
  return firstRow(
    db,
    sql`select coalesce(p.full_path, g.full_path) as path, coalesce(p.full_path, g.full_path) as name
      from integration_settings s
      left join projects p on p.id = s.project_id
      join groups g on g.id = coalesce(p.group_id, s.group_id)
     where s.type = ${type} and g.traversal_ids like ${prefix} and ${own}`,
  );
}

/**
 * The condition that a row of {@link customDescendantRows} is one `viewer` may open; undefined
 * when they may open them all.
 */
function visibleTo(viewer: User): SQL | undefined {
  const project = projectsReadableBy(viewer, { id: sql`s.project_id`, traversalIds: sql`g.traversal_ids` });
  const group = groupsReadableBy(viewer, sql`g.traversal_ids`);
  if (!project && !group) return undefined;
  return sql`(case when s.project_id is not null then ${project ?? sql`true`} else ${group ?? sql`true`} end)`;
}

/**
 * The descendants of an owner with custom settings for a type, after the full path `after`, as
 * (kind, id, name, full_path) rows in the order of the path index, from its settings rows: a page
 * reads only its own rows, however deep it is. LEFT JOINs keep SQLite's join order.
 */
function customDescendantRows(owner: SettingsOwner, type: string, after: string, conditions: (SQL | undefined)[]): SQL {
  return sql`
    select case when s.project_id is null then 'group' else 'project' end as kind,
           coalesce(s.project_id, s.group_id) as id, coalesce(p.name, g.name) as name, s.owner_path as full_path
      from integration_settings s
      left join projects p on p.id = s.project_id
      left join groups g on g.id = coalesce(p.group_id, s.group_id)
     where s.type = ${type} and ${belowOwner(owner, sql`s.owner_path`, after)}${sql.join(
       conditions.filter((condition) => condition !== undefined).map((condition) => sql` and ${condition}`),
     )}`;
}

/** The LIKE pattern of everything below an owner ("/1/5/%"); everything for the instance. */
async function subtreePattern(db: Queryable, owner: SettingsOwner): Promise<string> {
  if (owner.level !== 'group') return '/%';
  const [row] = await db.select({ t: groups.traversalIds }).from(groups).where(eq(groups.id, owner.id!));
  return `${row?.t ?? '/-1/'}%`;
}

/**
 * @example
 * (await listOverrides(db, INSTANCE_OWNER, 'slack', { search: '', after: '', limit: 20, visibleTo: user })).entries[0]?.owner.path // 'platform/api'
 */
export async function listOverrides(
  db: Queryable,
  owner: SettingsOwner,
  type: string,
  query: OverrideQuery,
): Promise<OverridePage> {
  const search = query.search.replace(/[%_\\]/g, '');
  const pattern = `%${search}%`;
  const matching =
    search === ''
      ? undefined
      : sql`(lower(s.owner_path) like lower(${pattern}) or lower(coalesce(p.name, g.name)) like lower(${pattern}))`;
  const visible = query.visibleTo ? visibleTo(query.visibleTo) : undefined;
  const listed = sql`
    ${customDescendantRows(owner, type, query.after, [visible, matching])}
    order by s.owner_path
    limit ${query.limit + 1}`;
  type Found = { kind: 'project' | 'group'; id: number; name: string; full_path: string };
  // Prepared once per connection where its text is the same for every request: for those who may open every row.
  const found = visible
    ? await rows<Found>(db, listed)
    : await namedRows<Found>(db, `settings_overrides_${owner.level}${matching ? '_search' : ''}`, listed);
  const entries = found.slice(0, query.limit).map((row) => ({
    owner: { level: row.kind, id: row.id, name: row.name, path: row.full_path } satisfies SettingsOwner,
  }));
  return { entries, next: found.length > query.limit ? entries[entries.length - 1]!.owner.path : null };
}

export interface OverrideCounts {
  /** Every descendant with custom settings for the type. */
  total: number;
  /** Those of them the viewer may not open. */
  hidden: number;
}

/**
 * How many descendants use custom settings for a type, and how many of them `viewer` may not
 * open: the total from the path index alone, the others only for viewers who may not open all.
 */
export async function overrideCounts(
  db: Queryable,
  owner: SettingsOwner,
  type: string,
  viewer: User,
): Promise<OverrideCounts> {
  const total = await customDescendantCount(db, owner, type);
  const visible = visibleTo(viewer);
  if (!visible || total === 0) return { total, hidden: 0 };
  const shown = await firstRow<{ n: number }>(
    db,
    sql`select count(*) as n from (${customDescendantRows(owner, type, '', [visible])}) as visible`,
  );
  return { total, hidden: total - (shown?.n ?? 0) };
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
export async function customDescendants(
  db: Queryable,
  owner: SettingsOwner,
  type: string,
  targets: readonly OverrideTarget[],
): Promise<SettingsOwner[]> {
  const prefix = await subtreePattern(db, owner);
  const found = new Map<string, SettingsOwner>();
  for (const target of targets) {
    const row = await targetInSubtree(db, type, prefix, target, owner.id ?? -1);
    if (row)
      found.set(`${target.kind}:${target.id}`, { level: target.kind, id: target.id, name: row.name, path: row.path });
  }
  return [...found.values()];
}

/**
 * Deletes the descendants' custom settings, with an audit event each, in one transaction: those
 * levels inherit from then on.
 */
export async function switchToDefaults(
  store: SettingsStore,
  type: IntegrationType,
  descendants: readonly SettingsOwner[],
  actor: User,
): Promise<void> {
  await store.db.transaction(async (tx) => {
    const inTx = store.within(tx);
    for (const owner of descendants) {
      const before = await inTx.findOwn(owner, type.slug);
      if (!before || !(await inTx.remove(owner, type.slug))) continue;
      await recordAuditEvent(tx, {
        actor,
        action: 'settings.switched_back',
        owner,
        integration: type.slug,
        changes: settingsChanges(type, before, undefined, owner.level),
      });
    }
  });
}

export interface Difference {
  key: string;
  label: string;
  /** The descendant's own value; never set for secrets, which are only said to differ. */
  value?: FieldValue;
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
  if (own.active !== undefined && own.active !== defaults.active)
    differences.push({ key: 'active', label: 'Enabled', value: own.active, secret: false });
  for (const field of type.fields) {
    if (!(field.name in own.fields) || same(own.fields[field.name], defaults.fields[field.name])) continue;
    const secret = field.kind === 'secret';
    differences.push({
      key: field.name,
      label: field.label,
      ...(secret ? {} : { value: own.fields[field.name] }),
      secret,
    });
  }
  for (const event of type.events) {
    const value = own.events[event.name];
    if (value !== undefined && value !== defaults.events[event.name])
      differences.push({ key: event.name, label: `${event.label} events`, value, secret: false });
  }
  return differences;
}
