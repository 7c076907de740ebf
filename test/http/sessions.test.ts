/**
 * Signing in and out through HTTP: the form, the session cookie, generic errors, blocked users,
 * throttling, where the browser is sent afterwards, and sessions that end.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSession, SESSION_COOKIE, SESSION_LIFETIME_MS } from '../../src/auth/sessions.js';
import { sessions } from '../../src/db/schema.js';
import { rows as selectRows } from '../../src/db/client.js';
import { sql } from 'drizzle-orm';
import {
  controlOf,
  createTestApp,
  flashOf,
  get,
  insertUser,
  post,
  TEST_PASSWORD,
  textOf,
  type TestApp,
} from '../support/app.js';

const signIn = (t: TestApp, form: Record<string, string>) => post(t.app, '/users/sign_in', form);

/** The session token the response sets, and the attributes of its Set-Cookie line. */
function sessionCookieOf(response: Response): { token: string; attributes: string[] } | undefined {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
  if (!line) return undefined;
  const [pair, ...attributes] = line.split(';').map((part) => part.trim());
  return { token: pair!.slice(SESSION_COOKIE.length + 1), attributes };
}

const sessionRows = async (t: TestApp) => await t.db.select().from(sessions);

describe('the sign-in form', () => {
  it('has labelled username and password fields with autocomplete hints and a "Sign in" button', async () => {
    const t = await createTestApp();
    const response = await get(t.app, '/users/sign_in');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<label for="field-username">Username');
    expect(html).toContain('<label for="field-password">Password');
    expect(controlOf(html, 'username')).toMatch(/id="field-username"[^>]*type="text"[^>]*autocomplete="username"/);
    expect(controlOf(html, 'password')).toMatch(
      /id="field-password"[^>]*type="password"[^>]*autocomplete="current-password"/,
    );
    expect(html).toMatch(/<button type="submit"[^>]*>Sign in<\/button>/);
  });

  it('carries a local redirect_to along in a hidden field, and drops one to another site', async () => {
    const t = await createTestApp();
    const local = await (await get(t.app, '/users/sign_in?redirect_to=%2Fgroups%2Ftop')).text();
    expect(controlOf(local, 'redirect_to')).toBe('<input type="hidden" name="redirect_to" value="/groups/top"/>');
    const foreign = await (await get(t.app, '/users/sign_in?redirect_to=%2F%2Fevil.example')).text();
    expect(controlOf(foreign, 'redirect_to')).toBeUndefined();
  });

  it('sends a signed-in user to the dashboard instead', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada');
    const signedIn = await signIn(t, { username: 'ada', password: TEST_PASSWORD });
    const response = await get(t.app, '/users/sign_in', {
      cookie: `${SESSION_COOKIE}=${sessionCookieOf(signedIn)!.token}`,
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
  });
});

describe('signing in', () => {
  it('sets an httpOnly SameSite=Lax session cookie, stores only its SHA-256, and lands on the dashboard', async () => {
    const t = await createTestApp();
    const ada = await insertUser(t.db, 'ada');
    const response = await signIn(t, { username: 'ada', password: TEST_PASSWORD });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    expect(flashOf(response)).toBe('Signed in successfully.');

    const cookie = sessionCookieOf(response)!;
    expect(cookie.token).toMatch(/^[\w-]{40,}$/);
    expect(cookie.attributes).toContain('HttpOnly');
    expect(cookie.attributes).toContain('SameSite=Lax');
    expect(cookie.attributes).toContain('Path=/');

    const rows = await sessionRows(t);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.userId).toBe(ada.id);
    expect(rows[0]!.tokenHash).toBe(createHash('sha256').update(cookie.token).digest('hex'));
    expect(JSON.stringify(await selectRows(t.db, sql`select * from sessions`))).not.toContain(cookie.token);

    const dashboard = await get(t.app, '/', { cookie: `${SESSION_COOKIE}=${cookie.token}` });
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('Welcome, ada');
  });

  it('accepts the username in any letter case', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada');
    const response = await signIn(t, { username: 'ADA', password: TEST_PASSWORD });
    expect(response.status).toBe(303);
    expect(await sessionRows(t)).toHaveLength(1);
  });

  it('answers a wrong password and an unknown user alike: 401 with the same generic message, no session', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada');
    const wrongPassword = await signIn(t, { username: 'ada', password: 'not-the-password' });
    const unknownUser = await signIn(t, { username: 'nobody', password: TEST_PASSWORD });
    for (const response of [wrongPassword, unknownUser]) {
      expect(response.status).toBe(401);
      expect(sessionCookieOf(response)).toBeUndefined();
      expect(textOf(await response.text())).toContain('Invalid username or password.');
    }
    expect(await sessionRows(t)).toHaveLength(0);
  });

  it('keeps the username but never the password in the form shown again', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada');
    const html = await (await signIn(t, { username: 'ada', password: 'guessed-secret-42' })).text();
    expect(controlOf(html, 'username')).toContain('value="ada"');
    expect(html).not.toContain('guessed-secret-42');
  });

  it('refuses a blocked user with the same generic message', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada', { blockedAt: new Date() });
    const response = await signIn(t, { username: 'ada', password: TEST_PASSWORD });
    expect(response.status).toBe(401);
    expect(textOf(await response.text())).toContain('Invalid username or password.');
    expect(await sessionRows(t)).toHaveLength(0);
  });

  it('refuses the 6th attempt for a username with 429, even with the right password, after 5 failures', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada');
    for (let attempt = 1; attempt <= 5; attempt++) {
      const failure = await signIn(t, { username: attempt % 2 ? 'ada' : 'Ada', password: `wrong-${attempt}` });
      expect(failure.status).toBe(401);
    }
    const sixth = await signIn(t, { username: 'ada', password: TEST_PASSWORD });
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect(textOf(await sixth.text())).toContain('Too many failed sign-in attempts. Try again in 15 minutes.');
    expect(sessionCookieOf(sixth)).toBeUndefined();
    expect(await sessionRows(t)).toHaveLength(0);
  });

  it('answers 422 when the username or the password is missing', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada');
    const forms: Record<string, string>[] = [
      { username: 'ada' },
      { password: TEST_PASSWORD },
      { username: '  ', password: TEST_PASSWORD },
      {},
    ];
    for (const form of forms) {
      const response = await signIn(t, form);
      expect(response.status).toBe(422);
      expect(textOf(await response.text())).toContain('Enter your username and password.');
    }
    expect(await sessionRows(t)).toHaveLength(0);
  });
});

describe('redirect_to after signing in', () => {
  it.each([
    ['/groups/top/-/settings/integrations?tab=slack', '/groups/top/-/settings/integrations?tab=slack'],
    ['https://evil.example/steal', '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['', '/'],
  ])('redirect_to %j leads to %s', async (redirectTo, location) => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada');
    const response = await signIn(t, { username: 'ada', password: TEST_PASSWORD, redirect_to: redirectTo });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(location);
  });
});

describe('sessions that end', () => {
  it('deletes the session row on sign-out, clears the cookie, and the old cookie no longer works', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada');
    const token = sessionCookieOf(await signIn(t, { username: 'ada', password: TEST_PASSWORD }))!.token;
    const cookie = `${SESSION_COOKIE}=${token}`;

    const response = await post(t.app, '/users/sign_out', {}, { cookie });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/users/sign_in');
    expect(flashOf(response)).toBe('Signed out successfully.');
    expect(sessionCookieOf(response)).toMatchObject({ token: '' });
    expect(await sessionRows(t)).toHaveLength(0);

    const again = await get(t.app, '/', { cookie });
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toBe('/users/sign_in?redirect_to=%2F');
  });

  it('signs out only the session of this browser', async () => {
    const t = await createTestApp();
    const ada = await insertUser(t.db, 'ada');
    const laptop = `${SESSION_COOKIE}=${await createSession(t.db, ada.id)}`;
    const phone = `${SESSION_COOKIE}=${await createSession(t.db, ada.id)}`;
    await post(t.app, '/users/sign_out', {}, { cookie: laptop });
    expect(await sessionRows(t)).toHaveLength(1);
    expect((await get(t.app, '/', { cookie: phone })).status).toBe(200);
  });

  it('does not accept a session past its expiry', async () => {
    const t = await createTestApp();
    const ada = await insertUser(t.db, 'ada');
    const startedLongAgo = new Date(Date.now() - SESSION_LIFETIME_MS - 60_000);
    const expired = `${SESSION_COOKIE}=${await createSession(t.db, ada.id, startedLongAgo)}`;
    const response = await get(t.app, '/', { cookie: expired });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/users/sign_in?redirect_to=%2F');
  });

  it('does not accept a made-up session token', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada');
    const response = await get(t.app, '/', { cookie: `${SESSION_COOKIE}=made-up-token` });
    expect(response.status).toBe(302);
  });
});
