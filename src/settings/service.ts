/**
 * @module settings/service
 * The integration settings of a level as the pages and the API use them: load and resolve
 * them along the chain, prepare a submitted change (custom settings, or back to inheriting) and
 * write it. settings/save.ts puts these steps together into the one way to save.
 */
import { INHERITS_FROM, recordAuditEvent, settingsChanges, type AuditChange, type OwnValues } from '../audit/trail.js';
import type { User } from '../db/schema.js';
import { findIntegrationType, integrationTypesAt } from '../integrations/index.js';
import type { Field, FieldValue, IntegrationType, SettingsValues } from '../integrations/types.js';
import {
  isBlank,
  isSecretField,
  readSettingsForm,
  settingKeys,
  settingsErrors,
  unknownFieldNames,
} from '../integrations/validate.js';
import { BadRequest } from '../errors.js';
import type { FieldErrors } from '../validation.js';
import {
  levelInSentence,
  resolveSettings,
  sameOwner,
  withheldSecretMessage,
  type EffectiveSettings,
  type EnforcedBy,
  type Level,
  type SettingsOwner,
} from './resolve.js';
import type { OwnSettings, SettingsStore, StoredSettings } from './store.js';
import type { SettingsSubmission } from './submission.js';

export interface IntegrationState {
  type: IntegrationType;
  effective: EffectiveSettings;
  /** The level's own row, if it has custom settings. */
  own: StoredSettings | undefined;
  /** The rows of the chain that have settings, nearest first (the own row among them). */
  rows: readonly StoredSettings[];
}

export interface SettingsLevel {
  level: Level;
  owner: SettingsOwner;
  /** The owner first, then the levels it inherits from, nearest first. */
  chain: readonly SettingsOwner[];
}

/** The type of a URL's slug, if it may be configured at this level. */
export function typeAtLevel(slug: string, level: Level): IntegrationType | undefined {
  const type = findIntegrationType(slug);
  return type && type.levels.includes(level) ? type : undefined;
}

/**
 * Every type's state at a level, with one query for the whole chain.
 *
 * @example
 * integrationStates(store, { level: 'project', owner, chain }).find((s) => s.type.slug === 'slack')?.effective.state // 'inherited'
 */
export async function integrationStates(
  store: SettingsStore,
  at: SettingsLevel,
  only?: IntegrationType,
): Promise<IntegrationState[]> {
  const rows = await store.loadChains(at.chain, only?.slug);
  const types = only ? [only] : integrationTypesAt(at.level);
  return types.map((type) => {
    const chain = rows.get(type.slug) ?? [];
    const own = chain[0] && sameOwner(chain[0].owner, at.owner) ? chain[0] : undefined;
    return { type, effective: resolveSettings(type, at.owner, chain), own, rows: chain };
  });
}

/**
 * What a level would use if it inherited: its chain resolved without its own row. The page shows
 * these when "Use instance-level settings" is chosen, before it is saved.
 *
 * @example
 * inheritedSettings(at, state).fields.username // the instance's, even while the project has its own
 */
export function inheritedSettings(at: SettingsLevel, state: IntegrationState): EffectiveSettings {
  return state.own ? resolveSettings(state.type, at.owner, state.rows.slice(1)) : state.effective;
}

/**
 * A validated change, ready to be written (after a confirmation where one is needed), with the
 * nearest level above that has settings, which the audit trail names when the level starts or
 * stops inheriting.
 */
export type SettingsChange = {
  version: number;
  inheritsFrom: SettingsOwner | null;
  /** The values the levels above give this one, as the change was prepared: what the audit trail says it inherited. */
  above: OwnValues;
} & ({ mode: 'inherit' } | { mode: 'custom'; own: OwnSettings });

/** The values of resolved settings, as the audit trail compares them. */
const valuesOf = (settings: EffectiveSettings): OwnValues => ({
  active: settings.active,
  fields: settings.fields,
  events: settings.events,
});

/**
 * A valid change comes with the settings it results in, resolved along the chain, and whether it
 * leaves the level's own settings as they are (then there is nothing to confirm or record). An
 * invalid one says whether every refused key is one a level above enforces.
 */
export type PrepareOutcome =
  | { ok: true; change: SettingsChange; effective: EffectiveSettings; unchanged: boolean }
  | { ok: false; errors: FieldErrors; enforcedOnly: boolean };

/**
 * Validates a submission without writing anything: "inherit" needs a default to inherit;
 * "custom" needs settings that are valid as they would apply, own values and inherited ones
 * together (an active integration needs every required value from somewhere). A blank secret
 * keeps this level's own, or stays inherited. The change is made against the submission's
 * `expectedVersion`, or else the version read here. Tampered field names are refused with
 * {@link BadRequest}. Reads the chain once.
 *
 * @example
 * const prepared = await prepareSettingsChange(store, at, slack, { mode: 'custom', values: { channel: '#ops' }, inherited: [], expectedVersion: 1 })
 * if (prepared.ok) prepared.effective.fields.channel // '#ops'
 */
export async function prepareSettingsChange(
  store: SettingsStore,
  at: SettingsLevel,
  type: IntegrationType,
  submission: SettingsSubmission,
): Promise<PrepareOutcome> {
  const unknown = unknownFieldNames(type, Object.keys(submission.values), at.level);
  if (unknown.length > 0) throw new BadRequest(`Unknown field: ${unknown.join(', ')}. Reload the page and try again.`);
  if (submission.mode === 'inherit' && at.level === 'instance')
    throw new BadRequest('The instance has no settings above it to inherit. Reload the page and try again.');

  const [state] = await integrationStates(store, at, type);
  const { effective, own: ownBefore } = state!;
  const version = submission.expectedVersion ?? ownBefore?.version ?? 0;
  const aboveRows = state!.rows.filter((row) => !sameOwner(row.owner, at.owner));
  const refused = (errors: FieldErrors): PrepareOutcome => ({
    ok: false,
    errors,
    enforcedOnly: Object.keys(errors).every((key) => key in effective.enforced),
  });

  if (submission.mode === 'inherit') {
    if (!effective.inheritsFrom)
      return refused({
        inheritance: `There are no default settings for ${type.title} to inherit; use custom settings`,
      });
    const inherited = resolveSettings(type, at.owner, aboveRows);
    return {
      ok: true,
      change: { mode: 'inherit', version, inheritsFrom: effective.inheritsFrom, above: valuesOf(inherited) },
      effective: inherited,
      unchanged: ownBefore === undefined,
    };
  }

  const inherited = new Set(submission.inherited);
  const inheritable = new Set(['active', ...type.fields.map((field) => field.name), ...Object.keys(effective.events)]);
  const tampered = [...inherited].filter((key) => !inheritable.has(key));
  if (tampered.length > 0)
    throw new BadRequest(`Unknown field: ${tampered.join(', ')}. Reload the page and try again.`);
  if (inherited.size > 0 && aboveRows.length === 0)
    return refused(Object.fromEntries([...inherited].map((key) => [key, 'There is no level above to inherit from'])));

  const values = valuesToApply(submission, inherited, effective);
  // Values the submission leaves out keep what they are now; those marked inherited take the values above.
  const above = resolveSettings(type, at.owner, aboveRows);
  const read = readSettingsForm(type, withoutKeys(values, inherited), {
    level: at.level,
    previous: { ...effective.fields, ...onlyKeys(above.fields, inherited) },
    previousEvents: { ...effective.events, ...onlyKeys(above.events, inherited) },
  });
  if (!read.ok) return refused(read.errors);
  const enforcedErrors = changedEnforcedValues(type, values, read.value, effective);
  if (Object.keys(enforcedErrors).length > 0) return refused(enforcedErrors);

  // A secret left blank keeps this level's own. One set above stays inherited, not copied: the
  // engine then uses it only with the URLs of the level that set it.
  const keptSecrets = type.fields.filter(
    (field) =>
      isSecretField(field) &&
      !(field.name in read.value.fields) &&
      !inherited.has(field.name) &&
      !isBlank(ownBefore?.fields[field.name]),
  );
  const fields = {
    ...read.value.fields,
    ...Object.fromEntries(keptSecrets.map((field) => [field.name, ownBefore!.fields[field.name]!])),
  };
  const own = keepOwnUnderEnforcement(
    {
      active: inherited.has('active') ? undefined : read.value.active,
      fields: withoutKeys(fields, inherited),
      events: withoutKeys(read.value.events, inherited),
    },
    ownBefore,
    effective,
  );
  const after = resolveSettings(type, at.owner, [{ owner: at.owner, ...own }, ...aboveRows]);
  const errors = {
    ...settingsErrors(type, after, (field) => missingValueMessage(type, field, after, at.owner)),
    ...secretsToEnterAgain(type, keptSecrets, effective, after),
  };
  if (Object.keys(errors).length > 0) return refused(errors);
  return {
    ok: true,
    change: { mode: 'custom', version, own, inheritsFrom: effective.inheritsFrom, above: valuesOf(above) },
    effective: after,
    unchanged: sameOwnSettings(ownBefore, own),
  };
}

/** The submitted values, with Enabled turned on where the submission `activates` and nothing else decides it. */
function valuesToApply(
  submission: SettingsSubmission,
  inherited: ReadonlySet<string>,
  effective: EffectiveSettings,
): SettingsSubmission['values'] {
  const decided = 'active' in submission.values || inherited.has('active') || 'active' in effective.enforced;
  return submission.activates && !decided ? { ...submission.values, active: '1' } : submission.values;
}

function onlyKeys<T>(values: Record<string, T>, keys: ReadonlySet<string>): Record<string, T> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => keys.has(key)));
}

function withoutKeys<T>(values: Record<string, T>, keys: ReadonlySet<string>): Record<string, T> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !keys.has(key)));
}

/**
 * Why a required value is blank in the settings a level would have: blank here, inherited
 * blank, or a secret set above that this level may not send where it points.
 *
 * @example
 * missingValueMessage(slack, channelField, effective, project) // "Default channel is required, and the value inherited from Top is blank"
 */
export function missingValueMessage(
  type: IntegrationType,
  field: Field,
  effective: EffectiveSettings,
  self: SettingsOwner,
  requirement = 'is required',
): string {
  const withheld = effective.withheld[field.name];
  if (withheld) return withheldSecretMessage(type, field.name, withheld);
  const source = effective.source[field.name];
  // Only an inherited value has no source (a secret left blank has none either).
  if (source === 'default' && !isSecretField(field) && self.level !== 'instance')
    return `${field.label} ${requirement}, and no level above sets it`;
  if (source && source !== 'default' && !sameOwner(source, self))
    return `${field.label} ${requirement}, and the value inherited from ${levelInSentence(source)} is blank`;
  return `${field.label} ${requirement}`;
}

/**
 * GitLab's ResetSecretFields: a secret this level keeps from before is asked for again when a
 * field that exposes it now has another value (typed, set for the first time, or inherited
 * instead of its own).
 */
function secretsToEnterAgain(
  type: IntegrationType,
  kept: readonly Field[],
  before: EffectiveSettings,
  after: EffectiveSettings,
): FieldErrors {
  const differs = (value: FieldValue | undefined, other: FieldValue | undefined) =>
    JSON.stringify(value ?? null) !== JSON.stringify(other ?? null);
  const changed = type.fields.find(
    (field) => field.exposesSecrets && differs(before.fields[field.name], after.fields[field.name]),
  );
  if (!changed) return {};
  return Object.fromEntries(
    kept.map((secret) => [secret.name, `${secret.label} must be entered again because ${changed.label} changed`]),
  );
}

/** "Username is enforced by Instance: one bot for the company": why an enforced value cannot change. */
export function enforcedMessage(label: string, enforced: EnforcedBy): string {
  return `${label} is enforced by ${enforced.by.name}${enforced.reason ? `: ${enforced.reason}` : ''}`;
}

/** A submission that tries to change an enforced value is refused, never silently ignored. */
function changedEnforcedValues(
  type: IntegrationType,
  submitted: SettingsSubmission['values'],
  values: SettingsValues,
  effective: EffectiveSettings,
): FieldErrors {
  const errors: FieldErrors = {};
  const labels = new Map(settingKeys(type).map(({ key, label }) => [key, label]));
  for (const [key, enforcedBy] of Object.entries(effective.enforced)) {
    if (!(key in submitted)) continue;
    const value = key === 'active' ? values.active : key in values.events ? values.events[key] : values.fields[key];
    const current =
      key === 'active' ? effective.active : key in effective.events ? effective.events[key] : effective.fields[key];
    if (JSON.stringify(value ?? null) !== JSON.stringify(current ?? null))
      errors[key] = enforcedMessage(labels.get(key) ?? key, enforcedBy);
  }
  return errors;
}

/**
 * Under enforcement a level's own values are kept, not replaced by the enforced ones, so that
 * they apply again when the enforcement is lifted.
 */
function keepOwnUnderEnforcement(
  own: OwnSettings,
  before: OwnSettings | undefined,
  effective: EffectiveSettings,
): OwnSettings {
  const kept: OwnSettings = { active: own.active, fields: { ...own.fields }, events: { ...own.events } };
  for (const key of Object.keys(effective.enforced)) {
    if (key === 'active') kept.active = before?.active;
    else if (key in kept.events || key in effective.events) {
      if (before && key in before.events) kept.events[key] = before.events[key]!;
      else delete kept.events[key];
    } else if (before && key in before.fields) kept.fields[key] = before.fields[key]!;
    else delete kept.fields[key];
  }
  return kept;
}

/** What a commit did: `unchanged` when the level's own settings were already the change's (nothing written, nothing audited). */
export type CommitOutcome = 'saved' | 'unchanged';

/**
 * Writes a prepared change and its audit event, together: one row, whatever the number of
 * levels below. A change that changes nothing writes nothing, so the row keeps its version.
 * A change prepared against another version than the row's throws Conflict from the store and
 * writes nothing.
 *
 * @example
 * if (prepared.ok) await commitSettingsChange(store, at, slack, prepared.change, user) // 'saved'
 */
export async function commitSettingsChange(
  store: SettingsStore,
  at: SettingsLevel,
  type: IntegrationType,
  change: SettingsChange,
  actor: User,
): Promise<CommitOutcome> {
  return store.db.transaction(async (tx) => {
    const inTx = store.within(tx);
    const before = await inTx.findCurrent(at.owner, type.slug, change.version);
    const after = change.mode === 'inherit' ? undefined : change.own;
    if (sameOwnSettings(before, after)) return 'unchanged';
    if (change.mode === 'inherit') await inTx.remove(at.owner, type.slug, change.version);
    else await inTx.save(at.owner, type.slug, change.own, change.version, actor.id);
    await recordAuditEvent(tx, {
      actor,
      action: change.mode === 'inherit' ? 'settings.inherited' : 'settings.saved',
      owner: at.owner,
      integration: type.slug,
      changes: [
        ...inheritanceChange(at.level, change.inheritsFrom, before, after),
        ...settingsChanges(type, before, after, at.level, change.above),
      ],
    });
    return 'saved';
  });
}

/**
 * A level below the instance that gains or loses its own settings switches between custom
 * settings and those of `inheritsFrom`, the nearest level above that has some: the trail names it.
 */
function inheritanceChange(
  level: Level,
  inheritsFrom: SettingsOwner | null,
  before: OwnSettings | undefined,
  after: OwnSettings | undefined,
): AuditChange[] {
  if (level === 'instance' || (before === undefined) === (after === undefined)) return [];
  const name = inheritsFrom?.name ?? null;
  return [{ key: INHERITS_FROM, label: 'Inherits from', before: before ? null : name, after: after ? null : name }];
}

/** Whether a level's own settings stay as they are: no row before and after, or the same keys with the same values. */
function sameOwnSettings(before: OwnSettings | undefined, after: OwnSettings | undefined): boolean {
  if (!before || !after) return before === after;
  const same = <T>(a: Record<string, T>, b: Record<string, T>) =>
    Object.keys(a).length === Object.keys(b).length &&
    Object.entries(a).every(([key, value]) => key in b && JSON.stringify(value) === JSON.stringify(b[key]));
  return before.active === after.active && same(before.fields, after.fields) && same(before.events, after.events);
}

/** Removes a level's own settings (Reset), with its audit event; false if it had none. */
export async function resetSettings(
  store: SettingsStore,
  owner: SettingsOwner,
  type: IntegrationType,
  actor: User,
): Promise<boolean> {
  return store.db.transaction(async (tx) => {
    const inTx = store.within(tx);
    const before = await inTx.findOwn(owner, type.slug);
    if (!before) return false;
    await inTx.remove(owner, type.slug);
    await recordAuditEvent(tx, {
      actor,
      action: 'settings.reset',
      owner,
      integration: type.slug,
      changes: settingsChanges(type, before, undefined, owner.level),
    });
    return true;
  });
}

/** How disabling ended: done, nothing to disable (no level has settings), or refused by an enforced Enabled. */
export type DisableOutcome = { kind: 'disabled' } | { kind: 'not_configured' } | { kind: 'enforced'; message: string };

/**
 * GitLab's "Disable an integration": the level's own settings become "not active" and nothing
 * else, so it no longer inherits, with its audit event. A level that has no settings from
 * anywhere has nothing to disable; an Enabled a level above enforces on cannot be turned off.
 *
 * @example
 * await disableSettings(store, at, slack, user) // { kind: 'disabled' }; the level now shows "Use custom settings", not enabled
 */
export async function disableSettings(
  store: SettingsStore,
  at: SettingsLevel,
  type: IntegrationType,
  actor: User,
): Promise<DisableOutcome> {
  return store.db.transaction(async (tx): Promise<DisableOutcome> => {
    const inTx = store.within(tx);
    const [state] = await integrationStates(inTx, at, type);
    const { effective, own: before } = state!;
    if (effective.state === 'not_configured') return { kind: 'not_configured' };
    const enforced = effective.enforced.active;
    if (enforced && effective.active) return { kind: 'enforced', message: enforcedMessage('Enabled', enforced) };
    const after: OwnSettings = { active: false, fields: {}, events: {} };
    if (sameOwnSettings(before, after)) return { kind: 'disabled' };
    await inTx.save(at.owner, type.slug, after, before?.version ?? 0, actor.id);
    await recordAuditEvent(tx, {
      actor,
      action: 'settings.disabled',
      owner: at.owner,
      integration: type.slug,
      changes: [
        ...inheritanceChange(at.level, effective.inheritsFrom, before, after),
        ...settingsChanges(type, before, after, at.level),
      ],
    });
    return { kind: 'disabled' };
  });
}
