/**
 * The attempt counter under the sign-in and Test settings limits: the sliding window, taking an
 * attempt back, counting in the database for every server that shares it, expired attempts
 * deleted, and which addresses count together.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addressGroup, SignInThrottle, Throttle, type CountedKey } from '../../src/auth/throttle.js';
import type { Db } from '../../src/db/client.js';
import { openTestDatabase } from '../support/database.js';
import { throttleAttempts } from '../../src/db/schema.js';

const limit = { maxFailures: 2, windowMs: 1000 };
const only = (key: string): CountedKey[] => [{ key, limit }];

const opened: Db[] = [];
async function database(): Promise<Db> {
  const db = await openTestDatabase();
  opened.push(db);
  return db;
}
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

const rowsOf = async (db: Db) => (await db.select().from(throttleAttempts)).map(({ key }) => key).sort();

describe('Throttle', () => {
  it('refuses a key at its limit until its oldest attempt leaves the window, and says how long that is', async () => {
    const throttle = new Throttle(await database());
    expect((await throttle.reserve(only('k'), 0)).allowed).toBe(true);
    expect((await throttle.reserve(only('k'), 400)).allowed).toBe(true);
    expect(await throttle.reserve(only('k'), 500)).toEqual({ allowed: false, retryAfterMs: 500 });
    expect((await throttle.reserve(only('k'), 1001)).allowed).toBe(true);
    expect(await throttle.reserve(only('k'), 1100)).toEqual({ allowed: false, retryAfterMs: 300 });
  });

  it('counts nothing for any key when one of them is at its limit', async () => {
    const throttle = new Throttle(await database());
    await throttle.reserve(only('full'), 0);
    await throttle.reserve(only('full'), 0);
    expect((await throttle.reserve([...only('other'), ...only('full')], 10)).allowed).toBe(false);
    await throttle.reserve(only('other'), 10);
    expect((await throttle.reserve(only('other'), 10)).allowed).toBe(true);
  });

  it('takes a cancelled attempt back out of every count, and only that attempt', async () => {
    const db = await database();
    const throttle = new Throttle(db);
    await throttle.reserve(only('a'), 0);
    const second = await throttle.reserve([...only('a'), ...only('b')], 0);
    if (second.allowed) await second.cancel();
    expect(await rowsOf(db)).toEqual(['a']);
    expect((await throttle.reserve(only('a'), 0)).allowed).toBe(true);
    expect((await throttle.reserve(only('a'), 0)).allowed).toBe(false);
  });

  it('forgets every attempt of a key, and only of that key', async () => {
    const db = await database();
    const throttle = new Throttle(db);
    await throttle.reserve([...only('a'), ...only('b')], 0);
    await throttle.reserve(only('a'), 0);
    await throttle.forget('a');
    expect(await rowsOf(db)).toEqual(['b']);
  });

  it('counts the attempts of every throttle on the same database together, as servers sharing it do', async () => {
    const db = await database();
    const [one, other] = [new Throttle(db), new Throttle(db)];
    await one.reserve(only('k'), 0);
    await other.reserve(only('k'), 100);
    expect(await one.reserve(only('k'), 200)).toEqual({ allowed: false, retryAfterMs: 800 });
    expect(await other.reserve(only('k'), 200)).toEqual({ allowed: false, retryAfterMs: 800 });
  });

  it('lets exactly the limit through of a concurrent burst from several throttles', async () => {
    const db = await database();
    const throttles = [new Throttle(db), new Throttle(db)];
    const burstLimit = { maxFailures: 10, windowMs: 60_000 };
    const results = await Promise.all(
      Array.from({ length: burstLimit.maxFailures + 5 }, (_, i) =>
        throttles[i % 2]!.reserve([{ key: 'k', limit: burstLimit }], 0),
      ),
    );
    expect(results.filter(({ allowed }) => allowed)).toHaveLength(burstLimit.maxFailures);
  });

  it('deletes attempts that have left their window as it counts new ones, a bounded number at a time', async () => {
    const db = await database();
    const throttle = new Throttle(db);
    for (let i = 0; i < 150; i++) await throttle.reserve(only(`old-${i}`), 0);
    const longer = [{ key: 'long', limit: { maxFailures: 2, windowMs: 10_000 } }];
    await throttle.reserve(longer, 0);
    await throttle.reserve(longer, 0);

    await throttle.reserve(only('new'), 5000);
    expect(await rowsOf(db)).toHaveLength(150 - 100 + 2 + 1);
    await throttle.reserve(only('new'), 5000);
    expect(await rowsOf(db)).toEqual(['long', 'long', 'new', 'new']);
  });
});

describe('SignInThrottle', () => {
  it('stores the username lowercased and the address in its keys, nothing more', async () => {
    const db = await database();
    await new SignInThrottle(db).reserve('Root', '203.0.113.7');
    expect(await rowsOf(db)).toEqual(['account-address:root\n203.0.113.7', 'account:root', 'address:203.0.113.7']);
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
