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
}

export const sameOwner = (a: SettingsOwner, b: SettingsOwner) => a.level === b.level && a.id === b.id;

/**
 * @example
 * resolveSettings(slack, project, [instanceRow]).state // 'inherited'
 * resolveSettings(slack, project, [projectRow, instanceRow]).fields.username // the project's value
 */
export function resolveSettings(type: IntegrationDefinition, self: SettingsOwner, chain: readonly SettingsRow[]): EffectiveSettings {
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

  const pick = <T>(key: string, read: (row: SettingsRow) => T | undefined, fallback: T): T => {
    for (const row of chain.slice(firstCounting(key))) {
      const value = read(row);
      if (value !== undefined) {
        source[key] = row.owner;
        return value;
      }
    }
    source[key] = 'default';
    return fallback;
  };

  const fields: Record<string, FieldValue> = {};
  for (const field of type.fields) {
    fields[field.name] = pick(field.name, (row) => (field.name in row.fields ? row.fields[field.name] : undefined), defaults.fields[field.name] ?? null);
  }
  const events: Record<string, boolean> = {};
  for (const [name, byDefault] of Object.entries(defaults.events)) {
    events[name] = pick(name, (row) => row.events[name], byDefault);
  }
  const active = pick('active', (row) => row.active, false);

  return {
    state: own ? 'custom' : above.length > 0 ? 'inherited' : 'not_configured',
    active,
    fields,
    events,
    source,
    inheritsFrom: above[0]?.owner ?? null,
    enforced,
  };
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
