/**
 * @module routes/api/integrations
 * GitLab's integrations API, written once and mounted for projects (`/projects/:id/integrations`),
 * groups (`/groups/:id/integrations`) and, beyond GitLab, the instance's defaults
 * (`/admin/application_settings/integrations`). Reads and writes go through the same service
 * as the web pages, so validation, enforcement and audit events are the same.
 */
import { Hono } from 'hono';
import type { Ability } from '../../auth/permissions.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { storeOf, typeOfUrl } from '../../http/subjects.js';
import type { IntegrationType } from '../../integrations/types.js';
import { outboundPolicy } from '../../model/network-settings.js';
import { blockedUrlErrors } from '../../settings/outbound.js';
import type { FieldErrors } from '../../validation.js';
import {
  commitSettingsChange,
  integrationStates,
  prepareSettingsChange,
  resetSettings,
  type IntegrationState,
  type SettingsLevel,
} from '../../settings/service.js';
import { groupOwner, INSTANCE_OWNER, projectOwner, settingsChain } from '../../settings/owners.js';
import { notFound } from './errors.js';
import { integrationEntity } from './entities.js';
import { parameterName, readParams, settingsFormOf } from './params.js';
import { apiAdmin, apiGroup, apiProject } from './subjects.js';

/** Loads the level an API URL is about, checking that the token's user may do `ability` there. */
export type LevelLoader = (c: AppContext, ability: Ability) => Promise<SettingsLevel>;

export const projectLevel: LevelLoader = async (c, ability) => {
  const { project, lineage } = await apiProject(c, ability);
  const owner = projectOwner(project, lineage);
  return { level: 'project', owner, chain: settingsChain(owner, lineage) };
};

export const groupLevel: LevelLoader = async (c, ability) => {
  const { group, lineage } = await apiGroup(c, ability);
  const owner = groupOwner(group, lineage);
  return { level: 'group', owner, chain: settingsChain(owner, lineage) };
};

export const instanceLevel: LevelLoader = async (c) => {
  await apiAdmin(c);
  return { level: 'instance', owner: INSTANCE_OWNER, chain: [INSTANCE_OWNER] };
};

async function present(c: AppContext, at: SettingsLevel, type: IntegrationType) {
  const store = storeOf(c);
  const [state] = await integrationStates(store, at, type);
  if (state!.effective.state === 'not_configured') throw notFound('Integration');
  return integrationEntity(state!, (await store.ownRowTimes(at.owner)).get(type.slug), true);
}

export function integrationApi(load: LevelLoader): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  /** Like GitLab, the active integrations only. */
  routes.get('/', async (c) => {
    const at = await load(c, 'read');
    const store = storeOf(c);
    const times = await store.ownRowTimes(at.owner);
    const states = (await integrationStates(store, at)).filter((state) => state.effective.active);
    return c.json(states.map((state) => integrationEntity(state, times.get(state.type.slug), false)));
  });

  routes.get('/:slug', async (c) => {
    const at = await load(c, 'read');
    return c.json(await present(c, at, typeOfUrl(c, at, notFound('Integration'))));
  });

  /**
   * As in GitLab, the last write wins: the change is prepared against the settings as they are
   * when it is written, so a save that landed during this one's URL check is overwritten rather
   * than refused as a conflict.
   */
  routes.put('/:slug', async (c) => {
    const at = await load(c, 'manage_settings');
    const type = typeOfUrl(c, at, notFound('Integration'));
    const store = storeOf(c);
    const params = await readParams(c);
    const prepareNow = async () => {
      const [state] = await integrationStates(store, at, type);
      const form = settingsFormOf(type, params, {
        level: at.level,
        version: state!.own?.version ?? 0,
        enforced: new Set(Object.keys(state!.effective.enforced)),
      });
      return { state: state!, form, prepared: await prepareSettingsChange(store, at, type, form) };
    };
    const invalid = (state: IntegrationState, errors: FieldErrors) => {
      const onlyEnforced = Object.keys(errors).every((key) => key in state.effective.enforced);
      const message = Object.fromEntries(Object.entries(errors).map(([key, text]) => [parameterName(key), [text]]));
      return c.json({ message }, onlyEnforced ? 422 : 400);
    };
    const checked = await prepareNow();
    if (!checked.prepared.ok) return invalid(checked.state, checked.prepared.errors);
    const blocked =
      checked.prepared.change.choice === 'custom'
        ? await blockedUrlErrors(type, checked.form, await outboundPolicy(c.var.db), c.var.deps.outbound)
        : {};
    if (Object.keys(blocked).length > 0) {
      return c.json(
        { message: Object.fromEntries(Object.entries(blocked).map(([key, text]) => [parameterName(key), [text]])) },
        400,
      );
    }
    const latest = await prepareNow();
    if (!latest.prepared.ok) return invalid(latest.state, latest.prepared.errors);
    await commitSettingsChange(store, at, type, latest.prepared.change, c.var.user!);
    return c.json(await present(c, at, type));
  });

  /** GitLab's "Disable an integration": the level's own settings go; it inherits (or has none) from then on. */
  routes.delete('/:slug', async (c) => {
    const at = await load(c, 'manage_settings');
    await resetSettings(storeOf(c), at.owner, typeOfUrl(c, at, notFound('Integration')), c.var.user!);
    return c.body(null, 204);
  });

  return routes;
}
