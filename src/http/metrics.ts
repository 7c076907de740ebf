/**
 * @module http/metrics
 * Prometheus metrics of one app, on a registry of its own (tests build many apps in one process):
 * requests by route and status, their durations, page-cache hits and misses, database time, and
 * the process's own metrics. `GET /metrics` serves them to a request carrying METRICS_TOKEN or
 * coming from an address in METRICS_ALLOWLIST; anyone else gets a 404, as GitLab's /-/metrics does.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { Config } from '../config.js';
import { clientAddress, isListed } from './client-address.js';

export type PageCacheResult = 'hit' | 'miss';

export interface Metrics {
  /** One answered (or aborted) request; `route` is the pattern that answered it, never the path. */
  observeRequest(labels: { method: string; route: string; status: string }, seconds: number): void;
  observePageCache(result: PageCacheResult): void;
  /** What the database layer reports for each query it runs. */
  observeDatabaseQuery(seconds: number): void;
  /** Everything in Prometheus's text format. */
  render(): Promise<{ contentType: string; text: string }>;
}

/** Seconds: from a cached page (under a millisecond) to a request that waits on another server. */
const REQUEST_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];

/**
 * @example
 * const metrics = createMetrics()
 * metrics.observeDatabaseQuery(0.0004)
 * const { text } = await metrics.render() // '... cascade_database_query_duration_seconds_count 1 ...'
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status ("aborted" when the client went away).',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from a request arriving to its answer, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  const pageCache = new Counter({
    name: 'cascade_page_cache_requests_total',
    help: 'Signed-in page requests the page cache could answer: hit (answered from it) or miss (rendered).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const queries = new Histogram({
    name: 'cascade_database_query_duration_seconds',
    help: 'Time each database query took.',
    buckets: QUERY_BUCKETS,
    registers: [registry],
  });
  // Started on the first scrape: each collector watches the event loop and garbage collection
  // from then on, which apps that are never scraped (the tests' many) need not pay for.
  let collectsProcessMetrics = false;

  return {
    observeRequest({ method, route, status }, seconds) {
      requests.inc({ method, route, status });
      durations.observe({ method, route }, seconds);
    },
    observePageCache(result) {
      pageCache.inc({ result });
    },
    observeDatabaseQuery(seconds) {
      queries.observe(seconds);
    },
    async render() {
      if (!collectsProcessMetrics) {
        collectDefaultMetrics({ register: registry });
        collectsProcessMetrics = true;
      }
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether `authorization` is `Bearer <token>`, compared in constant time (digests have one length). */
function carriesToken(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

/**
 * @example
 * app.route('/', metricsRoutes(config, metrics)) // before sessions and the page cache
 */
export function metricsRoutes(config: Config, metrics: Metrics): Hono {
  // Without AppEnv: it reads no request variable, and http/context.ts imports this module.
  const routes = new Hono();
  routes.get('/metrics', async (c) => {
    const allowed =
      (config.metricsToken !== undefined && carriesToken(c.req.header('authorization'), config.metricsToken)) ||
      isListed(clientAddress(c, config.trustedProxies), config.metricsAllowlist);
    if (!allowed) return c.text('Not Found', 404);
    const { contentType, text } = await metrics.render();
    c.header('cache-control', 'no-store');
    return c.body(text, 200, { 'content-type': contentType });
  });
  return routes;
}
