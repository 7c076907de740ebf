/**
 * @module routes/admin
 * The Admin Area: administrators only; everyone else gets a 404.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../../http/context.js';
import { requireAdmin } from '../../http/subjects.js';
import { countGroups } from '../../model/groups.js';
import { countProjects } from '../../model/projects.js';
import { countUsers } from '../../model/users.js';
import { AdminNav } from '../../../views/components/nav.js';
import { AdminDashboardPage } from '../../../views/pages/admin/dashboard.js';
import { adminAuditRoutes } from '../audit.js';
import { defaultsRoutes, integrationRoutes } from '../integrations/routes.js';
import { deliveryRoutes } from '../integrations/deliveries.js';
import { instanceScope } from '../integrations/scope.js';
import { adminCodeHostEventRoutes } from './code-host-events.js';
import { adminCodeHostRoutes } from './code-hosts.js';
import { adminGroupRoutes } from './groups.js';
import { adminNetworkRoutes } from './network.js';
import { adminProjectRoutes } from './projects.js';
import { adminTokenRoutes } from './tokens.js';
import { adminUserRoutes } from './users.js';

export function adminRoutes(): Hono<AppEnv> {
  const admin = new Hono<AppEnv>();
  admin.use(async (c, next) => {
    await requireAdmin(c);
    await next();
  });

  admin.get('/', async (c) => {
    const counts = {
      users: await countUsers(c.var.db),
      groups: await countGroups(c.var.db),
      projects: await countProjects(c.var.db),
    };
    return c.render(<AdminDashboardPage counts={counts} />, {
      title: 'Admin Area',
      breadcrumbs: [{ label: 'Admin Area' }],
      nav: <AdminNav current={c.req.path} />,
    });
  });

  admin.route('/users', adminUserRoutes());
  admin.route('/groups', adminGroupRoutes());
  admin.route('/projects', adminProjectRoutes());
  admin.route('/application_settings/integrations', integrationRoutes(instanceScope));
  admin.route('/application_settings/integrations', deliveryRoutes(instanceScope));
  admin.route('/application_settings/integrations', defaultsRoutes(instanceScope));
  admin.route('/application_settings/network', adminNetworkRoutes());
  admin.route('/personal_access_tokens', adminTokenRoutes());
  admin.route('/audit_events', adminAuditRoutes());
  admin.route('/code_hosts', adminCodeHostEventRoutes());
  admin.route('/code_hosts', adminCodeHostRoutes());
  return admin;
}
