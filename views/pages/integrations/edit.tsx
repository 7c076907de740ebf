/**
 * @module views/pages/integrations/edit
 * One integration's settings at one level: the inheritance dropdown (below the instance), the
 * fields, and "Save changes" with the impact of the save on the levels below.
 */
import type { Child } from 'hono/jsx';
import type { IntegrationType } from '../../../src/integrations/types.js';
import { integrationsUrl, integrationUrl } from '../../../src/http/paths.js';
import type { FieldErrors } from '../../../src/validation.js';
import {
  inheritanceSourceLabel,
  type EffectiveSettings,
  type Level,
  type SettingsOwner,
} from '../../../src/settings/resolve.js';
import type { SettingsUsage } from '../../../src/settings/usage.js';
import { ErrorSummary, fieldId, type FormValues } from '../../components/form.js';
import { StateBadges } from '../../components/integration-state.js';
import { SettingsFields } from '../../components/settings-fields.js';
import { TEST_RESULT_ID, TestResult, type TestOutcome } from '../../components/test-result.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ConfirmPage } from '../confirm.js';
import { messageBuilderFor } from '../../../src/delivery/messages/index.js';

export type Inheritance = 'inherit' | 'custom';

/** GitLab's words before a reset, adapted for groups (whose descendants fall back to the level above). */
export function resetWarning(level: Level): string {
  return level === 'instance'
    ? 'Resetting this integration will clear the settings and deactivate this integration. All projects inheriting these settings will also be reset. Projects using custom settings will not be affected.'
    : "Resetting this integration will clear this group's settings. All subgroups and projects inheriting them will use the settings of the level above instead, or become not configured. Subgroups and projects using custom settings will not be affected.";
}

/** GitLab's words, shown before defaults are saved. */
export const SAVE_DEFAULTS_WARNING =
  'Saving will update the default settings for all projects that are not using custom settings. Projects using custom settings will not be impacted unless the project owner chooses to use parent level defaults.';

const SETTINGS_REGION_ID = 'settings-fields';

const LEVEL_NOUN: Record<Level, string> = { instance: 'instance', group: 'group', project: 'project' };

export interface SettingsSectionProps {
  type: IntegrationType;
  level: Level;
  /** Shown in the form: the inherited settings, or the level's own. */
  effective: EffectiveSettings;
  inheritance: Inheritance;
  /** The nearest level above with settings of its own, if any. */
  inheritsFrom: SettingsOwner | null;
  /** Whether the level has custom settings now (saving "inherit" deletes them). */
  hasOwnSettings: boolean;
  canManage: boolean;
  submitted?: FormValues | undefined;
  errors?: FieldErrors;
  /** The level the page is about. */
  self: SettingsOwner;
  canSeeInstance: boolean;
  /** Values taken from the level above in custom settings (per-field inheritance). */
  inheritedKeys?: ReadonlySet<string> | undefined;
}

/**
 * The part of the form htmx refills when the dropdown changes: a note on what the choice means,
 * and the sections. It stays in place (only its content is swapped), so that screen readers
 * announce the new content and the dropdown keeps the focus.
 */
export function SettingsSection(props: SettingsSectionProps) {
  const { type, level, inheritance, inheritsFrom, hasOwnSettings, canManage } = props;
  const noun = LEVEL_NOUN[level];
  const source = inheritsFrom ? inheritanceSourceLabel(inheritsFrom) : null;
  let note: string | null = null;
  if (level !== 'instance' && inheritance === 'inherit' && inheritsFrom) {
    const settingsAbove =
      inheritsFrom.level === 'instance'
        ? 'the instance-level settings'
        : `the ${source} settings of ${inheritsFrom.name}`;
    note = hasOwnSettings
      ? `Saving deletes this ${noun}'s custom settings for ${type.title}; from then on it uses ${settingsAbove}, and any change to them applies here at once.`
      : `This ${noun} uses ${settingsAbove}. Any change to them applies here at once.`;
  } else if (level !== 'instance' && inheritance === 'custom') {
    note = inheritsFrom
      ? `Custom settings belong to this ${noun} only: changes to the ${source} settings do not affect them. Choosing "Use ${source} settings" later deletes them.`
      : `There are no default settings above this ${noun} for ${type.title}; these settings belong to this ${noun} only.`;
  }
  const enforcers = [
    ...new Map(Object.values(props.effective.enforced).map(({ by }) => [`${by.level}:${by.id}`, by])).values(),
  ];
  return (
    <div id={SETTINGS_REGION_ID} class="settings-section" aria-live="polite">
      {enforcers.length > 0 && (
        <p class="callout callout-warning enforcement-note">
          {`Some settings are enforced by ${enforcers.map((by) => by.name).join(' and ')}: they cannot be changed here.`}
        </p>
      )}
      {note && (
        <p
          class={
            inheritance === 'inherit' && hasOwnSettings
              ? 'inheritance-note callout callout-warning'
              : 'inheritance-note callout callout-info'
          }
        >
          {note}
        </p>
      )}
      <SettingsFields
        type={type}
        level={level}
        effective={props.effective}
        editable={canManage && inheritance === 'custom'}
        // Locked fields show the settings that apply, never what was typed before switching.
        submitted={inheritance === 'custom' ? props.submitted : undefined}
        errors={props.errors ?? {}}
        self={props.self}
        canSeeInstance={props.canSeeInstance}
        inheritedKeys={props.inheritedKeys}
      />
    </div>
  );
}

function InheritanceSelect({ baseUrl, props }: { baseUrl: string; props: SettingsSectionProps }) {
  const { inheritance, inheritsFrom, canManage, errors = {} } = props;
  const error = errors.inheritance;
  return (
    <div class={error ? 'inheritance-select field field-invalid' : 'inheritance-select field'}>
      <label for={fieldId('inheritance')}>Settings to use</label>
      <div class="inheritance-controls">
        <select
          id={fieldId('inheritance')}
          name="inheritance"
          disabled={!canManage}
          hx-get={integrationUrl(baseUrl, props.type.slug, 'fields')}
          hx-target={`#${SETTINGS_REGION_ID}`}
          hx-swap="innerHTML strip:true"
          aria-controls={SETTINGS_REGION_ID}
          aria-describedby={error ? `${fieldId('inheritance')}-error` : undefined}
        >
          {inheritsFrom && (
            <option value="inherit" selected={inheritance === 'inherit'}>
              Use {inheritanceSourceLabel(inheritsFrom)} settings
            </option>
          )}
          <option value="custom" selected={inheritance === 'custom'}>
            Use custom settings
          </option>
        </select>
        {canManage && (
          <button type="submit" name="_action" value="update_form" class="button js-hidden">
            Update form
          </button>
        )}
      </div>
      {inheritsFrom && inheritsFrom.level === 'group' && (
        <p class="field-help">
          Default settings from the group{' '}
          <a href={integrationUrl(integrationsUrl(inheritsFrom), props.type.slug)}>{inheritsFrom.name}</a>.
        </p>
      )}
      {error && (
        <p class="field-error" id={`${fieldId('inheritance')}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export interface IntegrationPageProps extends SettingsSectionProps {
  baseUrl: string;
  /** The settings in use now, for the state badges; `effective` is what the fields show for the option chosen. */
  current: EffectiveSettings;
  /** The version of the level's own row the form was loaded at (0: none). */
  version: number;
  /** Instance and group: who a save reaches. */
  usage?: SettingsUsage | undefined;
  /** Someone else saved in between: shown above the form. */
  conflict?: string | undefined;
  /** After "Test settings" without JavaScript: how the test went. */
  testResult?: TestOutcome | undefined;
  /** Where its target is failing: the alert of views/components/integration-health.tsx. */
  health?: Child | undefined;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "Saving changes the settings of 12 projects and 2 groups. 3 projects use custom settings and will not change." */
export function impactSentence(usage: SettingsUsage, verb = 'Saving changes'): string {
  const reached = [count(usage.inheritingProjects, 'project', 'projects')];
  if (usage.inheritingGroups > 0) reached.push(count(usage.inheritingGroups, 'group', 'groups'));
  const custom = usage.customProjects + usage.customGroups;
  const customText =
    custom === 0
      ? 'No descendant uses custom settings.'
      : `${count(custom, 'descendant uses', 'descendants use')} custom settings and will not change.`;
  return `${verb} the settings of ${reached.join(' and ')}. ${customText}`;
}

export function IntegrationPage(props: IntegrationPageProps) {
  const { type, level, baseUrl, version, usage, canManage, errors = {}, conflict } = props;
  const needsConfirmation = level !== 'project' && usage !== undefined;
  const delivers = messageBuilderFor(type.slug) !== undefined;
  return (
    <>
      <div class="integration-header">
        <h1>{type.title}</h1>
        <StateBadges level={level} effective={props.current} />
      </div>
      <p class="lead">{type.description}</p>
      {props.health}
      {(level !== 'project' || delivers) && (
        <IntegrationTabs
          baseUrl={baseUrl}
          slug={type.slug}
          hasDescendants={level !== 'project'}
          current="settings"
          customCount={usage ? usage.customProjects + usage.customGroups : 0}
          delivers={delivers}
        />
      )}
      {!canManage && (
        <p class="callout callout-info">
          You can view these settings. Changing them needs the Maintainer or Owner role.
        </p>
      )}
      {conflict && (
        <p class="callout callout-warning" role="alert">
          {conflict}
        </p>
      )}
      <ErrorSummary errors={errors} />
      <form
        method="post"
        action={integrationUrl(baseUrl, type.slug)}
        class="card form integration-form"
        id="integration-form"
        data-confirm-dialog={needsConfirmation ? 'confirm-save' : undefined}
      >
        <input type="hidden" name="_version" value={String(version)} />
        {level !== 'instance' && <InheritanceSelect baseUrl={baseUrl} props={props} />}
        <SettingsSection {...props} />
        {canManage && (
          <div class="form-actions">
            <button type="submit" class="button button-primary" name="_action" value="save">
              Save changes
            </button>
            {type.testRequest && <TestSettingsButton url={integrationUrl(baseUrl, type.slug, 'test')} />}
            <a class="button" href={baseUrl}>
              Cancel
            </a>
          </div>
        )}
        {canManage && type.testRequest && <TestResult outcome={props.testResult} />}
        {needsConfirmation && canManage && (
          <ConfirmDialog id="confirm-save" title="Save changes?" confirmLabel="Save changes">
            <p>{SAVE_DEFAULTS_WARNING}</p>
            <p>
              <strong>{impactSentence(usage)}</strong>
            </p>
          </ConfirmDialog>
        )}
      </form>
      {level !== 'project' && canManage && props.hasOwnSettings && usage && (
        <ResetSection type={type} level={level} baseUrl={baseUrl} usage={usage} />
      )}
    </>
  );
}

/**
 * GitLab's "Test settings": without JavaScript it posts the form to the test route, which
 * answers with this page and the result; with htmx only the result is swapped into the live
 * region, which stays in place so that screen readers announce it.
 */
function TestSettingsButton({ url }: { url: string }) {
  return (
    <button
      type="submit"
      class="button"
      name="_action"
      value="test"
      formaction={url}
      formnovalidate
      hx-post={url}
      hx-target={`#${TEST_RESULT_ID}`}
      hx-swap="innerHTML strip:true"
    >
      Test settings
    </button>
  );
}

function ResetSection({
  type,
  level,
  baseUrl,
  usage,
}: {
  type: IntegrationType;
  level: Level;
  baseUrl: string;
  usage: SettingsUsage;
}) {
  return (
    <section class="card danger-zone" aria-labelledby="reset-title">
      <h2 id="reset-title">Reset</h2>
      <p>{resetWarning(level)}</p>
      <form method="post" action={integrationUrl(baseUrl, type.slug, 'reset')} data-confirm-dialog="confirm-reset">
        <button type="submit" class="button button-danger">
          Reset
        </button>
        <ConfirmDialog id="confirm-reset" title={`Reset ${type.title}?`} confirmLabel="Reset" danger>
          <p>{resetWarning(level)}</p>
          <p>
            <strong>{impactSentence(usage, 'Resetting changes')}</strong>
          </p>
        </ConfirmDialog>
      </form>
    </section>
  );
}

/**
 * A type's tabs: its settings; on the instance and groups the descendants that override them and
 * enforcement; for a type that delivers events, its Recent deliveries at every level.
 */
export function IntegrationTabs({
  baseUrl,
  slug,
  hasDescendants,
  current,
  customCount,
  delivers,
}: {
  baseUrl: string;
  slug: string;
  /** The instance and groups. */
  hasDescendants: boolean;
  current: 'settings' | 'overrides' | 'enforcement' | 'deliveries';
  customCount: number;
  delivers: boolean;
}) {
  const currentIf = (tab: typeof current) => (current === tab ? 'page' : undefined);
  return (
    <nav class="tabs" aria-label="Integration">
      <a href={integrationUrl(baseUrl, slug)} aria-current={currentIf('settings')}>
        Settings
      </a>
      {hasDescendants && (
        <>
          <a href={integrationUrl(baseUrl, slug, 'overrides')} aria-current={currentIf('overrides')}>
            Projects using custom settings <span class="badge">{customCount}</span>
          </a>
          <a href={integrationUrl(baseUrl, slug, 'enforcement')} aria-current={currentIf('enforcement')}>
            Enforce and push
          </a>
        </>
      )}
      {delivers && (
        <a href={integrationUrl(baseUrl, slug, 'deliveries')} aria-current={currentIf('deliveries')}>
          Recent deliveries
        </a>
      )}
    </nav>
  );
}

interface ConfirmSavePageProps {
  type: IntegrationType;
  baseUrl: string;
  usage: SettingsUsage;
  /** The validated submission, sealed so that it comes back unchanged and secrets never show. */
  sealed: string;
}

/** Without JavaScript, the confirmation step between "Save changes" and the save. */
export function ConfirmSavePage({ type, baseUrl, usage, sealed }: ConfirmSavePageProps) {
  return (
    <ConfirmPage
      title={`Save changes to ${type.title}?`}
      action={integrationUrl(baseUrl, type.slug)}
      hidden={{ _sealed: sealed }}
      confirmLabel="Save changes"
      cancelHref={integrationUrl(baseUrl, type.slug)}
    >
      <p>{SAVE_DEFAULTS_WARNING}</p>
      <p>
        <strong>{impactSentence(usage)}</strong>
      </p>
    </ConfirmPage>
  );
}
