/**
 * The app's route table as the tests generated from it see it (permissions.test.ts, fuzz.test.ts):
 * every registered route, keyed as the permission matrix keys its rows.
 */
import type { Hono } from 'hono';
import type { RouterRoute } from 'hono/types';
import type { AppEnv } from '../../src/http/context.js';
import { ORIGIN } from '../support/app.js';

/** "GET /groups/:fullPath{[\w]+}/-/settings" -> "GET /groups/:fullPath/-/settings": the matrix key of a route. */
export function routeKey(route: RouterRoute): string {
  let path = '';
  let depth = 0;
  for (const char of route.path) {
    if (char === '{') depth++;
    else if (char === '}') depth--;
    else if (depth === 0) path += char;
  }
  return `${route.method} ${path}`;
}

/** Every route a request can end at; 'ALL' entries are middleware. */
export function endpoints(app: Hono<AppEnv>): { key: string; route: RouterRoute }[] {
  return app.routes.filter((route) => route.method !== 'ALL').map((route) => ({ key: routeKey(route), route }));
}

/** The route that answers a request: the first one registered for it that is not middleware. */
export function answeringRoute(app: Hono<AppEnv>, method: string, url: string): RouterRoute | undefined {
  const [matches] = app.router.match(method, new URL(url, ORIGIN).pathname);
  return matches.map(([[, route]]) => route).find((route) => route.method !== 'ALL');
}
