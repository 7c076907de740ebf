/**
 * @module model/projects
 * Projects, each inside a group.
 */
import { and, asc, count, desc, eq, like, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { perDatabase, type Queryable } from '../db/client.js';
import { groups, projects, type Group, type Project, type User } from '../db/schema.js';
import { projectsReadableBy } from '../auth/permissions.js';
import { fullPathTaken, pathTaken } from './groups.js';
import { writeUnique } from './unique.js';
import { descriptionSchema, nameSchema, pathSchema, validate, type Outcome } from '../validation.js';

export const newProjectSchema = z.object({
  name: nameSchema,
  path: pathSchema,
  description: descriptionSchema,
});

export async function findProjectById(db: Queryable, id: number): Promise<Project | undefined> {
  return db.select().from(projects).where(eq(projects.id, id)).get();
}

export async function findProjectByFullPath(db: Queryable, fullPath: string): Promise<Project | undefined> {
  return db
    .select()
    .from(projects)
    .where(sql`lower(${projects.fullPath}) = lower(${fullPath})`)
    .get();
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
      db.transaction(async (tx) =>
        tx.insert(projects).values({ name, path, description, fullPath, groupId: group.id }).returning().get(),
      ),
    pathTaken,
  );
}

/** The projects of a group that `viewer` may open, by name. */
export async function groupProjects(db: Queryable, group: Group, viewer: User): Promise<Project[]> {
  const readable = projectsReadableBy(viewer, { id: projects.id, traversalIds: sql`${group.traversalIds}` });
  return db
    .select()
    .from(projects)
    .where(and(eq(projects.groupId, group.id), readable))
    .orderBy(asc(projects.name))
    .all();
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
  const total = db.select({ n: count() }).from(projects).where(filter).get()?.n ?? 0;
  const rows = db
    .select()
    .from(projects)
    .where(filter)
    .orderBy(asc(projects.fullPath))
    .limit(query.perPage)
    .offset((query.page - 1) * query.perPage)
    .all();
  return { projects: rows, total };
}

const READABLE_ORDER = {
  id: projects.id,
  name: projects.name,
  path: projects.fullPath,
  created_at: projects.createdAt,
} as const;

/** What GitLab's project lists may be ordered by (`order_by`). */
export type ProjectOrder = keyof typeof READABLE_ORDER;

export const isProjectOrder = (value: unknown): value is ProjectOrder =>
  typeof value === 'string' && Object.hasOwn(READABLE_ORDER, value);

export interface ReadableProjectsQuery {
  viewer: User;
  /** Only the projects directly in this group. */
  groupId?: number;
  /** By name or full path; '' for all. */
  search: string;
  orderBy: ProjectOrder;
  sort: 'asc' | 'desc';
  page: number;
  perPage: number;
}

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
  const { search } = query;
  const where = and(
    query.groupId === undefined ? undefined : eq(projects.groupId, query.groupId),
    projectsReadableBy(query.viewer),
    search ? or(like(projects.name, `%${search}%`), like(projects.fullPath, `%${search}%`)) : undefined,
  );
  const column = READABLE_ORDER[query.orderBy];
  const total =
    db.select({ n: count() }).from(projects).innerJoin(groups, eq(groups.id, projects.groupId)).where(where).get()?.n ??
    0;
  const rows = db
    .select({ project: projects, group: groups })
    .from(projects)
    .innerJoin(groups, eq(groups.id, projects.groupId))
    .where(where)
    .orderBy(query.sort === 'asc' ? asc(column) : desc(column), asc(projects.id))
    .limit(query.perPage)
    .offset((query.page - 1) * query.perPage)
    .all();
  return { rows, total };
}

export async function countProjects(db: Queryable): Promise<number> {
  return db.select({ n: count() }).from(projects).get()?.n ?? 0;
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
  return statements(db).withGroup.get({ fullPath });
}
