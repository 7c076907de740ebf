/**
 * @module model/groups
 * Groups and subgroups at any depth. Each group keeps its full path and the ids of its
 * ancestors ("/1/5/9/"), so a subtree is one indexed prefix query.
 */
import { and, asc, count, desc, eq, inArray, isNull, like, ne, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { inJsonArray, perDatabase, type Queryable } from '../db/client.js';
import { groups, projects, type Group, type User } from '../db/schema.js';
import { groupsReadableBy, ROLES, traversalIdList } from '../auth/permissions.js';
import { containsText } from './search.js';
import { writeUnique } from './unique.js';
import {
  descriptionSchema,
  isReservedTopLevelPath,
  nameSchema,
  pathSchema,
  validate,
  type FieldErrors,
  type Outcome,
  isStoredId,
} from '../validation.js';

export const newGroupSchema = z.object({
  name: nameSchema,
  path: pathSchema,
  description: descriptionSchema,
});

export async function findGroupById(db: Queryable, id: number): Promise<Group | undefined> {
  if (!isStoredId(id)) return undefined;
  return (await db.select().from(groups).where(eq(groups.id, id)).limit(1))[0];
}

export async function findGroupByFullPath(db: Queryable, fullPath: string): Promise<Group | undefined> {
  return (
    await db
      .select()
      .from(groups)
      .where(sql`lower(${groups.fullPath}) = lower(${fullPath})`)
      .limit(1)
  )[0];
}

const statements = perDatabase((db) => ({
  byIds: db
    .select()
    .from(groups)
    .where(inJsonArray(db.engine, groups.id, sql.placeholder('ids'), 'integer'))
    .prepare(),
}));

/** The group and its ancestors, top-level group first. */
export async function groupLineage(db: Queryable, group: Group): Promise<Group[]> {
  const ids = traversalIdList(group.traversalIds);
  const rows = await statements(db).byIds.execute({ ids: JSON.stringify(ids) });
  return ids.map((id) => rows.find((row) => row.id === id)).filter((row): row is Group => row !== undefined);
}

/** "Platform / Backend / Services" */
export function groupFullName(lineage: readonly Group[]): string {
  return lineage.map((group) => group.name).join(' / ');
}

/** The answer to a new group or project whose full path is in use. */
export const pathTaken = (): FieldErrors => ({ path: 'Path has already been taken' });

/** Whether a group or project already uses the full path (they share one URL space per parent). */
export async function fullPathTaken(db: Queryable, fullPath: string): Promise<boolean> {
  const group = (
    await db
      .select({ id: groups.id })
      .from(groups)
      .where(sql`lower(${groups.fullPath}) = lower(${fullPath})`)
      .limit(1)
  )[0];
  if (group) return true;
  return (
    (
      await db
        .select({ id: projects.id })
        .from(projects)
        .where(sql`lower(${projects.fullPath}) = lower(${fullPath})`)
        .limit(1)
    )[0] !== undefined
  );
}

/**
 * Creates a top-level group (`parent` undefined) or a subgroup.
 *
 * @example
 * const platform = await createGroup(db, { name: 'Platform', path: 'platform' })
 * const backend = await createGroup(db, { name: 'Backend', path: 'backend' }, platform.value)
 */
export async function createGroup(db: Queryable, input: unknown, parent?: Group): Promise<Outcome<Group>> {
  const parsed = validate(newGroupSchema, input);
  if (!parsed.ok) return parsed;
  const { name, path, description } = parsed.value;
  if (!parent && isReservedTopLevelPath(path))
    return { ok: false, errors: { path: `Path "${path}" is reserved for Cascade's own pages` } };
  const fullPath = parent ? `${parent.fullPath}/${path}` : path;
  if (await fullPathTaken(db, fullPath)) return { ok: false, errors: pathTaken() };
  const insert = () =>
    db.transaction(async (tx) => {
      const inserted = (
        await tx
          .insert(groups)
          .values({ name, path, description, fullPath, parentId: parent?.id ?? null, traversalIds: '' })
          .returning()
      )[0]!;
      const traversalIds = `${parent?.traversalIds ?? '/'}${inserted.id}/`;
      return (await tx.update(groups).set({ traversalIds }).where(eq(groups.id, inserted.id)).returning())[0]!;
    });
  return writeUnique(insert, pathTaken);
}

/** The subgroups of a group that `viewer` may open, by name. */
export async function subgroups(db: Queryable, group: Group, viewer: User): Promise<Group[]> {
  return await db
    .select()
    .from(groups)
    .where(and(eq(groups.parentId, group.id), groupsReadableBy(viewer)))
    .orderBy(asc(groups.name));
}

const GROUP_ORDER = { name: groups.name, path: groups.path, id: groups.id } as const;

/** What GitLab's group lists may be ordered by (`order_by`). */
export type GroupOrder = keyof typeof GROUP_ORDER;

export const isGroupOrder = (value: unknown): value is GroupOrder =>
  typeof value === 'string' && Object.hasOwn(GROUP_ORDER, value);

/** A group where `user` has a group role, on it or on a group above it (GitLab's authorized groups). */
const memberOfGroup = (user: User) =>
  sql`exists (select 1 from members m join groups mg on mg.id = m.group_id
    where m.user_id = ${user.id} and ${groups.traversalIds} like mg.traversal_ids || '%')`;

export interface ReadableGroupsQuery {
  viewer: User;
  /** Only the direct subgroups of this group. */
  parentId?: number;
  /** Only the subgroups at any depth of the group with these ancestor ids ("/1/5/"), not the group itself. */
  descendantsOf?: string;
  /** Only the groups where the viewer has a group role, on them or above (GitLab's `all_available=false`). */
  membersOnly?: boolean;
  /** Only top-level groups. */
  topLevelOnly?: boolean;
  /** By name or full path, `%` and `_` literally; '' for all. */
  search: string;
  orderBy?: GroupOrder;
  sort?: 'asc' | 'desc';
  page: number;
  perPage: number;
}

/**
 * One page of the groups `viewer` may read, subgroups included, by name unless `orderBy` says
 * otherwise; and how many there are in all.
 *
 * @example
 * await readableGroups(db, { viewer, search: 'back', topLevelOnly: false, page: 1, perPage: 20 })
 */
export async function readableGroups(
  db: Queryable,
  query: ReadableGroupsQuery,
): Promise<{ groups: Group[]; total: number }> {
  const { search } = query;
  const where = and(
    query.parentId === undefined ? undefined : eq(groups.parentId, query.parentId),
    query.descendantsOf === undefined
      ? undefined
      : and(like(groups.traversalIds, `${query.descendantsOf}%`), ne(groups.traversalIds, query.descendantsOf)),
    query.topLevelOnly ? isNull(groups.parentId) : undefined,
    groupsReadableBy(query.viewer),
    query.membersOnly ? memberOfGroup(query.viewer) : undefined,
    search ? or(containsText(groups.name, search), containsText(groups.fullPath, search)) : undefined,
  );
  const column = GROUP_ORDER[query.orderBy ?? 'name'];
  const direction = query.sort === 'desc' ? desc : asc;
  const total = (await db.select({ n: count() }).from(groups).where(where).limit(1))[0]?.n ?? 0;
  const rows = await db
    .select()
    .from(groups)
    .where(where)
    .orderBy(...(column === groups.id ? [direction(column)] : [direction(column), direction(groups.id)]))
    .limit(query.perPage)
    .offset((query.page - 1) * query.perPage);
  return { groups: rows, total };
}

export interface NamespacesQuery {
  viewer: User;
  /** Only the groups the viewer is an Owner of (GitLab's `owned_only`). */
  ownedOnly: boolean;
  topLevelOnly: boolean;
  /** By name or full path, `%` and `_` literally; '' for all. */
  search: string;
  page: number;
  perPage: number;
}

/**
 * GitLab's namespaces of a user, by id: every group for an administrator (`ownedOnly` aside, as
 * in GitLab), otherwise the groups the user is a member of themselves (not those they reach
 * through a group above); and how many there are. Cascade has no personal namespaces.
 *
 * @example
 * await userNamespaces(db, { viewer: mia, ownedOnly: false, topLevelOnly: false, search: '', page: 1, perPage: 20 })
 */
export async function userNamespaces(
  db: Queryable,
  query: NamespacesQuery,
): Promise<{ groups: Group[]; total: number }> {
  const { viewer, search } = query;
  const membership = viewer.isAdmin
    ? undefined
    : sql`exists (select 1 from members m where m.group_id = ${groups.id} and m.user_id = ${viewer.id}
        and m.access_level >= ${query.ownedOnly ? ROLES.owner : ROLES.reporter})`;
  const where = and(
    viewer.blockedAt ? sql`false` : membership,
    query.topLevelOnly ? isNull(groups.parentId) : undefined,
    search ? or(containsText(groups.name, search), containsText(groups.fullPath, search)) : undefined,
  );
  const total = (await db.select({ n: count() }).from(groups).where(where).limit(1))[0]?.n ?? 0;
  const rows = await db
    .select()
    .from(groups)
    .where(where)
    .orderBy(asc(groups.id))
    .limit(query.perPage)
    .offset((query.page - 1) * query.perPage);
  return { groups: rows, total };
}

/**
 * The lineages of many groups (each group and its ancestors, top-level first), in one query.
 *
 * @example
 * const lineageOf = await groupLineages(db, listed)
 * lineageOf(listed[0]) // [platform, backend]
 */
export async function groupLineages(db: Queryable, listed: readonly Group[]): Promise<(group: Group) => Group[]> {
  const ids = [...new Set(listed.flatMap((group) => traversalIdList(group.traversalIds)))];
  const rows = ids.length > 0 ? await db.select().from(groups).where(inArray(groups.id, ids)) : [];
  const known = new Map(rows.map((group) => [group.id, group]));
  return (group) => traversalIdList(group.traversalIds).map((id) => known.get(id)!);
}

/** Every group, for choosing a parent in a form. */
export async function allGroups(db: Queryable): Promise<Group[]> {
  return await db.select().from(groups).orderBy(asc(groups.fullPath));
}

export async function countGroups(db: Queryable): Promise<number> {
  return (await db.select({ n: count() }).from(groups).limit(1))[0]?.n ?? 0;
}
