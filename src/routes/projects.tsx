/**
 * @module routes/projects
 * Project pages, at /<group path>/<project path> like GitLab. Mounted last, after every
 * other section, because a project URL can be any path.
 */
import { Hono } from 'hono';
import { can } from '../auth/permissions.js';
import type { AppEnv } from '../http/context.js';
import { hostMarks } from '../http/host-marks.js';
import { PROJECT_PATH } from '../http/paths.js';
import { requireProject } from '../http/subjects.js';
import { projectAuditRoutes } from './audit.js';
import { projectGeneralRoutes } from './general-settings.js';
import { healthRoutes } from './integrations/health.js';
import { integrationRoutes } from './integrations/routes.js';
import { deliveryRoutes } from './integrations/deliveries.js';
import { projectScope } from './integrations/scope.js';
import { projectCrumbs } from '../../views/components/crumbs.js';
import { ProjectNav } from '../../views/components/nav.js';
import { ProjectPage } from '../../views/pages/project.js';

export function projectRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.route(`/${PROJECT_PATH}/-/settings/integrations`, integrationRoutes(projectScope));
  routes.route(`/${PROJECT_PATH}/-/settings/integrations`, deliveryRoutes(projectScope));
  routes.route(`/${PROJECT_PATH}/-/settings/integrations`, healthRoutes(projectScope));
  routes.route(`/${PROJECT_PATH}/-/audit_events`, projectAuditRoutes());
  routes.route(`/${PROJECT_PATH}/-`, projectGeneralRoutes());

  routes.get(`/${PROJECT_PATH}`, async (c) => {
    const { project, group, lineage } = await requireProject(c, c.req.param('fullPath'), 'read');
    const user = c.var.user!;
    const canManage = await can(c.var.db, user, 'manage_settings', { kind: 'project', project, group });
    const canEditGeneral = await can(c.var.db, user, 'manage_general_settings', { kind: 'project', project, group });
    const marks = await hostMarks(c, [project]);
    return c.render(<ProjectPage project={project} canManage={canManage} isAdmin={user.isAdmin} marks={marks} />, {
      title: project.name,
      breadcrumbs: projectCrumbs(lineage, project),
      nav: <ProjectNav project={project} current={c.req.path} canManage={canManage} canEditGeneral={canEditGeneral} />,
    });
  });

  return routes;
}
