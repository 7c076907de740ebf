/**
 * @module http/page-cache
 * Signed-in pages, kept per user and URL until the database changes. A page is a function of
 * the database and the signed-in user only, so a kept page is what rendering would produce as
 * long as nothing was written since (see db/change-stamp.ts). Requests that carry a flash
 * message are never answered from, nor kept in, the cache; so a kept page is served before the
 * flash cookie is read at all. A page sent with `Cache-Control: no-store` is never kept: it shows
 * what changes without moving the stamp (hook events, deliveries). Kept pages are also served gzip-compressed to browsers that accept
 * it, compressed once rather than on every request.
 */
import { gzipSync } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import { KeptUntilChange } from '../db/change-stamp.js';
import type { AppEnv } from './context.js';
import { carriesFlash } from './flash.js';
import type { Metrics } from './metrics.js';

/** Bytes, which the Node adapter writes straight to the socket. */
type Body = Uint8Array<ArrayBuffer>;

interface KeptPage {
  plain: Body;
  gzip?: Body;
}

const acceptsGzip = (c: Context<AppEnv>) => /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');

function send(c: Context<AppEnv>, page: KeptPage): Response {
  c.header('vary', 'Accept-Encoding');
  c.header('content-type', 'text/html; charset=UTF-8');
  if (!acceptsGzip(c)) return c.body(page.plain, 200);
  page.gzip ??= new Uint8Array(gzipSync(page.plain));
  c.header('content-encoding', 'gzip');
  return c.body(page.gzip, 200);
}

/**
 * @example
 * app.use(pageCache(1000, metrics)) // after the session middleware, before the flash middleware and the routes
 */
export function pageCache(maxPages: number, metrics: Metrics): MiddlewareHandler<AppEnv> {
  const pages = new KeptUntilChange<KeptPage>(maxPages);
  return async (c, next) => {
    const user = c.get('user');
    if (c.req.method !== 'GET' || !user || carriesFlash(c)) return next();
    const key = `${user.id} ${c.req.header('hx-request') ?? ''} ${c.req.url}`;
    // The stamp from the start of the request: a write during rendering makes the page stale at once.
    const stamp = c.get('databaseStamp');
    const kept = pages.get(key, stamp);
    metrics.observePageCache(kept ? 'hit' : 'miss');
    if (kept) return send(c, kept);

    await next();
    const response = c.res;
    const cacheable =
      response.status === 200 &&
      response.headers.get('content-type')?.startsWith('text/html') &&
      !response.headers.has('set-cookie') &&
      // Pages of what changes without moving the change stamp (hook events, deliveries).
      !/\bno-store\b/.test(response.headers.get('cache-control') ?? '');
    if (cacheable) pages.set(key, stamp, { plain: new Uint8Array(await response.clone().arrayBuffer()) });
  };
}
