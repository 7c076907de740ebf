/**
 * @module settings/usage
 * How many descendants a level's settings reach: the numbers behind "Saving will update N
 * projects" and the usage columns of the integrations list. Counted with indexed queries
 * whose cost grows with the size of the subtree, never with copies of settings.
 */
import { and, count, eq, like, ne } from 'drizzle-orm';
import { perDatabase, type Db } from '../db/client.js';
import { groups, integrationSettings, projects } from '../db/schema.js';
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

/** The traversal prefix of the subtree below an owner: '' (everything) for the instance. */
function subtreePrefix(db: Db, owner: SettingsOwner): string {
  if (owner.level !== 'group') return '';
  return db.select({ t: groups.traversalIds }).from(groups).where(eq(groups.id, owner.id!)).get()?.t ?? '/-1/';
}

function projectsUnder(db: Db, prefix: string): number {
  if (prefix === '') return db.select({ n: count() }).from(projects).get()?.n ?? 0;
  return (
    db
      .select({ n: count() })
      .from(projects)
      .innerJoin(groups, eq(groups.id, projects.groupId))
      .where(like(groups.traversalIds, `${prefix}%`))
      .get()?.n ?? 0
  );
}

function groupsUnder(db: Db, prefix: string): number {
  return (
    db
      .select({ n: count() })
      .from(groups)
      .where(like(groups.traversalIds, `${prefix}%`))
      .get()?.n ?? 0
  );
}

// CROSS JOIN keeps SQLite's join order: from the few custom rows of a type to their projects,
// never from the groups through every project in them.
const customProjectPathsStatement = perDatabase((db: Db) =>
  db.$client.prepare(`
    select g.traversal_ids as t
      from integration_settings s
      cross join projects p on p.id = s.project_id
      cross join groups g on g.id = p.group_id
     where s.type = :type and s.project_id is not null and g.traversal_ids like :prefix`),
);

/** Whether `traversalIds` lies inside one of the (prefix-free) subtrees. */
const insideAny = (traversalIds: string, subtrees: readonly string[]) => subtrees.some((prefix) => traversalIds.startsWith(prefix));

/**
 * @example
 * settingsUsage(db, INSTANCE_OWNER, 'slack') // { inheritingProjects: 998, customProjects: 2, ... }
 */
export function settingsUsage(db: Db, owner: SettingsOwner, type: string): SettingsUsage {
  if (owner.level === 'project') return { inheritingProjects: 0, inheritingGroups: 0, customProjects: 0, customGroups: 0 };
  const prefix = subtreePrefix(db, owner);
  const inSubtree = prefix === '' ? undefined : like(groups.traversalIds, `${prefix}%`);
  const self = owner.level === 'group' ? ne(groups.id, owner.id!) : undefined;

  const customGroupPaths = db
    .select({ t: groups.traversalIds })
    .from(integrationSettings)
    .innerJoin(groups, eq(groups.id, integrationSettings.groupId))
    .where(and(eq(integrationSettings.type, type), inSubtree, self))
    .all()
    .map((row) => row.t)
    .sort();
  // Only the top-most overriding groups matter: everything below them is theirs.
  const shadowing = customGroupPaths.filter((path, index) => !customGroupPaths.slice(0, index).some((above) => path.startsWith(above)));

  const customProjectPaths = (customProjectPathsStatement(db).all({ type, prefix: `${prefix}%` }) as { t: string }[]).map((row) => row.t);

  const shadowedProjects = shadowing.reduce((sum, path) => sum + projectsUnder(db, path), 0);
  const shadowedGroups = shadowing.reduce((sum, path) => sum + groupsUnder(db, path), 0);
  const ownGroupCount = owner.level === 'group' ? 1 : 0;
  return {
    inheritingProjects:
      projectsUnder(db, prefix) - shadowedProjects - customProjectPaths.filter((path) => !insideAny(path, shadowing)).length,
    inheritingGroups: groupsUnder(db, prefix) - ownGroupCount - shadowedGroups,
    customProjects: customProjectPaths.length,
    customGroups: customGroupPaths.length,
  };
}

