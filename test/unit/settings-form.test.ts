/**
 * The settings page's form as the submission the settings service saves: the dropdown's choice,
 * the values as typed, the keys marked "Inherit <label>" and the version; nothing else of the form.
 */
import { describe, expect, it } from 'vitest';
import { BadRequest } from '../../src/errors.js';
import { settingsSubmissionOfForm, submittedSettingsOf } from '../../src/routes/integrations/form.js';

describe('settingsSubmissionOfForm', () => {
  it("keeps the settings and the form's version, and leaves the form's own fields behind", () => {
    const form = {
      _version: '4',
      _confirmed: '1',
      _action: 'save',
      inheritance: 'custom',
      _inherit: ['webhook', 'channel'],
      active: ['0', '1'],
      username: 'bot',
    };
    expect(settingsSubmissionOfForm(form, 'project')).toEqual({
      ok: true,
      value: {
        mode: 'custom',
        values: { active: ['0', '1'], username: 'bot' },
        inherited: ['webhook', 'channel'],
        expectedVersion: 4,
      },
    });
  });

  it('refuses a form without a valid version', () => {
    const missing = new BadRequest('The form is missing its version. Reload the page and try again.');
    for (const _version of [undefined, '', 'abc', '-1', '1.5', '99999999999999999999'])
      expect(() => settingsSubmissionOfForm(_version === undefined ? {} : { _version }, 'group')).toThrow(missing);
  });

  it('asks for a choice in the dropdown below the instance; the instance, which has none, uses its own', () => {
    expect(settingsSubmissionOfForm({ _version: '0', inheritance: 'inherit' }, 'project')).toMatchObject({
      ok: true,
      value: { mode: 'inherit' },
    });
    for (const inheritance of [undefined, '', 'both'])
      expect(
        settingsSubmissionOfForm(
          inheritance === undefined ? { _version: '0' } : { _version: '0', inheritance },
          'group',
        ),
      ).toEqual({ ok: false, errors: { inheritance: 'Choose which settings to use' } });
    expect(settingsSubmissionOfForm({ _version: '0' }, 'instance')).toMatchObject({ value: { mode: 'custom' } });
    // Any other choice there is one to inherit, which the service refuses at the instance.
    expect(settingsSubmissionOfForm({ _version: '0', inheritance: 'both' }, 'instance')).toMatchObject({
      value: { mode: 'inherit' },
    });
  });
});

describe('submittedSettingsOf', () => {
  it('shows again what was submitted, custom unless "inherit" was chosen', () => {
    expect(submittedSettingsOf({ _version: 'x', inheritance: 'nonsense', _inherit: 'channel', channel: '#a' })).toEqual(
      {
        mode: 'custom',
        values: { channel: '#a' },
        inherited: ['channel'],
      },
    );
  });
});
