/**
 * @module settings/usage
 * How many descendants a level's settings reach: the numbers behind "Saving will update N
 * projects" and the usage columns of the integrations list. Every type is counted at once, in
 * one statement: the descendants with settings of their own are kept counted per level and type
 * (settings_counts), and only the sizes of the subtree and of the subtrees below groups with
 * settings of their own are summed from the groups' project counts.
 */
import { sql, type SQL } from 'drizzle-orm';
import { inJsonArray, namedRows, type Queryable } from '../db/client.js';
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

/** The row of settings_counts that counts below `owner`: its group's, or the instance's (0). */
const countScope = (owner: SettingsOwner): number => (owner.level === 'group' ? owner.id! : 0);

/**
 * How many descendants of `owner` (projects and subgroups) have settings of their own for a
 * type: one row of settings_counts, kept by triggers as rows come and go.
 *
 * @example
 * customDescendantCount(db, INSTANCE_OWNER, 'slack') // 3
 */
export async function customDescendantCount(db: Queryable, owner: SettingsOwner, type: string): Promise<number> {
  if (owner.level === 'project') return 0;
  const [row] = await namedRows<{ n: number }>(
    db,
    'settings_custom_count',
    sql`select custom_projects + custom_groups as n from settings_counts where scope_id = ${countScope(owner)} and type = ${type}`,
  );
  return Number(row?.n ?? 0);
}

/**
 * The condition that `traversal` (a column of traversal ids) lies in the subtree of `prefix` (an
 * SQL text of traversal ids, "/1/5/"): a range of the index on traversal ids, from "/1/5/" up to
 * "/1/50"; '' is everything.
 */
const inSubtree = (traversal: SQL, prefix: SQL) =>
  sql`${traversal} >= ${prefix} and ${traversal} < case when ${prefix} = '' then '0' else substr(${prefix}, 1, length(${prefix}) - 1) || '0' end`;

/**
 * One row per fact {@link settingsUsages} needs, from a single statement (a round trip costs
 * more than these small queries on PostgreSQL):
 * - 'subtree': the groups and projects of the owner's subtree;
 * - 'custom': per type, the projects below the owner with settings of their own;
 * - 'group': each group below the owner with settings of its own for a type, with the size of its
 *   subtree and its projects with settings of their own for that type.
 * Projects are counted from their groups' project counts, so a subtree of a million projects
 * costs as much as its groups; custom projects are a row of settings_counts each. The text is the
 * same for every owner of a level, so that PostgreSQL plans it once per connection.
 */
function usageFacts(db: Queryable, owner: SettingsOwner, types: readonly string[]) {
  const prefix =
    owner.level === 'group'
      ? sql`coalesce((select traversal_ids from groups where id = ${owner.id}), '/-1/')`
      : sql`''`;
  const asked = (column: SQL) => inJsonArray(db.engine, column, JSON.stringify(types), 'text');
  return namedRows<UsageFact>(
    db,
    `settings_usage_${owner.level}`,
    sql`with owner_subtree(prefix) as (select ${prefix}),
      custom_groups as (
        select s.type as type, g.id as id, g.traversal_ids as traversal
          from integration_settings s
          join groups g on g.id = s.group_id
          join owner_subtree o on g.traversal_ids like o.prefix || '%'
         where g.id <> ${owner.id ?? -1} and ${asked(sql`s.type`)})
    select 'subtree' as kind, null as type, null as traversal,
           (select count(*) from groups g where ${inSubtree(sql`g.traversal_ids`, sql`o.prefix`)}) as groups,
           (select coalesce(sum(g.project_count), 0) from groups g where ${inSubtree(sql`g.traversal_ids`, sql`o.prefix`)}) as projects,
           0 as custom_projects
      from owner_subtree o
    union all
    select 'custom', k.type, null, 0, 0, k.custom_projects
      from settings_counts k
     where k.scope_id = ${countScope(owner)} and ${asked(sql`k.type`)}
    union all
    select 'group', c.type, c.traversal,
           (select count(*) from groups g where ${inSubtree(sql`g.traversal_ids`, sql`c.traversal`)}),
           (select coalesce(sum(g.project_count), 0) from groups g where ${inSubtree(sql`g.traversal_ids`, sql`c.traversal`)}),
           coalesce((select k.custom_projects from settings_counts k where k.scope_id = c.id and k.type = c.type), 0)
      from custom_groups c`,
  );
}

interface UsageFact {
  kind: 'subtree' | 'custom' | 'group';
  type: string | null;
  traversal: string | null;
  groups: number;
  projects: number;
  custom_projects: number;
}

/**
 * Who the settings of `owner` reach, for each of `types`, in one statement whatever the number
 * of types, groups and projects.
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
  const facts = await usageFacts(db, owner, types);
  const total = facts.find((fact) => fact.kind === 'subtree') ?? { groups: 0, projects: 0 };
  const customProjects = new Map(facts.filter((fact) => fact.kind === 'custom').map((fact) => [fact.type, fact]));
  const customGroups = facts
    .filter((fact) => fact.kind === 'group')
    .sort((a, b) => (a.traversal! < b.traversal! ? -1 : 1));
  // Only the top-most overriding groups matter: everything below them is theirs.
  const shadowing = new Map<string, UsageFact[]>();
  for (const group of customGroups) {
    const above = shadowing.get(group.type!) ?? [];
    if (!above.some((top) => group.traversal!.startsWith(top.traversal!)))
      shadowing.set(group.type!, [...above, group]);
  }

  const ownGroupCount = owner.level === 'group' ? 1 : 0;
  return new Map(
    types.map((type) => {
      const shadowed = { groups: 0, projects: 0, customProjects: 0 };
      for (const top of shadowing.get(type) ?? []) {
        shadowed.groups += Number(top.groups);
        shadowed.projects += Number(top.projects);
        shadowed.customProjects += Number(top.custom_projects);
      }
      const custom = Number(customProjects.get(type)?.custom_projects ?? 0);
      return [
        type,
        {
          inheritingProjects: Number(total.projects) - shadowed.projects - (custom - shadowed.customProjects),
          inheritingGroups: Number(total.groups) - ownGroupCount - shadowed.groups,
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
