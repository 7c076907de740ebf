/**
 * @module routes/admin/integration-health
 * GET /admin/integration_health: Admin Area › Integration health, for administrators only.
 */
import { Hono } from 'hono';
import { healthReport } from '../../delivery/health.js';
import type { AppEnv } from '../../http/context.js';
import { requireAdmin } from '../../http/subjects.js';
import { AdminNav } from '../../../views/components/nav.js';
import { IntegrationHealthPage } from '../../../views/pages/admin/integration-health.js';

export function adminIntegrationHealthRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/', async (c) => {
    await requireAdmin(c);
    const report = await healthReport(c.var.db, new Date());
    return c.render(<IntegrationHealthPage report={report} />, {
      title: 'Integration health',
      breadcrumbs: [{ label: 'Admin Area', href: '/admin' }, { label: 'Integration health' }],
      nav: <AdminNav current={c.req.path} />,
    });
  });
  return routes;
}
