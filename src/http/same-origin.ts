/**
 * @module http/same-origin
 * Cross-site request forgery protection for the pages: every unsafe request (POST, PUT, PATCH,
 * DELETE, ...) must come from a page of this site, whatever its Content-Type or body. Unlike
 * hono's csrf(), which checks form content types only, a JSON or body-less post is checked too.
 * The API is mounted before this middleware: it authenticates with tokens, never cookies.
 */
import type { MiddlewareHandler } from 'hono';
import { Forbidden } from '../errors.js';

export const CROSS_SITE_REFUSED =
  'The request did not come from a page of this site, so it was refused (cross-site request forgery protection).';

const isSafeMethod = (method: string) => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';

/**
 * A browser names the page's origin in `Origin` on every unsafe request; where it leaves the
 * header out, its `Sec-Fetch-Site` still says whether the request came from this site.
 */
function isFromThisSite(origin: string | undefined, secFetchSite: string | undefined, publicOrigin: string): boolean {
  if (origin !== undefined) return origin === publicOrigin;
  return secFetchSite === 'same-origin';
}

/**
 * Throws {@link Forbidden} (the 403 page) for an unsafe request from anywhere but `publicOrigin`.
 *
 * @example
 * app.use(sameOriginOnly('https://cascade.example.com'))
 * // POST /admin/users/7/make_admin with Origin: https://evil.example -> 403, nothing changed
 */
export function sameOriginOnly(publicOrigin: string): MiddlewareHandler {
  return async (c, next) => {
    if (
      !isSafeMethod(c.req.method) &&
      !isFromThisSite(c.req.header('origin'), c.req.header('sec-fetch-site'), publicOrigin)
    ) {
      throw new Forbidden(CROSS_SITE_REFUSED);
    }
    await next();
  };
}
