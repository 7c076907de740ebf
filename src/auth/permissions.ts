/**
 * @module auth/permissions
 * The one permission check every route uses: who may see and change the instance, a group or
 * a project. Roles follow GitLab: a group role applies to all its subgroups and projects.
 */
import { and, eq, like, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { inJsonArray, perDatabase, type Queryable } from '../db/client.js';
import { groups, members, projects, type Group, type Project, type User } from '../db/schema.js';
import { Forbidden, NotFound, SignInRequired } from '../errors.js';

/**
 * GitLab's access levels. Guest and Planner are imported from a code host but not offered in
 * Cascade's forms (see GROUP_ROLES, PROJECT_ROLES): they give no read access, which needs Reporter.
 */
export const ROLES = { guest: 10, planner: 15, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;
export type RoleName = keyof typeof ROLES;

export const ROLE_LABELS: Record<RoleName, string> = {
  guest: 'Guest',
  planner: 'Planner',
  reporter: 'Reporter',
  developer: 'Developer',
  maintainer: 'Maintainer',
  owner: 'Owner',
};

/** Owner is a group role only: a project's owners are its group's owners. */
export const PROJECT_ROLES: readonly RoleName[] = ['reporter', 'developer', 'maintainer'];
export const GROUP_ROLES: readonly RoleName[] = ['reporter', 'developer', 'maintainer', 'owner'];

export function roleName(accessLevel: number): RoleName | null {
  const found = (Object.entries(ROLES) as [RoleName, number][]).find(([, level]) => level === accessLevel);
  return found ? found[0] : null;
}

export type Subject =
  { kind: 'instance' } | { kind: 'group'; group: Group } | { kind: 'project'; project: Project; group: Group };

/**
 * - `read`: see the group or project, its members' work and its settings (read-only).
 * - `manage_settings`: change its settings (Maintainers and Owners).
 * - `enforce_settings`: enforce a group's integration settings on everything below it (Owners).
 * - `manage_general_settings`: rename or delete it (GitLab's Settings › General): a group's
 *   Owners, a project's Maintainers and Owners.
 * - `administer`: the Admin Area.
 */
export type Ability = 'read' | 'manage_settings' | 'enforce_settings' | 'manage_general_settings' | 'administer';

/** "/1/5/9/" -> [1, 5, 9]: the group and its ancestors. */
export function traversalIdList(traversalIds: string): number[] {
  return traversalIds.split('/').filter(Boolean).map(Number);
}

const statements = perDatabase((db) => ({
  highestRole: db
    .select({ level: sql<number | null>`max(${members.accessLevel})` })
    .from(members)
    .where(
      and(
        eq(members.userId, sql.placeholder('userId')),
        or(
          inJsonArray(db.engine, members.groupId, sql.placeholder('groupIds'), 'integer'),
          eq(members.projectId, sql.placeholder('projectId')),
        ),
      ),
    )
    .prepare(),
}));

/** The user's highest role on a group or project, counting roles inherited from ancestor groups; 0 for none. */
export async function accessLevel(
  db: Queryable,
  user: User,
  subject: Exclude<Subject, { kind: 'instance' }>,
): Promise<number> {
  const row = (
    await statements(db).highestRole.execute({
      userId: user.id,
      groupIds: JSON.stringify(traversalIdList(subject.group.traversalIds)),
      projectId: subject.kind === 'project' ? subject.project.id : -1,
    })
  )[0];
  return row?.level ?? 0;
}

/** Whether the user is a member of something inside the group, which lets them see the group itself. */
async function hasMembershipBelow(db: Queryable, user: User, group: Group): Promise<boolean> {
  const subtree = like(groups.traversalIds, `${group.traversalIds}%`);
  const viaGroup = (
    await db
      .select({ id: members.id })
      .from(members)
      .innerJoin(groups, eq(groups.id, members.groupId))
      .where(and(eq(members.userId, user.id), subtree))
      .limit(1)
  )[0];
  if (viaGroup) return true;
  const viaProject = (
    await db
      .select({ id: members.id })
      .from(members)
      .innerJoin(projects, eq(projects.id, members.projectId))
      .innerJoin(groups, eq(groups.id, projects.groupId))
      .where(and(eq(members.userId, user.id), subtree))
      .limit(1)
  )[0];
  return viaProject !== undefined;
}

/**
 * Whether `user` (null when signed out) may do `ability` on `subject`.
 *
 * @example
 * await can(db, maintainer, 'manage_settings', { kind: 'project', project, group }) // true
 * await can(db, reporter, 'manage_settings', { kind: 'project', project, group }) // false
 */
export async function can(db: Queryable, user: User | null, ability: Ability, subject: Subject): Promise<boolean> {
  if (!user || user.blockedAt) return false;
  if (user.isAdmin) return true;
  if (subject.kind === 'instance' || ability === 'administer') return false;
  const level = await accessLevel(db, user, subject);
  if (ability === 'manage_settings') return level >= ROLES.maintainer;
  if (ability === 'enforce_settings') return subject.kind === 'group' && level >= ROLES.owner;
  if (ability === 'manage_general_settings')
    return level >= (subject.kind === 'group' ? ROLES.owner : ROLES.maintainer);
  if (level >= ROLES.reporter) return true;
  return subject.kind === 'group' && (await hasMembershipBelow(db, user, subject.group));
}

/** What a user who sees the subject but may not do `ability` on it is told. */
function forbiddenMessage(ability: Ability, subject: Subject): string {
  if (ability === 'enforce_settings') return 'You need the Owner role to enforce settings.';
  if (ability === 'manage_general_settings')
    return subject.kind === 'group'
      ? 'You need the Owner role to rename or delete this group.'
      : 'You need the Maintainer or Owner role to rename or delete this project.';
  return 'You need the Maintainer or Owner role to change these settings.';
}

/**
 * Throws unless the user may do `ability` on `subject`: signed-out visitors must sign in, and a
 * user who may not even see the subject gets a 404 so that its existence is not revealed.
 */
export async function authorize(db: Queryable, user: User | null, ability: Ability, subject: Subject): Promise<void> {
  if (!user) throw new SignInRequired();
  if (await can(db, user, ability, subject)) return;
  if (ability !== 'read' && subject.kind !== 'instance' && (await can(db, user, 'read', subject))) {
    throw new Forbidden(forbiddenMessage(ability, subject));
  }
  throw new NotFound();
}

/** Where a list's rows hold what reading a project depends on: its id and its group's ancestor ids. */
export interface ProjectColumns {
  id: SQLWrapper;
  traversalIds: SQLWrapper;
}

/**
 * `can(db, user, 'read', project)` as a condition on a query of projects, for lists: a role in
 * the project or in one of its groups. By default over projects joined with their groups; a
 * query with other names for them says where the two values are. Undefined (no condition) for
 * administrators; nothing for blocked users.
 *
 * @example
 * db.select().from(projects).innerJoin(groups, eq(groups.id, projects.groupId)).where(projectsReadableBy(user))
 */
export function projectsReadableBy(
  user: User,
  columns: ProjectColumns = { id: projects.id, traversalIds: groups.traversalIds },
): SQL | undefined {
  if (user.blockedAt) return sql`false`;
  if (user.isAdmin) return undefined;
  return sql`exists (select 1 from members m left join groups mg on mg.id = m.group_id
    where m.user_id = ${user.id} and m.access_level >= ${ROLES.reporter}
      and (m.project_id = ${columns.id} or ${columns.traversalIds} like mg.traversal_ids || '%'))`;
}

/**
 * `can(db, user, 'read', group)` as a condition on a query of groups, for lists: a role in the
 * group or one of its ancestors, or a membership anywhere inside it. `traversalIds` is where the
 * query holds the group's ancestor ids. Undefined for administrators; nothing for blocked users.
 *
 * @example
 * db.select().from(groups).where(and(eq(groups.parentId, platform.id), groupsReadableBy(user)))
 */
export function groupsReadableBy(user: User, traversalIds: SQLWrapper = groups.traversalIds): SQL | undefined {
  if (user.blockedAt) return sql`false`;
  if (user.isAdmin) return undefined;
  return sql`exists (select 1 from members m
      left join projects mp on mp.id = m.project_id
      join groups mg on mg.id = coalesce(m.group_id, mp.group_id)
    where m.user_id = ${user.id}
      and (mg.traversal_ids like ${traversalIds} || '%'
        or (m.group_id is not null and m.access_level >= ${ROLES.reporter} and ${traversalIds} like mg.traversal_ids || '%')))`;
}
