/**
 * @module integrations/validate
 * From a submitted form (or API parameters) to validated settings values: strings become
 * typed values, then the type's zod schema checks the settings they result in. Required fields
 * are enforced only while the integration is active, as in GitLab.
 */
import { z } from 'zod';
import { parseBoolean } from '../boolean.js';
import { lastValue } from '../form-values.js';
import { listItems } from './fields.js';
import type {
  Field,
  FieldValue,
  IntegrationDefinition,
  IntegrationType,
  Level,
  SettingsValues,
  TriggerEvent,
} from './types.js';

export type SettingsInput = Record<string, string | string[] | undefined>;

export interface ParseContext {
  level: Level;
  /** The values the level would have without this submission: fields left out keep them. */
  previous?: Record<string, FieldValue>;
  previousEvents?: Record<string, boolean>;
}

export type ParseOutcome = { ok: true; value: SettingsValues } | { ok: false; errors: Record<string, string> };

const DEFAULT_MAX = 2_000;
const LONG_MAX = 10_000;
const EMAIL = z.email();

/** No value: null, empty text or an empty list. */
export const isBlank = (value: FieldValue | undefined) =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);

export function isSecretField(field: Field): boolean {
  return field.kind === 'secret';
}

/** A URL field, or a secret that holds one (a webhook). */
export const isUrlField = (field: Field) => field.kind === 'url' || field.format === 'url';

/**
 * Where requests go because of a field's value: the value of a URL field, the URL a host field
 * yields; null for a field that decides no destination.
 *
 * @example
 * requestUrlOf(datadogSite, 'datadoghq.eu') // 'https://api.datadoghq.eu'
 * requestUrlOf(jiraUrl, 'https://jira.example.com') // 'https://jira.example.com'
 */
export function requestUrlOf(field: Field, value: string): string | null {
  if (field.yieldsUrl) return field.yieldsUrl(value);
  return isUrlField(field) ? value : null;
}

export function eventsAt(type: IntegrationDefinition, level: Level): TriggerEvent[] {
  return type.events.filter((event) => !event.levels || event.levels.includes(level));
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** "datadoghq.eu", "us3.datadoghq.com:443": labels of letters, digits and hyphens, and a port. */
const HOST_NAME_AND_PORT = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/i;

/** The message for one field's value, or null when it is fine. */
function fieldProblem(field: Field, value: FieldValue): string | null {
  if (isBlank(value)) return null;
  const max = field.maxLength ?? (field.kind === 'textarea' || field.kind === 'list' ? LONG_MAX : DEFAULT_MAX);
  if (typeof value === 'string' && value.length > max)
    return `${field.label} is too long (maximum is ${max} characters)`;
  if (isUrlField(field) && typeof value === 'string' && !isHttpUrl(value)) {
    return `${field.label} must be a valid URL (http or https)`;
  }
  if (
    field.yieldsUrl &&
    typeof value === 'string' &&
    !(HOST_NAME_AND_PORT.test(value) && isHttpUrl(field.yieldsUrl(value)))
  ) {
    return `${field.label} must be a host name${field.placeholder ? `, such as ${field.placeholder}` : ''}`;
  }
  if (field.pattern && typeof value === 'string' && !field.pattern.regex.test(value)) return field.pattern.message;
  if (field.kind === 'number' && (typeof value !== 'number' || !Number.isSafeInteger(value)))
    return `${field.label} must be a whole number`;
  if (field.kind === 'select' && !(field.choices ?? []).some((choice) => choice.value === value)) {
    return `${field.label} is not one of the offered choices`;
  }
  if (field.format === 'emails') {
    const invalid = listItems(typeof value === 'string' ? value.replace(/\s+/g, ',') : '').filter(
      (item) => !EMAIL.safeParse(item.replace(/^<|>$/g, '')).success,
    );
    if (invalid.length > 0) return `${field.label}: ${invalid[0]} is not a valid email address`;
  }
  return null;
}

/**
 * Builds a type's zod schema from its fields and cross-field rules.
 *
 * @example
 * const type = defineIntegration({ slug: 'external-wiki', ... })
 * type.schema.safeParse({ active: true, fields: { external_wiki_url: 'ftp://x' }, events: {} }).success // false
 */
function settingsSchema(definition: IntegrationDefinition): z.ZodType<SettingsValues> {
  const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]);
  return z
    .object({
      active: z.boolean(),
      fields: z.record(z.string(), fieldValue),
      events: z.record(z.string(), z.boolean()),
    })
    .superRefine((values, ctx) => {
      for (const field of definition.fields) {
        const problem = fieldProblem(field, values.fields[field.name] ?? null);
        if (problem) ctx.addIssue({ code: 'custom', path: [field.name], message: problem });
      }
      if (!values.active || !definition.validate) return;
      for (const [name, message] of Object.entries(definition.validate(values))) {
        if (message) ctx.addIssue({ code: 'custom', path: [name], message });
      }
    });
}

/** Declares an integration type: the catalog files call this with plain data. */
export function defineIntegration(definition: IntegrationDefinition): IntegrationType {
  return { ...definition, schema: settingsSchema(definition) };
}

/** A submitted string as the field's typed value (not a checkbox's); undefined means "not submitted". */
function coerce(field: Field, raw: string | undefined): FieldValue | undefined {
  if (raw === undefined) return undefined;
  const text = field.kind === 'textarea' ? raw.replace(/\r\n/g, '\n').trim() : raw.trim();
  if (text === '') return field.kind === 'secret' ? undefined : null;
  if (field.kind === 'number') return /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (field.kind === 'list') return listItems(text);
  return text;
}

/**
 * Reads a settings form for a type at a level: typed values, each checked on its own. Fields
 * left out keep their previous value; a secret left blank is left out of the values (it keeps
 * the stored one). Required values and the rules across fields are checked on the settings
 * that result, with {@link settingsErrors}.
 *
 * @example
 * readSettingsForm(slack, { active: '1', webhook: 'https://hooks.slack.com/x' }, { level: 'project' })
 * // { ok: true, value: { active: true, fields: { webhook: 'https://hooks.slack.com/x', ... }, events: { ... } } }
 */
export function readSettingsForm(type: IntegrationType, input: SettingsInput, context: ParseContext): ParseOutcome {
  const previous = context.previous ?? {};
  const fields: Record<string, FieldValue> = {};
  const errors: Record<string, string> = {};
  /** A checkbox, an event or Enabled: GitLab's yes/no words; anything else is refused next to it. */
  const readBoolean = <Kept>(name: string, label: string, kept: Kept): boolean | Kept => {
    const raw = lastValue(input[name]);
    if (raw === undefined) return kept;
    const value = parseBoolean(raw);
    if (value === undefined) errors[name] = `${label} must be yes or no`;
    return value ?? kept;
  };
  const active = readBoolean('active', 'Enabled', previous.active === true);

  for (const field of type.fields) {
    const kept = previous[field.name] ?? field.default ?? null;
    if (field.kind === 'checkbox') {
      fields[field.name] = readBoolean(field.name, field.label, kept);
      continue;
    }
    const value = coerce(field, lastValue(input[field.name]));
    if (value === undefined) {
      if (field.kind !== 'secret') fields[field.name] = kept;
      continue;
    }
    fields[field.name] =
      typeof value === 'number' && Number.isNaN(value) ? (lastValue(input[field.name]) ?? '') : value;
    const problem = fieldProblem(field, fields[field.name]!);
    if (problem) errors[field.name] = problem;
  }

  const events: Record<string, boolean> = {};
  for (const event of eventsAt(type, context.level)) {
    events[event.name] = readBoolean(
      event.name,
      `${event.label} events`,
      context.previousEvents?.[event.name] ?? event.default,
    );
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { active, fields, events } };
}

/**
 * The problems of settings as they apply (every secret in them, own or inherited): each value
 * on its own and, while active, the required values and the type's rules across fields.
 * `missing` says why a required value is blank; "<label> is required" by default.
 *
 * @example
 * settingsErrors(slack, { active: true, fields: { webhook: null }, events: {} }) // { webhook: 'Webhook URL is required' }
 */
export function settingsErrors(
  type: IntegrationType,
  values: SettingsValues,
  missing: (field: Field) => string = (field) => `${field.label} is required`,
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (values.active) {
    for (const field of type.fields)
      if (field.required && isBlank(values.fields[field.name])) errors[field.name] = missing(field);
  }
  const parsed = type.schema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? 'active')] ??= issue.message;
  }
  return errors;
}

/**
 * Submitted names that are neither a field, an event at this level, nor `active`: a tampered
 * form or a field of another type.
 */
export function unknownFieldNames(type: IntegrationType, names: readonly string[], level: Level): string[] {
  const known = new Set(settingKeys(type, level).map(({ key }) => key));
  return names.filter((name) => !known.has(name));
}

export interface SettingKey {
  key: string;
  label: string;
}

/** Every value a level sets for a type, in form order: Enabled, the fields, the events at the level (at any level when absent). */
export function settingKeys(type: IntegrationDefinition, level?: Level): SettingKey[] {
  return [
    { key: 'active', label: 'Enabled' },
    ...type.fields.map((field) => ({ key: field.name, label: field.label })),
    ...(level ? eventsAt(type, level) : type.events).map((event) => ({
      key: event.name,
      label: `${event.label} events`,
    })),
  ];
}

/** The values of a type at a level that are yes or no: Enabled, the checkboxes and the events. */
export function booleanSettingNames(type: IntegrationDefinition, level: Level): Set<string> {
  return new Set([
    'active',
    ...type.fields.filter((field) => field.kind === 'checkbox').map((field) => field.name),
    ...eventsAt(type, level).map((event) => event.name),
  ]);
}

/** The settings of a type nobody has configured: inactive, each field and event at its default. */
export function defaultValues(type: IntegrationDefinition, level: Level): SettingsValues {
  return {
    active: false,
    fields: Object.fromEntries(type.fields.map((field) => [field.name, field.default ?? null])),
    events: Object.fromEntries(eventsAt(type, level).map((event) => [event.name, event.default])),
  };
}
