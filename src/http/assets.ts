/**
 * @module http/assets
 * Static files from public/, and htmx served straight from its npm package (no CDN, no copy
 * to keep in step).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { PACKAGE_ROOT } from '../paths.js';
import type { AppEnv } from './context.js';

const PUBLIC_FOLDER = join(PACKAGE_ROOT, 'public');
const HTMX_FILE = createRequire(join(PACKAGE_ROOT, 'package.json')).resolve('htmx.org/dist/htmx.min.js');

export function assetRoutes(): Hono<AppEnv> {
  const htmx = readFileSync(HTMX_FILE);
  const assets = new Hono<AppEnv>();
  assets.get('/vendor/htmx.min.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(htmx);
  });
  const servePublic = serveStatic({
    root: PUBLIC_FOLDER,
    rewriteRequestPath: (path) => path.replace(/^\/public/, ''),
  });
  // One handler, so that the route is one route: the header goes on the response serveStatic
  // answers (its onFound runs before it builds that response).
  assets.get('/*', async (c, next) => {
    const found = await servePublic(c, next);
    if (found?.ok) found.headers.set('Cache-Control', 'public, max-age=300');
    return found;
  });
  return assets;
}
