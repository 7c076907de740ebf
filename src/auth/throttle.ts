/**
 * @module auth/throttle
 * Counts attempts per key within a sliding window and refuses a key that has reached its limit
 * until its oldest attempt has left the window: Test settings requests, and failed sign-ins,
 * which count strictly for one account from one address (so that an attacker cannot lock anyone
 * else out by failing), more loosely for one account from everywhere (guessing from many
 * addresses) and for one address across accounts (spraying).
 */
import { isIP } from 'node:net';
import { and, desc, eq, gt, inArray, lte } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { throttleAttempts } from '../db/schema.js';

export interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
}

/** A key and the limit its attempts are counted against. */
export interface CountedKey {
  key: string;
  limit: ThrottleOptions;
}

export type Reservation =
  | {
      allowed: true;
      /** Takes the attempt back out of every count it was added to: it turned out not to count. */
      cancel(): Promise<void>;
    }
  | { allowed: false; retryAfterMs: number };

/**
 * Expired attempts each reservation deletes, at most: more than one inserts, so that the table
 * cannot grow without end, and few enough that no request pays for a long backlog at once.
 */
const SWEEP_BATCH = 100;

/**
 * Counts in the database, so that every server sharing it sees the same attempts.
 *
 * @example
 * const throttle = new Throttle(db)
 * const attempt = await throttle.reserve([{ key: 'settings-test:7', limit: { maxFailures: 10, windowMs: 60_000 } }])
 * if (!attempt.allowed) return tooMany(attempt.retryAfterMs)
 */
export class Throttle {
  constructor(private readonly db: Db) {}

  /**
   * Counts an attempt against every key at once, before its outcome is known, unless one of
   * them has reached its limit; then nothing is counted. Checking and counting happen in one
   * write transaction, and write transactions take turns across all servers (SQLite has one
   * writer; on PostgreSQL `db.transaction` takes a global write lock), so concurrent requests
   * cannot all pass the check before the first counts: no locking of our own is needed.
   */
  async reserve(keys: readonly CountedKey[], now = Date.now()): Promise<Reservation> {
    return this.db.transaction(async (tx) => {
      await sweep(tx, now);
      let retryAfterMs = 0;
      for (const { key, limit } of keys) retryAfterMs = Math.max(retryAfterMs, await waitMs(tx, key, limit, now));
      if (retryAfterMs > 0) return { allowed: false, retryAfterMs };
      const rows = keys.map(({ key, limit }) => ({
        key,
        at: new Date(now),
        expiresAt: new Date(now + limit.windowMs),
      }));
      const inserted = await tx.insert(throttleAttempts).values(rows).returning({ id: throttleAttempts.id });
      const ids = inserted.map(({ id }) => id);
      return { allowed: true, cancel: () => this.remove(ids) };
    });
  }

  /** Forgets every attempt counted for `key`. */
  async forget(key: string): Promise<void> {
    await this.db.transaction((tx) => tx.delete(throttleAttempts).where(eq(throttleAttempts.key, key)));
  }

  private async remove(ids: number[]): Promise<void> {
    await this.db.transaction((tx) => tx.delete(throttleAttempts).where(inArray(throttleAttempts.id, ids)));
  }
}

/**
 * How long until `key` may be tried again: until the attempt that fills its limit, the
 * `maxFailures`-th newest in the window, leaves the window; 0 while the key is below its limit.
 */
async function waitMs(tx: Tx, key: string, limit: ThrottleOptions, now: number): Promise<number> {
  const [filling] = await tx
    .select({ at: throttleAttempts.at })
    .from(throttleAttempts)
    .where(and(eq(throttleAttempts.key, key), gt(throttleAttempts.at, new Date(now - limit.windowMs))))
    .orderBy(desc(throttleAttempts.at))
    .limit(1)
    .offset(limit.maxFailures - 1);
  return filling ? filling.at.getTime() + limit.windowMs - now : 0;
}

/** Deletes up to {@link SWEEP_BATCH} attempts that have left their window. */
async function sweep(tx: Tx, now: number): Promise<void> {
  const expired = tx
    .select({ id: throttleAttempts.id })
    .from(throttleAttempts)
    .where(lte(throttleAttempts.expiresAt, new Date(now)))
    .limit(SWEEP_BATCH);
  await tx.delete(throttleAttempts).where(inArray(throttleAttempts.id, expired));
}

const MINUTE = 60 * 1000;

/** Failed sign-ins allowed within 15 minutes. GitLab locks an account for everyone after 10 in 10 minutes. */
export const SIGN_IN_LIMITS = {
  /** One account from one address: an attacker who guesses locks out only themselves. */
  accountFromAddress: { maxFailures: 5, windowMs: 15 * MINUTE },
  /** One account from all addresses: locking an account out for everyone takes four addresses. */
  account: { maxFailures: 20, windowMs: 15 * MINUTE },
  /** One address across all accounts: one password tried on many accounts (spraying). */
  address: { maxFailures: 30, windowMs: 15 * MINUTE },
} as const satisfies Record<string, ThrottleOptions>;

/**
 * The network an address counts for: an IPv6 address with its /64, as one host usually has the
 * whole /64 to pick addresses from; an IPv4 address alone.
 *
 * @example
 * addressGroup('2001:db8:0:7::1') // '2001:db8:0:7::/64'
 */
export function addressGroup(address: string): string {
  const bare = address.split('%')[0]!.toLowerCase();
  if (isIP(bare) !== 6) return address;
  const [head = '', tail] = bare.split('::');
  const hextets = (part: string) => (part ? part.split(':') : []);
  // An IPv4 address written at the end ("::ffff:192.0.2.1") takes the room of two hextets.
  const width = (groups: string[]) => groups.length + (groups.at(-1)?.includes('.') ? 1 : 0);
  const left = hextets(head);
  const right = tail === undefined ? [] : hextets(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - width(left) - width(right)).fill('0');
  const network = [...left, ...zeros, ...right].slice(0, 4).map((group) => group.replace(/^0+(?=.)/, ''));
  return `${network.join(':')}::/64`;
}

export type SignInAttempt =
  | {
      allowed: true;
      /** The password matched: this attempt does not count, nor do earlier failures from the same address. */
      succeeded(): Promise<void>;
      /** The password was never checked (the server was too busy): the attempt does not count. */
      notChecked(): Promise<void>;
    }
  | { allowed: false; retryAfterMs: number };

/**
 * @example
 * const attempt = await new SignInThrottle(db).reserve('root', '203.0.113.7')
 * if (attempt.allowed && (await verifyPassword(password, hash))) await attempt.succeeded()
 */
export class SignInThrottle {
  private readonly throttle: Throttle;

  constructor(db: Db) {
    this.throttle = new Throttle(db);
  }

  /**
   * Counts the attempt as failed before its password is checked, so that concurrent attempts
   * cannot all be checked while the first is still hashing; or refuses it once a limit is reached.
   * Keys hold the lowercased username and the address, never the password.
   */
  async reserve(username: string, address: string, now = Date.now()): Promise<SignInAttempt> {
    const account = username.toLowerCase();
    const network = addressGroup(address);
    const pair = `account-address:${account}\n${network}`;
    const keys: CountedKey[] = [
      { key: pair, limit: SIGN_IN_LIMITS.accountFromAddress },
      { key: `account:${account}`, limit: SIGN_IN_LIMITS.account },
      { key: `address:${network}`, limit: SIGN_IN_LIMITS.address },
    ];
    const reservation = await this.throttle.reserve(keys, now);
    if (!reservation.allowed) return reservation;
    return {
      allowed: true,
      succeeded: async () => {
        await reservation.cancel();
        await this.throttle.forget(pair);
      },
      notChecked: () => reservation.cancel(),
    };
  }
}
