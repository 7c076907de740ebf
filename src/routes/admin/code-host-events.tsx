/**
 * @module routes/admin/code-host-events
 * GET /admin/code_hosts/:id/events: a connection's Recent events, for administrators only.
 */
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { EVENT_OUTCOMES, listRecentEvents } from '../../code-hosts/recent-events.js';
import { codeHosts } from '../../db/schema.js';
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
    const id = Number(c.req.param('id'));
    const [connection] = Number.isSafeInteger(id)
      ? await c.var.db
          .select({ id: codeHosts.id, name: codeHosts.name })
          .from(codeHosts)
          .where(eq(codeHosts.id, id))
          .limit(1)
      : [];
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
