/**
 * @module auth/passwords
 * Password hashing with scrypt: `scrypt$N$r$p$salt$hash`, so parameters can be raised later
 * while old hashes still verify. Few hashes are computed at once, process-wide: each takes
 * 32 MiB and one of libuv's four threads, and a burst of sign-ins must not take them all.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;

/** scrypt computations running at once; the others wait their turn. */
export const MAX_CONCURRENT_HASHING = 2;
/** Password checks that may wait for a turn (about a second's worth); more are refused. */
export const MAX_WAITING_PASSWORD_CHECKS = 32;

/** Thrown by {@link verifyPassword} when {@link MAX_WAITING_PASSWORD_CHECKS} checks are already waiting. */
export class PasswordChecksBusy extends Error {
  constructor() {
    super('Too many password checks are waiting.');
  }
}

const waiting: (() => void)[] = [];
let running = 0;

/** Runs `task` once fewer than MAX_CONCURRENT_HASHING run; refuses rather than be the (maxWaiting + 1)th to wait. */
async function inTurn<T>(task: () => Promise<T>, maxWaiting = Infinity): Promise<T> {
  if (running < MAX_CONCURRENT_HASHING) {
    running++;
  } else {
    if (waiting.length >= maxWaiting) throw new PasswordChecksBusy();
    // The task that finishes hands its turn over, so no newcomer can slip in between.
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  try {
    return await task();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem: 256 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * @example
 * const hash = await hashPassword('correct horse battery staple')
 * await verifyPassword('correct horse battery staple', hash) // true
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await inTurn(() => derive(password, salt, COST));
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Throws {@link PasswordChecksBusy} rather than wait behind too many others: a sign-in is answered at once. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, expected] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !expected) return false;
  const options = { N: Number(n), r: Number(r), p: Number(p) };
  const key = await inTurn(() => derive(password, Buffer.from(salt, 'base64'), options), MAX_WAITING_PASSWORD_CHECKS);
  const expectedKey = Buffer.from(expected, 'base64');
  return key.length === expectedKey.length && timingSafeEqual(key, expectedKey);
}

/** A hash no password matches: verifying against it costs the same time as a real check. */
export const UNUSABLE_PASSWORD_HASH = `scrypt$${COST.N}$${COST.r}$${COST.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_LENGTH).toString('base64')}`;

/** A random password that is easy to copy from a terminal. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
