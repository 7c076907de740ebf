/**
 * @module auth/throttle
 * Counts attempts per key within a sliding window and refuses a key that has reached its limit
 * until its oldest attempt has left the window: Test settings requests, and failed sign-ins,
 * which count strictly for one account from one address (so that an attacker cannot lock anyone
 * else out by failing), more loosely for one account from everywhere (guessing from many
 * addresses) and for one address across accounts (spraying).
 */
import { isIP } from 'node:net';

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
      cancel(): void;
    }
  | { allowed: false; retryAfterMs: number };

/** Keys nobody has tried for a whole window are dropped this often, so that the map cannot grow without end. */
const SWEEP_INTERVAL_MS = 60 * 1000;

/**
 * Kept in memory: Cascade runs as one process, and a restart forgetting attempts is harmless.
 *
 * @example
 * const throttle = new Throttle()
 * const attempt = throttle.reserve([{ key: 'settings-test:7', limit: { maxFailures: 10, windowMs: 60_000 } }])
 * if (!attempt.allowed) return tooMany(attempt.retryAfterMs)
 */
export class Throttle {
  private readonly attempts = new Map<string, { limit: ThrottleOptions; at: number[] }>();
  private sweptAt = 0;

  /**
   * Counts an attempt against every key at once, before its outcome is known, unless one of
   * them has reached its limit; then nothing is counted. Checking and counting happen in one
   * synchronous step, so concurrent requests cannot all pass the check before the first counts.
   */
  reserve(keys: readonly CountedKey[], now = Date.now()): Reservation {
    this.sweep(now);
    const retryAfterMs = Math.max(0, ...keys.map(({ key, limit }) => this.waitMs(key, limit, now)));
    if (retryAfterMs > 0) return { allowed: false, retryAfterMs };
    for (const { key, limit } of keys) this.attempts.set(key, { limit, at: [...this.recent(key, limit, now), now] });
    return { allowed: true, cancel: () => keys.forEach(({ key }) => this.remove(key, now)) };
  }

  forget(key: string): void {
    this.attempts.delete(key);
  }

  private waitMs(key: string, limit: ThrottleOptions, now: number): number {
    const recent = this.recent(key, limit, now);
    return recent.length >= limit.maxFailures ? recent[recent.length - limit.maxFailures]! + limit.windowMs - now : 0;
  }

  private recent(key: string, limit: ThrottleOptions, now: number): number[] {
    return (this.attempts.get(key)?.at ?? []).filter((at) => at > now - limit.windowMs);
  }

  private remove(key: string, at: number): void {
    const entry = this.attempts.get(key);
    const index = entry?.at.indexOf(at) ?? -1;
    if (index >= 0) entry!.at.splice(index, 1);
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < SWEEP_INTERVAL_MS) return;
    this.sweptAt = now;
    for (const [key, { limit, at }] of this.attempts) {
      if (at.every((moment) => moment <= now - limit.windowMs)) this.attempts.delete(key);
    }
  }
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
      succeeded(): void;
      /** The password was never checked (the server was too busy): the attempt does not count. */
      notChecked(): void;
    }
  | { allowed: false; retryAfterMs: number };

/**
 * @example
 * const attempt = new SignInThrottle().reserve('root', '203.0.113.7')
 * if (attempt.allowed && (await verifyPassword(password, hash))) attempt.succeeded()
 */
export class SignInThrottle {
  private readonly throttle = new Throttle();

  /**
   * Counts the attempt as failed before its password is checked, so that concurrent attempts
   * cannot all be checked while the first is still hashing; or refuses it once a limit is reached.
   */
  reserve(username: string, address: string, now = Date.now()): SignInAttempt {
    const account = username.toLowerCase();
    const network = addressGroup(address);
    const pair = `account-address:${account}\n${network}`;
    const keys: CountedKey[] = [
      { key: pair, limit: SIGN_IN_LIMITS.accountFromAddress },
      { key: `account:${account}`, limit: SIGN_IN_LIMITS.account },
      { key: `address:${network}`, limit: SIGN_IN_LIMITS.address },
    ];
    const reservation = this.throttle.reserve(keys, now);
    if (!reservation.allowed) return reservation;
    return {
      allowed: true,
      succeeded: () => {
        reservation.cancel();
        this.throttle.forget(pair);
      },
      notChecked: () => reservation.cancel(),
    };
  }
}
