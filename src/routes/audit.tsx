/**
 * @module routes/audit
 * The audit trail's pages: everything in the Admin Area; a group's or project's own events for
 * its Maintainers and Owners.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { listAuditEvents, type AuditQuery } from '../audit/trail.js';
import type { AppContext, AppEnv } from '../http/context.js';
import { requireAdmin, requireGroup, requireProject } from '../http/subjects.js';
import { groupCrumbs, projectCrumbs } from '../../views/components/crumbs.js';
import { AdminNav, GroupNav, ProjectNav } from '../../views/components/nav.js';
import { AuditEventsPage, type AuditFilters } from '../../views/pages/audit.js';

const PER_PAGE = 25;

const filtersSchema = z.object({
  integration: z.string().trim().max(64).catch(''),
  level: z.enum(['', 'instance', 'group', 'project']).catch(''),
  owner: z.string().trim().max(255).catch(''),
  user: z.string().trim().max(64).catch(''),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

/** Filters from the query string; anything malformed is ignored rather than refused. */
function readFilters(c: AppContext): { filters: AuditFilters; query: AuditQuery } {
  const { before, ...filters } = filtersSchema.parse({
    integration: c.req.query('integration') ?? '',
    level: c.req.query('level') ?? '',
    owner: c.req.query('owner') ?? '',
    user: c.req.query('user') ?? '',
    before: c.req.query('before'),
  });
  const query: AuditQuery = {
    integration: filters.integration || undefined,
    level: filters.level || undefined,
    ownerPath: filters.owner || undefined,
    actorName: filters.user || undefined,
    before,
    limit: PER_PAGE,
  };
  return { filters, query };
}

/** GET /admin/audit_events */
export function adminAuditRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/', async (c) => {
    await requireAdmin(c);
    const { filters, query } = readFilters(c);
    return c.render(
      <AuditEventsPage
        page={await listAuditEvents(c.var.db, query)}
        baseUrl="/admin/audit_events"
        filters={filters}
        allLevels
        isFirstPage={!query.before}
      />,
      {
        title: 'Audit events',
        breadcrumbs: [{ label: 'Admin Area', href: '/admin' }, { label: 'Audit events' }],
        nav: <AdminNav current={c.req.path} />,
      },
    );
  });
  return routes;
}

/** GET <group>/-/audit_events */
export function groupAuditRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/', async (c) => {
    const { group, lineage } = await requireGroup(c, c.req.param('fullPath')!, 'manage_settings');
    const { filters, query } = readFilters(c);
    const baseUrl = `/groups/${group.fullPath}/-/audit_events`;
    const page = await listAuditEvents(c.var.db, {
      ...query,
      level: undefined,
      ownerPath: undefined,
      groupId: group.id,
    });
    return c.render(
      <AuditEventsPage page={page} baseUrl={baseUrl} filters={filters} allLevels={false} isFirstPage={!query.before} />,
      {
        title: 'Audit events',
        breadcrumbs: [...groupCrumbs(lineage), { label: 'Audit events' }],
        nav: <GroupNav group={group} current={baseUrl} canManage />,
      },
    );
  });
  return routes;
}

/** GET <project>/-/audit_events */
export function projectAuditRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/', async (c) => {
    const { project, lineage } = await requireProject(c, c.req.param('fullPath')!, 'manage_settings');
    const { filters, query } = readFilters(c);
    const baseUrl = `/${project.fullPath}/-/audit_events`;
    const page = await listAuditEvents(c.var.db, {
      ...query,
      level: undefined,
      ownerPath: undefined,
      projectId: project.id,
    });
    return c.render(
      <AuditEventsPage page={page} baseUrl={baseUrl} filters={filters} allLevels={false} isFirstPage={!query.before} />,
      {
        title: 'Audit events',
        breadcrumbs: [...projectCrumbs(lineage, project), { label: 'Audit events' }],
        nav: <ProjectNav project={project} current={baseUrl} canManage />,
      },
    );
  });
  return routes;
}
