/**
 * @module settings/resolve
 * The inheritance engine: from the rows of a chain (the level itself, then each level above
 * it, nearest first) to the effective settings and, for each value, the level it came from.
 * Pure: no I/O, so every rule is tested directly.
 */
import type { FieldValue, IntegrationDefinition, Level } from '../integrations/types.js';
import { defaultValues } from '../integrations/validate.js';

export type { Level } from '../integrations/types.js';

/** Who owns a row of settings: the instance, a group or a project. */
export interface SettingsOwner {
  level: Level;
  /** The group's or project's id; null for the instance. */
  id: number | null;
  /** "Instance", "Platform / Backend", "Platform / Backend / API". */
  name: string;
  /** The group's or project's full path, for links; null for the instance. */
  path: string | null;
}

/**
 * What one level sets itself. A key left out (an absent field or event, `active` undefined) is
 * inherited from the next level up that sets it.
 */
export interface SettingsRow {
  owner: SettingsOwner;
  active?: boolean | undefined;
  fields: Record<string, FieldValue>;
  events: Record<string, boolean>;
  /** Instance and group rows: values every level below must use (`"*"`: all of them). */
  enforced?: Enforcement | undefined;
}

export interface Enforcement {
  keys: readonly string[];
  reason: string;
}

/** Which level enforces a value on this one, and why. */
export interface EnforcedBy {
  by: SettingsOwner;
  reason: string;
}

export const enforces = (enforcement: Enforcement | undefined, key: string) =>
  enforcement !== undefined && (enforcement.keys.includes('*') || enforcement.keys.includes(key));

/** Where an effective value comes from: a level, or the catalog default when nobody set it. */
export type ValueSource = SettingsOwner | 'default';

export interface EffectiveSettings {
  /** `custom`: the level has its own row; `inherited`: a level above has one; `not_configured`: nobody has. */
  state: 'custom' | 'inherited' | 'not_configured';
  active: boolean;
  fields: Record<string, FieldValue>;
  events: Record<string, boolean>;
  /** Keyed by `active`, each field name and each event name. */
  source: Record<string, ValueSource>;
  /** The nearest level above with its own row: what "Use instance-level / group-level settings" takes. */
  inheritsFrom: SettingsOwner | null;
  /** Keys a level above enforces: their value comes from there, whatever this level sets. */
  enforced: Record<string, EnforcedBy>;
  /** Secrets set above that this level may not use, because it sends them elsewhere: blank in `fields`. */
  withheld: Record<string, WithheldSecret>;
}

/** A secret set at `setAt`, withheld because these fields that expose it resolve here to other values than there. */
export interface WithheldSecret {
  setAt: SettingsOwner;
  exposedBy: string[];
}

/** The same level: owners are compared by level and id, never as objects (a copy is the same owner). */
export const sameOwner = (a: SettingsOwner, b: SettingsOwner) => a.level === b.level && a.id === b.id;

/**
 * @example
 * resolveSettings(slack, project, [instanceRow]).state // 'inherited'
 * resolveSettings(slack, project, [projectRow, instanceRow]).fields.username // the project's value
 */
export function resolveSettings(
  type: IntegrationDefinition,
  self: SettingsOwner,
  chain: readonly SettingsRow[],
): EffectiveSettings {
  const own = chain[0] && sameOwner(chain[0].owner, self) ? chain[0] : undefined;
  const above = own ? chain.slice(1) : chain;
  const defaults = defaultValues(type, self.level);
  const source: Record<string, ValueSource> = {};

  const enforced: Record<string, EnforcedBy> = {};
  /** The topmost level above that enforces the key: values below it do not count. */
  const firstCounting = (key: string) => {
    for (let index = chain.length - 1; index >= 0; index--) {
      const row = chain[index]!;
      if (row !== own && enforces(row.enforced, key)) {
        enforced[key] = { by: row.owner, reason: row.enforced!.reason };
        return index;
      }
    }
    return 0;
  };

  /** The position in the chain of the row each value comes from. */
  const sourceIndex: Record<string, number> = {};
  const pick = <T>(key: string, read: (row: SettingsRow) => T | undefined, fallback: T): T => {
    for (let index = firstCounting(key); index < chain.length; index++) {
      const value = read(chain[index]!);
      if (value !== undefined) {
        source[key] = chain[index]!.owner;
        sourceIndex[key] = index;
        return value;
      }
    }
    source[key] = 'default';
    return fallback;
  };

  const fields: Record<string, FieldValue> = {};
  for (const field of type.fields) {
    fields[field.name] = pick(
      field.name,
      (row) => (field.name in row.fields ? row.fields[field.name] : undefined),
      defaults.fields[field.name] ?? null,
    );
  }
  const events: Record<string, boolean> = {};
  for (const [name, byDefault] of Object.entries(defaults.events)) {
    events[name] = pick(name, (row) => row.events[name], byDefault);
  }
  const active = pick('active', (row) => row.active, false);
  const withheld = withholdSecretsSentElsewhere(type, chain, own, fields, sourceIndex);
  for (const name of Object.keys(withheld)) {
    fields[name] = null;
    source[name] = 'default';
  }

  return {
    state: own ? 'custom' : above.length > 0 ? 'inherited' : 'not_configured',
    active,
    fields,
    events,
    source,
    inheritsFrom: above[0]?.owner ?? null,
    enforced,
    withheld,
  };
}

/**
 * GitLab's `exposes_secrets`, applied when values are read: a secret set at a level above is
 * used only with the values that level itself resolves to for the fields that expose the
 * secret (a Jira URL, a Datadog site). Anywhere else it would be sent to a server the level
 * above never chose, so there it is withheld, and must be entered again.
 */
function withholdSecretsSentElsewhere(
  type: IntegrationDefinition,
  chain: readonly SettingsRow[],
  own: SettingsRow | undefined,
  fields: Readonly<Record<string, FieldValue>>,
  sourceIndex: Readonly<Record<string, number>>,
): Record<string, WithheldSecret> {
  const exposing = type.fields.filter((field) => field.exposesSecrets).map((field) => field.name);
  const withheld: Record<string, WithheldSecret> = {};
  if (exposing.length === 0) return withheld;
  for (const secret of type.fields.filter((field) => field.kind === 'secret')) {
    const index = sourceIndex[secret.name];
    if (index === undefined || chain[index] === own) continue;
    const setAt = chain[index]!.owner;
    const there = resolveSettings(type, setAt, chain.slice(index)).fields;
    const exposedBy = exposing.filter(
      (name) => JSON.stringify(there[name] ?? null) !== JSON.stringify(fields[name] ?? null),
    );
    if (exposedBy.length > 0) withheld[secret.name] = { setAt, exposedBy };
  }
  return withheld;
}

/**
 * The one level all these values come from, the type's defaults counting as anyone's: what a
 * section of the form says once instead of on each field. `default` when no level sets any of
 * them, null when they come from several levels.
 *
 * @example
 * commonSource(resolveSettings(slack, project, [instanceRow]), ['active', 'webhook']) // the instance
 */
export function commonSource(effective: EffectiveSettings, keys: readonly string[]): ValueSource | null {
  let common: SettingsOwner | undefined;
  for (const key of keys) {
    const source = effective.source[key];
    if (source === undefined || source === 'default') continue;
    if (common && !sameOwner(common, source)) return null;
    common = source;
  }
  return common ?? 'default';
}

/** "the instance", "Top / Sub": a level as a sentence names it. */
export const levelInSentence = (owner: SettingsOwner) => (owner.level === 'instance' ? 'the instance' : owner.name);

/** "Password" -> "password", "API key" stays: a label inside a sentence. */
const labelInSentence = (label: string) =>
  /^[A-Z][a-z]/.test(label) ? label[0]!.toLowerCase() + label.slice(1) : label;

/**
 * What the form says next to a withheld secret.
 *
 * @example
 * withheldSecretMessage(jira, 'password', { setAt: platform, exposedBy: ['url'] })
 * // "Enter the API token, password, or personal access token again: the one set in Platform is only sent to Platform's Web URL"
 */
export function withheldSecretMessage(type: IntegrationDefinition, name: string, withheld: WithheldSecret): string {
  const label = (fieldName: string) => type.fields.find((field) => field.name === fieldName)?.label ?? fieldName;
  const level = levelInSentence(withheld.setAt);
  return `Enter the ${labelInSentence(label(name))} again: the one set in ${level} is only sent to ${level}'s ${withheld.exposedBy.map(label).join(' and ')}`;
}

/** "instance-level" / "group-level": the dropdown says "Use instance-level settings". */
export function inheritanceSourceLabel(owner: SettingsOwner): string {
  return `${owner.level}-level`;
}

/** The keys whose own value differs from the inherited one (secrets are compared too, never shown). */
export function differingKeys(own: EffectiveSettings, inherited: EffectiveSettings): string[] {
  const keys: string[] = [];
  if (own.active !== inherited.active) keys.push('active');
  for (const [name, value] of Object.entries(own.fields)) {
    if (JSON.stringify(value) !== JSON.stringify(inherited.fields[name] ?? null)) keys.push(name);
  }
  for (const [name, value] of Object.entries(own.events)) if (value !== inherited.events[name]) keys.push(name);
  return keys;
}
