/**
 * @module routes/api/resources
 * GitLab's basic resources, enough for clients to find their way: the version, the token's
 * user, projects and groups (one, or a page of those the user can read, as GitLab lists them).
 */
import { readFileSync } from 'node:fs';
import { and, asc, count, desc, eq, inArray, like, or, type SQL } from 'drizzle-orm';
import { Hono } from 'hono';
import { groupsReadableBy, projectsReadableBy, traversalIdList } from '../../auth/permissions.js';
import { groups, projects, type Group } from '../../db/schema.js';
import { BadRequest } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { groupEntity, projectEntity, userEntity } from './entities.js';
import { pageRequest, readParams, setPaginationHeaders, type ApiParams } from './params.js';
import { apiGroup, apiProject } from './subjects.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const ORDER_COLUMNS = { id: projects.id, name: projects.name, path: projects.fullPath, created_at: projects.createdAt } as const;

const origin = (c: AppContext) => c.var.deps.config.publicOrigin;

function projectOrder(params: ApiParams): SQL {
  const orderBy = params.order_by ?? 'created_at';
  const sort = params.sort ?? 'desc';
  if (typeof orderBy !== 'string' || !(orderBy in ORDER_COLUMNS)) throw new BadRequest('order_by does not have a valid value');
  if (sort !== 'asc' && sort !== 'desc') throw new BadRequest('sort does not have a valid value');
  const column = ORDER_COLUMNS[orderBy as keyof typeof ORDER_COLUMNS];
  return sort === 'asc' ? asc(column) : desc(column);
}

/** The groups of many groups' lineages, in one query. */
function groupsById(c: AppContext, listed: readonly Group[]): Map<number, Group> {
  const ids = [...new Set(listed.flatMap((group) => traversalIdList(group.traversalIds)))];
  const rows = ids.length > 0 ? c.var.db.select().from(groups).where(inArray(groups.id, ids)).all() : [];
  return new Map(rows.map((group) => [group.id, group]));
}

/** A group and its ancestors, top-level first, from groups loaded by {@link groupsById}. */
const lineageOf = (group: Group, known: ReadonlyMap<number, Group>) => traversalIdList(group.traversalIds).map((id) => known.get(id)!);

const searchParam = (params: ApiParams) => (typeof params.search === 'string' ? params.search.trim().slice(0, 255) : '');

/** One page of the projects `scope` selects that the user can read, with GitLab's pagination headers. */
async function projectList(c: AppContext, scope: SQL | undefined) {
  const params = await readParams(c);
  const pageOf = pageRequest(params);
  const search = searchParam(params);
  const where = and(scope, projectsReadableBy(c.var.user!), search ? or(like(projects.name, `%${search}%`), like(projects.fullPath, `%${search}%`)) : undefined);
  const order = projectOrder(params);
  const total = c.var.db.select({ n: count() }).from(projects).innerJoin(groups, eq(groups.id, projects.groupId)).where(where).get()?.n ?? 0;
  const rows = c.var.db
    .select({ project: projects, group: groups })
    .from(projects)
    .innerJoin(groups, eq(groups.id, projects.groupId))
    .where(where)
    .orderBy(order, asc(projects.id))
    .limit(pageOf.perPage)
    .offset((pageOf.page - 1) * pageOf.perPage)
    .all();
  const known = groupsById(c, rows.map((row) => row.group));
  setPaginationHeaders(c, origin(c), pageOf, total);
  return c.json(rows.map(({ project, group }) => projectEntity(project, lineageOf(group, known), origin(c))));
}

/** One page of the groups `scope` selects that the user can read, by name as GitLab orders them. */
async function groupList(c: AppContext, scope: SQL | undefined) {
  const params = await readParams(c);
  const pageOf = pageRequest(params);
  const search = searchParam(params);
  const where = and(scope, groupsReadableBy(c.var.user!), search ? or(like(groups.name, `%${search}%`), like(groups.fullPath, `%${search}%`)) : undefined);
  const total = c.var.db.select({ n: count() }).from(groups).where(where).get()?.n ?? 0;
  const rows = c.var.db
    .select()
    .from(groups)
    .where(where)
    .orderBy(asc(groups.name), asc(groups.id))
    .limit(pageOf.perPage)
    .offset((pageOf.page - 1) * pageOf.perPage)
    .all();
  const known = groupsById(c, rows);
  setPaginationHeaders(c, origin(c), pageOf, total);
  return c.json(rows.map((group) => groupEntity(group, lineageOf(group, known), origin(c))));
}

export function resourceRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/version', (c) => c.json({ version: VERSION, revision: 'cascade', enterprise: false }));

  routes.get('/user', (c) => c.json(userEntity(c.var.user!)));

  /** The projects the user can read, GitLab's newest first unless `order_by`/`sort` say otherwise; `search` by name or path. */
  routes.get('/projects', (c) => projectList(c, undefined));

  routes.get('/projects/:id', (c) => {
    const { project, lineage } = apiProject(c, 'read');
    return c.json(projectEntity(project, lineage, origin(c)));
  });

  /** The groups the user can read, subgroups included, by name; `search` by name or path. */
  routes.get('/groups', (c) => groupList(c, undefined));

  routes.get('/groups/:id', (c) => {
    const { group, lineage } = apiGroup(c, 'read');
    return c.json(groupEntity(group, lineage, origin(c)));
  });

  /** The group's direct subgroups that the user can read. */
  routes.get('/groups/:id/subgroups', (c) => groupList(c, eq(groups.parentId, apiGroup(c, 'read').group.id)));

  /** The projects directly in the group that the user can read, ordered as GET /projects. */
  routes.get('/groups/:id/projects', (c) => projectList(c, eq(projects.groupId, apiGroup(c, 'read').group.id)));

  return routes;
}
