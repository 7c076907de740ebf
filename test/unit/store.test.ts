/**
 * The settings store writes one row per level and reads it back as it was written: a save over
 * an existing row (a prepared statement) keeps every value's type and raises the version.
 */
import { openTestDatabase } from '../support/database.js';
import { describe, expect, it } from 'vitest';

import { INSTANCE_OWNER } from '../../src/settings/owners.js';
import { SettingsStore } from '../../src/settings/store.js';

async function store() {
  const db = await openTestDatabase();
  return new SettingsStore(db, 'store-test-secret-key-base-long-enough-0123456789');
}

describe('SettingsStore.save', () => {
  it('updates an existing row with the same types it inserted, and raises its version', async () => {
    const settings = await store();
    const first = await settings.save(
      INSTANCE_OWNER,
      'slack',
      { active: true, fields: { username: 'a', webhook: 'https://hooks.slack.com/1' }, events: { push_events: true } },
      0,
      null,
    );
    const second = await settings.save(
      INSTANCE_OWNER,
      'slack',
      {
        active: false,
        fields: { username: 'b', webhook: 'https://hooks.slack.com/2' },
        events: { push_events: false },
      },
      1,
      null,
    );
    expect(first).toMatchObject({ version: 1, active: true });
    expect(second).toMatchObject({
      id: first.id,
      version: 2,
      active: false,
      fields: { username: 'b', webhook: 'https://hooks.slack.com/2' },
      events: { push_events: false },
    });
    expect(second.updatedAt).toBeInstanceOf(Date);
    expect(second.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
    expect(await settings.findOwn(INSTANCE_OWNER, 'slack')).toEqual(second);
  });

  it('stores an inherited Enabled toggle as not set, and refuses a stale version', async () => {
    const settings = await store();
    await settings.save(INSTANCE_OWNER, 'slack', { active: true, fields: {}, events: {} }, 0, null);
    expect(
      (await settings.save(INSTANCE_OWNER, 'slack', { active: undefined, fields: {}, events: {} }, 1, null)).active,
    ).toBeUndefined();
    await expect(
      settings.save(INSTANCE_OWNER, 'slack', { active: true, fields: {}, events: {} }, 1, null),
    ).rejects.toThrow();
  });
});
