/**
 * A benchmark server in its own process, so that the load generator does not share its CPU:
 * `tsx bench/serve.ts <database> <port> [nocache]`, where the database is a SQLite file's path
 * or a PostgreSQL URL; prints "ready" when listening. `nocache` turns the page cache off, to
 * measure what rendering a page costs.
 */
import { serve } from '@hono/node-server';
import { createApp } from '../src/app.js';
import { SignInThrottle } from '../src/auth/throttle.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { createMetrics } from '../src/http/metrics.js';
import { createLogger } from '../src/logger.js';
import { BENCH_SECRET_KEY_BASE, isPostgresUrl } from './fixtures.js';

const [location = '', port, cache] = process.argv.slice(2);
const config = loadConfig({
  PORT: port,
  ...(isPostgresUrl(location) ? { DATABASE_URL: location } : { DATABASE_PATH: location }),
  SECRET_KEY_BASE: BENCH_SECRET_KEY_BASE,
  LOG_LEVEL: 'silent',
});
// As src/server.ts: every statement's time goes to /metrics, which the figures then include.
const metrics = createMetrics();
const db = openDatabase(
  { url: config.databaseUrl, path: config.databasePath },
  { poolSize: config.databasePoolSize, onTimed: (seconds) => metrics.observeDatabaseQuery(seconds) },
);
const app = createApp({
  db,
  metrics,
  config,
  secretKeyBase: BENCH_SECRET_KEY_BASE,
  throttle: new SignInThrottle(db),
  logger: createLogger('silent'),
  ...(cache === 'nocache' ? { pageCacheSize: 0 } : {}),
});
serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, () => console.log('ready'));
process.on('SIGINT', () => process.exit(0));
