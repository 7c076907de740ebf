/**
 * @module routes/integrations/form
 * The settings page's form as the settings service takes it: the dropdown's choice, the values
 * as typed, the keys marked "Inherit <label>" and the version the page was loaded at. The
 * form's own fields (`_version`, `_inherit`, `inheritance`, `_action`...) go no further.
 */
import { BadRequest } from '../../errors.js';
import { lastValue, type FormInput } from '../../form-values.js';
import type { Level } from '../../integrations/types.js';
import type { SettingsMode, SettingsSubmission } from '../../settings/submission.js';
import type { Outcome } from '../../validation.js';

/** What the page shows again after an error: the choice, the values and the inherited keys as submitted. */
export type SubmittedSettings = Pick<SettingsSubmission, 'mode' | 'values' | 'inherited'>;

/** Form keys that are not settings: the form's own bookkeeping. */
const isControlKey = (key: string) => key.startsWith('_') || key === 'inheritance';

/**
 * The form as it is shown again, whether or not it can be saved.
 *
 * @example
 * submittedSettingsOf({ _version: '2', inheritance: 'custom', _inherit: 'webhook', channel: '#ops' })
 * // { mode: 'custom', values: { channel: '#ops' }, inherited: ['webhook'] }
 */
export function submittedSettingsOf(form: FormInput): SubmittedSettings {
  return {
    mode: lastValue(form.inheritance) === 'inherit' ? 'inherit' : 'custom',
    values: Object.fromEntries(Object.entries(form).filter(([key]) => !isControlKey(key))),
    inherited: [form._inherit ?? []].flat(),
  };
}

/**
 * The form as a submission made against the version the page was loaded at. A form without a
 * valid version is a {@link BadRequest}; one without a choice in the dropdown is refused next to it.
 *
 * @example
 * settingsSubmissionOfForm({ _version: '2', inheritance: 'inherit' }, 'project')
 * // { ok: true, value: { mode: 'inherit', values: {}, inherited: [], expectedVersion: 2 } }
 */
export function settingsSubmissionOfForm(form: FormInput, level: Level): Outcome<SettingsSubmission> {
  const expectedVersion = Number(lastValue(form._version) || Number.NaN);
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0)
    throw new BadRequest('The form is missing its version. Reload the page and try again.');
  const mode = modeOf(lastValue(form.inheritance) ?? '', level);
  if (!mode) return { ok: false, errors: { inheritance: 'Choose which settings to use' } };
  return { ok: true, value: { ...submittedSettingsOf(form), mode, expectedVersion } };
}

function modeOf(choice: string, level: Level): SettingsMode | undefined {
  if (choice === 'inherit' || choice === 'custom') return choice;
  // The instance's form has no dropdown: without a choice its settings are its own, and any
  // other choice asks to inherit, which the service refuses there.
  if (level === 'instance') return choice === '' ? 'custom' : 'inherit';
  return undefined;
}
