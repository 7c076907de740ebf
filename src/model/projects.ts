/**
 * @module model/projects
 * Projects, each inside a group.
 */
import { and, asc, count, desc, eq, gt, like, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { perDatabase, type Queryable } from '../db/client.js';
import { groups, projects, type Group, type Project, type User } from '../db/schema.js';
import { projectsReadableBy, ROLES } from '../auth/permissions.js';
import { fullPathTaken, pathTaken } from './groups.js';
import { containsText } from './search.js';
import { writeUnique } from './unique.js';
import { descriptionSchema, isStoredId, nameSchema, pathSchema, validate, type Outcome } from '../validation.js';

export const newProjectSchema = z.object({
  name: nameSchema,
  path: pathSchema,
  description: descriptionSchema,
});

export async function findProjectById(db: Queryable, id: number): Promise<Project | undefined> {
  if (!isStoredId(id)) return undefined;
  return (await db.select().from(projects).where(eq(projects.id, id)).limit(1))[0];
}

export async function findProjectByFullPath(db: Queryable, fullPath: string): Promise<Project | undefined> {
  return (
    await db
      .select()
      .from(projects)
      .where(sql`lower(${projects.fullPath}) = lower(${fullPath})`)
      .limit(1)
  )[0];
}

/**
 * @example
 * const api = await createProject(db, { name: 'API', path: 'api' }, backend)
 */
export async function createProject(db: Queryable, input: unknown, group: Group): Promise<Outcome<Project>> {
  const parsed = validate(newProjectSchema, input);
  if (!parsed.ok) return parsed;
  const { name, path, description } = parsed.value;
  const fullPath = `${group.fullPath}/${path}`;
  if (await fullPathTaken(db, fullPath)) return { ok: false, errors: pathTaken() };
  return writeUnique(
    () =>
      db.transaction(
        async (tx) =>
          (await tx.insert(projects).values({ name, path, description, fullPath, groupId: group.id }).returning())[0]!,
      ),
    pathTaken,
  );
}

/** The projects of a group that `viewer` may open, by name. */
export async function groupProjects(db: Queryable, group: Group, viewer: User): Promise<Project[]> {
  const readable = projectsReadableBy(viewer, { id: projects.id, traversalIds: sql`${group.traversalIds}` });
  return await db
    .select()
    .from(projects)
    .where(and(eq(projects.groupId, group.id), readable))
    .orderBy(asc(projects.name));
}

export interface ProjectListQuery {
  search: string;
  page: number;
  perPage: number;
}

export async function listProjects(
  db: Queryable,
  query: ProjectListQuery,
): Promise<{ projects: Project[]; total: number }> {
  const pattern = `%${query.search}%`;
  const filter = query.search ? or(like(projects.name, pattern), like(projects.fullPath, pattern)) : undefined;
  const total = (await db.select({ n: count() }).from(projects).where(filter).limit(1))[0]?.n ?? 0;
  const rows = await db
    .select()
    .from(projects)
    .where(filter)
    .orderBy(asc(projects.fullPath))
    .limit(query.perPage)
    .offset((query.page - 1) * query.perPage);
  return { projects: rows, total };
}

/** What GitLab's project lists may be ordered by; Cascade keeps no update or activity times, so those order by creation. */
const READABLE_ORDER = {
  id: projects.id,
  name: projects.name,
  path: projects.path,
  created_at: projects.createdAt,
  updated_at: projects.createdAt,
  last_activity_at: projects.createdAt,
} as const;

/** What GitLab's project lists may be ordered by (`order_by`). */
export type ProjectOrder = keyof typeof READABLE_ORDER;

export const isProjectOrder = (value: unknown): value is ProjectOrder =>
  typeof value === 'string' && Object.hasOwn(READABLE_ORDER, value);

/** A project where `user` has a role: in the project, or in one of its groups (as GitLab's `membership`). */
const memberOfProject = (user: User) =>
  sql`exists (select 1 from members m left join groups mg on mg.id = m.group_id
    where m.user_id = ${user.id} and (m.project_id = ${projects.id} or ${groups.traversalIds} like mg.traversal_ids || '%'))`;

/** A project in a group `user` owns, itself or one above it (GitLab's `owned`: Owner is a group role here). */
const ownedProject = (user: User) =>
  sql`exists (select 1 from members m join groups mg on mg.id = m.group_id
    where m.user_id = ${user.id} and m.access_level >= ${ROLES.owner} and ${groups.traversalIds} like mg.traversal_ids || '%')`;

export interface ReadableProjectsQuery {
  viewer: User;
  /** Only the projects directly in this group. */
  groupId?: number;
  /** Only the projects in the group with these ancestor ids ("/1/5/") or one of its subgroups. */
  subtreeOf?: string;
  /** By name or full path, `%` and `_` literally; '' for all. */
  search: string;
  /** Only those where the viewer has a role (GitLab's `membership`); administrators included. */
  membership?: boolean;
  /** Only those in groups the viewer owns (GitLab's `owned`). */
  owned?: boolean;
  /** Only ids above or below these (GitLab's `id_after`, `id_before`). */
  idAfter?: number | undefined;
  idBefore?: number | undefined;
  orderBy: ProjectOrder;
  sort: 'asc' | 'desc';
  page: number;
  perPage: number;
}

function readableProjectsWhere(query: ReadableProjectsQuery): SQL | undefined {
  const { search, viewer } = query;
  return and(
    query.groupId === undefined ? undefined : eq(projects.groupId, query.groupId),
    query.subtreeOf === undefined ? undefined : like(groups.traversalIds, `${query.subtreeOf}%`),
    projectsReadableBy(viewer),
    query.membership ? memberOfProject(viewer) : undefined,
    query.owned ? ownedProject(viewer) : undefined,
    query.idAfter === undefined ? undefined : gt(projects.id, query.idAfter),
    query.idBefore === undefined ? undefined : lt(projects.id, query.idBefore),
    search ? or(containsText(projects.name, search), containsText(projects.fullPath, search)) : undefined,
  );
}

const readableProjectRows = (db: Queryable, query: ReadableProjectsQuery) => {
  const column = READABLE_ORDER[query.orderBy];
  const direction = query.sort === 'asc' ? asc : desc;
  return db
    .select({ project: projects, group: groups })
    .from(projects)
    .innerJoin(groups, eq(groups.id, projects.groupId))
    .where(readableProjectsWhere(query))
    .orderBy(...(column === projects.id ? [direction(column)] : [direction(column), direction(projects.id)]));
};

/**
 * One page of the projects `viewer` may read, each with its group, and how many there are in all.
 *
 * @example
 * await readableProjects(db, { viewer, search: 'api', orderBy: 'created_at', sort: 'desc', page: 1, perPage: 20 })
 */
export async function readableProjects(
  db: Queryable,
  query: ReadableProjectsQuery,
): Promise<{ rows: { project: Project; group: Group }[]; total: number }> {
  const total =
    (
      await db
        .select({ n: count() })
        .from(projects)
        .innerJoin(groups, eq(groups.id, projects.groupId))
        .where(readableProjectsWhere(query))
        .limit(1)
    )[0]?.n ?? 0;
  const rows = await readableProjectRows(db, query)
    .limit(query.perPage)
    .offset((query.page - 1) * query.perPage);
  return { rows, total };
}

/**
 * GitLab's keyset pagination: the first `perPage` projects past `idAfter`/`idBefore` in id order,
 * and whether more follow; one query, no count, however deep the page.
 *
 * @example
 * const { rows, more } = await readableProjectsByKeyset(db, { ...query, orderBy: 'id', sort: 'desc', idBefore: 120 })
 */
export async function readableProjectsByKeyset(
  db: Queryable,
  query: ReadableProjectsQuery & { orderBy: 'id' },
): Promise<{ rows: { project: Project; group: Group }[]; more: boolean }> {
  const rows = await readableProjectRows(db, query).limit(query.perPage + 1);
  return { rows: rows.slice(0, query.perPage), more: rows.length > query.perPage };
}

export async function countProjects(db: Queryable): Promise<number> {
  return (await db.select({ n: count() }).from(projects).limit(1))[0]?.n ?? 0;
}

const statements = perDatabase((db) => ({
  withGroup: db
    .select({ project: projects, group: groups })
    .from(projects)
    .innerJoin(groups, eq(groups.id, projects.groupId))
    .where(sql`lower(${projects.fullPath}) = lower(${sql.placeholder('fullPath')})`)
    .prepare(),
}));

/** The project with the group it sits in; undefined if either is missing. */
export async function projectWithGroup(
  db: Queryable,
  fullPath: string,
): Promise<{ project: Project; group: Group } | undefined> {
  return (await statements(db).withGroup.execute({ fullPath }))[0];
}
