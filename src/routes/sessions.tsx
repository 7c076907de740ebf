/**
 * @module routes/sessions
 * Signing in and out.
 */
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { PasswordChecksBusy, UNUSABLE_PASSWORD_HASH, verifyPassword } from '../auth/passwords.js';
import { createSession, deleteSession, SESSION_COOKIE, SESSION_LIFETIME_MS } from '../auth/sessions.js';
import { clientAddress } from '../http/client-address.js';
import type { AppEnv } from '../http/context.js';
import { redirectWithFlash } from '../http/flash.js';
import { readForm } from '../http/forms.js';
import { lastValue } from '../form-values.js';
import { signInHosts } from '../code-hosts/sign-in.js';
import type { User } from '../db/schema.js';
import type { AppContext } from '../http/context.js';
import { awaitsRootsFirstSignIn, findUserByUsername, recordSignIn } from '../model/users.js';
import { SignInPage } from '../../views/pages/sign-in.js';

const INVALID_CREDENTIALS = 'Invalid username or password.';

/** Only a path on this site: never "//evil.example" or an absolute URL. */
export function safeRedirectPath(value: string | undefined): string {
  return value && /^\/(?![/\\])/.test(value) ? value : '/';
}

/**
 * The sign-in page, with a "Sign in with <host>" button for each connection that offers it,
 * "Forgot your password?" where mail is configured, and on a new instance where root's first
 * password is.
 */
export async function renderSignIn(
  c: AppContext,
  { redirectTo, ...props }: Omit<Parameters<typeof SignInPage>[0], 'hosts' | 'forgotPassword' | 'firstPasswordHint'>,
): Promise<Response> {
  const { db, deps } = c.var;
  const hosts = await signInHosts(db);
  const firstPasswordHint = await awaitsRootsFirstSignIn(db, deps.config.initialRootPassword !== undefined);
  return c.render(
    <SignInPage
      {...props}
      hosts={hosts}
      redirectTo={redirectTo === '/' ? undefined : redirectTo}
      forgotPassword={deps.mailer !== undefined}
      firstPasswordHint={firstPasswordHint}
    />,
    { title: 'Sign in' },
  );
}

/** Starts a session for `user` (by password or through a code host) and sends them on. */
export async function signInAs(c: AppContext, user: User, redirectTo: string): Promise<Response> {
  const token = await createSession(c.var.db, user.id);
  await recordSignIn(c.var.db, user.id);
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.var.deps.config.secureCookies,
    maxAge: SESSION_LIFETIME_MS / 1000,
  });
  return redirectWithFlash(c, redirectTo, 'Signed in successfully.');
}

export function sessionRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/sign_in', (c) => {
    if (c.var.user) return c.redirect('/', 303);
    return renderSignIn(c, { redirectTo: safeRedirectPath(c.req.query('redirect_to')) });
  });

  routes.post('/sign_in', async (c) => {
    const form = await readForm(c);
    const username = (lastValue(form.username) ?? '').trim().slice(0, 255);
    const password = (lastValue(form.password) ?? '').slice(0, 1024);
    const redirectTo = safeRedirectPath(lastValue(form.redirect_to));
    const again = (error: string, status: 401 | 422 | 429 | 503) => {
      c.status(status);
      return renderSignIn(c, { username, error, redirectTo });
    };

    if (!username || !password) return again('Enter your username and password.', 422);
    const attempt = await c.var.deps.throttle.reserve(username, clientAddress(c, c.var.deps.config.trustedProxies));
    if (!attempt.allowed) {
      c.header('Retry-After', String(Math.ceil(attempt.retryAfterMs / 1000)));
      return again(
        `Too many failed sign-in attempts. Try again in ${Math.ceil(attempt.retryAfterMs / 60_000)} minutes.`,
        429,
      );
    }
    const user = await findUserByUsername(c.var.db, username);
    let matches: boolean;
    try {
      // Verify against a dummy hash for unknown users so the answer takes as long either way.
      matches = await verifyPassword(password, user?.passwordHash ?? UNUSABLE_PASSWORD_HASH);
    } catch (error) {
      if (!(error instanceof PasswordChecksBusy)) throw error;
      await attempt.notChecked();
      c.header('Retry-After', '5');
      return again('Too many people are signing in right now. Try again in a few seconds.', 503);
    }
    if (!user || !matches || user.blockedAt) return again(INVALID_CREDENTIALS, 401);
    await attempt.succeeded();
    return signInAs(c, user, redirectTo);
  });

  routes.post('/sign_out', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await deleteSession(c.var.db, token);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return redirectWithFlash(c, '/users/sign_in', 'Signed out successfully.');
  });

  return routes;
}
