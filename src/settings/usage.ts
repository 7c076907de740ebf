/**
 * @module settings/usage
 * How many descendants a level's settings reach: the numbers behind "Saving will update N
 * projects" and the usage columns of the integrations list. Every type is counted at once, in
 * a fixed few queries: descendants' own rows are a range of paths in one index
 * (`integration_settings.owner_path`), and only the sizes of the subtree and of the subtrees
 * below groups with settings of their own are counted from the groups and projects.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { firstRow, inJsonArray, rows, type Queryable } from '../db/client.js';
import { groups } from '../db/schema.js';
import type { SettingsOwner } from './resolve.js';

export interface SettingsUsage {
  /** Projects that take this level's settings: no settings of their own or of a group in between. */
  inheritingProjects: number;
  /** Subgroups that take this level's settings. */
  inheritingGroups: number;
  /** Projects below this level with settings of their own: a change here does not reach them. */
  customProjects: number;
  /** Subgroups below this level with settings of their own. */
  customGroups: number;
}

const NO_USAGE: SettingsUsage = { inheritingProjects: 0, inheritingGroups: 0, customProjects: 0, customGroups: 0 };

/**
 * The condition that `ownerPath` (the full path of a settings row's group or project) lies below
 * `owner`, and after `after` (keyset paging): below a group its paths start with "path/", which
 * in binary order are those after "path/" and before "path0".
 *
 * @example
 * await rows(db, sql`select * from integration_settings s where s.type = 'slack' and ${belowOwner(group, sql`s.owner_path`)}`)
 */
export function belowOwner(owner: SettingsOwner, ownerPath: SQL, after = ''): SQL {
  if (owner.level !== 'group') return sql`${ownerPath} > ${after}`;
  const first = `${owner.path ?? ''}/`;
  return sql`${ownerPath} > ${after > first ? after : first} and ${ownerPath} < ${`${owner.path ?? ''}0`}`;
}

/**
 * How many descendants of `owner` (projects and subgroups) have settings of their own for a
 * type, counted from the settings rows alone.
 *
 * @example
 * customDescendantCount(db, INSTANCE_OWNER, 'slack') // 3
 */
export async function customDescendantCount(db: Queryable, owner: SettingsOwner, type: string): Promise<number> {
  if (owner.level === 'project') return 0;
  const row = await firstRow<{ n: number }>(
    db,
    sql`select count(*) as n from integration_settings s where s.type = ${type} and ${belowOwner(owner, sql`s.owner_path`)}`,
  );
  return row?.n ?? 0;
}

/** The traversal prefix of the subtree below an owner: '' (everything) for the instance. */
async function subtreePrefix(db: Queryable, owner: SettingsOwner): Promise<string> {
  if (owner.level !== 'group') return '';
  const [row] = await db.select({ traversalIds: groups.traversalIds }).from(groups).where(eq(groups.id, owner.id!));
  return row?.traversalIds ?? '/-1/';
}

/** `values` rows of a common table expression, one per item: `(a, b), (c, d)`. */
const valuesOf = (items: readonly SQL[][]) =>
  sql.join(
    items.map((item) => sql`(${sql.join(item, sql`, `)})`),
    sql`, `,
  );

/**
 * The groups and projects below each traversal prefix, as ranges of the index on traversal ids
 * ("/1/5/" starts every id list from "/1/5/" up to "/1/50"); '' is everything. Projects are
 * counted from their groups' project counts, so a subtree of a million projects costs as much as
 * its groups.
 */
function subtreeSizes(db: Queryable, prefixes: string[]) {
  return rows<Subtree & { prefix: string }>(
    db,
    sql`with j(prefix) as (values ${valuesOf(prefixes.map((prefix) => [sql`${prefix}`]))})
    select j.prefix as prefix,
           case when j.prefix = '' then (select count(*) from groups)
             else (select count(*) from groups g where g.traversal_ids >= j.prefix and g.traversal_ids < substr(j.prefix, 1, length(j.prefix) - 1) || '0') end as groups,
           case when j.prefix = '' then (select coalesce(sum(project_count), 0) from groups)
             else (select coalesce(sum(g.project_count), 0) from groups g
                    where g.traversal_ids >= j.prefix and g.traversal_ids < substr(j.prefix, 1, length(j.prefix) - 1) || '0') end as projects
      from j`,
  );
}

/** The rows of the groups below a prefix (the group `self` left out) that have settings of their own, of the types asked. */
function customGroupsBelow(db: Queryable, prefix: string, self: number, types: readonly string[]) {
  return rows<{ type: string; traversal: string; path: string }>(
    db,
    sql`select s.type as type, g.traversal_ids as traversal, g.full_path as path
      from integration_settings s
      join groups g on g.id = s.group_id
     where g.traversal_ids like ${`${prefix}%`} and g.id <> ${self}
       and ${inJsonArray(db.engine, sql`s.type`, JSON.stringify(types), 'text')}`,
  );
}

/** Projects with settings of their own for a type below each group path, from the path index. */
function customProjectsBelow(db: Queryable, pairs: readonly { type: string; path: string }[]) {
  return rows<{ position: number; n: number }>(
    db,
    sql`with j(position, type, path) as (values ${valuesOf(
      pairs.map((pair, position) => [sql.raw(String(position)), sql`${pair.type}`, sql`${pair.path}`]),
    )})
    select j.position as position,
           (select count(*) from integration_settings s
             where s.type = j.type and s.owner_path > j.path || '/' and s.owner_path < j.path || '0' and s.project_id is not null) as n
      from j`,
  );
}

interface Subtree {
  groups: number;
  projects: number;
}

/**
 * Who the settings of `owner` reach, for each of `types`, in at most five queries whatever the
 * number of types, groups and projects.
 *
 * @example
 * (await settingsUsages(db, INSTANCE_OWNER, ['slack', 'jira'])).get('slack') // { inheritingProjects: 998, customProjects: 2, ... }
 */
export async function settingsUsages(
  db: Queryable,
  owner: SettingsOwner,
  types: readonly string[],
): Promise<Map<string, SettingsUsage>> {
  if (owner.level === 'project' || types.length === 0) return new Map(types.map((type) => [type, { ...NO_USAGE }]));
  const prefix = await subtreePrefix(db, owner);
  const customGroups = await customGroupsBelow(db, prefix, owner.id ?? -1, types);
  // Only the top-most overriding groups matter: everything below them is theirs.
  const shadowing = new Map<string, { traversal: string; path: string }[]>();
  for (const group of [...customGroups].sort((a, b) => (a.traversal < b.traversal ? -1 : 1))) {
    const above = shadowing.get(group.type) ?? [];
    if (!above.some((top) => group.traversal.startsWith(top.traversal))) shadowing.set(group.type, [...above, group]);
  }
  const shadowPairs = [...shadowing].flatMap(([type, tops]) => tops.map((top) => ({ type, ...top })));

  const prefixes = [...new Set([prefix, ...shadowPairs.map((pair) => pair.traversal)])];
  const sizes = new Map((await subtreeSizes(db, prefixes)).map((row) => [row.prefix, row]));
  const customProjects = new Map(
    (
      await rows<{ type: string; n: number }>(
        db,
        sql`select s.type as type, count(*) as n from integration_settings s
             where ${inJsonArray(db.engine, sql`s.type`, JSON.stringify(types), 'text')} and ${belowOwner(owner, sql`s.owner_path`)} and s.project_id is not null
             group by s.type`,
      )
    ).map((row) => [row.type, row.n]),
  );
  const customBelowShadows: number[] = [];
  if (shadowPairs.length > 0) {
    for (const row of await customProjectsBelow(db, shadowPairs)) customBelowShadows[row.position] = row.n;
  }

  const total = sizes.get(prefix) ?? { groups: 0, projects: 0 };
  const ownGroupCount = owner.level === 'group' ? 1 : 0;
  return new Map(
    types.map((type) => {
      const shadowed = { groups: 0, projects: 0, customProjects: 0 };
      shadowPairs.forEach((pair, index) => {
        if (pair.type !== type) return;
        const size = sizes.get(pair.traversal) ?? { groups: 0, projects: 0 };
        shadowed.groups += size.groups;
        shadowed.projects += size.projects;
        shadowed.customProjects += customBelowShadows[index] ?? 0;
      });
      const custom = customProjects.get(type) ?? 0;
      return [
        type,
        {
          inheritingProjects: total.projects - shadowed.projects - (custom - shadowed.customProjects),
          inheritingGroups: total.groups - ownGroupCount - shadowed.groups,
          customProjects: custom,
          customGroups: customGroups.filter((group) => group.type === type).length,
        },
      ];
    }),
  );
}

/**
 * @example
 * await settingsUsage(db, INSTANCE_OWNER, 'slack') // { inheritingProjects: 998, inheritingGroups: 12, customProjects: 2, customGroups: 1 }
 */
export async function settingsUsage(db: Queryable, owner: SettingsOwner, type: string): Promise<SettingsUsage> {
  return (await settingsUsages(db, owner, [type])).get(type)!;
}
