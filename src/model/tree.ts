/**
 * @module model/tree
 * Editing and deleting groups and projects. A new path is a move within the same parent
 * (model/moves), so paths below and the audit trail follow as they do for any move; a new name
 * or description is audited as an edit. Deleting a group deletes its subgroups and projects
 * with it, and every deletion takes the settings rows, memberships and deliveries of what it
 * deletes (their foreign keys cascade) and the integration health counted against it (which has
 * no foreign key), and is audited. What a deletion will take is counted first, for its
 * confirmation.
 */
import { and, count, eq, inArray, or, sql, type Column, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { recordAuditEvent, type AuditChange } from '../audit/trail.js';
import type { Queryable, Tx } from '../db/client.js';
import {
  deliveries,
  groups,
  integrationHealth,
  integrationSettings,
  members,
  projects,
  type Group,
  type Project,
} from '../db/schema.js';
import { findGroupById } from './groups.js';
import { hostManagedRefusal, type TreeEditor } from './managed.js';
import { moveGroup, moveProject } from './moves.js';
import { descriptionSchema, nameSchema, pathSchema, validate, type Outcome } from '../validation.js';

type Actor = TreeEditor;

/** The audit trail's actor of an editor. */
const asAuditActor = ({ id, username }: Actor) => ({ id, username });

/**
 * The refusal to edit a group or project a code host manages, on the field that asked for it;
 * undefined when the edit may go ahead (nothing changes, it is Cascade's own, or the host edits).
 */
async function managedErrors(
  db: Queryable,
  item: Group | Project,
  edit: z.infer<typeof treeEditSchema>,
  actor: Actor,
): Promise<Outcome<never> | undefined> {
  const changes = (['path', 'name', 'description'] as const).filter(
    (field) => edit[field] !== undefined && edit[field] !== item[field],
  );
  if (changes.length === 0) return undefined;
  const refusal = await hostManagedRefusal(db, item, actor);
  return refusal ? { ok: false, errors: { [changes[0]!]: refusal } } : undefined;
}

/** What may change on a group or project: any of its name, path and description. */
export const treeEditSchema = z.object({
  name: nameSchema.optional(),
  path: pathSchema.optional(),
  description: descriptionSchema.optional(),
});

/** The name and description that an edit changes, as the audit trail lists them. */
function editChanges(
  item: Pick<Group | Project, 'name' | 'description'>,
  edit: { name?: string | undefined; description?: string | undefined },
): AuditChange[] {
  const fields = [
    { key: 'name', label: 'Name' },
    { key: 'description', label: 'Description' },
  ] as const;
  return fields.flatMap(({ key, label }) =>
    edit[key] === undefined || edit[key] === item[key]
      ? []
      : [{ key, label, before: item[key] || null, after: edit[key] || null }],
  );
}

/** The audit event of a changed name or description, in the change's transaction. */
async function recordEdit(
  tx: Tx,
  actor: Actor,
  edited: { level: 'group' | 'project'; id: number; fullPath: string },
  changes: AuditChange[],
): Promise<void> {
  if (changes.length === 0) return;
  await recordAuditEvent(tx, {
    actor: asAuditActor(actor),
    action: edited.level === 'group' ? 'group.edited' : 'project.edited',
    owner: { level: edited.level, id: edited.id, name: edited.fullPath, path: edited.fullPath },
    changes,
  });
}

/** The move's errors, named by the field that caused them: a new path that is taken. */
const asPathErrors = <T>(outcome: Outcome<T>): Outcome<T> =>
  outcome.ok ? outcome : { ok: false, errors: { path: Object.values(outcome.errors)[0] ?? 'Path is invalid' } };

/**
 * Changes a group's name, path or description; a new path moves everything below with it. An
 * imported group is changed only by its connection (model/managed).
 *
 * @example
 * await updateGroup(db, backend, { name: 'Back end', path: 'back-end' }, admin) // platform/back-end
 */
export async function updateGroup(db: Queryable, group: Group, input: unknown, actor: Actor): Promise<Outcome<Group>> {
  const parsed = validate(treeEditSchema, input);
  if (!parsed.ok) return parsed;
  const refused = await managedErrors(db, group, parsed.value, actor);
  if (refused) return refused;
  const { name, path, description } = parsed.value;
  let current = group;
  if (path !== undefined && path !== group.path) {
    const parent = group.parentId === null ? null : ((await findGroupById(db, group.parentId)) ?? null);
    const moved = asPathErrors(await moveGroup(db, group, parent, actor, path));
    if (!moved.ok) return moved;
    current = moved.value;
  }
  if (name === undefined && description === undefined) return { ok: true, value: current };
  const updated = await db.transaction(async (tx) => {
    const row = (
      await tx
        .update(groups)
        .set({ name: name ?? current.name, description: description ?? current.description })
        .where(eq(groups.id, group.id))
        .returning()
    )[0]!;
    await recordEdit(tx, actor, { level: 'group', ...row }, editChanges(current, { name, description }));
    return row;
  });
  return { ok: true, value: updated };
}

/**
 * Changes a project's name, path or description; a new path is a move within its group. An
 * imported project is changed only by its connection (model/managed).
 *
 * @example
 * await updateProject(db, api, { description: 'The public API' }, admin)
 */
export async function updateProject(
  db: Queryable,
  project: Project,
  group: Group,
  input: unknown,
  actor: Actor,
): Promise<Outcome<Project>> {
  const parsed = validate(treeEditSchema, input);
  if (!parsed.ok) return parsed;
  const refused = await managedErrors(db, project, parsed.value, actor);
  if (refused) return refused;
  const { name, path, description } = parsed.value;
  let current = project;
  if (path !== undefined && path !== project.path) {
    const moved = asPathErrors(await moveProject(db, project, group, actor, path));
    if (!moved.ok) return moved;
    current = moved.value;
  }
  if (name === undefined && description === undefined) return { ok: true, value: current };
  const updated = await db.transaction(async (tx) => {
    const row = (
      await tx
        .update(projects)
        .set({ name: name ?? current.name, description: description ?? current.description })
        .where(eq(projects.id, project.id))
        .returning()
    )[0]!;
    await recordEdit(tx, actor, { level: 'project', ...row }, editChanges(current, { name, description }));
    return row;
  });
  return { ok: true, value: updated };
}

/** The ids of a group and its subgroups at any depth, as a subquery. */
const subtreeGroupIds = (group: Group): SQL =>
  sql`select ${groups.id} from ${groups} where ${groups.traversalIds} like ${`${group.traversalIds}%`}`;

/** The ids of every project in a group and its subgroups, as a subquery. */
const subtreeProjectIds = (group: Group): SQL =>
  sql`select ${projects.id} from ${projects} where ${projects.groupId} in (${subtreeGroupIds(group)})`;

/** The integration health rows counted against the groups or projects whose ids `ids` lists. */
const healthOf = (level: 'group' | 'project', ids: SQL): SQL | undefined =>
  and(eq(integrationHealth.settingsLevel, level), sql`${integrationHealth.settingsOwnerId} in (${ids})`);

/** What deleting a group or project takes with it, as its confirmation states it. */
export interface DeletionImpact {
  subgroups: number;
  projects: number;
  /** Integration settings of its own and of everything below it: those that are not inherited. */
  settings: number;
  memberships: number;
  /** The Recent deliveries of its projects, with their attempts. */
  deliveries: number;
}

/** `count(*)` of a query's rows, as a number on both databases. */
const counted = (rows: { n: number }[]) => rows[0]?.n ?? 0;

/**
 * What deleting the group deletes with it: its subgroups and their projects, and the settings,
 * memberships and deliveries of all of them.
 *
 * @example
 * await groupDeletionImpact(db, platform) // { subgroups: 2, projects: 5, settings: 3, memberships: 4, deliveries: 120 }
 */
export async function groupDeletionImpact(db: Queryable, group: Group): Promise<DeletionImpact> {
  const inGroups = (column: Column) => sql`${column} in (${subtreeGroupIds(group)})`;
  const inProjects = (column: Column) => sql`${column} in (${subtreeProjectIds(group)})`;
  const subtree = counted(await db.select({ n: count() }).from(groups).where(inGroups(groups.id)));
  return {
    subgroups: subtree - 1,
    projects: counted(await db.select({ n: count() }).from(projects).where(inGroups(projects.groupId))),
    settings: counted(
      await db
        .select({ n: count() })
        .from(integrationSettings)
        .where(or(inGroups(integrationSettings.groupId), inProjects(integrationSettings.projectId))),
    ),
    memberships: counted(
      await db
        .select({ n: count() })
        .from(members)
        .where(or(inGroups(members.groupId), inProjects(members.projectId))),
    ),
    deliveries: counted(await db.select({ n: count() }).from(deliveries).where(inProjects(deliveries.projectId))),
  };
}

/**
 * What deleting the project deletes with it: its own settings, memberships and deliveries.
 *
 * @example
 * await projectDeletionImpact(db, api) // { subgroups: 0, projects: 1, settings: 1, memberships: 2, deliveries: 14 }
 */
export async function projectDeletionImpact(db: Queryable, project: Project): Promise<DeletionImpact> {
  const own = (column: Column) => eq(column, project.id);
  return {
    subgroups: 0,
    projects: 1,
    settings: counted(
      await db.select({ n: count() }).from(integrationSettings).where(own(integrationSettings.projectId)),
    ),
    memberships: counted(await db.select({ n: count() }).from(members).where(own(members.projectId))),
    deliveries: counted(await db.select({ n: count() }).from(deliveries).where(own(deliveries.projectId))),
  };
}

/**
 * Deletes the project with its settings and memberships, and records it in the audit trail; a
 * project imported from a code host is deleted only by its connection.
 *
 * @example
 * await deleteProject(db, api, admin)
 */
export async function deleteProject(db: Queryable, project: Project, actor: Actor): Promise<Outcome<null>> {
  const refusal = await hostManagedRefusal(db, project, actor);
  if (refusal) return { ok: false, errors: { project: refusal } };
  await db.transaction(async (tx) => {
    await tx.delete(integrationHealth).where(healthOf('project', sql`${project.id}`));
    await tx.delete(projects).where(eq(projects.id, project.id));
    await recordAuditEvent(tx, {
      actor: asAuditActor(actor),
      action: 'project.deleted',
      owner: { level: 'project', id: project.id, name: project.fullPath, path: project.fullPath },
    });
  });
  return { ok: true, value: null };
}

/**
 * Deletes the group, its subgroups and all their projects, with their settings and memberships,
 * in one transaction; the audit trail records the group and how many projects went with it. A
 * group imported from a code host is deleted only by its connection.
 *
 * @example
 * await deleteGroup(db, platform, admin) // platform, platform/backend and their projects are gone
 */
export async function deleteGroup(db: Queryable, group: Group, actor: Actor): Promise<Outcome<null>> {
  const refusal = await hostManagedRefusal(db, group, actor);
  if (refusal) return { ok: false, errors: { group: refusal } };
  await db.transaction(async (tx) => {
    // Health rows have no foreign key (the instance's row has no owner): they go by hand, first.
    await tx
      .delete(integrationHealth)
      .where(or(healthOf('group', subtreeGroupIds(group)), healthOf('project', subtreeProjectIds(group))));
    const subtree = (
      await tx
        .select({ id: groups.id })
        .from(groups)
        .where(sql`${groups.traversalIds} like ${`${group.traversalIds}%`}`)
        .orderBy(sql`length(${groups.traversalIds}) desc`)
    ).map((row) => row.id);
    const deletedProjects = (
      await tx.delete(projects).where(inArray(projects.groupId, subtree)).returning({ id: projects.id })
    ).length;
    // Deepest first: a group's parent may not go while it is still there.
    for (const id of subtree) await tx.delete(groups).where(eq(groups.id, id));
    await recordAuditEvent(tx, {
      actor: asAuditActor(actor),
      action: 'group.deleted',
      owner: { level: 'group', id: group.id, name: group.fullPath, path: group.fullPath },
      changes: [
        { key: 'subgroups', label: 'Subgroups', before: String(subtree.length - 1), after: null },
        { key: 'projects', label: 'Projects', before: String(deletedProjects), after: null },
      ],
    });
  });
  return { ok: true, value: null };
}
