/**
 * Failed sign-ins against the throttle, sequential and concurrent: how many passwords are
 * actually checked, who gets locked out (the attacker, not the account's owner), and how many
 * passwords are hashed at once. scrypt is replaced by a fast stand-in that counts its calls.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_CONCURRENT_HASHING, MAX_WAITING_PASSWORD_CHECKS } from '../../src/auth/passwords.js';
import { SIGN_IN_LIMITS } from '../../src/auth/throttle.js';
import { loadConfig } from '../../src/config.js';
import { createTestApp, insertUser, ORIGIN, TEST_PASSWORD, textOf, type TestApp } from '../support/app.js';

const hashing = vi.hoisted(() => ({
  calls: 0,
  running: 0,
  mostAtOnce: 0,
  held: undefined as Promise<void> | undefined,
}));

vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  type Callback = (error: Error | null, key: Buffer) => void;
  return {
    ...crypto,
    scrypt: (password: string, salt: Buffer, length: number, _options: unknown, callback: Callback) => {
      hashing.calls++;
      hashing.running++;
      hashing.mostAtOnce = Math.max(hashing.mostAtOnce, hashing.running);
      const key = crypto.createHash('sha512').update(password).update(salt).digest().subarray(0, length);
      void (hashing.held ?? Promise.resolve()).then(() =>
        setTimeout(() => {
          hashing.running--;
          callback(null, key);
        }, 2),
      );
    },
  };
});

beforeEach(() => {
  Object.assign(hashing, { calls: 0, running: 0, mostAtOnce: 0, held: undefined });
});

/** A sign-in form posted from `address`, as the Node server would see its peer. */
function signInFrom(
  t: TestApp,
  address: string,
  username: string,
  password: string,
  forwardedFor?: string,
): Promise<Response> {
  const body = new URLSearchParams({ username, password }).toString();
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    origin: ORIGIN,
    ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
  };
  return Promise.resolve(
    t.app.request(
      '/users/sign_in',
      { method: 'POST', headers, body },
      { incoming: { socket: { remoteAddress: address } } },
    ),
  );
}

const statusCounts = (responses: Response[]) =>
  responses.reduce<Record<number, number>>(
    (counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }),
    {},
  );

const ATTACKER = '203.0.113.66';
const OWNER = '198.51.100.7';

describe('failed sign-ins against the throttle', () => {
  it('checks only 5 of 200 concurrent wrong passwords for root from one address and refuses the rest with 429', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'root');
    hashing.calls = 0;
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => signInFrom(t, ATTACKER, 'root', `guess-${i}`)),
    );
    expect(statusCounts(responses)).toEqual({ 401: 5, 429: 195 });
    expect(hashing.calls).toBe(SIGN_IN_LIMITS.accountFromAddress.maxFailures);
  });

  it('still lets root sign in from another address after an attacker has failed five times', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'root');
    for (let i = 0; i < 5; i++) expect((await signInFrom(t, ATTACKER, 'root', `guess-${i}`)).status).toBe(401);
    const attackerWithTheRightPassword = await signInFrom(t, ATTACKER, 'root', TEST_PASSWORD);
    expect(attackerWithTheRightPassword.status).toBe(429);
    expect(textOf(await attackerWithTheRightPassword.text())).toContain(
      'Too many failed sign-in attempts. Try again in 15 minutes.',
    );
    expect((await signInFrom(t, OWNER, 'root', TEST_PASSWORD)).status).toBe(303);
  });

  it('locks an account for everyone after 20 failures from many addresses, checking no more than 20 of 200 concurrent guesses', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'root');
    hashing.calls = 0;
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => signInFrom(t, `203.0.113.${i % 100}`, 'root', `guess-${i}`)),
    );
    expect(statusCounts(responses)).toEqual({ 401: 20, 429: 180 });
    expect(hashing.calls).toBe(SIGN_IN_LIMITS.account.maxFailures);
    expect((await signInFrom(t, OWNER, 'root', TEST_PASSWORD)).status).toBe(429);
  });

  it('counts the addresses of one IPv6 /64 together, so that changing address within it does not reset the count', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'root');
    for (let i = 1; i <= 5; i++)
      expect((await signInFrom(t, `2001:db8:0:7::${i}`, 'root', `guess-${i}`)).status).toBe(401);
    expect((await signInFrom(t, '2001:db8:0:7::99', 'root', TEST_PASSWORD)).status).toBe(429);
    expect((await signInFrom(t, '2001:db8:0:8::1', 'root', TEST_PASSWORD)).status).toBe(303);
  });

  it('refuses an address that has failed for 30 accounts, even for another account with its right password', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada');
    for (let i = 0; i < 30; i++) expect((await signInFrom(t, ATTACKER, `user-${i}`, 'Password1')).status).toBe(401);
    expect((await signInFrom(t, ATTACKER, 'ada', TEST_PASSWORD)).status).toBe(429);
    expect((await signInFrom(t, OWNER, 'ada', TEST_PASSWORD)).status).toBe(303);
  });

  it('forgets typos from an address once the right password is given there, but not failures from elsewhere', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada');
    for (let i = 0; i < 4; i++) await signInFrom(t, OWNER, 'ada', `typo-${i}`);
    expect((await signInFrom(t, OWNER, 'ada', TEST_PASSWORD)).status).toBe(303);
    for (let i = 0; i < 5; i++) expect((await signInFrom(t, OWNER, 'ada', `typo-${i}`)).status).toBe(401);
    expect((await signInFrom(t, OWNER, 'ada', TEST_PASSWORD)).status).toBe(429);
  });
});

describe('failed sign-ins through several servers sharing one database', () => {
  /** A second app on the same database, as a second server behind the load balancer would be. */
  const otherServer = async (t: TestApp): Promise<TestApp> => ({
    ...t,
    app: (await createTestApp({ db: t.db })).app,
  });

  it('counts failures through either server together, so that alternating servers does not reset the count', async () => {
    const one = await createTestApp();
    const other = await otherServer(one);
    await insertUser(one.db, 'root');
    for (let i = 0; i < 5; i++)
      expect((await signInFrom(i % 2 ? other : one, ATTACKER, 'root', `guess-${i}`)).status).toBe(401);
    expect((await signInFrom(one, ATTACKER, 'root', TEST_PASSWORD)).status).toBe(429);
    expect((await signInFrom(other, ATTACKER, 'root', TEST_PASSWORD)).status).toBe(429);
    expect((await signInFrom(other, OWNER, 'root', TEST_PASSWORD)).status).toBe(303);
  });

  it('checks only 5 of 200 concurrent wrong passwords for root from one address spread over two servers', async () => {
    const one = await createTestApp();
    const servers = [one, await otherServer(one)];
    await insertUser(one.db, 'root');
    hashing.calls = 0;
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => signInFrom(servers[i % 2]!, ATTACKER, 'root', `guess-${i}`)),
    );
    expect(statusCounts(responses)).toEqual({ 401: 5, 429: 195 });
    expect(hashing.calls).toBe(SIGN_IN_LIMITS.accountFromAddress.maxFailures);
  });

  it('forgets typos on every server once the right password is given on one', async () => {
    const one = await createTestApp();
    const other = await otherServer(one);
    await insertUser(one.db, 'ada');
    for (let i = 0; i < 4; i++) expect((await signInFrom(one, OWNER, 'ada', `typo-${i}`)).status).toBe(401);
    expect((await signInFrom(other, OWNER, 'ada', TEST_PASSWORD)).status).toBe(303);
    for (let i = 0; i < 5; i++) expect((await signInFrom(one, OWNER, 'ada', `typo-${i}`)).status).toBe(401);
    expect((await signInFrom(other, OWNER, 'ada', TEST_PASSWORD)).status).toBe(429);
  });
});

describe('failed sign-ins behind a reverse proxy (TRUST_PROXY)', () => {
  const PROXY = '10.0.0.2';
  const behindProxy = async () =>
    await createTestApp({ config: loadConfig({ SEED_DEMO: 'false', TRUST_PROXY: PROXY }) });

  it('counts failures per client address that the trusted proxy forwards, so one attacker does not lock out everyone behind it', async () => {
    const t = await behindProxy();
    await insertUser(t.db, 'root');
    for (let i = 0; i < 5; i++) expect((await signInFrom(t, PROXY, 'root', `guess-${i}`, ATTACKER)).status).toBe(401);
    expect((await signInFrom(t, PROXY, 'root', TEST_PASSWORD, ATTACKER)).status).toBe(429);
    expect((await signInFrom(t, PROXY, 'root', TEST_PASSWORD, OWNER)).status).toBe(303);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy, so changing it does not reset the count', async () => {
    const t = await behindProxy();
    await insertUser(t.db, 'root');
    for (let i = 0; i < 5; i++)
      expect((await signInFrom(t, ATTACKER, 'root', `guess-${i}`, `192.0.2.${i}`)).status).toBe(401);
    expect((await signInFrom(t, ATTACKER, 'root', TEST_PASSWORD, OWNER)).status).toBe(429);
  });

  it('ignores X-Forwarded-For when TRUST_PROXY is not set', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'root');
    for (let i = 0; i < 5; i++)
      expect((await signInFrom(t, PROXY, 'root', `guess-${i}`, `192.0.2.${i}`)).status).toBe(401);
    expect((await signInFrom(t, PROXY, 'root', TEST_PASSWORD, OWNER)).status).toBe(429);
  });
});

describe('password hashing under a burst of sign-ins', () => {
  it(`hashes at most ${MAX_CONCURRENT_HASHING} passwords at once and answers 503 to sign-ins beyond ${MAX_WAITING_PASSWORD_CHECKS} waiting`, async () => {
    const t = await createTestApp();
    let release!: () => void;
    hashing.held = new Promise((resolve) => (release = resolve));
    let answered = 0;
    const burst = Array.from({ length: 200 }, (_, i) =>
      signInFrom(t, `198.51.100.${i}`, `someone-${i}`, 'Password1').then((response) => {
        answered++;
        return response;
      }),
    );
    const admitted = MAX_CONCURRENT_HASHING + MAX_WAITING_PASSWORD_CHECKS;
    // Generous: 200 sign-ins reach the gate slowly on a busy machine.
    await vi.waitFor(() => expect(answered).toBe(200 - admitted), { timeout: 15_000 });
    release();
    const responses = await Promise.all(burst);

    expect(statusCounts(responses)).toEqual({ 401: admitted, 503: 200 - admitted });
    expect(hashing.mostAtOnce).toBe(MAX_CONCURRENT_HASHING);
    expect(hashing.calls).toBe(admitted);
    const busy = responses.find((response) => response.status === 503)!;
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(textOf(await busy.text())).toContain(
      'Too many people are signing in right now. Try again in a few seconds.',
    );
  });

  it('does not count a sign-in refused as busy against the throttle', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada');
    let release!: () => void;
    hashing.held = new Promise((resolve) => (release = resolve));
    const admitted = MAX_CONCURRENT_HASHING + MAX_WAITING_PASSWORD_CHECKS;
    let answered = 0;
    const fillers = Array.from({ length: admitted + 10 }, (_, i) =>
      signInFrom(t, `198.51.100.${i}`, `someone-${i}`, 'Password1').finally(() => answered++),
    );
    await vi.waitFor(() => expect(answered).toBe(10), { timeout: 15_000 });
    for (let i = 0; i < 6; i++) expect((await signInFrom(t, OWNER, 'ada', 'wrong-password')).status).toBe(503);
    release();
    await Promise.all(fillers);
    expect((await signInFrom(t, OWNER, 'ada', TEST_PASSWORD)).status).toBe(303);
  });
});
