/**
 * @module views/components/settings-fields
 * The settings of one integration in GitLab's sections (Connection details with the Enabled
 * toggle, Trigger, Notification settings): editable fields in custom settings, the values as
 * text where they are inherited or the user may only read them. The same component renders inside the full page and alone as the htmx fragment that replaces it when
 * the inheritance dropdown changes, so the two cannot drift apart.
 */
import { parseBoolean } from '../../src/boolean.js';
import { lastValue } from '../../src/form-values.js';
import { integrationsUrl, integrationUrl } from '../../src/http/paths.js';
import type { Child } from 'hono/jsx';
import { formSections, type FormSection } from '../../src/integrations/sections.js';
import type { Field, FieldValue, IntegrationType } from '../../src/integrations/types.js';
import {
  commonSource,
  sameOwner,
  withheldSecretMessage,
  type EffectiveSettings,
  type Level,
  type SettingsOwner,
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
 * "Inherit <label>": on the field's own label line, because the value may be taken from the
 * level above instead. It shares the field's description (its help and where the value comes from).
 */
function InheritToggle({
  name,
  label,
  help,
  props,
}: {
  name: string;
  label: string;
  /** The field's description, which the box shares. */
  help: unknown;
  props: SettingsFieldsProps;
}) {
  if (!props.editable || !props.inheritedKeys || name in props.effective.enforced) return null;
  const id = `inherit-${fieldId(name)}`;
  return (
    <span class="inherit-toggle">
      <input
        type="checkbox"
        name="_inherit"
        value={name}
        id={id}
        checked={props.inheritedKeys.has(name)}
        data-inherit-for={fieldId(name)}
        aria-describedby={help ? `${fieldId(name)}-help` : undefined}
      />
      <label for={id}>Inherit {label}</label>
    </span>
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
function SourceName({ source, props }: { source: SettingsOwner; props: SettingsFieldsProps }) {
  const { self, canSeeInstance, type } = props;
  if (sameOwner(source, self)) return <>This {self.level}</>;
  const href =
    source.level !== 'instance' || canSeeInstance ? integrationUrl(integrationsUrl(source), type.slug) : undefined;
  const label =
    source.level === 'instance' ? 'Instance' : `${source.level === 'group' ? 'Group' : 'Project'}: ${source.name}`;
  return href ? <a href={href}>{label}</a> : <>{label}</>;
}

/** A section of the form and what it says once: the level its values come from, when they all come from one. */
interface SectionProps extends SettingsFieldsProps {
  /** A field says where its value comes from only where that differs from this level. */
  sectionSource: SettingsOwner;
}

/**
 * What a field says about its value beyond its help: who enforces it and why, why a secret set
 * above must be entered again, or the level it comes from where that is not the section's.
 */
function sourceNote(key: string, props: SectionProps) {
  const enforced = props.effective.enforced[key];
  const withheld = props.effective.withheld[key];
  const source = props.effective.source[key];
  if (withheld)
    return <span class="field-source field-withheld">{withheldSecretMessage(props.type, key, withheld)}</span>;
  if (enforced)
    return (
      <span class="field-source field-enforced">
        Enforced by <SourceName source={enforced.by} props={props} />
        {enforced.reason ? `: ${enforced.reason}` : ''}
      </span>
    );
  if (source === undefined || source === 'default' || sameOwner(source, props.sectionSource)) return null;
  return (
    <span class="field-source">
      Value from <SourceName source={source} props={props} />
    </span>
  );
}

/** The field's help followed by the note on its value, as one description. */
function helpWithSource(help: string | undefined, key: string, props: SectionProps) {
  const note = sourceNote(key, props);
  if (!help && !note) return undefined;
  return (
    <>
      {help && <span>{help} </span>}
      {note}
    </>
  );
}

function SettingField({ field, props }: { field: Field; props: SectionProps }) {
  const { effective, submitted, errors = {} } = props;
  const stored = effective.fields[field.name];
  const error = errors[field.name];
  const id = fieldId(field.name);
  const disabled = field.name in effective.enforced;
  const help = helpWithSource(field.help, field.name, props);
  const aside = <InheritToggle name={field.name} label={field.label} help={help} props={props} />;
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
        aside={aside}
      />
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
    <FieldShell name={field.name} label={field.label} error={error} help={help} required={required} aside={aside}>
      {input}
    </FieldShell>
  );
}

/** A stored value as read-only text: what a level that inherits, or a user who may not change it, reads. */
function shownValue(field: Field, value: FieldValue | undefined) {
  const unset = <span class="value-unset">Not set</span>;
  if (field.kind === 'checkbox') return value === true ? 'Yes' : 'No';
  if (field.kind === 'secret')
    return typeof value === 'string' && value !== '' ? (
      <>
        <span class="secret-mask" aria-hidden="true">
          {MASK}
        </span>
        <span class="visually-hidden">Set, not shown</span>
      </>
    ) : (
      unset
    );
  if (field.kind === 'select') return field.choices?.find((choice) => choice.value === value)?.label ?? unset;
  const text = Array.isArray(value) ? value.join(', ') : displayValue(value);
  return text === '' ? unset : text;
}

/** One value of a read-only section: its label, the value as text, and the note on where it comes from. */
function ValueRow({ name, label, value, props }: { name: string; label: string; value: Child; props: SectionProps }) {
  const note = sourceNote(name, props);
  return (
    <div class="settings-value">
      <dt>{label}</dt>
      <dd id={fieldId(name)}>{value}</dd>
      {note && <dd class="settings-value-note">{note}</dd>}
    </div>
  );
}

/** A read-only section: a definition list, read in one pass by eye, keyboard and screen reader alike. */
function SectionValues({ section, props }: { section: FormSection; props: SectionProps }) {
  const { effective } = props;
  const channels = (event: string) => section.fields.filter((field) => field.event === event);
  const fieldRow = (field: Field) => (
    <ValueRow
      name={field.name}
      label={field.label}
      value={shownValue(field, effective.fields[field.name])}
      props={props}
    />
  );
  return (
    <dl class="settings-values">
      {section.kind === 'connection' && (
        <ValueRow name="active" label="Enabled" value={effective.active ? 'Yes' : 'No'} props={props} />
      )}
      {section.events.map((event) => (
        <>
          <ValueRow
            name={event.name}
            label={event.label}
            value={effective.events[event.name] ? 'On' : 'Off'}
            props={props}
          />
          {/* An event's own channel only where one is set: otherwise it uses the default channel. */}
          {channels(event.name)
            .filter((field) => displayValue(effective.fields[field.name]) !== '')
            .map(fieldRow)}
        </>
      ))}
      {section.fields.filter((field) => !field.event).map(fieldRow)}
    </dl>
  );
}

/** An editable section: its fields, and in Trigger each event's toggle with its channel. */
function SectionFields({ section, props }: { section: FormSection; props: SectionProps }) {
  const { effective, submitted, errors = {} } = props;
  const activeHelp = helpWithSource(undefined, 'active', props);
  return (
    <>
      {section.kind === 'connection' && (
        <CheckboxField
          name="active"
          label="Enabled"
          checked={isChecked(submitted, 'active', effective.active)}
          error={errors.active}
          disabled={'active' in effective.enforced}
          help={activeHelp}
          aside={<InheritToggle name="active" label="Enabled" help={activeHelp} props={props} />}
        />
      )}
      {section.events.length > 0 && (
        <div class="events-list">
          {section.events.map((event) => {
            const help = helpWithSource(event.description, event.name, props);
            return (
              <div class="event-trigger">
                <CheckboxField
                  name={event.name}
                  label={event.label}
                  help={help}
                  checked={isChecked(submitted, event.name, effective.events[event.name])}
                  error={errors[event.name]}
                  disabled={event.name in effective.enforced}
                  aside={<InheritToggle name={event.name} label={`${event.label} events`} help={help} props={props} />}
                />
                {section.fields
                  .filter((field) => field.event === event.name)
                  .map((field) => (
                    <div class="event-channel">
                      <SettingField field={field} props={props} />
                    </div>
                  ))}
              </div>
            );
          })}
        </div>
      )}
      {section.fields
        .filter((field) => !field.event)
        .map((field) => (
          <SettingField field={field} props={props} />
        ))}
    </>
  );
}

/**
 * One of GitLab's sections: a heading, a help line with the type's documentation, the level its
 * values come from when they all come from one (other than the page's), then the values.
 */
function Section({ section, props }: { section: FormSection; props: SettingsFieldsProps }) {
  const { effective, self, type, level, editable } = props;
  const common = commonSource(effective, section.keys);
  // Where values come from several levels, a field names its own unless it is the one the page shows.
  const shown = editable || effective.state === 'custom' ? self : (effective.inheritsFrom ?? self);
  const sectionSource = common && common !== 'default' ? common : shown;
  const headingId = `section-${section.kind}`;
  return (
    <section class={`form-section form-section-${section.kind}`} aria-labelledby={headingId}>
      <h2 id={headingId}>{section.title}</h2>
      <p class="section-help">
        {section.help}
        {type.docsUrl && (
          <>
            {' '}
            <a href={type.docsUrl}>{type.title} documentation</a>
          </>
        )}
      </p>
      {common && common !== 'default' && !sameOwner(common, self) && (
        <p class="section-source field-source">
          Inherited from <SourceName source={common} props={props} />
        </p>
      )}
      {common === 'default' && level !== 'instance' && (
        <p class="section-source field-source">Default values: no level sets these.</p>
      )}
      {editable ? (
        <SectionFields section={section} props={{ ...props, sectionSource }} />
      ) : (
        <SectionValues section={section} props={{ ...props, sectionSource }} />
      )}
    </section>
  );
}

export function SettingsFields(props: SettingsFieldsProps) {
  return (
    <div class={props.editable ? 'settings-fields' : 'settings-fields settings-fields-inherited'}>
      {formSections(props.type, props.level).map((section) => (
        <Section section={section} props={props} />
      ))}
    </div>
  );
}
