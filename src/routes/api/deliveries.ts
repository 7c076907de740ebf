/**
 * @module routes/api/deliveries
 * Cascade's own: an integration's Recent deliveries in the API, at each level
 * (`/projects/:id/integrations/:slug/deliveries`, the group's and the instance's), newest first
 * with keyset pagination (`id_before`, a `Link` to the next page), one delivery with its
 * attempts, and Resend. Redacted as on the pages: the same rows, the same module.
 */
import { Hono } from 'hono';
import type { Ability } from '../../auth/permissions.js';
import {
  DELIVERY_STATES,
  findDelivery,
  listDeliveries,
  resendDelivery,
  type DeliveryDetail,
  type DeliveryScope,
  type DeliveryState,
  type DeliverySummary,
} from '../../delivery/log.js';
import { messageBuilderFor } from '../../delivery/messages/index.js';
import { BadRequest } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { typeOfUrl } from '../../http/subjects.js';
import type { IntegrationType } from '../../integrations/types.js';
import type { Level } from '../../settings/resolve.js';
import { notFound } from './errors.js';
import { idParam, pageRequest, readParams, setKeysetLinkHeader, type ApiParams } from './params.js';
import { apiAdmin, apiGroup, apiProject } from './subjects.js';

/** Loads the level of the URL and whose deliveries it sees, checking the token's user may do `ability`. */
export type DeliveryLevelLoader = (
  c: AppContext,
  ability: Ability,
) => Promise<{ level: Level; deliveries: DeliveryScope }>;

export const projectDeliveries: DeliveryLevelLoader = async (c, ability) => {
  const { project } = await apiProject(c, ability);
  return { level: 'project', deliveries: { level: 'project', projectId: project.id } };
};

export const groupDeliveries: DeliveryLevelLoader = async (c, ability) => {
  const { group } = await apiGroup(c, ability);
  return { level: 'group', deliveries: { level: 'group', traversalIds: group.traversalIds } };
};

export const instanceDeliveries: DeliveryLevelLoader = async (c) => {
  await apiAdmin(c);
  return { level: 'instance', deliveries: { level: 'instance' } };
};

const iso = (moment: Date | null) => (moment ? moment.toISOString() : null);

function summaryEntity(delivery: DeliverySummary) {
  return {
    id: delivery.id,
    project_id: delivery.projectId,
    project_path: delivery.projectPath,
    event: delivery.kind,
    state: delivery.state,
    attempts: delivery.attempts,
    last_status: delivery.lastStatus,
    request: delivery.target,
    resent_from_id: delivery.resentFromId,
    created_at: iso(delivery.createdAt),
    finished_at: iso(delivery.finishedAt),
  };
}

function detailEntity(delivery: DeliveryDetail) {
  return {
    ...summaryEntity(delivery),
    host_event: delivery.hostEvent,
    next_attempt_at: delivery.state === 'pending' ? iso(delivery.nextAttemptAt) : null,
    settings_level: delivery.settingsLevel,
    settings_owner_id: delivery.settingsOwnerId,
    used: delivery.used,
    attempt_log: delivery.attemptLog.map((attempt) => ({
      attempted_at: iso(attempt.attemptedAt),
      status: attempt.status,
      failure: attempt.failure,
      message: attempt.message,
      duration_ms: attempt.durationMs,
      response_excerpt: attempt.responseExcerpt,
    })),
  };
}

/** The type of the URL's slug, if it delivers anything: "404 Integration Not Found" otherwise. */
function deliveringType(c: AppContext, level: Level): IntegrationType {
  const type = typeOfUrl(c, { level }, notFound('Integration'));
  if (!messageBuilderFor(type.slug)) throw notFound('Integration');
  return type;
}

function stateParam(params: ApiParams): DeliveryState | undefined {
  const raw = params.state;
  if (raw === undefined || raw === '') return undefined;
  if (!DELIVERY_STATES.includes(raw as DeliveryState)) throw new BadRequest('state does not have a valid value');
  return raw as DeliveryState;
}

const deliveryId = (c: AppContext) => Number(c.req.param('delivery_id'));

export function deliveryApi(load: DeliveryLevelLoader): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  /** `project_id` (instance and groups), `state`, `event`, `per_page`, `id_before`. */
  routes.get('/:slug/deliveries', async (c) => {
    const at = await load(c, 'read');
    const type = deliveringType(c, at.level);
    const params = await readParams(c);
    const { perPage } = pageRequest(params);
    const event = params.event;
    if (event !== undefined && typeof event !== 'string') throw new BadRequest('event is invalid');
    const page = await listDeliveries(c.var.db, {
      scope: at.deliveries,
      integration: type.slug,
      viewer: c.var.user!,
      projectId: at.level === 'project' ? undefined : idParam(params, 'project_id'),
      state: stateParam(params),
      kind: event || undefined,
      before: idParam(params, 'id_before'),
      limit: perPage,
    });
    const origin = c.var.deps.config.publicOrigin;
    setKeysetLinkHeader(c, origin, page.next === null ? null : { lastId: page.next, sort: 'desc' });
    return c.json(page.events.map(summaryEntity));
  });

  routes.get('/:slug/deliveries/:delivery_id{[0-9]+}', async (c) => {
    const at = await load(c, 'read');
    const type = deliveringType(c, at.level);
    const delivery = await findDelivery(c.var.db, at.deliveries, c.var.user!, type.slug, deliveryId(c));
    if (!delivery) throw notFound('Delivery');
    return c.json(detailEntity(delivery));
  });

  /** The new delivery (201), due now; 409 while the original is still being sent. */
  routes.post('/:slug/deliveries/:delivery_id{[0-9]+}/resend', async (c) => {
    const at = await load(c, 'manage_settings');
    const type = deliveringType(c, at.level);
    const delivery = await findDelivery(c.var.db, at.deliveries, c.var.user!, type.slug, deliveryId(c));
    if (!delivery) throw notFound('Delivery');
    const resent = await resendDelivery(c.var.db, delivery, c.var.user!);
    return c.json(detailEntity((await findDelivery(c.var.db, at.deliveries, c.var.user!, type.slug, resent))!), 201);
  });

  return routes;
}
