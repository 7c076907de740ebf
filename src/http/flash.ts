/**
 * @module http/flash
 * One-time messages shown on the page a redirect leads to ("Group was successfully created.").
 * They travel in a short-lived signed cookie, so they work without a session too (after sign-out).
 */
import { createHmac } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { AppContext, AppEnv, Flash } from './context.js';

const FLASH_COOKIE = 'cascade_flash';

const signingKeys = new Map<string, string>();

export function cookieSigningKey(secretKeyBase: string): string {
  let key = signingKeys.get(secretKeyBase);
  if (!key) {
    key = createHmac('sha256', secretKeyBase).update('cascade cookie signing').digest('hex');
    signingKeys.set(secretKeyBase, key);
  }
  return key;
}

/** Whether the request carries a flash message, not yet verified: a cheap look at the cookie header. */
export const carriesFlash = (c: AppContext): boolean => c.req.header('cookie')?.includes(`${FLASH_COOKIE}=`) ?? false;

/** Reads the flash message of this request (and clears it) into `c.var.flash`. */
export const readFlash: MiddlewareHandler<AppEnv> = async (c, next) => {
  // Verifying a signature imports a key: only worth it when the cookie is there.
  const raw = carriesFlash(c)
    ? await getSignedCookie(c, cookieSigningKey(c.get('deps').secretKeyBase), FLASH_COOKIE)
    : undefined;
  c.set('flash', parseFlash(raw));
  if (raw !== undefined) deleteCookie(c, FLASH_COOKIE, { path: '/' });
  await next();
};

function parseFlash(raw: string | false | undefined): Flash | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<Flash>;
    if ((value.kind === 'notice' || value.kind === 'alert') && typeof value.message === 'string') {
      return { kind: value.kind, message: value.message };
    }
  } catch {
    // A cookie we did not write: ignore it.
  }
  return null;
}

/**
 * Redirects with 303 (so the browser follows with GET) and a message for the next page.
 *
 * @example
 * return redirectWithFlash(c, '/admin/groups', 'Group was successfully created.')
 */
export async function redirectWithFlash(
  c: AppContext,
  location: string,
  message: string,
  kind: Flash['kind'] = 'notice',
): Promise<Response> {
  await setSignedCookie(
    c,
    FLASH_COOKIE,
    JSON.stringify({ kind, message }),
    cookieSigningKey(c.var.deps.secretKeyBase),
    {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: c.var.deps.config.secureCookies,
      maxAge: 60,
    },
  );
  return c.redirect(location, 303);
}
