/**
 * @module routes/api/resources
 * GitLab's basic resources, enough for clients to find their way: the version, the token's
 * user, projects, groups and namespaces (one, or a page of those the user can read, with
 * GitLab's filters, orders and pagination).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { parseBoolean } from '../../boolean.js';
import type { Group, Project } from '../../db/schema.js';
import { BadRequest } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { PACKAGE_ROOT } from '../../paths.js';
import {
  groupLineages,
  isGroupOrder,
  readableGroups,
  userNamespaces,
  type ReadableGroupsQuery,
} from '../../model/groups.js';
import {
  isProjectOrder,
  readableProjects,
  readableProjectsByKeyset,
  type ReadableProjectsQuery,
} from '../../model/projects.js';
import { groupEntity, namespaceEntity, projectEntity, projectSimpleEntity, userEntity } from './entities.js';
import {
  idParam,
  pageRequest,
  readParams,
  setKeysetLinkHeader,
  setPaginationHeaders,
  wantsKeyset,
  type ApiParams,
} from './params.js';
import { apiGroup, apiProject } from './subjects.js';

const VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const origin = (c: AppContext) => c.var.deps.config.publicOrigin;

/** What GitLab answers `pagination=keyset` with another order than `order_by=id`. */
const KEYSET_UNAVAILABLE = { error: 'Keyset pagination is not yet available for this type of request' } as const;

/** A yes/no list parameter (GitLab's Boolean); false when not sent. */
function flagParam(params: ApiParams, name: string): boolean {
  if (params[name] === undefined) return false;
  const value = parseBoolean(params[name]);
  if (value === undefined) throw new BadRequest(`${name} is invalid`);
  return value;
}

/** `sort`: `asc` or `desc`, `fallback` when not sent. */
function sortParam(params: ApiParams, fallback: 'asc' | 'desc'): 'asc' | 'desc' {
  const sort = params.sort ?? fallback;
  if (sort !== 'asc' && sort !== 'desc') throw new BadRequest('sort does not have a valid value');
  return sort;
}

/** GitLab's `order_by` (created_at by default) and `sort` (desc by default). */
function projectOrder(params: ApiParams): Pick<ReadableProjectsQuery, 'orderBy' | 'sort'> {
  const orderBy = params.order_by ?? 'created_at';
  if (!isProjectOrder(orderBy)) throw new BadRequest('order_by does not have a valid value');
  return { orderBy, sort: sortParam(params, 'desc') };
}

/** GitLab's group `order_by` (name by default) and `sort` (asc by default). */
function groupOrder(params: ApiParams): Pick<ReadableGroupsQuery, 'orderBy' | 'sort'> {
  const orderBy = params.order_by ?? 'name';
  if (!isGroupOrder(orderBy)) throw new BadRequest('order_by does not have a valid value');
  return { orderBy, sort: sortParam(params, 'asc') };
}

const searchParam = (params: ApiParams) =>
  typeof params.search === 'string' ? params.search.trim().slice(0, 255) : '';

/** Where a project list looks: everywhere, directly in a group, or in a group and its subgroups. */
type ProjectScope = Pick<ReadableProjectsQuery, 'groupId' | 'subtreeOf'>;

/**
 * One page of the projects the user can read in `scope`, as GitLab lists them: `membership`,
 * `owned`, `search`, `id_after`/`id_before`, `order_by`/`sort`, `simple`; offset pages with
 * GitLab's headers, or `pagination=keyset` (`order_by=id` only) with a Link to the next page.
 */
async function projectList(c: AppContext, scope: ProjectScope = {}) {
  const params = await readParams(c);
  const { page, perPage } = pageRequest(params);
  const query: ReadableProjectsQuery = {
    viewer: c.var.user!,
    ...scope,
    search: searchParam(params),
    membership: flagParam(params, 'membership'),
    owned: flagParam(params, 'owned'),
    idAfter: idParam(params, 'id_after'),
    idBefore: idParam(params, 'id_before'),
    ...projectOrder(params),
    page,
    perPage,
  };
  const simple = flagParam(params, 'simple');
  let rows: { project: Project; group: Group }[];
  if (wantsKeyset(params)) {
    if (query.orderBy !== 'id') return c.json(KEYSET_UNAVAILABLE, 405);
    const keyset = await readableProjectsByKeyset(c.var.db, { ...query, orderBy: 'id' });
    rows = keyset.rows;
    const last = rows[rows.length - 1];
    setKeysetLinkHeader(c, origin(c), keyset.more && last ? { lastId: last.project.id, sort: query.sort } : null);
  } else {
    const offset = await readableProjects(c.var.db, query);
    rows = offset.rows;
    setPaginationHeaders(c, origin(c), { page, perPage }, offset.total);
  }
  const lineageOf = await groupLineages(
    c.var.db,
    rows.map((row) => row.group),
  );
  const entity = simple ? projectSimpleEntity : projectEntity;
  return c.json(rows.map(({ project, group }) => entity(project, lineageOf(group), origin(c))));
}

/** Where a group list looks: every group, one group's subgroups, or all the groups below one. */
type GroupScope = Pick<ReadableGroupsQuery, 'parentId' | 'descendantsOf'>;

/**
 * One page of the groups the user can read in `scope`, as GitLab lists them: `search`,
 * `top_level_only`, `order_by`/`sort`, and on `GET /groups` `all_available` (false by default for
 * everyone but administrators: only the groups where the user has a group role).
 */
async function groupList(c: AppContext, scope: GroupScope = {}) {
  const params = await readParams(c);
  const pageOf = pageRequest(params);
  const everyGroup = scope.parentId === undefined && scope.descendantsOf === undefined;
  const allAvailable = params.all_available === undefined ? c.var.user!.isAdmin : flagParam(params, 'all_available');
  const { groups, total } = await readableGroups(c.var.db, {
    viewer: c.var.user!,
    ...scope,
    membersOnly: everyGroup && !allAvailable,
    topLevelOnly: flagParam(params, 'top_level_only'),
    search: searchParam(params),
    ...groupOrder(params),
    ...pageOf,
  });
  const lineageOf = await groupLineages(c.var.db, groups);
  setPaginationHeaders(c, origin(c), pageOf, total);
  return c.json(groups.map((group) => groupEntity(group, lineageOf(group), origin(c))));
}

/** GitLab's namespaces of the user: `search`, `owned_only`, `top_level_only`; by id. */
async function namespaceList(c: AppContext) {
  const params = await readParams(c);
  const pageOf = pageRequest(params);
  const { groups, total } = await userNamespaces(c.var.db, {
    viewer: c.var.user!,
    ownedOnly: flagParam(params, 'owned_only'),
    topLevelOnly: flagParam(params, 'top_level_only'),
    search: searchParam(params),
    ...pageOf,
  });
  setPaginationHeaders(c, origin(c), pageOf, total);
  return c.json(groups.map((group) => namespaceEntity(group, origin(c))));
}

export function resourceRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/version', (c) => c.json({ version: VERSION, revision: 'cascade', enterprise: false }));

  routes.get('/user', (c) => c.json(userEntity(c.var.user!)));

  /** The projects the user can read, GitLab's newest first unless `order_by`/`sort` say otherwise. */
  routes.get('/projects', (c) => projectList(c));

  routes.get('/projects/:id', async (c) => {
    const { project, lineage } = await apiProject(c, 'read');
    return c.json(projectEntity(project, lineage, origin(c)));
  });

  /** The groups where the user has a role (all they can read with `all_available`), subgroups included, by name. */
  routes.get('/groups', (c) => groupList(c));

  routes.get('/groups/:id', async (c) => {
    const { group, lineage } = await apiGroup(c, 'read');
    return c.json(groupEntity(group, lineage, origin(c)));
  });

  /** The group's direct subgroups that the user can read. */
  routes.get('/groups/:id/subgroups', async (c) => groupList(c, { parentId: (await apiGroup(c, 'read')).group.id }));

  /** The group's subgroups at every depth that the user can read. */
  routes.get('/groups/:id/descendant_groups', async (c) =>
    groupList(c, { descendantsOf: (await apiGroup(c, 'read')).group.traversalIds }),
  );

  /** The projects in the group (and its subgroups with `include_subgroups`) that the user can read, as GET /projects. */
  routes.get('/groups/:id/projects', async (c) => {
    const { group } = await apiGroup(c, 'read');
    const params = await readParams(c);
    return projectList(
      c,
      flagParam(params, 'include_subgroups') ? { subtreeOf: group.traversalIds } : { groupId: group.id },
    );
  });

  /** The groups the user is a member of (every group for administrators), as GitLab's namespaces. */
  routes.get('/namespaces', (c) => namespaceList(c));

  return routes;
}
