/**
 * @module routes/host-sign-in
 * "Sign in with <host>", mounted under /users: the button's link sends the browser to the code
 * host, and the host sends it back to /users/auth/<connection id>/callback (code-hosts/sign-in.ts).
 * Both are open to everyone, as the sign-in page is. Starting is a GET, as on Gitea and Forgejo:
 * a form's post could not be redirected to the host under the `form-action 'self'` policy, and
 * a sign-in that someone else's page starts only leads the browser to the host's own login.
 */
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { HostSignIn, findSignInHost, PENDING_SIGN_IN_MS } from '../code-hosts/sign-in.js';
import { addressGroup, SIGN_IN_LIMITS, Throttle } from '../auth/throttle.js';
import { NotFound } from '../errors.js';
import { clientAddress } from '../http/client-address.js';
import type { AppContext, AppEnv } from '../http/context.js';
import { outboundPolicy } from '../model/network-settings.js';
import { renderSignIn, safeRedirectPath, signInAs } from './sessions.js';

/** Holds the state, nonce and PKCE verifier of one sign-in, sealed, until the host answers. */
const PENDING_COOKIE = 'cascade_host_sign_in';
const COOKIE_PATH = '/users/auth';

async function hostSignIn(c: AppContext): Promise<HostSignIn> {
  const { db, secretKeyBase, config, outbound, hostClients } = c.var.deps;
  const policy = await outboundPolicy(db);
  return new HostSignIn({
    db,
    secretKeyBase,
    publicOrigin: config.publicOrigin,
    policy,
    outbound,
    clients: hostClients!,
  });
}

async function signInHostOf(c: AppContext) {
  const host = await findSignInHost(c.var.db, Number(c.req.param('id')));
  if (!host) throw new NotFound();
  return host;
}

/**
 * Failed host sign-ins count per address, as the password sign-in's spraying limit does: each
 * callback costs requests to the host, and a stream of bad ones should not become a stream of
 * requests. There is no account to count for: the host checked the password, not Cascade.
 */
const addressKey = (c: AppContext) =>
  `host-sign-in:${addressGroup(clientAddress(c, c.var.deps.config.trustedProxies))}`;

export function hostSignInRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/auth/:id{[0-9]{1,9}}', async (c) => {
    const host = await signInHostOf(c);
    const redirectTo = safeRedirectPath(c.req.query('redirect_to'));
    if (c.var.user) return c.redirect(redirectTo, 303);
    const signIn = await hostSignIn(c);
    const started = await signIn.begin(host, redirectTo);
    if (!started.ok) {
      c.status(started.status);
      return renderSignIn(c, { error: started.message, redirectTo });
    }
    setCookie(c, PENDING_COOKIE, started.cookie, {
      path: COOKIE_PATH,
      httpOnly: true,
      sameSite: 'Lax',
      secure: c.var.deps.config.secureCookies,
      maxAge: PENDING_SIGN_IN_MS / 1000,
    });
    return c.redirect(started.authorizationUrl.href, 302);
  });

  routes.get('/auth/:id{[0-9]{1,9}}/callback', async (c) => {
    const host = await signInHostOf(c);
    const cookie = getCookie(c, PENDING_COOKIE);
    deleteCookie(c, PENDING_COOKIE, { path: COOKIE_PATH });
    const throttle = new Throttle(c.var.db);
    const attempt = await throttle.reserve([{ key: addressKey(c), limit: SIGN_IN_LIMITS.address }]);
    if (!attempt.allowed) {
      c.status(429);
      c.header('Retry-After', String(Math.ceil(attempt.retryAfterMs / 1000)));
      const minutes = Math.ceil(attempt.retryAfterMs / 60_000);
      return renderSignIn(c, { error: `Too many failed sign-in attempts. Try again in ${minutes} minutes.` });
    }
    // The address the host was told to send the browser to: the public one, whatever the proxy says.
    const { pathname, search } = new URL(c.req.url);
    const callbackUrl = new URL(`${pathname}${search}`, c.var.deps.config.publicOrigin);
    const signIn = await hostSignIn(c);
    const result = await signIn.finish(host, cookie, callbackUrl);
    if (!result.ok) {
      c.status(result.status);
      return renderSignIn(c, { error: result.message });
    }
    await attempt.cancel();
    return signInAs(c, result.user, result.redirectTo);
  });

  return routes;
}
