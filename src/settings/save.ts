/**
 * @module settings/save
 * Saving one level's settings of one type, the one way the pages and the API do it: every rule
 * in one place (validation, per-field inheritance, enforcement, secrets, the Network settings'
 * URL check, the confirmation a level with descendants asks for), then the row and its audit event.
 */
import type { User } from '../db/schema.js';
import { Conflict } from '../errors.js';
import type { IntegrationType } from '../integrations/types.js';
import { outboundPolicy } from '../model/network-settings.js';
import type { OutboundOptions } from '../outbound/request.js';
import type { FieldErrors } from '../validation.js';
import { blockedUrlErrors } from './outbound.js';
import type { EffectiveSettings } from './resolve.js';
import {
  commitSettingsChange,
  prepareSettingsChange,
  type CommitOutcome,
  type PrepareOutcome,
  type SettingsLevel,
} from './service.js';
import type { SettingsStore } from './store.js';
import type { SettingsSubmission } from './submission.js';
import { settingsUsage, type SettingsUsage } from './usage.js';

/** What a save needs besides the submission. */
export interface SaveDeps {
  store: SettingsStore;
  /** How the URL check resolves host names (tests answer from a table). */
  outbound?: OutboundOptions | undefined;
}

/** How a save ended. */
export type SaveResult =
  /** Written (`saved`), or already as submitted (`unchanged`: nothing written, nothing audited); `effective` is what the level uses now. */
  | { kind: 'saved'; outcome: CommitOutcome; effective: EffectiveSettings }
  /** Nothing written: the change reaches the levels below, and `usage` says how many; save again confirmed. */
  | { kind: 'needs_confirmation'; usage: SettingsUsage }
  /**
   * Nothing written: the errors by setting key (or `inheritance` for the choice itself).
   * `enforcedOnly` when every refused key is one a level above enforces.
   */
  | { kind: 'refused'; errors: FieldErrors; enforcedOnly: boolean }
  /** Nothing written: the level's settings changed after the submission's `expectedVersion`. */
  | { kind: 'conflict'; message: string };

/** What a confirmed save can end in: anything but a request to confirm. */
export type ConfirmedSaveResult = Exclude<SaveResult, { kind: 'needs_confirmation' }>;

export interface SaveOptions {
  /** The user has seen what the change reaches below (the pages' confirmation step; API clients always). */
  confirmed: boolean;
}

/**
 * Saves a submission at a level: prepares it against the chain (read once), checks where its
 * URLs lead, asks for a confirmation where a change reaches levels below (a group or the
 * instance; not a project, not a save that changes nothing), then writes the row and its audit
 * event in one transaction. With an `expectedVersion` a save made against another version is a
 * conflict, as with a stale page; without one the last write wins: a save that landed during the
 * URL check is not refused but built on, the change prepared again from the settings it left.
 * Tampered field names throw {@link BadRequest}.
 *
 * @example
 * const result = await saveSettings({ store, outbound }, at, slack, { mode: 'custom', values: { channel: '#ops' }, inherited: [], expectedVersion: 1 }, user, { confirmed: false })
 * if (result.kind === 'saved') result.effective.active // true
 */
export function saveSettings(
  deps: SaveDeps,
  at: SettingsLevel,
  type: IntegrationType,
  submission: SettingsSubmission,
  actor: User,
  options: { confirmed: true },
): Promise<ConfirmedSaveResult>;
export function saveSettings(
  deps: SaveDeps,
  at: SettingsLevel,
  type: IntegrationType,
  submission: SettingsSubmission,
  actor: User,
  options: SaveOptions,
): Promise<SaveResult>;
export async function saveSettings(
  { store, outbound }: SaveDeps,
  at: SettingsLevel,
  type: IntegrationType,
  submission: SettingsSubmission,
  actor: User,
  { confirmed }: SaveOptions,
): Promise<SaveResult> {
  const prepared = await prepareSettingsChange(store, at, type, submission);
  if (!prepared.ok) return refusal(prepared);
  if (prepared.change.mode === 'custom') {
    const blocked = await blockedUrlErrors(type, submission, await outboundPolicy(store.db), outbound);
    if (Object.keys(blocked).length > 0) return { kind: 'refused', errors: blocked, enforcedOnly: false };
  }
  // A save that changes nothing reaches nobody below: nothing to confirm.
  if (at.level !== 'project' && !prepared.unchanged && !confirmed)
    return { kind: 'needs_confirmation', usage: await settingsUsage(store.db, at.owner, type.slug) };
  try {
    return await store.db.transaction(async (tx): Promise<ConfirmedSaveResult> => {
      const inTx = store.within(tx);
      // Without a version the last write wins: a save that landed during the URL check is built on, not refused.
      const latest =
        submission.expectedVersion === undefined && (await ownVersion(inTx, at, type)) !== prepared.change.version
          ? await prepareSettingsChange(inTx, at, type, submission)
          : prepared;
      if (!latest.ok) return refusal(latest);
      const outcome = await commitSettingsChange(inTx, at, type, latest.change, actor);
      return { kind: 'saved', outcome, effective: latest.effective };
    });
  } catch (error) {
    if (error instanceof Conflict) return { kind: 'conflict', message: error.message };
    throw error;
  }
}

/** The version of the level's own settings now (0: none). */
const ownVersion = async (store: SettingsStore, at: SettingsLevel, type: IntegrationType) =>
  (await store.findOwn(at.owner, type.slug))?.version ?? 0;

const refusal = (prepared: Extract<PrepareOutcome, { ok: false }>): ConfirmedSaveResult => ({
  kind: 'refused',
  errors: prepared.errors,
  enforcedOnly: prepared.enforcedOnly,
});
