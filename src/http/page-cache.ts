/**
 * @module http/page-cache
 * Signed-in pages, kept per user and URL until the database changes. A page is a function of
 * the database and the signed-in user only, so a kept page is what rendering would produce as
 * long as nothing was written since (see db/change-stamp.ts). Pages that carry a flash
 * message are never kept.
 */
import type { MiddlewareHandler } from 'hono';
import { KeptUntilChange } from '../db/change-stamp.js';
import type { AppEnv } from './context.js';

/**
 * @example
 * app.use(pageCache(1000)) // after the session and flash middleware, before the routes
 */
export function pageCache(maxPages: number): MiddlewareHandler<AppEnv> {
  // Bodies are kept encoded, as bytes: the Node adapter writes those straight to the socket.
  const pages = new KeptUntilChange<Uint8Array<ArrayBuffer>>(maxPages);
  return async (c, next) => {
    const user = c.get('user');
    if (c.req.method !== 'GET' || !user || c.get('flash')) return next();
    const key = `${user.id} ${c.req.header('hx-request') ?? ''} ${c.req.url}`;
    // The stamp from the start of the request: a write during rendering makes the page stale at once.
    const stamp = c.get('databaseStamp');
    const kept = pages.get(key, stamp);
    if (kept) return c.body(kept, 200, { 'content-type': 'text/html; charset=UTF-8' });

    await next();
    const response = c.res;
    const cacheable =
      response.status === 200 && response.headers.get('content-type')?.startsWith('text/html') && !response.headers.has('set-cookie');
    if (cacheable) pages.set(key, stamp, new Uint8Array(await response.clone().arrayBuffer()));
  };
}
