/**
 * @module audit/describe
 * An audit event in words, as the page, the CSV and the JSON export show it: each changed value
 * with its label from the catalog, a choice by its label, yes or no for a toggle, a secret only as
 * set, changed or removed, and inheritance as a sentence.
 */
import { findIntegrationType } from '../integrations/index.js';
import type { IntegrationType } from '../integrations/types.js';
import { ACTION_LABELS, INHERITS_FROM, type AuditAction, type AuditChange } from './trail.js';

/** One line of an event's changes: `label: before → after`, or a sentence of its own. */
export interface DescribedChange {
  key: string;
  label: string;
  before: string | null;
  after: string | null;
  /** Said instead of before and after: "Switched to custom settings", "changed" for a secret. */
  sentence?: string;
  /** Only where the value comes from changed: `here`, taken over from above; `above`, given back. */
  moved?: 'here' | 'above';
}

/** What the trail knows of an event: enough to describe it, whatever its age. */
export interface DescribableEvent {
  action: string;
  integration: string | null;
  changeList: AuditChange[];
}

export const NOT_SET = '(not set)';
export const INHERITED = 'Inherited';

const YES_NO: Record<string, string> = { true: 'Yes', false: 'No' };

/** "Saved the settings"; an action this version does not know by its stored name. */
export const actionLabel = (action: string) => ACTION_LABELS[action as AuditAction] ?? action;

/** "Slack notifications"; a type no longer in the catalog by its slug. */
export const integrationTitle = (slug: string | null) => (slug ? (findIntegrationType(slug)?.title ?? slug) : null);

type Setting =
  | { kind: 'boolean'; label: string }
  | { kind: 'secret'; label: string }
  | { kind: 'choice'; label: string; choices: ReadonlyMap<string, string> }
  | { kind: 'text'; label: string };

/** How the catalog declares a key of a type: Enabled, a field or a trigger event. */
function settingOf(type: IntegrationType | undefined, key: string): Setting | undefined {
  if (!type) return undefined;
  if (key === 'active') return { kind: 'boolean', label: 'Enabled' };
  const event = type.events.find((candidate) => candidate.name === key);
  if (event) return { kind: 'boolean', label: `${event.label} events` };
  const field = type.fields.find((candidate) => candidate.name === key);
  if (!field) return undefined;
  if (field.kind === 'checkbox') return { kind: 'boolean', label: field.label };
  if (field.kind === 'secret') return { kind: 'secret', label: field.label };
  if (field.kind === 'select' && field.choices)
    return {
      kind: 'choice',
      label: field.label,
      choices: new Map(field.choices.map((choice) => [choice.value, choice.label])),
    };
  return { kind: 'text', label: field.label };
}

/** A secret's change without its value, whatever the row holds: events of any age are safe to show. */
function secretSentence(change: AuditChange): string {
  const had = change.before !== null;
  const has = change.after !== null;
  if (change.afterInherited) return had ? 'removed, now inherited' : 'now inherited';
  if (change.beforeInherited) return has ? 'set here, no longer inherited' : 'no longer inherited';
  if (had && has) return 'changed';
  return has ? 'set' : 'removed';
}

function valueText(setting: Setting | undefined, value: string | null, inherited: boolean | undefined): string {
  // Events recorded before the trail kept the inherited value have none.
  if (inherited) return value === null ? INHERITED : `${valueText(setting, value, false)} (inherited)`;
  if (value === null) return NOT_SET;
  if (!setting || setting.kind === 'boolean') return YES_NO[value] ?? value;
  if (setting.kind === 'choice') return setting.choices.get(value) ?? value;
  return value;
}

function inheritanceSentence(event: DescribableEvent, change: AuditChange): string {
  if (change.after !== null) return `Now inherits ${integrationTitle(event.integration)} from ${change.after}`;
  if (event.action === 'settings.inherited') return 'Switched to inherited settings';
  return 'Switched to custom settings';
}

/**
 * @example
 * describeChanges({ action: 'settings.saved', integration: 'slack', changeList: [
 *   { key: 'labels_to_be_notified_behavior', label: 'Labels to be notified behavior', before: 'match_any', after: 'match_all' },
 * ] })
 * // [{ key: ..., label: 'Labels to be notified behavior', before: 'Match any of the labels', after: 'Match all of the labels' }]
 */
export function describeChanges(event: DescribableEvent): DescribedChange[] {
  const type = event.integration ? findIntegrationType(event.integration) : undefined;
  return event.changeList.map((change) => {
    if (change.key === INHERITS_FROM)
      return {
        key: change.key,
        label: change.label,
        before: null,
        after: null,
        sentence: inheritanceSentence(event, change),
      };
    const setting = settingOf(type, change.key);
    const label = setting?.label ?? change.label;
    if (setting?.kind === 'secret')
      return { key: change.key, label, before: null, after: null, sentence: secretSentence(change) };
    return {
      key: change.key,
      label,
      before: valueText(setting, change.before, change.beforeInherited),
      after: valueText(setting, change.after, change.afterInherited),
      ...(change.sameValue ? { moved: change.beforeInherited ? 'here' : 'above' } : {}),
    };
  });
}

/** Below this many, the lines a fold would hold are listed with the others. */
const FOLD_FROM = 4;

const SAME_VALUE_SUMMARY = {
  here: (count: number) => `${count} values now set here, the same as they inherited`,
  above: (count: number) => `${count} values now inherited, the same as they were`,
  both: (count: number) => `${count} values the same, only where they come from changed`,
};

/**
 * What the page lists of an event's changes, and what it folds under one line that opens to
 * them: the values a switch of inheritance only moves (taken over from above as they were, or
 * given back unchanged), "30 values now set here, the same as they inherited"; and the values
 * of settings set up for the first time, each new, "Set up with 24 values".
 *
 * @example
 * foldChanges(describeChanges(event)) // { shown: [Switched to custom settings, Default channel: #general (inherited) → #api], folded: [...], summary: '30 values now set here, the same as they inherited' }
 */
export function foldChanges(changes: DescribedChange[]): {
  shown: DescribedChange[];
  folded: DescribedChange[];
  summary: string | null;
} {
  const setUp = changes.every((change) => change.before === NOT_SET || change.sentence === 'set');
  if (setUp && changes.length >= FOLD_FROM)
    return { shown: [], folded: changes, summary: `Set up with ${changes.length} values` };
  const moved = changes.filter((change) => change.moved);
  if (moved.length < FOLD_FROM) return { shown: changes, folded: [], summary: null };
  const directions = new Set(moved.map((change) => change.moved!));
  const summary = SAME_VALUE_SUMMARY[directions.size > 1 ? 'both' : [...directions][0]!](moved.length);
  return { shown: changes.filter((change) => !change.moved), folded: moved, summary };
}

/** "Username: a → b", "Webhook URL: changed", "Switched to custom settings", "Name: gitlab.example.com". */
export function changeLine(change: DescribedChange): string {
  if (change.sentence !== undefined)
    return change.key === INHERITS_FROM ? change.sentence : `${change.label}: ${change.sentence}`;
  if (change.before === change.after) return `${change.label}: ${change.after}`;
  return `${change.label}: ${change.before} → ${change.after}`;
}
