/**
 * @module routes/api/resources
 * GitLab's basic resources, enough for clients to find their way: the version, the token's
 * user, projects and groups (one, or a page of those the user can read, as GitLab lists them).
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { BadRequest } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { groupLineages, readableGroups } from '../../model/groups.js';
import { isProjectOrder, readableProjects, type ReadableProjectsQuery } from '../../model/projects.js';
import { groupEntity, projectEntity, userEntity } from './entities.js';
import { pageRequest, readParams, setPaginationHeaders, type ApiParams } from './params.js';
import { apiGroup, apiProject } from './subjects.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const origin = (c: AppContext) => c.var.deps.config.publicOrigin;

/** GitLab's `order_by` (created_at by default) and `sort` (desc by default). */
function projectOrder(params: ApiParams): Pick<ReadableProjectsQuery, 'orderBy' | 'sort'> {
  const orderBy = params.order_by ?? 'created_at';
  const sort = params.sort ?? 'desc';
  if (!isProjectOrder(orderBy)) throw new BadRequest('order_by does not have a valid value');
  if (sort !== 'asc' && sort !== 'desc') throw new BadRequest('sort does not have a valid value');
  return { orderBy, sort };
}

const searchParam = (params: ApiParams) =>
  typeof params.search === 'string' ? params.search.trim().slice(0, 255) : '';

/** One page of the projects the user can read (those directly in `groupId`), with GitLab's pagination headers. */
async function projectList(c: AppContext, groupId?: number) {
  const params = await readParams(c);
  const pageOf = pageRequest(params);
  const { rows, total } = await readableProjects(c.var.db, {
    viewer: c.var.user!,
    groupId,
    search: searchParam(params),
    ...projectOrder(params),
    ...pageOf,
  });
  const lineageOf = await groupLineages(
    c.var.db,
    rows.map((row) => row.group),
  );
  setPaginationHeaders(c, origin(c), pageOf, total);
  return c.json(rows.map(({ project, group }) => projectEntity(project, lineageOf(group), origin(c))));
}

/** One page of the groups the user can read (the subgroups of `parentId`), by name as GitLab orders them. */
async function groupList(c: AppContext, parentId?: number) {
  const params = await readParams(c);
  const pageOf = pageRequest(params);
  const { groups, total } = await readableGroups(c.var.db, {
    viewer: c.var.user!,
    parentId,
    search: searchParam(params),
    ...pageOf,
  });
  const lineageOf = await groupLineages(c.var.db, groups);
  setPaginationHeaders(c, origin(c), pageOf, total);
  return c.json(groups.map((group) => groupEntity(group, lineageOf(group), origin(c))));
}

export function resourceRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/version', (c) => c.json({ version: VERSION, revision: 'cascade', enterprise: false }));

  routes.get('/user', (c) => c.json(userEntity(c.var.user!)));

  /** The projects the user can read, GitLab's newest first unless `order_by`/`sort` say otherwise; `search` by name or path. */
  routes.get('/projects', (c) => projectList(c));

  routes.get('/projects/:id', async (c) => {
    const { project, lineage } = await apiProject(c, 'read');
    return c.json(projectEntity(project, lineage, origin(c)));
  });

  /** The groups the user can read, subgroups included, by name; `search` by name or path. */
  routes.get('/groups', (c) => groupList(c));

  routes.get('/groups/:id', async (c) => {
    const { group, lineage } = await apiGroup(c, 'read');
    return c.json(groupEntity(group, lineage, origin(c)));
  });

  /** The group's direct subgroups that the user can read. */
  routes.get('/groups/:id/subgroups', async (c) => groupList(c, (await apiGroup(c, 'read')).group.id));

  /** The projects directly in the group that the user can read, ordered as GET /projects. */
  routes.get('/groups/:id/projects', async (c) => projectList(c, (await apiGroup(c, 'read')).group.id));

  return routes;
}
