import { describe, expect, it } from 'vitest';
import { deriveKey, seal, unseal } from '../../src/seal.js';

describe('seal', () => {
  const key = deriveKey('a-secret-key-base-that-is-long-enough', 'tests');

  it('opens what it sealed for the same associated data', () => {
    expect(unseal(key, seal(key, 'xoxb-123', 'slack/project:1'), 'slack/project:1')).toBe('xoxb-123');
  });

  it('does not open a value moved to another row, tampered with, or sealed with another key', () => {
    const sealed = seal(key, 'xoxb-123', 'slack/project:1');
    expect(unseal(key, sealed, 'slack/project:2')).toBeNull();
    expect(unseal(key, `${sealed.slice(0, -2)}AA`, 'slack/project:1')).toBeNull();
    expect(unseal(deriveKey('another-secret-key-base-long-enough!!', 'tests'), sealed, 'slack/project:1')).toBeNull();
    expect(unseal(key, 'garbage', 'slack/project:1')).toBeNull();
  });

  it('never contains the plaintext and differs each time', () => {
    const first = seal(key, 'xoxb-123', 'aad');
    expect(first).not.toContain('xoxb');
    expect(seal(key, 'xoxb-123', 'aad')).not.toBe(first);
  });

  it('derives different keys for different purposes', () => {
    expect(
      deriveKey('base-base-base-base-base-base-base!', 'a').equals(
        deriveKey('base-base-base-base-base-base-base!', 'b'),
      ),
    ).toBe(false);
  });
});
