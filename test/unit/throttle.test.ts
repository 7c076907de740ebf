/**
 * The attempt counter under the sign-in and Test settings limits: the sliding window, taking an
 * attempt back, and which addresses count together.
 */
import { describe, expect, it } from 'vitest';
import { addressGroup, Throttle } from '../../src/auth/throttle.js';

const limit = { maxFailures: 2, windowMs: 1000 };

describe('Throttle', () => {
  it('refuses a key at its limit until its oldest attempt leaves the window, and says how long that is', () => {
    const throttle = new Throttle();
    expect(throttle.reserve([{ key: 'k', limit }], 0).allowed).toBe(true);
    expect(throttle.reserve([{ key: 'k', limit }], 400).allowed).toBe(true);
    expect(throttle.reserve([{ key: 'k', limit }], 500)).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(throttle.reserve([{ key: 'k', limit }], 1001).allowed).toBe(true);
  });

  it('counts nothing for any key when one of them is at its limit', () => {
    const throttle = new Throttle();
    throttle.reserve([{ key: 'full', limit }], 0);
    throttle.reserve([{ key: 'full', limit }], 0);
    expect(
      throttle.reserve(
        [
          { key: 'other', limit },
          { key: 'full', limit },
        ],
        10,
      ).allowed,
    ).toBe(false);
    throttle.reserve([{ key: 'other', limit }], 10);
    expect(throttle.reserve([{ key: 'other', limit }], 10).allowed).toBe(true);
  });

  it('takes a cancelled attempt back out of every count', () => {
    const throttle = new Throttle();
    const first = throttle.reserve(
      [
        { key: 'a', limit },
        { key: 'b', limit },
      ],
      0,
    );
    if (first.allowed) first.cancel();
    throttle.reserve(
      [
        { key: 'a', limit },
        { key: 'b', limit },
      ],
      0,
    );
    expect(throttle.reserve([{ key: 'a', limit }], 0).allowed).toBe(true);
    expect(throttle.reserve([{ key: 'b', limit }], 0).allowed).toBe(true);
  });
});

describe('addressGroup', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0db8:0000:0007:aaaa:bbbb:cccc:dddd', '2001:db8:0:7::/64'],
    ['2001:DB8:0:7::ffff:192.0.2.1', '2001:db8:0:7::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('counts %s with %s', (address, group) => {
    expect(addressGroup(address)).toBe(group);
  });
});
