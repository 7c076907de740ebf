/**
 * @module routes/integrations/deliveries
 * Recent deliveries of an integration, at each level its settings pages are: the list (filtered
 * by project, state and event), one delivery, and Resend for those who may change the settings.
 * Deliveries leave the change stamp alone, so these pages are never kept (`no-store`).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { CONTENT_EVENT_KINDS } from '../../code-hosts/events.js';
import { findDelivery, listDeliveries, resendDelivery, DELIVERY_STATES } from '../../delivery/log.js';
import { messageBuilderFor } from '../../delivery/messages/index.js';
import { Conflict, NotFound } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { redirectWithFlash } from '../../http/flash.js';
import { deliveryUrl, integrationUrl } from '../../http/paths.js';
import { typeOfUrl } from '../../http/subjects.js';
import type { IntegrationType } from '../../integrations/types.js';
import { findProjectByFullPath } from '../../model/projects.js';
import { customDescendantCount } from '../../settings/usage.js';
import { DeliveriesPage, DeliveryPage } from '../../../views/pages/integrations/deliveries.js';
import type { IntegrationScope, ScopeLoader } from './scope.js';

const PER_PAGE = 20;

/** The query string; anything malformed is ignored rather than refused, as on Recent events. */
const filterSchema = z.object({
  project: z.string().trim().max(1000).catch(''),
  state: z.enum(['', ...DELIVERY_STATES]).catch(''),
  event: z.enum(['', ...CONTENT_EVENT_KINDS]).catch(''),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

/** The type of the URL, if it delivers anything (issue trackers do not). */
function deliveringType(c: AppContext, scope: IntegrationScope): IntegrationType {
  const type = typeOfUrl(c, scope);
  if (!messageBuilderFor(type.slug)) throw new NotFound(`${type.title} delivers no events.`);
  return type;
}

/** The project filter's id: the scope's own project, a path typed below a group or the instance, or none. */
async function projectFilterId(c: AppContext, scope: IntegrationScope, path: string): Promise<number | undefined> {
  if (scope.level === 'project' || path === '') return undefined;
  // A path that names no project matches no delivery, rather than all.
  return (await findProjectByFullPath(c.var.db, path))?.id ?? 0;
}

function crumbs(scope: IntegrationScope, type: IntegrationType, last?: string) {
  const list = { label: 'Recent deliveries', href: integrationUrl(scope.baseUrl, type.slug, 'deliveries') };
  return [
    ...scope.crumbs,
    { label: type.title, href: integrationUrl(scope.baseUrl, type.slug) },
    last ? list : { label: list.label },
    ...(last ? [{ label: last }] : []),
  ];
}

export function deliveryRoutes(loadScope: ScopeLoader): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/:slug/deliveries', async (c) => {
    const scope = await loadScope(c, 'read');
    const type = deliveringType(c, scope);
    const filter = filterSchema.parse(c.req.query());
    const page = await listDeliveries(c.var.db, {
      scope: scope.deliveries,
      integration: type.slug,
      viewer: c.var.user!,
      projectId: await projectFilterId(c, scope, filter.project),
      state: filter.state || undefined,
      kind: filter.event || undefined,
      before: filter.before,
      limit: PER_PAGE,
    });
    const customCount = scope.level === 'project' ? 0 : await customDescendantCount(c.var.db, scope.owner, type.slug);
    c.header('cache-control', 'no-store');
    const props = { type, level: scope.level, baseUrl: scope.baseUrl, page, filter, customCount };
    return c.render(<DeliveriesPage {...props} />, {
      title: `Recent deliveries · ${type.title}`,
      breadcrumbs: crumbs(scope, type),
      nav: scope.nav,
    });
  });

  routes.get('/:slug/deliveries/:id{[0-9]+}', async (c) => {
    const scope = await loadScope(c, 'read');
    const type = deliveringType(c, scope);
    const delivery = await findDelivery(c.var.db, scope.deliveries, c.var.user!, type.slug, Number(c.req.param('id')));
    if (!delivery) throw new NotFound('This delivery does not exist here, or it is no longer kept.');
    c.header('cache-control', 'no-store');
    return c.render(
      <DeliveryPage
        type={type}
        baseUrl={scope.baseUrl}
        delivery={delivery}
        canResend={scope.canManage}
        canSeeInstance={c.var.user!.isAdmin}
      />,
      {
        title: `Delivery #${delivery.id} · ${type.title}`,
        breadcrumbs: crumbs(scope, type, `#${delivery.id}`),
        nav: scope.nav,
      },
    );
  });

  /** Resend: a new delivery of the same request, due now; the page of the new one follows. */
  routes.post('/:slug/deliveries/:id{[0-9]+}/resend', async (c) => {
    const scope = await loadScope(c, 'manage_settings');
    const type = deliveringType(c, scope);
    const id = Number(c.req.param('id'));
    const delivery = await findDelivery(c.var.db, scope.deliveries, c.var.user!, type.slug, id);
    if (!delivery) throw new NotFound('This delivery does not exist here, or it is no longer kept.');
    try {
      const resent = await resendDelivery(c.var.db, delivery, c.var.user!);
      return redirectWithFlash(
        c,
        deliveryUrl(scope.baseUrl, type.slug, resent),
        `Delivery #${id} was queued again as #${resent}: it is sent in a moment.`,
      );
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
      return redirectWithFlash(c, deliveryUrl(scope.baseUrl, type.slug, id), error.message, 'alert');
    }
  });

  return routes;
}
