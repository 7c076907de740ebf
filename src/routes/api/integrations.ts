/**
 * @module routes/api/integrations
 * GitLab's integrations API, written once and mounted for projects (`/projects/:id/integrations`,
 * and GitLab's older `/projects/:id/services`), groups (`/groups/:id/integrations`) and, beyond
 * GitLab, the instance's defaults (`/admin/application_settings/integrations`). Reads and writes
 * go through the same service as the web pages, so validation, enforcement and audit events are
 * the same.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Ability } from '../../auth/permissions.js';
import { BadRequest, Conflict } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { storeOf, typeOfUrl } from '../../http/subjects.js';
import { findIntegrationType } from '../../integrations/index.js';
import type { IntegrationType } from '../../integrations/types.js';
import { saveSettings } from '../../settings/save.js';
import { disableSettings, integrationStates, type SettingsLevel } from '../../settings/service.js';
import type { SettingsSubmission } from '../../settings/submission.js';
import type { FieldErrors } from '../../validation.js';
import { groupOwner, INSTANCE_OWNER, projectSettingsLevel, settingsChain } from '../../settings/owners.js';
import { ApiRefusal, notFound } from './errors.js';
import { integrationEntity } from './entities.js';
import { parameterName, readParams, settingsSubmissionOfParams, type ApiParams } from './params.js';
import { apiAdmin, apiGroup, apiProject } from './subjects.js';

/** Loads the level an API URL is about, checking that the token's user may do `ability` there. */
export type LevelLoader = (c: AppContext, ability: Ability) => Promise<SettingsLevel>;

export const projectLevel: LevelLoader = async (c, ability) => {
  const { project, lineage } = await apiProject(c, ability);
  return projectSettingsLevel(project, lineage);
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

/** GitLab's routes are one per type for PUT: a slug that is no type reaches no route, and gets that 404. */
const noRoute = () => new HTTPException(404, { message: '404 Not Found' });
/** GET and DELETE take the slug as a parameter with a list of values, which grape checks: a 400. */
const invalidSlug = () => new BadRequest('slug does not have a valid value');

/**
 * The type a URL's slug names, answering as GitLab does when there is none: `unknownSlug` for
 * a slug that is no type, "400 Integration not available" for a type this level cannot have.
 */
function typeOfSlug(c: AppContext, at: SettingsLevel, unknownSlug: () => Error): IntegrationType {
  if (!findIntegrationType((c.req.param('slug') ?? '').replaceAll('_', '-'))) throw unknownSlug();
  return typeOfUrl(c, at, new ApiRefusal('400 Integration not available'));
}

async function present(c: AppContext, at: SettingsLevel, type: IntegrationType) {
  const store = storeOf(c);
  const [state] = await integrationStates(store, at, type);
  if (state!.effective.state === 'not_configured') throw notFound('Integration');
  const entity = integrationEntity(state!, true);
  // Beyond GitLab: the version a careful client sends back with its PUT (0: no own settings).
  return { ...entity, version: state!.own?.version ?? 0 };
}

/** The optional `version` of a PUT: the one its client read; without it the last write wins. */
function versionParam(params: ApiParams): number | undefined {
  const raw = params.version;
  if (raw === undefined) return undefined;
  const version = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
    throw new BadRequest('version is invalid');
  return version;
}

/**
 * A refused save as GitLab answers it: a required value nobody sends or sets is grape's
 * "webhook is missing"; nothing to inherit is the update service's "Default integration not
 * found."; other invalid values say why, per parameter (422 when all are enforced above).
 */
function refusalOf(
  c: AppContext,
  { errors, enforcedOnly }: { errors: FieldErrors; enforcedOnly: boolean },
  params: ApiParams,
  submission: SettingsSubmission,
): Response {
  if (errors.inheritance) throw new ApiRefusal('Default integration not found.');
  const missing = Object.keys(errors).filter((key) => !(key in params) && !submission.inherited.includes(key));
  if (missing.length > 0) throw new BadRequest(missing.map((key) => `${parameterName(key)} is missing`).join(', '));
  const message = Object.fromEntries(Object.entries(errors).map(([key, text]) => [parameterName(key), [text]]));
  return c.json({ message }, enforcedOnly ? 422 : 400);
}

export function integrationApi(load: LevelLoader): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  /** Like GitLab, the active integrations only. */
  routes.get('/', async (c) => {
    const at = await load(c, 'read');
    const states = (await integrationStates(storeOf(c), at)).filter((state) => state.effective.active);
    return c.json(states.map((state) => integrationEntity(state, false)));
  });

  routes.get('/:slug', async (c) => {
    const at = await load(c, 'read');
    return c.json(await present(c, at, typeOfSlug(c, at, invalidSlug)));
  });

  /**
   * As in GitLab, without a `version` the last write wins: a save that landed during this one's
   * URL check is built on rather than refused. With one, a save made after it is a 409. API
   * clients do not confirm.
   */
  routes.put('/:slug', async (c) => {
    const at = await load(c, 'manage_settings');
    const type = typeOfSlug(c, at, noRoute);
    const params = await readParams(c);
    const expectedVersion = versionParam(params);
    const submission = { ...settingsSubmissionOfParams(type, params, at.level), expectedVersion };
    const deps = { store: storeOf(c), outbound: c.var.deps.outbound };
    const result = await saveSettings(deps, at, type, submission, c.var.user!, { confirmed: true });
    switch (result.kind) {
      case 'refused':
        return refusalOf(c, result, params, submission);
      case 'conflict':
        // Answered as every conflict is (errors.ts).
        throw new Conflict(`The settings changed after version ${expectedVersion}; read them again and retry.`);
      case 'saved':
        return c.json(await present(c, at, type));
    }
  });

  /**
   * GitLab's "Disable an integration": the level keeps settings of its own that say "not
   * active" and nothing else, so it no longer inherits; 404 where no level has settings.
   */
  routes.delete('/:slug', async (c) => {
    const at = await load(c, 'manage_settings');
    const type = typeOfSlug(c, at, invalidSlug);
    const outcome = await disableSettings(storeOf(c), at, type, c.var.user!);
    if (outcome.kind === 'not_configured') throw notFound('Integration');
    if (outcome.kind === 'enforced') return c.json({ message: { active: [outcome.message] } }, 422);
    return c.body(null, 204);
  });

  return routes;
}
