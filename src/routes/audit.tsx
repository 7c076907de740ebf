/**
 * @module routes/audit
 * The audit trail's pages and downloads: everything in the Admin Area; a group's or project's own
 * events for its Maintainers and Owners. A download is what the list shows with the same filters,
 * every page of it, under the same permission.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { auditCsv, auditJson } from '../audit/export.js';
import { allAuditEvents, auditDateRange, listAuditEvents, type AuditQuery } from '../audit/trail.js';
import type { AppContext, AppEnv } from '../http/context.js';
import { requireAdmin, requireGroup, requireProject } from '../http/subjects.js';
import type { FieldErrors } from '../validation.js';
import { groupCrumbs, projectCrumbs } from '../../views/components/crumbs.js';
import { AdminNav, GroupNav, ProjectNav } from '../../views/components/nav.js';
import type { PageMeta } from '../../views/layout.js';
import { AuditEventsPage, type AuditFilters } from '../../views/pages/audit.js';

const PER_PAGE = 25;
/** Events a download reads at a time. */
const EXPORT_CHUNK = 500;

const filtersSchema = z.object({
  integration: z.string().trim().max(64).catch(''),
  level: z.enum(['', 'instance', 'group', 'project']).catch(''),
  owner: z.string().trim().max(255).catch(''),
  user: z.string().trim().max(64).catch(''),
  from: z.string().trim().max(32).catch(''),
  to: z.string().trim().max(32).catch(''),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

type ReadFilters = { filters: AuditFilters; query: AuditQuery; errors: FieldErrors };

/**
 * Filters from the query string. A malformed choice or page is ignored rather than refused; a
 * date that is not one, or a To before the From, is refused with its message.
 */
function readFilters(c: AppContext, scope: AuditScope): ReadFilters {
  const { before, ...filters } = filtersSchema.parse({
    integration: c.req.query('integration') ?? '',
    level: c.req.query('level') ?? '',
    owner: c.req.query('owner') ?? '',
    user: c.req.query('user') ?? '',
    from: c.req.query('from') ?? '',
    to: c.req.query('to') ?? '',
    before: c.req.query('before'),
  });
  const range = auditDateRange(filters.from, filters.to);
  const query: AuditQuery = {
    integration: filters.integration || undefined,
    level: filters.level || undefined,
    ownerPath: filters.owner || undefined,
    actorName: filters.user || undefined,
    ...(range.ok ? range.value : {}),
    before,
    limit: PER_PAGE,
    ...scope.only,
  };
  return { filters, query, errors: range.ok ? {} : range.errors };
}

/** Whose events a list shows, checked for the signed-in user. */
interface AuditScope {
  baseUrl: string;
  /** The group's or project's own events; nothing for the Admin Area. */
  only: Partial<AuditQuery>;
  /** The Admin Area filters by level and owner too. */
  allLevels: boolean;
  meta: PageMeta;
  /** "audit-events-platform-backend": the downloads' file name without the date and extension. */
  fileName: string;
}

const fileNameOf = (path: string) => `audit-events-${path.replace(/[^a-zA-Z0-9_.-]+/g, '-')}`;

/** The list and its two downloads, for one way of finding (and authorizing) the scope. */
function auditTrailRoutes(scopeOf: (c: AppContext) => Promise<AuditScope>): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  const renderList = (
    c: AppContext,
    scope: AuditScope,
    read: ReadFilters,
    page: Awaited<ReturnType<typeof listAuditEvents>>,
  ) => {
    // "3 hours ago" is true when rendered: a kept page would go stale.
    c.header('Cache-Control', 'no-store');
    if (Object.keys(read.errors).length > 0) c.status(400);
    return c.render(
      <AuditEventsPage
        page={page}
        baseUrl={scope.baseUrl}
        filters={read.filters}
        allLevels={scope.allLevels}
        isFirstPage={!read.query.before}
        errors={read.errors}
        now={new Date()}
      />,
      scope.meta,
    );
  };

  routes.get('/', async (c) => {
    const scope = await scopeOf(c);
    const read = readFilters(c, scope);
    const page =
      Object.keys(read.errors).length > 0 ? { events: [], next: null } : await listAuditEvents(c.var.db, read.query);
    return renderList(c, scope, read, page);
  });

  for (const format of ['csv', 'json'] as const) {
    routes.get(`/export.${format}`, async (c) => {
      const scope = await scopeOf(c);
      const read = readFilters(c, scope);
      if (Object.keys(read.errors).length > 0) return renderList(c, scope, read, { events: [], next: null });
      const events = allAuditEvents(c.var.db, { ...read.query, before: undefined, limit: EXPORT_CHUNK });
      const day = new Date().toISOString().slice(0, 10);
      return c.body(format === 'csv' ? auditCsv(events) : auditJson(events), 200, {
        'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
        'Content-Disposition': `attachment; filename="${scope.fileName}-${day}.${format}"`,
        'Cache-Control': 'no-store',
      });
    });
  }
  return routes;
}

/** /admin/audit_events */
export function adminAuditRoutes(): Hono<AppEnv> {
  return auditTrailRoutes(async (c) => {
    await requireAdmin(c);
    return {
      baseUrl: '/admin/audit_events',
      only: {},
      allLevels: true,
      fileName: 'audit-events',
      meta: {
        title: 'Audit events',
        breadcrumbs: [{ label: 'Admin Area', href: '/admin' }, { label: 'Audit events' }],
        nav: <AdminNav current="/admin/audit_events" />,
      },
    };
  });
}

/** <group>/-/audit_events */
export function groupAuditRoutes(): Hono<AppEnv> {
  return auditTrailRoutes(async (c) => {
    const { group, lineage } = await requireGroup(c, c.req.param('fullPath')!, 'manage_settings');
    const baseUrl = `/groups/${group.fullPath}/-/audit_events`;
    return {
      baseUrl,
      only: { level: undefined, ownerPath: undefined, groupId: group.id },
      allLevels: false,
      fileName: fileNameOf(group.fullPath),
      meta: {
        title: 'Audit events',
        breadcrumbs: [...groupCrumbs(lineage), { label: 'Audit events' }],
        nav: <GroupNav group={group} current={baseUrl} canManage />,
      },
    };
  });
}

/** <project>/-/audit_events */
export function projectAuditRoutes(): Hono<AppEnv> {
  return auditTrailRoutes(async (c) => {
    const { project, lineage } = await requireProject(c, c.req.param('fullPath')!, 'manage_settings');
    const baseUrl = `/${project.fullPath}/-/audit_events`;
    return {
      baseUrl,
      only: { level: undefined, ownerPath: undefined, projectId: project.id },
      allLevels: false,
      fileName: fileNameOf(project.fullPath),
      meta: {
        title: 'Audit events',
        breadcrumbs: [...projectCrumbs(lineage, project), { label: 'Audit events' }],
        nav: <ProjectNav project={project} current={baseUrl} canManage />,
      },
    };
  });
}
