/**
 * @module model/projects
 * Projects, each inside a group.
 */
import { and, asc, count, eq, like, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { perDatabase, type Db } from '../db/client.js';
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

export function findProjectById(db: Db, id: number): Project | undefined {
  return db.select().from(projects).where(eq(projects.id, id)).get();
}

export function findProjectByFullPath(db: Db, fullPath: string): Project | undefined {
  return db
    .select()
    .from(projects)
    .where(sql`lower(${projects.fullPath}) = lower(${fullPath})`)
    .get();
}

/**
 * @example
 * const api = createProject(db, { name: 'API', path: 'api' }, backend)
 */
export function createProject(db: Db, input: unknown, group: Group): Outcome<Project> {
  const parsed = validate(newProjectSchema, input);
  if (!parsed.ok) return parsed;
  const { name, path, description } = parsed.value;
  const fullPath = `${group.fullPath}/${path}`;
  if (fullPathTaken(db, fullPath)) return { ok: false, errors: pathTaken() };
  return writeUnique(() => db.insert(projects).values({ name, path, description, fullPath, groupId: group.id }).returning().get(), pathTaken);
}

/** The projects of a group that `viewer` may open, by name. */
export function groupProjects(db: Db, group: Group, viewer: User): Project[] {
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

export function listProjects(db: Db, query: ProjectListQuery): { projects: Project[]; total: number } {
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

export function countProjects(db: Db): number {
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
export function projectWithGroup(db: Db, fullPath: string): { project: Project; group: Group } | undefined {
  return statements(db).withGroup.get({ fullPath });
}
