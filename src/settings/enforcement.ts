/**
 * @module settings/enforcement
 * What the instance or a group imposes on every level below it:
 * - enforcing values (or the whole integration), which the levels below then must use. Their
 *   own values are kept, unused, and apply again when the enforcement is lifted;
 * - pushing values down, which clears the descendants' own values for them in one action.
 * Both start from the descendants that override the chosen values, which the previews count.
 */
import { recordAuditEvent, settingsChanges, type AuditChange } from '../audit/trail.js';
import type { User } from '../db/schema.js';
import type { IntegrationType } from '../integrations/types.js';
import { settingKeys, unknownFieldNames } from '../integrations/validate.js';
import { listOverrides } from './overrides.js';
import type { Enforcement, Level, SettingsOwner } from './resolve.js';
import type { OwnSettings, SettingsStore, StoredSettings } from './store.js';

/** The key that stands for every value of the integration. */
export const ALL_VALUES = '*';

export const MAX_REASON_LENGTH = 500;

/** A descendant with settings of its own, and the values among the chosen ones it sets. */
export interface Overrider {
  settings: StoredSettings;
  keys: string[];
}

/** The keys a level's own settings set itself. */
export function ownKeys(own: OwnSettings): string[] {
  return [...(own.active === undefined ? [] : ['active']), ...Object.keys(own.fields), ...Object.keys(own.events)];
}

/**
 * The descendants (projects and subgroups) whose own settings set any of the keys
 * ({@link ALL_VALUES}: any value at all), nearest path first.
 *
 * @example
 * (await overriders(store, INSTANCE_OWNER, slack, ['channel'])).map((o) => o.settings.owner.path) // ['platform/api']
 */
export async function overriders(
  store: SettingsStore,
  owner: SettingsOwner,
  type: IntegrationType,
  keys: readonly string[],
): Promise<Overrider[]> {
  const { entries } = await listOverrides(store.db, owner, type.slug, {
    search: '',
    after: '',
    limit: Number.MAX_SAFE_INTEGER,
    visibleTo: null,
  });
  const all = keys.includes(ALL_VALUES);
  // Named by path in the audit trail, as switching back names them.
  const rows = await store.findOwnOfEach(
    entries.map(({ owner: descendant }) => ({ ...descendant, name: descendant.path! })),
    type.slug,
  );
  const found: Overrider[] = [];
  for (const settings of rows) {
    if (!settings) continue;
    const overridden = ownKeys(settings).filter((key) => all || keys.includes(key));
    if (overridden.length > 0) found.push({ settings, keys: overridden });
  }
  return found;
}

export interface DescendantCount {
  projects: number;
  groups: number;
}

export function countByLevel(found: readonly Overrider[]): DescendantCount {
  const projects = found.filter((o) => o.settings.owner.level === 'project').length;
  return { projects, groups: found.length - projects };
}

export type KeysOutcome = { ok: true; keys: string[] } | { ok: false; error: string };

/**
 * The values chosen in a form: the whole integration, or known keys of the type. Anything else
 * is a tampered form.
 */
export function parseChosenKeys(type: IntegrationType, level: Level, chosen: readonly string[]): KeysOutcome {
  if (chosen.includes(ALL_VALUES)) return { ok: true, keys: [ALL_VALUES] };
  const unknown = unknownFieldNames(type, chosen, level);
  if (unknown.length > 0)
    return { ok: false, error: `${type.title} has no setting named ${unknown.slice(0, 3).join(', ')}.` };
  if (chosen.length === 0) return { ok: false, error: 'Choose the whole integration or at least one setting.' };
  return { ok: true, keys: [...new Set(chosen)] };
}

/** "all settings" or "Webhook URL, Channel" */
export function describeKeys(type: IntegrationType, keys: readonly string[]): string {
  if (keys.includes(ALL_VALUES)) return 'all settings';
  const labels = new Map(settingKeys(type).map(({ key, label }) => [key, label]));
  return keys.map((key) => labels.get(key) ?? key).join(', ');
}

function enforcementChanges(
  type: IntegrationType,
  before: Enforcement | undefined,
  after: Enforcement | null,
): AuditChange[] {
  const changes: AuditChange[] = [];
  const was = before ? describeKeys(type, before.keys) : null;
  const is = after ? describeKeys(type, after.keys) : null;
  if (was !== is) changes.push({ key: 'enforced', label: 'Enforced settings', before: was, after: is });
  const reasonWas = before?.reason || null;
  const reasonIs = after?.reason || null;
  if (reasonWas !== reasonIs)
    changes.push({ key: 'enforcement_reason', label: 'Reason', before: reasonWas, after: reasonIs });
  return changes;
}

/**
 * Enforces the owner's values on every level below it, or with null lifts the enforcement. The
 * levels below keep their own values. `version` is that of the form (a stale one is refused);
 * undefined for the API, where the last write wins.
 */
export async function setEnforcement(
  store: SettingsStore,
  owner: SettingsOwner,
  type: IntegrationType,
  enforcement: Enforcement | null,
  version: number | undefined,
  actor: User,
): Promise<StoredSettings> {
  return store.db.transaction(async (tx) => {
    const inTx = store.within(tx);
    const before = (await inTx.findOwn(owner, type.slug))?.enforced;
    const saved = await inTx.setEnforcement(owner, type.slug, enforcement, version);
    await recordAuditEvent(tx, {
      actor,
      action: enforcement ? 'settings.enforced' : 'settings.enforcement_lifted',
      owner,
      integration: type.slug,
      changes: enforcementChanges(type, before, enforcement),
    });
    return saved;
  });
}

function without(own: OwnSettings, keys: readonly string[]): OwnSettings {
  const drop = (record: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));
  return {
    active: keys.includes('active') ? undefined : own.active,
    fields: drop(own.fields) as OwnSettings['fields'],
    events: drop(own.events) as OwnSettings['events'],
  };
}

/**
 * Clears the chosen values of every descendant that overrides them, in one transaction with an
 * audit event each: from then on they take those values from above. A descendant left with no
 * value of its own inherits the whole integration.
 */
export async function pushToDescendants(
  store: SettingsStore,
  owner: SettingsOwner,
  type: IntegrationType,
  keys: readonly string[],
  actor: User,
): Promise<DescendantCount> {
  return store.db.transaction(async (tx) => {
    const inTx = store.within(tx);
    const found = await overriders(inTx, owner, type, keys);
    for (const { settings, keys: overridden } of found) {
      const after = without(settings, overridden);
      const descendant = settings.owner;
      if (ownKeys(after).length === 0) await inTx.remove(descendant, type.slug, settings.version);
      else await inTx.save(descendant, type.slug, after, settings.version, actor.id);
      await recordAuditEvent(tx, {
        actor,
        action: 'settings.pushed',
        owner: descendant,
        integration: type.slug,
        changes: settingsChanges(type, settings, ownKeys(after).length === 0 ? undefined : after, descendant.level),
      });
    }
    return countByLevel(found);
  });
}
