/**
 * The confirmation step of a settings save: what the confirm page carries opens only for the same
 * user, page and type, unchanged, and for half an hour.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BadRequest } from '../../src/errors.js';
import { openConfirmation, sealConfirmation } from '../../src/http/confirmation.js';
import type { SettingsSubmission } from '../../src/settings/submission.js';

const KEY_BASE = 'confirmation-test-secret-key-base-long-enough-0123456789';
const FOR = '7/admin/application_settings/integrations/slack';
const EXPIRED = new BadRequest('This confirmation has expired or is not valid. Open the settings again and save them.');
const submission: SettingsSubmission = {
  mode: 'custom',
  values: { webhook: 'https://hooks.slack.com/x', active: ['0', '1'] },
  inherited: ['channel'],
  expectedVersion: 3,
};

afterEach(() => {
  vi.useRealTimers();
});

describe('settings confirmation', () => {
  it('gives back the submission it sealed', () => {
    expect(openConfirmation(KEY_BASE, FOR, sealConfirmation(KEY_BASE, FOR, submission))).toEqual(submission);
  });

  it('refuses one sealed for another user or page, or with another key, and one tampered with', () => {
    const sealed = sealConfirmation(KEY_BASE, FOR, submission);
    expect(() => openConfirmation(KEY_BASE, `8${FOR.slice(1)}`, sealed)).toThrow(EXPIRED);
    expect(() => openConfirmation(`${KEY_BASE}-other`, FOR, sealed)).toThrow(EXPIRED);
    expect(() => openConfirmation(KEY_BASE, FOR, `${sealed.slice(0, -4)}AAAA`)).toThrow(EXPIRED);
    expect(() => openConfirmation(KEY_BASE, FOR, 'v1.AAAA')).toThrow(EXPIRED);
  });

  it('refuses one older than half an hour', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T10:00:00Z') });
    const sealed = sealConfirmation(KEY_BASE, FOR, submission);
    vi.setSystemTime(new Date('2026-01-01T10:29:00Z'));
    expect(openConfirmation(KEY_BASE, FOR, sealed)).toEqual(submission);
    vi.setSystemTime(new Date('2026-01-01T10:31:00Z'));
    expect(() => openConfirmation(KEY_BASE, FOR, sealed)).toThrow(EXPIRED);
  });
});
