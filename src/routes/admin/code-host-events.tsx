/**
 * @module routes/admin/code-host-events
 * GET /admin/code_hosts/:id/events: a connection's Recent events, for administrators only.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { EVENT_OUTCOMES, findConnectionName, listRecentEvents } from '../../code-hosts/recent-events.js';
import { NotFound } from '../../errors.js';
import type { AppEnv } from '../../http/context.js';
import { requireAdmin } from '../../http/subjects.js';
import { AdminNav } from '../../../views/components/nav.js';
import { CodeHostEventsPage } from '../../../views/pages/admin/code-host-events.js';

const PER_PAGE = 50;

/** The query string; anything malformed is ignored rather than refused, as on the audit trail. */
const querySchema = z.object({
  outcome: z.enum(['', ...EVENT_OUTCOMES]).catch(''),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

export function adminCodeHostEventRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/:id{[0-9]+}/events', async (c) => {
    await requireAdmin(c);
    const connection = await findConnectionName(c.var.db, Number(c.req.param('id')));
    if (!connection) throw new NotFound();
    const { outcome, before } = querySchema.parse({
      outcome: c.req.query('outcome') ?? '',
      before: c.req.query('before'),
    });
    const page = await listRecentEvents(c.var.db, {
      codeHostId: connection.id,
      outcome: outcome || undefined,
      before,
      limit: PER_PAGE,
    });
    // Events do not move the change stamp: this page is never kept, by the page cache or the browser.
    c.header('cache-control', 'no-store');
    return c.render(
      <CodeHostEventsPage connection={connection} page={page} outcome={outcome} isFirstPage={!before} />,
      {
        title: `Recent events · ${connection.name}`,
        breadcrumbs: [
          { label: 'Admin Area', href: '/admin' },
          { label: 'Code hosts', href: '/admin/code_hosts' },
          { label: connection.name },
          { label: 'Recent events' },
        ],
        nav: <AdminNav current={c.req.path} />,
      },
    );
  });
  return routes;
}
