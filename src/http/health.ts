/**
 * @module http/health
 * `GET /-/health` for load balancers and scripts: 200 while the database answers, 503 when it
 * does not, so that a balancer sends requests to another server instead. No session needed.
 */
import { Hono } from 'hono';
import type { Db } from '../db/client.js';
import { checkDatabase } from '../db/health-check.js';
import type { Logger } from '../logger.js';
import type { AppEnv } from './context.js';

/**
 * @example
 * app.route('/', healthRoutes(db, logger))
 * // GET /-/health -> 200 {"status":"ok"}, or 503 {"status":"failed","message":"The database cannot be reached."}
 */
export function healthRoutes(db: Db, logger: Logger): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/-/health', async (c) => {
    try {
      await checkDatabase(db);
    } catch (error) {
      logger.warn({ requestId: c.var.requestId, err: error }, 'Health check failed: the database cannot be reached');
      return c.json({ status: 'failed', message: 'The database cannot be reached.' }, 503);
    }
    return c.json({ status: 'ok' });
  });
  return routes;
}
