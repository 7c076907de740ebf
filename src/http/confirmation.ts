/**
 * @module http/confirmation
 * The confirmation step of a settings save: the submission travels sealed in the confirm page,
 * bound to who confirms what and for half an hour, so that confirming saves exactly what the
 * user was shown, and nothing the page could have changed on the way.
 */
import { z } from 'zod';
import { BadRequest } from '../errors.js';
import { deriveKey, seal, unseal } from '../seal.js';
import { settingsSubmissionSchema, type SettingsSubmission } from '../settings/submission.js';

/** How long a confirmation step stays valid. */
const CONFIRMATION_TTL_MS = 30 * 60 * 1000;

const KEY_PURPOSE = 'settings confirmation';

const sealedConfirmation = z.object({ submission: settingsSubmissionSchema, expires: z.number() });

/**
 * The submission sealed for the confirm page's hidden `_sealed` field. `boundTo` names who
 * confirms what (the user, the page, the type); only the same opens it.
 *
 * @example
 * const sealed = sealConfirmation(secretKeyBase, `${user.id}/${baseUrl}/slack`, submission)
 */
export function sealConfirmation(secretKeyBase: string, boundTo: string, submission: SettingsSubmission): string {
  const payload = JSON.stringify({ submission, expires: Date.now() + CONFIRMATION_TTL_MS });
  return seal(deriveKey(secretKeyBase, KEY_PURPOSE), payload, boundTo);
}

/**
 * The submission a confirm page carried; a {@link BadRequest} if it was tampered with, sealed
 * for someone or something else, or has expired.
 *
 * @example
 * openConfirmation(secretKeyBase, `${user.id}/${baseUrl}/slack`, lastValue(form._sealed)!) // the submission, to save confirmed
 */
export function openConfirmation(secretKeyBase: string, boundTo: string, sealed: string): SettingsSubmission {
  const opened = unseal(deriveKey(secretKeyBase, KEY_PURPOSE), sealed, boundTo);
  const payload = opened === null ? undefined : sealedConfirmation.safeParse(JSON.parse(opened)).data;
  if (!payload || payload.expires < Date.now())
    throw new BadRequest('This confirmation has expired or is not valid. Open the settings again and save them.');
  return payload.submission;
}
