/**
 * @module routes/integrations/health
 * The health of a level's integrations as its pages show it, and "Re-enable" (POST
 * `<integration>/reenable`), mounted at each level next to the integration routes.
 */
import { Hono } from 'hono';
import { healthAlong, healthKey, reenable, type HealthStatus } from '../../delivery/health.js';
import { targetOwner } from '../../delivery/planner.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { redirectWithFlash } from '../../http/flash.js';
import { readForm } from '../../http/forms.js';
import { INTEGRATION_HEALTH_URL, integrationUrl } from '../../http/paths.js';
import { typeOfUrl } from '../../http/subjects.js';
import { lastValue } from '../../form-values.js';
import type { IntegrationState } from '../../settings/service.js';
import type { IntegrationScope, ScopeLoader } from './scope.js';

/**
 * The health of each integration of `states` that is failing, by slug: that of the level whose
 * settings supply its target (the scope's own, or one it inherits from).
 */
export async function healthOfStates(
  c: AppContext,
  scope: IntegrationScope,
  states: readonly IntegrationState[],
): Promise<Map<string, HealthStatus>> {
  const along = await healthAlong(c.var.db, scope.chain, new Date());
  const found = new Map<string, HealthStatus>();
  for (const { type, effective } of states) {
    if (effective.state === 'not_configured') continue;
    const health = along.get(healthKey(targetOwner(type, effective, scope.owner), type.slug));
    if (health) found.set(type.slug, health);
  }
  return found;
}

export function healthRoutes(loadScope: ScopeLoader): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.post('/:slug/reenable', async (c) => {
    const scope = await loadScope(c, 'manage_settings');
    const type = typeOfUrl(c, scope);
    const form = await readForm(c);
    const user = c.var.user!;
    const back =
      lastValue(form.back) === 'health' && user.isAdmin
        ? INTEGRATION_HEALTH_URL
        : integrationUrl(scope.baseUrl, type.slug);
    const reenabled = await reenable(c.var.db, scope.owner, type.slug, user, new Date());
    return reenabled
      ? redirectWithFlash(c, back, `${type.title} was re-enabled: its waiting notifications are sent now.`)
      : redirectWithFlash(c, back, `${type.title} is not paused or disabled.`, 'alert');
  });

  return routes;
}
