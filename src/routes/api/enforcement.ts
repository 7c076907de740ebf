/**
 * @module routes/api/enforcement
 * Beyond GitLab, in its style: enforcing an instance or group integration's values on every
 * level below, lifting the enforcement, and pushing values down. The same functions as the
 * "Enforce and push" page, so the audit events are the same. GET is the impact preview.
 *
 * - `GET    …/integrations/:slug/enforcement?keys[]=channel`: what is enforced, and how many
 *   descendants override the given keys (or the enforced ones)
 * - `PUT    …/integrations/:slug/enforcement` with `keys` (`*` for all) and `reason`
 * - `DELETE …/integrations/:slug/enforcement`: lift it (204)
 * - `POST   …/integrations/:slug/push` with `keys`: clear the descendants' own values for them
 */
import { Hono } from 'hono';
import { BadRequest } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import type { IntegrationType } from '../../integrations/types.js';
import {
  countByLevel,
  MAX_REASON_LENGTH,
  overriders,
  parseChosenKeys,
  pushToDescendants,
  setEnforcement,
} from '../../settings/enforcement.js';
import type { SettingsLevel } from '../../settings/service.js';
import { notFound } from './errors.js';
import { type LevelLoader } from './integrations.js';
import { storeOf, typeOfUrl } from '../../http/subjects.js';
import { listParam, readParams, type ApiParams } from './params.js';

/** The level's own settings: enforcing and pushing act on them, so there must be some. */
async function ownSettings(c: AppContext, at: SettingsLevel, type: IntegrationType) {
  const own = await storeOf(c).findOwn(at.owner, type.slug);
  if (!own) throw notFound('Integration');
  return own;
}

/** `keys`, validated against the type; a 400 in GitLab's validation shape otherwise. */
function chosenKeys(c: AppContext, at: SettingsLevel, type: IntegrationType, params: ApiParams) {
  const chosen = parseChosenKeys(type, at.level, listParam(params, 'keys'));
  return chosen.ok ? chosen : { ok: false as const, response: c.json({ message: { keys: [chosen.error] } }, 400) };
}

const overriding = async (c: AppContext, at: SettingsLevel, type: IntegrationType, keys: readonly string[]) => {
  const count = countByLevel(await overriders(storeOf(c), at.owner, type, keys));
  return { projects: count.projects, groups: count.groups };
};

/** Mounted on the instance and group integrations APIs only: projects have nothing below them. */
export function enforcementApi(load: LevelLoader): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/:slug/enforcement', async (c) => {
    const at = await load(c, 'read');
    const type = typeOfUrl(c, at, notFound('Integration'));
    const own = await ownSettings(c, at, type);
    const asked = listParam(await readParams(c), 'keys');
    const keys = asked.length > 0 ? asked : (own.enforced?.keys ?? []);
    const chosen = keys.length > 0 ? parseChosenKeys(type, at.level, keys) : { ok: true as const, keys: [] };
    if (!chosen.ok) return c.json({ message: { keys: [chosen.error] } }, 400);
    return c.json({
      enforced: own.enforced ? { keys: own.enforced.keys, reason: own.enforced.reason } : null,
      overriding_descendants:
        chosen.keys.length > 0 ? await overriding(c, at, type, chosen.keys) : { projects: 0, groups: 0 },
    });
  });

  // As in GitLab, the last write wins: the enforcement applies to the row as it is when written.
  routes.put('/:slug/enforcement', async (c) => {
    const at = await load(c, 'enforce_settings');
    const type = typeOfUrl(c, at, notFound('Integration'));
    const params = await readParams(c);
    await ownSettings(c, at, type);
    const chosen = chosenKeys(c, at, type, params);
    if (!chosen.ok) return chosen.response;
    const reason = params.reason ?? '';
    if (typeof reason !== 'string') throw new BadRequest('reason is invalid');
    if (reason.trim().length > MAX_REASON_LENGTH)
      return c.json({ message: { reason: [`is too long (maximum is ${MAX_REASON_LENGTH} characters)`] } }, 400);
    const saved = await setEnforcement(
      storeOf(c),
      at.owner,
      type,
      { keys: chosen.keys, reason: reason.trim() },
      undefined,
      c.var.user!,
    );
    return c.json({ enforced: saved.enforced, overriding_descendants: await overriding(c, at, type, chosen.keys) });
  });

  routes.delete('/:slug/enforcement', async (c) => {
    const at = await load(c, 'enforce_settings');
    const type = typeOfUrl(c, at, notFound('Integration'));
    const own = await ownSettings(c, at, type);
    if (!own.enforced) throw notFound('Enforcement');
    await setEnforcement(storeOf(c), at.owner, type, null, undefined, c.var.user!);
    return c.body(null, 204);
  });

  routes.post('/:slug/push', async (c) => {
    const at = await load(c, 'manage_settings');
    const type = typeOfUrl(c, at, notFound('Integration'));
    await ownSettings(c, at, type);
    const chosen = chosenKeys(c, at, type, await readParams(c));
    if (!chosen.ok) return chosen.response;
    const changed = await pushToDescendants(storeOf(c), at.owner, type, chosen.keys, c.var.user!);
    return c.json({ changed_descendants: changed });
  });

  return routes;
}
