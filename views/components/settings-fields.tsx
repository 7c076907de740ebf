/**
 * @module views/components/settings-fields
 * The fields of one integration: the Enabled toggle, its settings, its trigger events. The same
 * component renders inside the full page and alone as the htmx fragment that replaces it when
 * the inheritance dropdown changes, so the two cannot drift apart.
 */
import { parseBoolean } from '../../src/boolean.js';
import { lastValue } from '../../src/form-values.js';
import { integrationsUrl, integrationUrl } from '../../src/http/paths.js';
import type { Field, FieldValue, IntegrationType } from '../../src/integrations/types.js';
import {
  sameOwner,
  withheldSecretMessage,
  type EffectiveSettings,
  type Level,
  type SettingsOwner,
  type ValueSource,
} from '../../src/settings/resolve.js';
import type { FieldErrors } from '../../src/validation.js';
import { CheckboxField, describedBy, FieldShell, fieldId, type FormValues } from './form.js';

export interface SettingsFieldsProps {
  type: IntegrationType;
  level: Level;
  effective: EffectiveSettings;
  /** Inherited settings are shown read-only; custom ones are editable. */
  editable: boolean;
  /** What the user submitted, shown again after a validation error (never secrets). */
  submitted?: FormValues | undefined;
  errors?: FieldErrors;
  /** The level the page is about, to say "This project" and link the other sources. */
  self: SettingsOwner;
  /** Administrators may follow a link to the instance's settings. */
  canSeeInstance: boolean;
  /**
   * Per-field inheritance: in custom settings below a level that has its own, each value can
   * be taken from above instead; these are the keys that are (or were submitted as) inherited.
   */
  inheritedKeys?: ReadonlySet<string> | undefined;
}

/**
 * "Use inherited value for <field>": in the field's own group, right under its input, because
 * the value may be taken from the level above instead. It shares the field's description (its
 * help and where the value comes from).
 */
function InheritToggle({ name, label, props }: { name: string; label: string; props: SettingsFieldsProps }) {
  if (!props.editable || !props.inheritedKeys || name in props.effective.enforced) return null;
  const id = `inherit-${fieldId(name)}`;
  return (
    <div class="inherit-toggle">
      <input
        type="checkbox"
        name="_inherit"
        value={name}
        id={id}
        checked={props.inheritedKeys.has(name)}
        data-inherit-for={fieldId(name)}
        aria-describedby={`${fieldId(name)}-help`}
      />
      <label for={id}>Use inherited value for {label}</label>
    </div>
  );
}

const MASK = '••••••••';

/** A stored value as the text an input shows. */
function displayValue(value: FieldValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join('\n');
  return String(value);
}

function isChecked(submitted: FormValues | undefined, name: string, stored: unknown): boolean {
  const value = lastValue(submitted?.[name]);
  if (value === undefined) return stored === true;
  return parseBoolean(value) === true;
}

/** Where a value comes from, linked to that level's settings of the same integration. */
function SourceCaption({
  source,
  props,
  bare,
}: {
  source: ValueSource | undefined;
  props: SettingsFieldsProps;
  bare?: boolean;
}) {
  if (!source) return null;
  // The type's own default, set at no level.
  if (source === 'default') return bare ? <>Default value</> : <span class="field-source">Default value</span>;
  const { self, canSeeInstance, type } = props;
  let label: string;
  let href: string | undefined;
  if (sameOwner(source, self)) {
    label = `This ${self.level}`;
  } else if (source.level === 'instance') {
    label = 'Instance';
    href = canSeeInstance ? integrationUrl(integrationsUrl(source), type.slug) : undefined;
  } else {
    label = `${source.level === 'group' ? 'Group' : 'Project'}: ${source.name}`;
    href = integrationUrl(integrationsUrl(source), type.slug);
  }
  const name = href ? <a href={href}>{label}</a> : label;
  return bare ? <>{name}</> : <span class="field-source">Value from {name}</span>;
}

/** The field's help followed by where its value comes from, who enforces it and why, or why a secret set above must be entered again. */
function helpWithSource(help: string | undefined, key: string, props: SettingsFieldsProps) {
  const enforced = props.effective.enforced[key];
  const withheld = props.effective.withheld[key];
  return (
    <>
      {help && <span>{help} </span>}
      {withheld ? (
        <span class="field-source field-withheld">{withheldSecretMessage(props.type, key, withheld)}</span>
      ) : enforced ? (
        <span class="field-source field-enforced">
          Enforced by <SourceCaption source={enforced.by} props={props} bare />
          {enforced.reason ? `: ${enforced.reason}` : ''}
        </span>
      ) : (
        <SourceCaption source={props.effective.source[key]} props={props} />
      )}
    </>
  );
}

function SettingField({ field, props }: { field: Field; props: SettingsFieldsProps }) {
  const { effective, editable, submitted, errors = {} } = props;
  const stored = effective.fields[field.name];
  const error = errors[field.name];
  const id = fieldId(field.name);
  const disabled = !editable || field.name in effective.enforced;
  // The help says where the value comes from even when the field has no help text of its own.
  const help = helpWithSource(field.help, field.name, props);
  const common = {
    id,
    name: field.name,
    disabled,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy(field.name, error, help),
  };
  const value = lastValue(submitted?.[field.name]) ?? displayValue(stored);
  const required = !disabled && field.required === true;

  if (field.kind === 'checkbox') {
    return (
      <CheckboxField
        name={field.name}
        label={field.label}
        checked={isChecked(submitted, field.name, stored)}
        error={error}
        help={help}
        disabled={disabled}
      >
        <InheritToggle name={field.name} label={field.label} props={props} />
      </CheckboxField>
    );
  }

  let input;
  if (field.kind === 'secret') {
    const isSet = typeof stored === 'string' && stored !== '';
    input = !disabled ? (
      <input
        {...common}
        type="password"
        autocomplete="new-password"
        placeholder={isSet ? 'Leave blank to keep the current value' : field.placeholder}
        maxlength={2000}
      />
    ) : (
      <input
        {...common}
        type="text"
        value={isSet ? MASK : 'Not set'}
        readonly
        class={isSet ? 'secret-mask' : 'secret-unset'}
      />
    );
  } else if (field.kind === 'select') {
    input = (
      <select {...common}>
        {!field.required && <option value="">—</option>}
        {(field.choices ?? []).map((choice) => (
          <option value={choice.value} selected={choice.value === value}>
            {choice.label}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'textarea' || field.kind === 'list') {
    input = (
      <textarea {...common} rows={field.kind === 'list' ? 3 : 4} placeholder={disabled ? undefined : field.placeholder}>
        {value}
      </textarea>
    );
  } else {
    input = (
      <input
        {...common}
        type={field.kind === 'number' ? 'number' : field.kind === 'url' ? 'url' : 'text'}
        value={value}
        // A placeholder in a locked field could pass for an inherited value.
        placeholder={disabled ? undefined : field.placeholder}
        maxlength={field.kind === 'number' ? undefined : 2000}
      />
    );
  }
  return (
    <FieldShell name={field.name} label={field.label} error={error} help={help} required={required}>
      {input}
      <InheritToggle name={field.name} label={field.label} props={props} />
    </FieldShell>
  );
}

export function SettingsFields(props: SettingsFieldsProps) {
  const { type, level, effective, editable, submitted, errors = {} } = props;
  const events = type.events.filter((event) => !event.levels || event.levels.includes(level));
  return (
    <div class={editable ? 'settings-fields' : 'settings-fields settings-fields-inherited'}>
      <CheckboxField
        name="active"
        label="Enabled"
        checked={isChecked(submitted, 'active', effective.active)}
        error={errors.active}
        disabled={!editable || 'active' in effective.enforced}
        help={helpWithSource(undefined, 'active', props)}
      >
        <InheritToggle name="active" label="Enabled" props={props} />
      </CheckboxField>
      {type.fields
        .filter((field) => !field.event)
        .map((field) => (
          <SettingField field={field} props={props} />
        ))}
      {events.length > 0 && (
        <fieldset class="events-list">
          <legend>Trigger</legend>
          <p class="field-help">Send a notification or request when these events happen.</p>
          {events.map((event) => (
            <div class="event-trigger">
              <CheckboxField
                name={event.name}
                label={event.label}
                help={helpWithSource(event.description, event.name, props)}
                checked={isChecked(submitted, event.name, effective.events[event.name])}
                error={errors[event.name]}
                disabled={!editable || event.name in effective.enforced}
              >
                <InheritToggle name={event.name} label={`${event.label} events`} props={props} />
              </CheckboxField>
              {type.fields
                .filter((field) => field.event === event.name)
                .map((field) => (
                  <div class="event-channel">
                    <SettingField field={field} props={props} />
                  </div>
                ))}
            </div>
          ))}
        </fieldset>
      )}
    </div>
  );
}
