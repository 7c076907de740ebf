/**
 * @module http/page-cache
 * Signed-in pages, kept per user and URL until the database changes. A page is a function of
 * the database and the signed-in user only, so one cheap query (how many rows this connection
 * has changed, and whether another connection has committed since) tells whether a kept page
 * is still what rendering would produce. Pages carrying a flash message are never kept.
 */
import type { MiddlewareHandler } from 'hono';
import type { Db } from '../db/client.js';
import { perDatabase } from '../db/client.js';
import type { AppEnv } from './context.js';

interface KeptPage {
  stamp: string;
  body: string;
}

const changeStamp = perDatabase((db: Db) =>
  db.$client.prepare('select total_changes() as changes, (select data_version from pragma_data_version) as version').raw(),
);

/** "rows changed by this connection/commits seen from others": any write anywhere changes it. */
export function databaseStamp(db: Db): string {
  const [changes, version] = changeStamp(db).get() as [number, number];
  return `${changes}/${version}`;
}

/**
 * @example
 * app.use(pageCache(500)) // after the session and flash middleware, before the routes
 */
export function pageCache(maxPages: number): MiddlewareHandler<AppEnv> {
  const pages = new Map<string, KeptPage>();
  return async (c, next) => {
    const user = c.get('user');
    if (c.req.method !== 'GET' || !user || c.get('flash')) return next();
    const key = `${user.id} ${c.req.header('hx-request') ?? ''} ${c.req.url}`;
    const stamp = databaseStamp(c.get('db'));
    const kept = pages.get(key);
    if (kept?.stamp === stamp) return c.html(kept.body);

    await next();
    const response = c.res;
    const cacheable =
      response.status === 200 && response.headers.get('content-type')?.startsWith('text/html') && !response.headers.has('set-cookie');
    if (!cacheable) return;
    pages.delete(key);
    if (pages.size >= maxPages) pages.delete(pages.keys().next().value!);
    // The stamp from before rendering: a write during rendering makes the page stale at once.
    pages.set(key, { stamp, body: await response.clone().text() });
  };
}
