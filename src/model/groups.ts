/**
 * @module model/groups
 * Groups and subgroups at any depth. Each group keeps its full path and the ids of its
 * ancestors ("/1/5/9/"), so a subtree is one indexed prefix query.
 */
import { and, asc, count, eq, inArray, like, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { perDatabase, type Queryable } from '../db/client.js';
import { groups, projects, type Group, type User } from '../db/schema.js';
import { groupsReadableBy, traversalIdList } from '../auth/permissions.js';
import { writeUnique } from './unique.js';
import {
  descriptionSchema,
  isReservedTopLevelPath,
  nameSchema,
  pathSchema,
  validate,
  type FieldErrors,
  type Outcome,
} from '../validation.js';

export const newGroupSchema = z.object({
  name: nameSchema,
  path: pathSchema,
  description: descriptionSchema,
});

export async function findGroupById(db: Queryable, id: number): Promise<Group | undefined> {
  return db.select().from(groups).where(eq(groups.id, id)).get();
}

export async function findGroupByFullPath(db: Queryable, fullPath: string): Promise<Group | undefined> {
  return db
    .select()
    .from(groups)
    .where(sql`lower(${groups.fullPath}) = lower(${fullPath})`)
    .get();
}

const statements = perDatabase((db) => ({
  byIds: db
    .select()
    .from(groups)
    .where(sql`${groups.id} in (select value from json_each(${sql.placeholder('ids')}))`)
    .prepare(),
}));

/** The group and its ancestors, top-level group first. */
export async function groupLineage(db: Queryable, group: Group): Promise<Group[]> {
  const ids = traversalIdList(group.traversalIds);
  const rows = statements(db).byIds.all({ ids: JSON.stringify(ids) });
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
  const group = db
    .select({ id: groups.id })
    .from(groups)
    .where(sql`lower(${groups.fullPath}) = lower(${fullPath})`)
    .get();
  if (group) return true;
  return (
    db
      .select({ id: projects.id })
      .from(projects)
      .where(sql`lower(${projects.fullPath}) = lower(${fullPath})`)
      .get() !== undefined
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
      const inserted = tx
        .insert(groups)
        .values({ name, path, description, fullPath, parentId: parent?.id ?? null, traversalIds: '' })
        .returning()
        .get();
      const traversalIds = `${parent?.traversalIds ?? '/'}${inserted.id}/`;
      return tx.update(groups).set({ traversalIds }).where(eq(groups.id, inserted.id)).returning().get();
    });
  return writeUnique(insert, pathTaken);
}

/** The subgroups of a group that `viewer` may open, by name. */
export async function subgroups(db: Queryable, group: Group, viewer: User): Promise<Group[]> {
  return db
    .select()
    .from(groups)
    .where(and(eq(groups.parentId, group.id), groupsReadableBy(viewer)))
    .orderBy(asc(groups.name))
    .all();
}

export interface GroupListQuery {
  search: string;
  page: number;
  perPage: number;
}

/** Every group, ordered by full path so that subgroups follow their parent. */
export async function listGroups(db: Queryable, query: GroupListQuery): Promise<{ groups: Group[]; total: number }> {
  const pattern = `%${query.search}%`;
  const filter = query.search ? or(like(groups.name, pattern), like(groups.fullPath, pattern)) : undefined;
  const total = db.select({ n: count() }).from(groups).where(filter).get()?.n ?? 0;
  const rows = db
    .select()
    .from(groups)
    .where(filter)
    .orderBy(asc(groups.fullPath))
    .limit(query.perPage)
    .offset((query.page - 1) * query.perPage)
    .all();
  return { groups: rows, total };
}

export interface ReadableGroupsQuery {
  viewer: User;
  /** Only the direct subgroups of this group. */
  parentId?: number;
  /** By name or full path; '' for all. */
  search: string;
  page: number;
  perPage: number;
}

/** One page of the groups `viewer` may read, subgroups included, by name; and how many there are in all. */
export async function readableGroups(
  db: Queryable,
  query: ReadableGroupsQuery,
): Promise<{ groups: Group[]; total: number }> {
  const { search } = query;
  const where = and(
    query.parentId === undefined ? undefined : eq(groups.parentId, query.parentId),
    groupsReadableBy(query.viewer),
    search ? or(like(groups.name, `%${search}%`), like(groups.fullPath, `%${search}%`)) : undefined,
  );
  const total = db.select({ n: count() }).from(groups).where(where).get()?.n ?? 0;
  const rows = db
    .select()
    .from(groups)
    .where(where)
    .orderBy(asc(groups.name), asc(groups.id))
    .limit(query.perPage)
    .offset((query.page - 1) * query.perPage)
    .all();
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
  const rows = ids.length > 0 ? db.select().from(groups).where(inArray(groups.id, ids)).all() : [];
  const known = new Map(rows.map((group) => [group.id, group]));
  return (group) => traversalIdList(group.traversalIds).map((id) => known.get(id)!);
}

/** Every group, for choosing a parent in a form. */
export async function allGroups(db: Queryable): Promise<Group[]> {
  return db.select().from(groups).orderBy(asc(groups.fullPath)).all();
}

export async function countGroups(db: Queryable): Promise<number> {
  return db.select({ n: count() }).from(groups).get()?.n ?? 0;
}
