/**
 * @module views/pages/integrations/enforcement
 * "Enforce and push" at the instance and group levels: enforce this level's values on
 * everything below (or lift the enforcement), and push values down by clearing the
 * descendants' own values for them. Each action goes through a confirmation with its impact.
 * The settings to choose are grouped as the form's sections, each with its value at this level.
 */
import type { IntegrationType, Level } from '../../../src/integrations/types.js';
import { integrationUrl } from '../../../src/http/paths.js';
import { formSections } from '../../../src/integrations/sections.js';
import { settingKeys } from '../../../src/integrations/validate.js';
import type { FieldErrors } from '../../../src/validation.js';
import {
  ALL_VALUES,
  describeKeys,
  MAX_REASON_LENGTH,
  type DescendantCount,
} from '../../../src/settings/enforcement.js';
import type { EffectiveSettings, Enforcement } from '../../../src/settings/resolve.js';
import { CheckboxGroup, ErrorSummary, fieldId } from '../../components/form.js';
import { messageBuilderFor } from '../../../src/delivery/messages/index.js';
import { IntegrationTabs } from './edit.js';
import { describeValue } from './overrides.js';

/** What enforcing means for the values below: stated before enforcing and on the page. */
export const ENFORCEMENT_KEEPS_VALUES =
  'Subgroups and projects below must use the enforced values: they see them disabled, with the reason. The values they set themselves are kept, unused, and apply again when the enforcement is lifted.';

export const PUSH_CLEARS_VALUES =
  'Pushing deletes the values that subgroups and projects below set themselves for the chosen settings, so that they use the values of this level. It cannot be undone.';

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** "3 projects and 1 group" */
export function describeCount({ projects, groups }: DescendantCount): string {
  if (projects + groups === 0) return 'no project or group';
  return [projects || !groups ? count(projects, 'project') : '', groups ? count(groups, 'group') : '']
    .filter(Boolean)
    .join(' and ');
}

/** "2 projects and 1 group below set their own values for Channel." */
export function overrideSentence(found: DescendantCount, what: string): string {
  const total = found.projects + found.groups;
  if (total === 0) return `No project or group below sets its own values for ${what}.`;
  return `${describeCount(found)} below ${total === 1 ? 'sets its' : 'set their'} own values for ${what}.`;
}

/**
 * A value as this level has it now, shown beside its checkbox: a secret only as set or not set,
 * a choice by its label.
 */
export function currentValue(type: IntegrationType, key: string, current: EffectiveSettings): string {
  if (key === 'active') return current.active ? 'on' : 'off';
  const field = type.fields.find((candidate) => candidate.name === key);
  if (!field) return current.events[key] ? 'on' : 'off';
  const value = current.fields[key];
  if (field.kind === 'secret') return value === null || value === undefined || value === '' ? 'not set' : 'set';
  return describeValue(field, value)!;
}

/** The settings to act on: the whole integration, or a choice of values by section, each with its value here. */
function KeyChoices({
  type,
  level,
  current,
  ...group
}: {
  type: IntegrationType;
  level: Level;
  current: EffectiveSettings;
  name: string;
  legend: string;
  checked: readonly string[];
  error?: string | undefined;
}) {
  const labels = new Map(settingKeys(type, level).map(({ key, label }) => [key, label]));
  return (
    <CheckboxGroup
      {...group}
      options={[{ value: ALL_VALUES, label: 'All settings (the whole integration)' }]}
      sections={formSections(type, level).map((section) => ({
        legend: section.title,
        options: section.keys.map((key) => ({
          value: key,
          label: labels.get(key) ?? key,
          help: `Current value: ${currentValue(type, key, current)}`,
        })),
      }))}
    />
  );
}

export interface EnforcementPageProps {
  type: IntegrationType;
  level: Level;
  baseUrl: string;
  /** Whether this level has settings of its own: there is nothing to enforce or push without. */
  hasOwnSettings: boolean;
  enforcement: Enforcement | undefined;
  /** The values at this level now, shown beside each setting. */
  current: EffectiveSettings;
  version: number;
  canEnforce: boolean;
  canManage: boolean;
  customCount: number;
  errors?: FieldErrors;
  submitted?: { keys?: string[]; reason?: string; pushKeys?: string[] };
}

export function EnforcementPage(props: EnforcementPageProps) {
  const {
    type,
    level,
    baseUrl,
    hasOwnSettings,
    enforcement,
    current,
    version,
    canEnforce,
    canManage,
    errors = {},
    submitted = {},
  } = props;
  const action = integrationUrl(baseUrl, type.slug, 'enforcement');
  const below = level === 'instance' ? 'every group and project' : 'every subgroup and project of this group';
  return (
    <>
      <div class="integration-header">
        <h1>{type.title}</h1>
      </div>
      <p class="lead">Impose the settings of this level on {below}.</p>
      <IntegrationTabs
        baseUrl={baseUrl}
        slug={type.slug}
        hasDescendants
        current="enforcement"
        customCount={props.customCount}
        delivers={messageBuilderFor(type.slug) !== undefined}
      />
      <ErrorSummary errors={errors} />
      {!hasOwnSettings && (
        <p class="callout callout-info">
          This {level === 'instance' ? 'instance' : 'group'} has no settings of its own for {type.title}.{' '}
          <a href={integrationUrl(baseUrl, type.slug)}>Save settings</a> first; then you can enforce them or push them
          to the levels below.
        </p>
      )}
      <section class="card" aria-labelledby="enforcement-title">
        <h2 id="enforcement-title">Enforcement</h2>
        {enforcement ? (
          <p class="callout callout-warning enforcement-status">
            Enforced: {describeKeys(type, enforcement.keys)}
            {enforcement.reason ? `. Reason: ${enforcement.reason}` : ''}
          </p>
        ) : (
          <p class="enforcement-status">Nothing is enforced. Levels below may use custom settings.</p>
        )}
        <p>{ENFORCEMENT_KEEPS_VALUES}</p>
        {!canEnforce && (
          <p class="callout callout-info">
            Only administrators{level === 'group' ? ' and Owners of this group' : ''} can enforce settings.
          </p>
        )}
        {canEnforce && hasOwnSettings && (
          <form method="post" action={action} class="form">
            <input type="hidden" name="_version" value={String(version)} />
            <KeyChoices
              type={type}
              level={level}
              current={current}
              name="keys"
              legend="Settings to enforce"
              checked={submitted.keys ?? enforcement?.keys ?? []}
              error={errors.keys}
            />
            <div class={errors.reason ? 'field field-invalid' : 'field'}>
              <label for={fieldId('reason')}>Reason (optional)</label>
              <input
                type="text"
                id={fieldId('reason')}
                name="reason"
                maxlength={MAX_REASON_LENGTH}
                value={submitted.reason ?? enforcement?.reason ?? ''}
                aria-describedby={`${fieldId('reason')}-help${errors.reason ? ` ${fieldId('reason')}-error` : ''}`}
              />
              <p class="field-help" id={`${fieldId('reason')}-help`}>
                Shown next to each enforced setting below, e.g. "One Slack workspace for the company".
              </p>
              {errors.reason && (
                <p class="field-error" id={`${fieldId('reason')}-error`}>
                  {errors.reason}
                </p>
              )}
            </div>
            <div class="form-actions">
              <button type="submit" class="button button-primary" name="_action" value="enforce">
                {enforcement ? 'Update enforcement' : 'Enforce'}
              </button>
              {enforcement && (
                <button type="submit" class="button" name="_action" value="lift">
                  Lift enforcement
                </button>
              )}
            </div>
          </form>
        )}
      </section>
      <section class="card" aria-labelledby="push-title">
        <h2 id="push-title">Push to descendants</h2>
        <p>{PUSH_CLEARS_VALUES}</p>
        {canManage && hasOwnSettings && (
          <form method="post" action={integrationUrl(baseUrl, type.slug, 'push')} class="form">
            <KeyChoices
              type={type}
              level={level}
              current={current}
              name="push_keys"
              legend="Settings to push"
              checked={submitted.pushKeys ?? []}
              error={errors.push_keys}
            />
            <div class="form-actions">
              <button type="submit" class="button button-primary">
                Push to descendants
              </button>
            </div>
          </form>
        )}
      </section>
    </>
  );
}
