/**
 * @module routes/integrations
 * Settings › Integrations, written once and mounted at the instance (Admin Area), group and
 * project levels: the list, one type's page, the htmx fragment for the inheritance dropdown,
 * and saving (with a confirmation of the impact for levels that have descendants).
 */
import { Hono } from 'hono';
import { BadRequest, Conflict, NotFound } from '../../errors.js';
import { openConfirmation, sealConfirmation } from '../../http/confirmation.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { redirectWithFlash } from '../../http/flash.js';
import { isConfirmed, readForm } from '../../http/forms.js';
import { lastValue } from '../../form-values.js';
import { integrationUrl } from '../../http/paths.js';
import { storeOf, typeOfUrl } from '../../http/subjects.js';
import type { IntegrationType } from '../../integrations/types.js';
import type { FieldErrors } from '../../validation.js';
import { saveSettings } from '../../settings/save.js';
import {
  inheritedSettings,
  integrationStates,
  resetSettings,
  type CommitOutcome,
  type IntegrationState,
} from '../../settings/service.js';
import type { SettingsMode } from '../../settings/submission.js';
import {
  customDescendants,
  differingValues,
  listOverrides,
  overrideCounts,
  parseOverrideTarget,
  switchToDefaults,
} from '../../settings/overrides.js';
import { customDescendantCount, settingsUsage, settingsUsages } from '../../settings/usage.js';
import {
  countByLevel,
  describeKeys,
  MAX_REASON_LENGTH,
  overriders,
  parseChosenKeys,
  pushToDescendants,
  setEnforcement,
} from '../../settings/enforcement.js';
import type { Enforcement } from '../../settings/resolve.js';
import { settingsForTest, SETTINGS_TEST_LIMIT, testSettings } from '../../settings/outbound.js';
import { outboundPolicy } from '../../model/network-settings.js';
import { HealthAlert } from '../../../views/components/integration-health.js';
import { TestResult, type TestOutcome } from '../../../views/components/test-result.js';
import { ConfirmPage } from '../../../views/pages/confirm.js';
import {
  describeCount,
  EnforcementPage,
  overrideSentence,
  ENFORCEMENT_KEEPS_VALUES,
  PUSH_CLEARS_VALUES,
  type EnforcementPageProps,
} from '../../../views/pages/integrations/enforcement.js';
import { describeValue, OverridesPage } from '../../../views/pages/integrations/overrides.js';
import { IntegrationsListPage } from '../../../views/pages/integrations/list.js';
import {
  ConfirmSavePage,
  impactSentence,
  IntegrationPage,
  resetWarning,
  SettingsSection,
  type Inheritance,
} from '../../../views/pages/integrations/edit.js';
import { settingsSubmissionOfForm, submittedSettingsOf, type SubmittedSettings } from './form.js';
import { healthOfStates } from './health.js';
import type { IntegrationScope, ScopeLoader } from './scope.js';

const OVERRIDES_PER_PAGE = 20;

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** What a save says: what changed, and whether the integration is active now (Enabled may be inherited). */
function savedMessage(type: IntegrationType, mode: SettingsMode, outcome: CommitOutcome, active: boolean): string {
  const state = active ? 'active' : 'not active';
  if (outcome === 'unchanged')
    return mode === 'inherit'
      ? `No changes to save: ${type.title} already uses the default settings.`
      : `No changes to save: ${type.title} settings are ${state}.`;
  return mode === 'inherit'
    ? `${type.title} now uses the default settings.`
    : `${type.title} settings saved${active ? ' and active' : ', but not active'}.`;
}

/** The dropdown's choice: what the form shows unless the user picked otherwise. */
function currentInheritance(scope: IntegrationScope, state: IntegrationState): Inheritance {
  return scope.level === 'instance' || state.own || !state.effective.inheritsFrom ? 'custom' : 'inherit';
}

interface RenderOptions {
  /** Shown instead of the stored settings, with the dropdown's choice. */
  submitted?: SubmittedSettings;
  errors?: FieldErrors;
  conflict?: string;
  testResult?: TestOutcome;
}

/**
 * The values shown as taken from above in custom settings: those submitted so, or else those
 * the level's own settings leave out. None where there is nothing above to take them from.
 */
function inheritedKeysOf(
  scope: IntegrationScope,
  state: IntegrationState,
  submitted?: SubmittedSettings,
): Set<string> | undefined {
  if (scope.level === 'instance' || !state.effective.inheritsFrom) return undefined;
  if (submitted) return new Set(submitted.inherited);
  if (!state.own) return new Set();
  const ownKeys = new Set([
    ...Object.keys(state.own.fields),
    ...Object.keys(state.own.events),
    ...(state.own.active === undefined ? [] : ['active']),
  ]);
  return new Set(Object.keys(state.effective.source).filter((key) => !ownKeys.has(key)));
}

async function renderIntegration(
  c: AppContext,
  scope: IntegrationScope,
  type: IntegrationType,
  options: RenderOptions = {},
) {
  const [state] = await integrationStates(storeOf(c), scope, type);
  const { effective, own } = state!;
  const inheritance = options.submitted?.mode ?? currentInheritance(scope, state!);
  const usage = scope.level === 'project' ? undefined : await settingsUsage(c.var.db, scope.owner, type.slug);
  const health = (await healthOfStates(c, scope, [state!])).get(type.slug);
  return c.render(
    <IntegrationPage
      type={type}
      level={scope.level}
      baseUrl={scope.baseUrl}
      current={effective}
      effective={inheritance === 'inherit' ? inheritedSettings(scope, state!) : effective}
      inheritance={inheritance}
      inheritsFrom={effective.inheritsFrom}
      hasOwnSettings={own !== undefined}
      canManage={scope.canManage}
      self={scope.owner}
      canSeeInstance={c.var.user?.isAdmin === true}
      inheritedKeys={inheritedKeysOf(scope, state!, options.submitted)}
      version={own?.version ?? 0}
      usage={usage}
      submitted={options.submitted?.values}
      errors={options.errors ?? {}}
      conflict={options.conflict}
      testResult={options.testResult}
      health={
        health && <HealthAlert health={health} slug={type.slug} self={scope.owner} canReenable={scope.canManage} />
      }
    />,
    { title: type.title, breadcrumbs: [...scope.crumbs, { label: type.title }], nav: scope.nav },
  );
}

async function renderEnforcement(
  c: AppContext,
  scope: IntegrationScope,
  type: IntegrationType,
  options: Pick<EnforcementPageProps, 'errors' | 'submitted'> = {},
) {
  const [state] = await integrationStates(storeOf(c), scope, type);
  const own = state!.own;
  return c.render(
    <EnforcementPage
      type={type}
      level={scope.level}
      baseUrl={scope.baseUrl}
      hasOwnSettings={own !== undefined}
      enforcement={own?.enforced}
      current={state!.effective}
      version={own?.version ?? 0}
      canEnforce={scope.canEnforce}
      canManage={scope.canManage}
      customCount={await customDescendantCount(c.var.db, scope.owner, type.slug)}
      {...options}
    />,
    {
      title: `${type.title}: enforce and push`,
      breadcrumbs: [
        ...scope.crumbs,
        { label: type.title, href: integrationUrl(scope.baseUrl, type.slug) },
        { label: 'Enforce and push' },
      ],
      nav: scope.nav,
    },
  );
}

export function integrationRoutes(loadScope: ScopeLoader): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', async (c) => {
    const scope = await loadScope(c, 'read');
    const states = await integrationStates(storeOf(c), scope);
    const usages =
      scope.level === 'project'
        ? undefined
        : await settingsUsages(
            c.var.db,
            scope.owner,
            states.map((state) => state.type.slug),
          );
    const health = await healthOfStates(c, scope, states);
    const items = states.map((state) => ({
      ...state,
      usage: usages?.get(state.type.slug),
      health: health.get(state.type.slug),
    }));
    return c.render(
      <IntegrationsListPage
        level={scope.level}
        baseUrl={scope.baseUrl}
        self={scope.owner}
        items={items}
        canManage={scope.canManage}
      />,
      {
        title: 'Integrations',
        breadcrumbs: scope.crumbs,
        nav: scope.nav,
      },
    );
  });

  routes.get('/:slug', async (c) => {
    const scope = await loadScope(c, 'read');
    return renderIntegration(c, scope, typeOfUrl(c, scope));
  });

  /** The htmx fragment: the fields for the option chosen in the dropdown, without saving. */
  routes.get('/:slug/fields', async (c) => {
    const scope = await loadScope(c, 'read');
    const type = typeOfUrl(c, scope);
    const [state] = await integrationStates(storeOf(c), scope, type);
    const { effective, own } = state!;
    const inheritance: Inheritance =
      c.req.query('inheritance') === 'inherit' && effective.inheritsFrom ? 'inherit' : 'custom';
    return c.html(
      <SettingsSection
        type={type}
        level={scope.level}
        effective={inheritance === 'inherit' ? inheritedSettings(scope, state!) : effective}
        inheritance={inheritance}
        inheritsFrom={effective.inheritsFrom}
        hasOwnSettings={own !== undefined}
        canManage={scope.canManage}
        self={scope.owner}
        canSeeInstance={c.var.user?.isAdmin === true}
        inheritedKeys={inheritedKeysOf(scope, state!)}
      />,
    );
  });

  routes.post('/:slug', async (c) => {
    const scope = await loadScope(c, 'manage_settings');
    const type = typeOfUrl(c, scope);
    const user = c.var.user!;
    const { secretKeyBase } = c.var.deps;
    const confirmationFor = `${user.id}/${scope.baseUrl}/${type.slug}`;

    const form = await readForm(c);
    const sealed = lastValue(form._sealed);
    if (!sealed && lastValue(form._action) === 'update_form')
      return renderIntegration(c, scope, type, { submitted: submittedSettingsOf(form) });
    const read = sealed
      ? { ok: true as const, value: openConfirmation(secretKeyBase, confirmationFor, sealed) }
      : settingsSubmissionOfForm(form, scope.level);
    if (!read.ok) {
      c.status(422);
      return renderIntegration(c, scope, type, { submitted: submittedSettingsOf(form), errors: read.errors });
    }

    const submission = read.value;
    const deps = { store: storeOf(c), outbound: c.var.deps.outbound };
    const confirmed = sealed !== undefined || isConfirmed(form);
    const result = await saveSettings(deps, scope, type, submission, user, { confirmed });
    switch (result.kind) {
      case 'refused':
        c.status(422);
        return renderIntegration(c, scope, type, { submitted: submission, errors: result.errors });
      case 'needs_confirmation':
        return c.render(
          <ConfirmSavePage
            type={type}
            baseUrl={scope.baseUrl}
            usage={result.usage}
            sealed={sealConfirmation(secretKeyBase, confirmationFor, submission)}
          />,
          {
            title: `Save ${type.title}?`,
            breadcrumbs: [
              ...scope.crumbs,
              { label: type.title, href: integrationUrl(scope.baseUrl, type.slug) },
              { label: 'Confirm' },
            ],
            nav: scope.nav,
          },
        );
      case 'conflict':
        c.status(409);
        return renderIntegration(c, scope, type, { conflict: result.message });
      case 'saved':
        return redirectWithFlash(
          c,
          integrationUrl(scope.baseUrl, type.slug),
          savedMessage(type, submission.mode, result.outcome, result.effective.active),
        );
    }
  });

  /**
   * "Test settings": sends the type's test request with the form's values, unsaved. With htmx
   * the result fragment answers; without, the page with the result below the form.
   */
  routes.post('/:slug/test', async (c) => {
    const scope = await loadScope(c, 'manage_settings');
    const type = typeOfUrl(c, scope);
    if (!type.testRequest) throw new NotFound(`${type.title} cannot be tested.`);
    const form = await readForm(c);
    const show = async (status: 200 | 422 | 429, outcome: TestOutcome) => {
      c.status(status);
      if (c.req.header('hx-request') === 'true') return c.html(<TestResult outcome={outcome} />);
      const submitted = submittedSettingsOf(form);
      // On the page, invalid values are shown next to their fields and in the summary on top.
      if (outcome.kind === 'invalid')
        return await renderIntegration(c, scope, type, { submitted, errors: outcome.errors });
      return renderIntegration(c, scope, type, { submitted, testResult: outcome });
    };

    // Every test sent counts, whatever its result.
    const attempt = await c.var.deps.settingsTestThrottle!.reserve([
      { key: `settings-test:${c.var.user!.id}`, limit: SETTINGS_TEST_LIMIT },
    ]);
    if (!attempt.allowed) {
      const retryAfterSeconds = Math.ceil(attempt.retryAfterMs / 1000);
      c.header('retry-after', String(retryAfterSeconds));
      return show(429, { kind: 'rate_limited', retryAfterSeconds, perMinute: SETTINGS_TEST_LIMIT.maxFailures });
    }
    const submission = settingsSubmissionOfForm(form, scope.level);
    const values = submission.ok ? await settingsForTest(storeOf(c), scope, type, submission.value) : submission;
    if (!values.ok) {
      await attempt.cancel();
      return show(422, { kind: 'invalid', errors: values.errors });
    }
    const result = await testSettings(
      type,
      values.value,
      scope.owner,
      await outboundPolicy(c.var.db),
      c.var.deps.outbound,
    );
    return show(200, { kind: 'sent', result });
  });

  return routes;
}

/**
 * What only levels with descendants have (the instance and groups): the descendants that use
 * custom settings, switching them back, and Reset.
 */
export function defaultsRoutes(loadScope: ScopeLoader): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/:slug/overrides', async (c) => {
    const scope = await loadScope(c, 'read');
    const type = typeOfUrl(c, scope);
    const store = storeOf(c);
    const search = (c.req.query('search') ?? '').trim().slice(0, 255);
    const after = (c.req.query('after') ?? '').slice(0, 1000);
    const viewer = c.var.user!;
    const page = await listOverrides(c.var.db, scope.owner, type.slug, {
      search,
      after,
      limit: OVERRIDES_PER_PAGE,
      visibleTo: viewer,
    });
    const [state] = await integrationStates(store, scope, type);
    const owns = await store.findOwnOfEach(
      page.entries.map((entry) => entry.owner),
      type.slug,
    );
    const entries = page.entries.map(({ owner }, index) => {
      const own = owns[index];
      const differences = own ? differingValues(type, own, state!.effective) : [];
      return {
        owner,
        differences: differences.map((d) => ({
          label: d.label,
          value: d.secret
            ? null
            : describeValue(
                type.fields.find((f) => f.name === d.key),
                d.value,
              ),
        })),
      };
    });
    const counts = await overrideCounts(c.var.db, scope.owner, type.slug, viewer);
    return c.render(
      <OverridesPage
        type={type}
        baseUrl={scope.baseUrl}
        entries={entries}
        search={search}
        next={page.next}
        isFirstPage={after === ''}
        customCount={counts.total}
        hiddenCount={counts.hidden}
        canManage={scope.canManage}
      />,
      {
        title: `${type.title}: custom settings`,
        breadcrumbs: [
          ...scope.crumbs,
          { label: type.title, href: integrationUrl(scope.baseUrl, type.slug) },
          { label: 'Custom settings' },
        ],
        nav: scope.nav,
      },
    );
  });

  routes.post('/:slug/overrides/reset', async (c) => {
    const scope = await loadScope(c, 'manage_settings');
    const type = typeOfUrl(c, scope);
    const form = await readForm(c);
    const chosen = form.target ? [lastValue(form.target) ?? ''] : [form.targets ?? []].flat();
    const targets = chosen.map(parseOverrideTarget).filter((target) => target !== null);
    const listUrl = integrationUrl(scope.baseUrl, type.slug, 'overrides');
    if (targets.length === 0) return redirectWithFlash(c, listUrl, 'Select at least one project or group.', 'alert');
    const descendants = await customDescendants(c.var.db, scope.owner, type.slug, targets);
    if (descendants.length !== targets.length)
      throw new BadRequest(
        'Some of the selected projects or groups do not use custom settings here. Reload the page and try again.',
      );
    const projects = targets.filter((t) => t.kind === 'project').length;
    const groups = targets.length - projects;
    const what = [projects ? plural(projects, 'project') : '', groups ? plural(groups, 'group') : '']
      .filter(Boolean)
      .join(' and ');
    if (!isConfirmed(form)) {
      return c.render(
        <ConfirmPage
          title={`Switch ${what} back to the default settings?`}
          action={integrationUrl(scope.baseUrl, type.slug, 'overrides/reset')}
          hidden={{ targets: targets.map((t) => `${t.kind}:${t.id}`) }}
          confirmLabel={`Use default settings for ${what}`}
          cancelHref={listUrl}
        >
          <p>
            Their custom settings for {type.title} are deleted; from then on they use the default settings, and later
            changes to the default reach them at once.
          </p>
          <p>
            <strong>{`This changes ${what}.`}</strong>
          </p>
        </ConfirmPage>,
        {
          title: 'Confirm',
          breadcrumbs: [
            ...scope.crumbs,
            { label: type.title, href: integrationUrl(scope.baseUrl, type.slug) },
            { label: 'Confirm' },
          ],
          nav: scope.nav,
        },
      );
    }
    await switchToDefaults(storeOf(c), type, descendants, c.var.user!);
    return redirectWithFlash(
      c,
      listUrl,
      `${what[0]!.toUpperCase()}${what.slice(1)} now ${targets.length === 1 ? 'uses' : 'use'} the default settings.`,
    );
  });

  routes.get('/:slug/enforcement', async (c) => {
    const scope = await loadScope(c, 'read');
    return renderEnforcement(c, scope, typeOfUrl(c, scope));
  });

  routes.post('/:slug/enforcement', async (c) => {
    const scope = await loadScope(c, 'enforce_settings');
    const type = typeOfUrl(c, scope);
    const form = await readForm(c);
    const store = storeOf(c);
    const own = await store.findOwn(scope.owner, type.slug);
    if (!own) throw new BadRequest(`Save settings for ${type.title} here before enforcing them.`);
    const pageUrl = integrationUrl(scope.baseUrl, type.slug, 'enforcement');
    const version = Number(lastValue(form._version) ?? NaN);
    const lift = lastValue(form._action) === 'lift';
    const keys = [form.keys ?? []].flat();
    const reason = (lastValue(form.reason) ?? '').trim();

    let enforcement: Enforcement | null = null;
    if (!lift) {
      const errors: FieldErrors = {};
      const chosen = parseChosenKeys(type, scope.level, keys);
      if (!chosen.ok) errors.keys = chosen.error;
      if (reason.length > MAX_REASON_LENGTH)
        errors.reason = `Reason is too long (maximum is ${MAX_REASON_LENGTH} characters)`;
      if (!chosen.ok || errors.reason) {
        c.status(422);
        return renderEnforcement(c, scope, type, { errors, submitted: { keys, reason } });
      }
      enforcement = { keys: chosen.keys, reason };
    } else if (!own.enforced) {
      return redirectWithFlash(c, pageUrl, `Nothing is enforced for ${type.title}.`, 'alert');
    }

    if (!isConfirmed(form)) {
      const keysInQuestion = enforcement?.keys ?? own.enforced!.keys;
      const what = describeKeys(type, keysInQuestion);
      const overriding = countByLevel(await overriders(store, scope.owner, type, keysInQuestion));
      return c.render(
        <ConfirmPage
          title={lift ? `Lift the enforcement of ${type.title}?` : `Enforce ${what} of ${type.title}?`}
          action={pageUrl}
          hidden={{
            _version: String(version),
            _action: lift ? 'lift' : 'enforce',
            keys: [...(enforcement?.keys ?? [])],
            reason,
          }}
          confirmLabel={lift ? 'Lift enforcement' : 'Enforce'}
          cancelHref={pageUrl}
        >
          {lift ? (
            <p>
              Levels below may use their own values for {what} again. Those that kept values of their own use them again
              at once.
            </p>
          ) : (
            <p>{ENFORCEMENT_KEEPS_VALUES}</p>
          )}
          <p>
            <strong>{overrideSentence(overriding, what)}</strong>
          </p>
        </ConfirmPage>,
        {
          title: 'Confirm',
          breadcrumbs: [...scope.crumbs, { label: type.title, href: pageUrl }, { label: 'Confirm' }],
          nav: scope.nav,
        },
      );
    }
    try {
      await setEnforcement(store, scope.owner, type, enforcement, version, c.var.user!);
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
      return redirectWithFlash(c, pageUrl, error.message, 'alert');
    }
    return redirectWithFlash(
      c,
      pageUrl,
      lift
        ? `The enforcement of ${type.title} was lifted.`
        : `${type.title}: ${describeKeys(type, enforcement!.keys)} enforced on everything below.`,
    );
  });

  routes.post('/:slug/push', async (c) => {
    const scope = await loadScope(c, 'manage_settings');
    const type = typeOfUrl(c, scope);
    const form = await readForm(c);
    const store = storeOf(c);
    if (!(await store.findOwn(scope.owner, type.slug)))
      throw new BadRequest(`Save settings for ${type.title} here before pushing them.`);
    const pageUrl = integrationUrl(scope.baseUrl, type.slug, 'enforcement');
    const keys = [form.push_keys ?? []].flat();
    const chosen = parseChosenKeys(type, scope.level, keys);
    if (!chosen.ok) {
      c.status(422);
      return renderEnforcement(c, scope, type, { errors: { push_keys: chosen.error }, submitted: { pushKeys: keys } });
    }
    const what = describeKeys(type, chosen.keys);
    if (!isConfirmed(form)) {
      const affected = describeCount(countByLevel(await overriders(store, scope.owner, type, chosen.keys)));
      return c.render(
        <ConfirmPage
          title={`Push ${what} of ${type.title} to the levels below?`}
          action={integrationUrl(scope.baseUrl, type.slug, 'push')}
          hidden={{ push_keys: chosen.keys }}
          confirmLabel="Push to descendants"
          danger
          cancelHref={pageUrl}
        >
          <p>{PUSH_CLEARS_VALUES}</p>
          <p>
            <strong>{`This changes ${affected}.`}</strong>
          </p>
        </ConfirmPage>,
        {
          title: 'Confirm',
          breadcrumbs: [...scope.crumbs, { label: type.title, href: pageUrl }, { label: 'Confirm' }],
          nav: scope.nav,
        },
      );
    }
    const changed = await pushToDescendants(store, scope.owner, type, chosen.keys, c.var.user!);
    return redirectWithFlash(c, pageUrl, `Pushed ${what} of ${type.title}: ${describeCount(changed)} changed.`);
  });

  routes.post('/:slug/reset', async (c) => {
    const scope = await loadScope(c, 'manage_settings');
    const type = typeOfUrl(c, scope);
    const form = await readForm(c);
    const pageUrl = integrationUrl(scope.baseUrl, type.slug);
    if (!isConfirmed(form)) {
      const usage = await settingsUsage(c.var.db, scope.owner, type.slug);
      return c.render(
        <ConfirmPage
          title={`Reset ${type.title}?`}
          action={integrationUrl(scope.baseUrl, type.slug, 'reset')}
          hidden={{}}
          confirmLabel="Reset"
          danger
          cancelHref={pageUrl}
        >
          <p>{resetWarning(scope.level)}</p>
          <p>
            <strong>{impactSentence(usage, 'Resetting changes')}</strong>
          </p>
        </ConfirmPage>,
        {
          title: 'Confirm reset',
          breadcrumbs: [...scope.crumbs, { label: type.title, href: pageUrl }, { label: 'Reset' }],
          nav: scope.nav,
        },
      );
    }
    const removed = await resetSettings(storeOf(c), scope.owner, type, c.var.user!);
    return redirectWithFlash(
      c,
      pageUrl,
      removed ? `${type.title} was reset.` : `${type.title} had no settings to reset.`,
    );
  });

  return routes;
}
