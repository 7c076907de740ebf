/**
 * @module routes/api/integrations
 * GitLab's integrations API, written once and mounted for projects (`/projects/:id/integrations`),
 * groups (`/groups/:id/integrations`) and, beyond GitLab, the instance's defaults
 * (`/admin/application_settings/integrations`). Reads and writes go through the same service
 * as the web pages, so validation, enforcement and audit events are the same.
 */
import { Hono } from 'hono';
import type { Ability } from '../../auth/permissions.js';
import { Conflict } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { storeOf, typeOfUrl } from '../../http/subjects.js';
import type { IntegrationType } from '../../integrations/types.js';
import { saveSettings } from '../../settings/save.js';
import { integrationStates, resetSettings, type SettingsLevel } from '../../settings/service.js';
import { groupOwner, INSTANCE_OWNER, projectOwner, settingsChain } from '../../settings/owners.js';
import { notFound } from './errors.js';
import { integrationEntity } from './entities.js';
import { parameterName, readParams, settingsSubmissionOfParams } from './params.js';
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
   * As in GitLab, the last write wins: the submission has no version, so a save that landed
   * during this one's URL check is built on rather than refused as a conflict. API clients do
   * not confirm; a refusal of enforced values only is a 422, any other a 400.
   */
  routes.put('/:slug', async (c) => {
    const at = await load(c, 'manage_settings');
    const type = typeOfUrl(c, at, notFound('Integration'));
    const submission = settingsSubmissionOfParams(type, await readParams(c), at.level);
    const deps = { store: storeOf(c), outbound: c.var.deps.outbound };
    const result = await saveSettings(deps, at, type, submission, c.var.user!, { confirmed: true });
    switch (result.kind) {
      case 'refused': {
        const message = Object.fromEntries(
          Object.entries(result.errors).map(([key, text]) => [parameterName(key), [text]]),
        );
        return c.json({ message }, result.enforcedOnly ? 422 : 400);
      }
      case 'conflict':
        // Answered as every conflict is (errors.ts).
        throw new Conflict(result.message);
      case 'saved':
        return c.json(await present(c, at, type));
    }
  });

  /** GitLab's "Disable an integration": the level's own settings go; it inherits (or has none) from then on. */
  routes.delete('/:slug', async (c) => {
    const at = await load(c, 'manage_settings');
    await resetSettings(storeOf(c), at.owner, typeOfUrl(c, at, notFound('Integration')), c.var.user!);
    return c.body(null, 204);
  });

  return routes;
}
