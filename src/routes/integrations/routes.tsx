/**
 * @module routes/integrations
 * Settings › Integrations, written once and mounted at the instance (Admin Area), group and
 * project levels: the list, one type's page, the htmx fragment for the inheritance dropdown,
 * and saving (with a confirmation of the impact for levels that have descendants).
 */
import { Hono } from 'hono';
import { BadRequest, Conflict, NotFound } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { redirectWithFlash } from '../../http/flash.js';
import { lastValue, readForm, type FormInput } from '../../http/forms.js';
import type { IntegrationType } from '../../integrations/types.js';
import type { FieldErrors } from '../../model/validation.js';
import { deriveKey, seal, unseal } from '../../seal.js';
import { applySettingsForm, integrationStates, typeAtLevel, type IntegrationState } from '../../settings/service.js';
import { SettingsStore } from '../../settings/store.js';
import { settingsUsage } from '../../settings/usage.js';
import { IntegrationsListPage } from '../../../views/pages/integrations/list.js';
import { ConfirmSavePage, IntegrationPage, SettingsSection, type Inheritance } from '../../../views/pages/integrations/edit.js';
import type { IntegrationScope, ScopeLoader } from './scope.js';

/** How long a confirmation step stays valid. */
const CONFIRMATION_TTL_MS = 30 * 60 * 1000;

function storeOf(c: AppContext): SettingsStore {
  return new SettingsStore(c.var.db, c.var.deps.secretKeyBase);
}

function typeOfUrl(c: AppContext, scope: IntegrationScope): IntegrationType {
  const type = typeAtLevel(c.req.param('slug')!, scope.level);
  if (!type) throw new NotFound('This integration does not exist, or cannot be set up at this level.');
  return type;
}

/** The dropdown's choice: what the form shows unless the user picked otherwise. */
function currentInheritance(scope: IntegrationScope, state: IntegrationState): Inheritance {
  return scope.level === 'instance' || state.own || !state.effective.inheritsFrom ? 'custom' : 'inherit';
}

interface RenderOptions {
  inheritance?: Inheritance;
  submitted?: FormInput;
  errors?: FieldErrors;
  conflict?: string;
}

function renderIntegration(c: AppContext, scope: IntegrationScope, type: IntegrationType, options: RenderOptions = {}) {
  const [state] = integrationStates(storeOf(c), scope, type);
  const { effective, own } = state!;
  const usage = scope.level === 'project' ? undefined : settingsUsage(c.var.db, scope.owner, type.slug);
  return c.render(
    <IntegrationPage
      type={type}
      level={scope.level}
      baseUrl={scope.baseUrl}
      effective={effective}
      inheritance={options.inheritance ?? currentInheritance(scope, state!)}
      inheritsFrom={effective.inheritsFrom}
      hasOwnSettings={own !== undefined}
      canManage={scope.canManage}
      version={own?.version ?? 0}
      usage={usage}
      submitted={options.submitted}
      errors={options.errors ?? {}}
      conflict={options.conflict}
    />,
    { title: type.title, breadcrumbs: [...scope.crumbs, { label: type.title }], nav: scope.nav },
  );
}

/** Submitted values safe to show again: everything but secrets (a password input never gets a value). */
function withoutControls(form: FormInput): FormInput {
  return Object.fromEntries(Object.entries(form).filter(([key]) => !key.startsWith('_')));
}

export function integrationRoutes(loadScope: ScopeLoader): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', (c) => {
    const scope = loadScope(c, 'read');
    const states = integrationStates(storeOf(c), scope);
    const items = states.map((state) => ({
      ...state,
      usage: scope.level === 'project' ? undefined : settingsUsage(c.var.db, scope.owner, state.type.slug),
    }));
    return c.render(<IntegrationsListPage level={scope.level} baseUrl={scope.baseUrl} items={items} canManage={scope.canManage} />, {
      title: 'Integrations',
      breadcrumbs: scope.crumbs,
      nav: scope.nav,
    });
  });

  routes.get('/:slug', (c) => {
    const scope = loadScope(c, 'read');
    return renderIntegration(c, scope, typeOfUrl(c, scope));
  });

  /** The htmx fragment: the fields for the option chosen in the dropdown, without saving. */
  routes.get('/:slug/fields', (c) => {
    const scope = loadScope(c, 'read');
    const type = typeOfUrl(c, scope);
    const [state] = integrationStates(storeOf(c), scope, type);
    const { effective, own } = state!;
    const inheritance: Inheritance = c.req.query('inheritance') === 'inherit' && effective.inheritsFrom ? 'inherit' : 'custom';
    return c.html(
      <SettingsSection
        type={type}
        level={scope.level}
        effective={effective}
        inheritance={inheritance}
        inheritsFrom={effective.inheritsFrom}
        hasOwnSettings={own !== undefined}
        canManage={scope.canManage}
      />,
    );
  });

  routes.post('/:slug', async (c) => {
    const scope = loadScope(c, 'manage_settings');
    const type = typeOfUrl(c, scope);
    const user = c.var.user!;
    const confirmKey = deriveKey(c.var.deps.secretKeyBase, 'settings confirmation');
    const confirmFor = `${user.id}/${scope.baseUrl}/${type.slug}`;

    let form = await readForm(c);
    const sealed = lastValue(form._sealed);
    if (sealed) form = openConfirmation(confirmKey, sealed, confirmFor);
    const inheritance: Inheritance = lastValue(form.inheritance) === 'inherit' ? 'inherit' : 'custom';

    if (lastValue(form._action) === 'update_form') {
      return renderIntegration(c, scope, type, { inheritance, submitted: withoutControls(form) });
    }

    const usage = scope.level === 'project' ? undefined : settingsUsage(c.var.db, scope.owner, type.slug);
    if (usage && lastValue(form._confirmed) !== '1') {
      const payload = JSON.stringify({ form, expires: Date.now() + CONFIRMATION_TTL_MS });
      return c.render(<ConfirmSavePage type={type} baseUrl={scope.baseUrl} usage={usage} sealed={seal(confirmKey, payload, confirmFor)} />, {
        title: `Save ${type.title}?`,
        breadcrumbs: [...scope.crumbs, { label: type.title, href: `${scope.baseUrl}/${type.slug}` }, { label: 'Confirm' }],
        nav: scope.nav,
      });
    }

    try {
      const outcome = applySettingsForm(storeOf(c), scope, type, form, user.id);
      if (!outcome.ok) {
        c.status(422);
        return renderIntegration(c, scope, type, { inheritance, submitted: withoutControls(form), errors: outcome.errors });
      }
      const message =
        outcome.choice === 'inherit'
          ? `${type.title} now uses the default settings.`
          : `${type.title} settings saved${outcome.active ? ' and active' : ', but not active'}.`;
      return redirectWithFlash(c, `${scope.baseUrl}/${type.slug}`, message);
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
      c.status(409);
      return renderIntegration(c, scope, type, { conflict: error.message });
    }
  });

  return routes;
}

function openConfirmation(key: Buffer, sealed: string, confirmFor: string): FormInput {
  const opened = unseal(key, sealed, confirmFor);
  const payload = opened ? (JSON.parse(opened) as { form: FormInput; expires: number }) : null;
  if (!payload || payload.expires < Date.now()) {
    throw new BadRequest('This confirmation has expired or is not valid. Open the settings again and save them.');
  }
  return { ...payload.form, _confirmed: '1' };
}
