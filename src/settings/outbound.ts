/**
 * @module settings/outbound
 * Integration settings and the servers they point at: fields that lead into the local network
 * (URLs, and hosts such as Datadog's site) are refused when settings are saved, and "Test
 * settings" sends the request a type declares, with the values of a submission that is not saved.
 */
import type { ThrottleOptions } from '../auth/throttle.js';
import { lastValue } from '../form-values.js';
import type { FieldValue, IntegrationType } from '../integrations/types.js';
import type { FieldErrors, Outcome } from '../validation.js';
import {
  localNetworkError,
  sendOutbound,
  type OutboundOptions,
  type OutboundPolicy,
  type OutboundResult,
} from '../outbound/request.js';
import { isBlank, requestUrlOf } from '../integrations/validate.js';
import type { SettingsOwner } from './resolve.js';
import { missingValueMessage, prepareSettingsChange, type SettingsLevel } from './service.js';
import type { SettingsStore } from './store.js';
import type { SettingsSubmission } from './submission.js';

/** Each test sends a real request: ten a minute per user is plenty for checking settings. */
export const SETTINGS_TEST_LIMIT: ThrottleOptions = { maxFailures: 10, windowMs: 60 * 1000 };

/**
 * The fields of a submission that lead into the local network: URL fields, and text fields
 * that yield a host (Datadog's site), whose host is, or resolves to, an address the Network
 * settings refuse. Values left blank or taken from the level above are not checked here (they
 * were when they were saved), and every request is checked again when it is sent.
 *
 * @example
 * await blockedUrlErrors(slack, { mode: 'custom', values: { webhook: 'http://127.0.0.1/hook' }, inherited: [] }, policy)
 * // { webhook: 'Requests to the local network are not allowed' }
 * await blockedUrlErrors(datadog, { mode: 'custom', values: { datadog_site: 'corp.internal' }, inherited: [] }, policy)
 * // { datadog_site: 'Requests to the local network are not allowed' }: api.corp.internal resolves to 10.0.0.5
 */
export async function blockedUrlErrors(
  type: IntegrationType,
  submission: SettingsSubmission,
  policy: OutboundPolicy,
  options?: OutboundOptions,
): Promise<FieldErrors> {
  const inherited = new Set(submission.inherited);
  const destinations = type.fields.flatMap((field) => {
    const value = (lastValue(submission.values[field.name]) ?? '').trim();
    const url = value === '' || inherited.has(field.name) ? null : requestUrlOf(field, value);
    return url === null ? [] : [[field.name, url] as const];
  });
  const problems = await Promise.all(
    destinations.map(async ([name, url]) => [name, await localNetworkError(url, policy, options)] as const),
  );
  return Object.fromEntries(problems.filter((entry): entry is [string, string] => entry[1] !== null));
}

/**
 * The values a test uses: the submission prepared as saving prepares it (a blank secret keeps
 * the stored or inherited one, "Inherit <label>" takes the level above's), resolved along
 * the chain, so that a secret set above is only sent where that level sends it. Nothing is written.
 *
 * @example
 * await settingsForTest(store, at, slack, { mode: 'custom', values: { webhook: '' }, inherited: [] })
 * // { ok: true, value: { webhook: 'https://hooks.slack.com/…', … } }: the stored webhook
 */
export async function settingsForTest(
  store: SettingsStore,
  at: SettingsLevel,
  type: IntegrationType,
  submission: SettingsSubmission,
): Promise<Outcome<Record<string, FieldValue>>> {
  const prepared = await prepareSettingsChange(store, at, type, submission);
  if (!prepared.ok) return { ok: false, errors: prepared.errors };
  const { effective } = prepared;
  const missing = type.fields.filter((field) => field.required && isBlank(effective.fields[field.name]));
  if (missing.length > 0) {
    return {
      ok: false,
      errors: Object.fromEntries(
        missing.map((field) => [
          field.name,
          missingValueMessage(type, field, effective, at.owner, 'is required to test the settings'),
        ]),
      ),
    };
  }
  return { ok: true, value: effective.fields };
}

/**
 * Sends the test request of a type with the given values, held to the Network settings. Types
 * without one (the email types) cannot be tested.
 *
 * @example
 * await testSettings(slack, fields, projectOwner, outboundPolicy(db)) // { ok: true, status: 200, durationMs: 84 }
 */
export function testSettings(
  type: IntegrationType,
  fields: Record<string, FieldValue>,
  owner: SettingsOwner,
  policy: OutboundPolicy,
  options?: OutboundOptions,
): Promise<OutboundResult> {
  const where = owner.level === 'instance' ? 'the instance' : owner.name;
  const message = `This is a test message from Cascade for the ${type.title} settings of ${where}.`;
  return sendOutbound(type.testRequest!({ fields, message }), policy, options);
}
