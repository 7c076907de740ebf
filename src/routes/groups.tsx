/**
 * @module routes/groups
 * Group pages, at /groups/<full path>; sub-pages follow GitLab's "/-/" separator.
 */
import { Hono } from 'hono';
import { can } from '../auth/permissions.js';
import type { AppEnv } from '../http/context.js';
import { hostMarks } from '../http/host-marks.js';
import { GROUP_PATH } from '../http/paths.js';
import { requireGroup } from '../http/subjects.js';
import { subgroups } from '../model/groups.js';
import { groupProjects } from '../model/projects.js';
import { groupAuditRoutes } from './audit.js';
import { groupGeneralRoutes } from './general-settings.js';
import { healthRoutes } from './integrations/health.js';
import { defaultsRoutes, integrationRoutes } from './integrations/routes.js';
import { deliveryRoutes } from './integrations/deliveries.js';
import { groupScope } from './integrations/scope.js';
import { groupCrumbs } from '../../views/components/crumbs.js';
import { GroupNav } from '../../views/components/nav.js';
import { GroupPage } from '../../views/pages/group.js';

export function groupRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.route(`/${GROUP_PATH}/-/settings/integrations`, integrationRoutes(groupScope));
  routes.route(`/${GROUP_PATH}/-/settings/integrations`, deliveryRoutes(groupScope));
  routes.route(`/${GROUP_PATH}/-/settings/integrations`, defaultsRoutes(groupScope));
  routes.route(`/${GROUP_PATH}/-/settings/integrations`, healthRoutes(groupScope));
  routes.route(`/${GROUP_PATH}/-/audit_events`, groupAuditRoutes());
  routes.route(`/${GROUP_PATH}/-`, groupGeneralRoutes());

  routes.get(`/${GROUP_PATH}`, async (c) => {
    const { group, lineage } = await requireGroup(c, c.req.param('fullPath'), 'read');
    const user = c.var.user!;
    const canManage = await can(c.var.db, user, 'manage_settings', { kind: 'group', group });
    const canEditGeneral = await can(c.var.db, user, 'manage_general_settings', { kind: 'group', group });
    const children = await subgroups(c.var.db, group, user);
    const projects = await groupProjects(c.var.db, group, user);
    return c.render(
      <GroupPage
        group={group}
        subgroups={children}
        projects={projects}
        canManage={canManage}
        isAdmin={user.isAdmin}
        marks={await hostMarks(c, [group, ...children, ...projects])}
      />,
      {
        title: group.name,
        breadcrumbs: groupCrumbs(lineage),
        nav: <GroupNav group={group} current={c.req.path} canManage={canManage} canEditGeneral={canEditGeneral} />,
      },
    );
  });

  return routes;
}
