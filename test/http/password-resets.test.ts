/**
 * "Forgot your password?" through HTTP, with mail sent through a real SMTP server on loopback:
 * the same answer whether the address has an account or not, a link built from PUBLIC_URL that
 * works once and for an hour, throttled requests, and every session ended by the reset.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { RESET_LINK_LIFETIME_MS } from '../../src/model/password-resets.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import { loadConfig } from '../../src/config.js';
import { passwordResetTokens, sessions } from '../../src/db/schema.js';
import { findUserById } from '../../src/model/users.js';
import { RESET_REQUESTED } from '../../src/routes/password-resets.js';
import {
  createTestApp,
  fieldErrorOf,
  flashOf,
  get,
  insertUser,
  post,
  sessionCookie,
  TEST_PASSWORD,
  textOf,
  type TestApp,
} from '../support/app.js';
import { insertConnection } from '../support/fake-host-client.js';
import { smtpReceiverForFile } from '../support/smtp.js';

const smtp = smtpReceiverForFile();
const PUBLIC_URL = 'https://cascade.example.com';
const NEW_PASSWORD = 'chosen-after-forgetting';

function mailApp(): Promise<TestApp> {
  return createTestApp({
    config: loadConfig({
      SEED_DEMO: 'false',
      SMTP_URL: smtp().url,
      MAIL_FROM: 'Cascade <cascade@example.com>',
      // The link is built from it, and form posts must come from it.
      PUBLIC_URL,
    }),
  });
}

const requestReset = (t: TestApp, email: string) => post(t.app, '/users/password', { email }, { origin: PUBLIC_URL });

/** The reset link of the only mail received, once it has arrived. */
async function mailedLink(): Promise<URL> {
  await expect.poll(() => smtp().received.length, { timeout: 10_000 }).toBe(1);
  const text = smtp().received[0]!.mail.text ?? '';
  const link = /https:\/\/\S+reset_password_token=\S+/.exec(text)?.[0];
  expect(link).toBeDefined();
  return new URL(link!);
}

const resetForm = (token: string, password = NEW_PASSWORD, confirmation = password) => ({
  reset_password_token: token,
  new_password: password,
  password_confirmation: confirmation,
});

describe('"Forgot your password?"', () => {
  it('is offered on the sign-in page once mail is configured', async () => {
    const t = await mailApp();
    const signIn = await (await get(t.app, '/users/sign_in')).text();
    expect(signIn).toContain('<a href="/users/password/new">Forgot your password?</a>');
    const page = await get(t.app, '/users/password/new');
    expect(page.status).toBe(200);
    expect(textOf(await page.text())).toContain(
      "Forgot your password? Enter your email address and we'll send you a link to reset your password.",
    );
  });

  it('mails a link to the reset form, built from the public origin, to the address of the account', async () => {
    const t = await mailApp();
    await insertUser(t.db, 'ada', { name: 'Ada Lovelace', email: 'ada@example.com' });
    const response = await requestReset(t, 'ADA@example.com');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/users/sign_in');
    expect(flashOf(response)).toBe(RESET_REQUESTED);
    const link = await mailedLink();
    const { recipients, mail } = smtp().received[0]!;
    expect(recipients).toEqual(['ada@example.com']);
    expect(mail.subject).toBe('Reset password instructions');
    expect(mail.text).toContain('Hello, Ada Lovelace!');
    expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC_URL}/users/password/edit`);
    // Only the token's hash is stored.
    const token = link.searchParams.get('reset_password_token')!;
    const stored = await t.db.select().from(passwordResetTokens);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).not.toContain(token);
    expect(JSON.stringify(t.logLines)).not.toContain(token);
  });

  it('answers the same for an address no account has, a blocked account and an imported one, and mails nothing', async () => {
    const t = await mailApp();
    const connection = await insertConnection(t.db);
    await insertUser(t.db, 'blocked', { blockedAt: new Date() });
    await insertUser(t.db, 'carol', { codeHostId: connection.id, hostId: 3 });
    for (const email of ['nobody@example.com', 'blocked@example.com', 'carol@example.com']) {
      const response = await requestReset(t, email);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/users/sign_in');
      expect(flashOf(response)).toBe(RESET_REQUESTED);
    }
    // A mail to send would have arrived by now: the receiver answers at once.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp().received).toEqual([]);
    expect(await t.db.select().from(passwordResetTokens)).toEqual([]);
  });

  it('asks for the address when none is given', async () => {
    const t = await mailApp();
    const response = await requestReset(t, '  ');
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'email')).toBe('Email is required');
  });

  it('refuses the sixth request for one address within an hour, with a 429, for any address alike', async () => {
    const t = await mailApp();
    await insertUser(t.db, 'ada');
    for (const email of ['ada@example.com', 'nobody@example.com']) {
      for (let request = 0; request < 5; request++) expect((await requestReset(t, email)).status).toBe(303);
      const refused = await requestReset(t, email);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(textOf(await refused.text())).toContain('Too many password reset requests. Try again in');
    }
    // Ada's five mails, and no more; waited for, so that none arrives during the next test.
    await expect.poll(() => smtp().received.length, { timeout: 10_000 }).toBe(5);
  });

  it('sets the password with the link, ends every session, and the link does not work twice', async () => {
    const t = await mailApp();
    const ada = await insertUser(t.db, 'ada');
    const cookie = await sessionCookie(t.db, ada);
    await requestReset(t, 'ada@example.com');
    const link = await mailedLink();
    const token = link.searchParams.get('reset_password_token')!;
    const form = await get(t.app, `${link.pathname}${link.search}`);
    expect(form.status).toBe(200);
    expect(form.headers.get('cache-control')).toBe('no-store');
    const html = await form.text();
    expect(textOf(html)).toContain('Change your password New password');
    expect(html).toContain('name="password_confirmation"');

    const response = await post(t.app, '/users/password/edit', resetForm(token), { origin: PUBLIC_URL });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/users/sign_in');
    expect(flashOf(response)).toBe('Your password has been changed successfully. Sign in with your new password.');
    expect(await verifyPassword(NEW_PASSWORD, (await findUserById(t.db, ada.id))!.passwordHash)).toBe(true);
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, ada.id))).toEqual([]);
    expect((await get(t.app, '/', { cookie })).status).toBe(302);

    const again = await post(t.app, '/users/password/edit', resetForm(token, 'yet-another-password'), {
      origin: PUBLIC_URL,
    });
    expect(again.status).toBe(404);
    expect(textOf(await again.text())).toContain('This password reset link is invalid or has expired.');
    expect((await get(t.app, `${link.pathname}${link.search}`)).status).toBe(404);
    expect(await verifyPassword(NEW_PASSWORD, (await findUserById(t.db, ada.id))!.passwordHash)).toBe(true);
  });

  it('keeps the link working while the new password breaks the rules, saying why next to the field', async () => {
    const t = await mailApp();
    const ada = await insertUser(t.db, 'ada');
    await requestReset(t, 'ada@example.com');
    const token = (await mailedLink()).searchParams.get('reset_password_token')!;
    const mismatch = await post(t.app, '/users/password/edit', resetForm(token, NEW_PASSWORD, 'not-the-same-one'), {
      origin: PUBLIC_URL,
    });
    expect(mismatch.status).toBe(422);
    expect(fieldErrorOf(await mismatch.text(), 'password_confirmation')).toBe(
      "Password confirmation doesn't match New password",
    );
    expect(await verifyPassword(TEST_PASSWORD, (await findUserById(t.db, ada.id))!.passwordHash)).toBe(true);
    expect((await post(t.app, '/users/password/edit', resetForm(token), { origin: PUBLIC_URL })).status).toBe(303);
  });

  it('refuses a link after an hour, and an unknown token', async () => {
    const t = await mailApp();
    const ada = await insertUser(t.db, 'ada');
    await requestReset(t, 'ada@example.com');
    const token = (await mailedLink()).searchParams.get('reset_password_token')!;
    // The link was mailed an hour ago.
    await t.db.transaction((tx) =>
      tx
        .update(passwordResetTokens)
        .set({ expiresAt: new Date(Date.now() - 1) })
        .where(eq(passwordResetTokens.userId, ada.id)),
    );
    expect(RESET_LINK_LIFETIME_MS).toBe(60 * 60 * 1000);
    expect((await get(t.app, `/users/password/edit?reset_password_token=${token}`)).status).toBe(404);
    expect((await post(t.app, '/users/password/edit', resetForm(token), { origin: PUBLIC_URL })).status).toBe(404);
    expect((await post(t.app, '/users/password/edit', resetForm('made-up'), { origin: PUBLIC_URL })).status).toBe(404);
    expect(await verifyPassword(TEST_PASSWORD, (await findUserById(t.db, ada.id))!.passwordHash)).toBe(true);
  });

  it('stops working once the password changes another way', async () => {
    const t = await mailApp();
    const ada = await insertUser(t.db, 'ada');
    await requestReset(t, 'ada@example.com');
    const token = (await mailedLink()).searchParams.get('reset_password_token')!;
    const cookie = await sessionCookie(t.db, ada);
    const changed = await post(
      t.app,
      '/-/user_settings/password',
      { current_password: TEST_PASSWORD, new_password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD },
      { cookie, origin: PUBLIC_URL },
    );
    expect(changed.status).toBe(303);
    expect((await get(t.app, `/users/password/edit?reset_password_token=${token}`)).status).toBe(404);
  });

  it('refuses requests and resets posted from another site (CSRF)', async () => {
    const t = await mailApp();
    const ada = await insertUser(t.db, 'ada');
    const evil = { origin: 'https://evil.example' };
    expect((await post(t.app, '/users/password', { email: 'ada@example.com' }, evil)).status).toBe(403);
    expect((await post(t.app, '/users/password/edit', resetForm('x'), evil)).status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp().received).toEqual([]);
    expect(await findUserById(t.db, ada.id)).toEqual(ada);
  });
});
