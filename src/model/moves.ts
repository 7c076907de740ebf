/**
 * @module model/moves
 * Moving a project or a subgroup to another parent group. Paths and ancestor ids of everything
 * below are rewritten in one transaction, with the audit event; settings are not copied anywhere, so inherited
 * settings follow the new ancestors at once and custom settings stay as they are.
 */
import { eq, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../db/client.js';
import { recordAuditEvent } from '../audit/trail.js';
import { groups, projects, type Group, type Project } from '../db/schema.js';
import { fullPathTaken } from './groups.js';
import { hostManagedRefusal, type TreeEditor } from './managed.js';
import { writeUnique } from './unique.js';
import { isReservedTopLevelPath, type Outcome } from '../validation.js';

/** The audit event of a move, in its transaction: the group or project under its new path, and the path before and after. */
function recordMove(
  tx: Tx,
  actor: TreeEditor,
  moved: { level: 'group' | 'project'; id: number },
  before: string,
  after: string,
): Promise<void> {
  return recordAuditEvent(tx, {
    actor: { id: actor.id, username: actor.username },
    action: moved.level === 'group' ? 'group.moved' : 'project.moved',
    owner: { ...moved, name: after, path: after },
    changes: [{ key: 'path', label: 'Path', before, after }],
  });
}

/** A new path that differs from the old in case only is not taken: it is the same group or project. */
const sameFullPath = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

const takenMessage = (fullPath: string) => `${fullPath} is already taken by another group or project`;

/**
 * Moves a project to `target`; `path` renames it on the way (the same move within its group).
 * A project imported from a code host is moved only by its connection (model/managed).
 *
 * @example
 * await moveProject(db, api, frontend, admin) // api is now frontend/api and inherits frontend's defaults
 */
export async function moveProject(
  db: Queryable,
  project: Project,
  target: Group,
  actor: TreeEditor,
  path: string = project.path,
): Promise<Outcome<Project>> {
  const refusal = await hostManagedRefusal(db, project, actor);
  if (refusal) return { ok: false, errors: { group_id: refusal } };
  if (project.groupId === target.id && path === project.path)
    return { ok: false, errors: { group_id: 'The project is already in this group' } };
  const fullPath = `${target.fullPath}/${path}`;
  const taken = () => ({ group_id: takenMessage(fullPath) });
  if (!sameFullPath(fullPath, project.fullPath) && (await fullPathTaken(db, fullPath)))
    return { ok: false, errors: taken() };
  return writeUnique(
    () =>
      db.transaction(async (tx) => {
        const moved = (
          await tx
            .update(projects)
            .set({ groupId: target.id, path, fullPath })
            .where(eq(projects.id, project.id))
            .returning()
        )[0]!;
        await recordMove(tx, actor, { level: 'project', id: project.id }, project.fullPath, fullPath);
        return moved;
      }),
    taken,
  );
}

/**
 * Moves a group (with its subgroups and projects) under `target`, or to the top level when null;
 * `path` renames it on the way (the same move under its parent). A group imported from a code
 * host is moved only by its connection (model/managed).
 *
 * @example
 * await moveGroup(db, backend, null, admin) // backend is now a top-level group, "backend"
 */
export async function moveGroup(
  db: Queryable,
  group: Group,
  target: Group | null,
  actor: TreeEditor,
  path: string = group.path,
): Promise<Outcome<Group>> {
  const refusal = await hostManagedRefusal(db, group, actor);
  if (refusal) return { ok: false, errors: { parent_id: refusal } };
  if ((target?.id ?? null) === group.parentId && path === group.path)
    return { ok: false, errors: { parent_id: 'The group is already there' } };
  if (target && target.traversalIds.startsWith(group.traversalIds)) {
    return { ok: false, errors: { parent_id: 'A group cannot be moved into itself or one of its subgroups' } };
  }
  if (!target && isReservedTopLevelPath(path))
    return { ok: false, errors: { parent_id: `"${path}" is reserved at the top level` } };
  const fullPath = target ? `${target.fullPath}/${path}` : path;
  const taken = () => ({ parent_id: takenMessage(fullPath) });
  if (!sameFullPath(fullPath, group.fullPath) && (await fullPathTaken(db, fullPath)))
    return { ok: false, errors: taken() };
  const traversalIds = `${target?.traversalIds ?? '/'}${group.id}/`;

  const move = () =>
    db.transaction(async (tx) => {
      const subtree = sql`${groups.traversalIds} like ${`${group.traversalIds}%`}`;
      await tx
        .update(projects)
        .set({ fullPath: sql`${fullPath} || substr(${projects.fullPath}, ${group.fullPath.length + 1})` })
        .where(sql`${projects.groupId} in (select ${groups.id} from ${groups} where ${subtree})`);
      await tx
        .update(groups)
        .set({
          fullPath: sql`${fullPath} || substr(${groups.fullPath}, ${group.fullPath.length + 1})`,
          traversalIds: sql`${traversalIds} || substr(${groups.traversalIds}, ${group.traversalIds.length + 1})`,
        })
        .where(subtree);
      const moved = (
        await tx
          .update(groups)
          .set({ parentId: target?.id ?? null, path })
          .where(eq(groups.id, group.id))
          .returning()
      )[0]!;
      await recordMove(tx, actor, { level: 'group', id: group.id }, group.fullPath, fullPath);
      return moved;
    });
  return writeUnique(move, taken);
}
