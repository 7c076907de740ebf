/**
 * /metrics as Prometheus scrapes it: requests by route and status, durations, the page cache's
 * hits and misses, database time and the process's metrics; open to METRICS_TOKEN or an
 * allowlisted address, a plain 404 for everyone else.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createTestApp, get, type TestApp } from '../support/app.js';
import { buildWorld } from '../support/world.js';

const TOKEN = 'a-metrics-token-0123456789';

async function appWith(env: Record<string, string> = {}): Promise<TestApp> {
  return await createTestApp({ config: loadConfig({ SEED_DEMO: 'false', ...env }) });
}

/** A scrape of /metrics from `peer`, with the given headers. */
function scrape(t: TestApp, peer: string, headers: Record<string, string> = {}) {
  return Promise.resolve(t.app.request('/metrics', { headers }, { incoming: { socket: { remoteAddress: peer } } }));
}

/** The value of one sample line, e.g. `http_requests_total{method="GET",route="/-/health",status="200"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('who may read /metrics', () => {
  it('answers the machine itself by default, IPv4 and IPv6', async () => {
    const t = await appWith();
    expect((await scrape(t, '127.0.0.1')).status).toBe(200);
    expect((await scrape(t, '::1')).status).toBe(200);
    expect((await scrape(t, '::ffff:127.0.0.1')).status).toBe(200);
  });

  it('answers 404 to any other address, and to a test request without a socket', async () => {
    const t = await appWith();
    const refused = await scrape(t, '203.0.113.7');
    expect(refused.status).toBe(404);
    expect(await refused.text()).not.toContain('http_requests_total');
    expect((await get(t.app, '/metrics')).status).toBe(404);
  });

  it('answers the addresses of METRICS_ALLOWLIST instead', async () => {
    const t = await appWith({ METRICS_ALLOWLIST: '10.0.0.0/8,2001:db8::/32' });
    expect((await scrape(t, '10.1.2.3')).status).toBe(200);
    expect((await scrape(t, '2001:db8::5')).status).toBe(200);
    expect((await scrape(t, '127.0.0.1')).status).toBe(404);
  });

  it('answers a request with METRICS_TOKEN as a Bearer token from anywhere, and no other token', async () => {
    const t = await appWith({ METRICS_TOKEN: TOKEN });
    expect((await scrape(t, '203.0.113.7', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await scrape(t, '203.0.113.7', { authorization: `bearer ${TOKEN}` })).status).toBe(200);
    for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, `Basic ${TOKEN}`, ''])
      expect((await scrape(t, '203.0.113.7', { authorization })).status).toBe(404);
  });

  it('takes the client address from a trusted proxy, not from what a client claims', async () => {
    const t = await appWith({ TRUST_PROXY: '10.0.0.2', METRICS_ALLOWLIST: '192.168.1.0/24' });
    expect((await scrape(t, '10.0.0.2', { 'x-forwarded-for': '192.168.1.9' })).status).toBe(200);
    expect((await scrape(t, '203.0.113.7', { 'x-forwarded-for': '192.168.1.9' })).status).toBe(404);
  });
});

describe('what /metrics holds', () => {
  it('counts requests by method, route and status, with their durations, in Prometheus text format', async () => {
    const t = await appWith();
    await get(t.app, '/-/health');
    await get(t.app, '/-/health');
    await get(t.app, '/no-such-page');
    const response = await scrape(t, '127.0.0.1');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(sample(text, 'http_requests_total{method="GET",route="/-/health",status="200"}')).toBe(2);
    expect(sample(text, 'http_requests_total{method="GET",route="/*",status="404"}')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/-/health"}')).toBe(2);
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).not.toContain('no-such-page');
  });

  it("counts the page cache's hits and misses", async () => {
    const t = await appWith();
    const world = await buildWorld(t.db);
    for (let i = 0; i < 3; i++) await get(t.app, '/groups/top', { cookie: world.cookies.owner });
    const text = await (await scrape(t, '127.0.0.1')).text();
    expect(sample(text, 'cascade_page_cache_requests_total{result="miss"}')).toBe(1);
    expect(sample(text, 'cascade_page_cache_requests_total{result="hit"}')).toBe(2);
  });

  it('holds the database time the database layer reports, and the process metrics', async () => {
    const metrics = createMetrics();
    const t = await createTestApp({ metrics });
    metrics.observeDatabaseQuery(0.002);
    metrics.observeDatabaseQuery(0.0004);
    const text = await (await scrape(t, '127.0.0.1')).text();
    expect(sample(text, 'cascade_database_query_duration_seconds_count')).toBe(2);
    expect(sample(text, 'cascade_database_query_duration_seconds_sum')).toBeCloseTo(0.0024);
    expect(sample(text, 'cascade_database_query_duration_seconds_bucket{le="0.0005"}')).toBe(1);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it("keeps each app's counts apart", async () => {
    const first = await appWith();
    const second = await appWith();
    await get(first.app, '/-/health');
    const text = await (await scrape(second, '127.0.0.1')).text();
    expect(sample(text, 'http_requests_total{method="GET",route="/-/health",status="200"}')).toBeUndefined();
    // Scraping both registries twice must not register the process metrics twice.
    await scrape(first, '127.0.0.1');
    expect((await scrape(first, '127.0.0.1')).status).toBe(200);
  });
});
