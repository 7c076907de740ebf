/**
 * Two Cascade servers on one PostgreSQL database, as behind a load balancer: started at once on
 * an empty database, one migrates while the other waits; then nothing either keeps in its own
 * process (pages, sessions, sign-in failures, the settings a form was loaded with) is wrong on
 * the other.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_LIMITS } from '../../src/auth/throttle.js';
import { controlOf } from '../support/app.js';
import { createPostgresDatabase, postgresUrl } from '../support/database.js';
import { ADMIN_INTEGRATIONS, projectIntegrations } from '../support/integrations.js';
import {
  freePort,
  getPage,
  saveSettingsForm,
  signIn,
  spawnCascade,
  stopCascade,
  type CascadeServer,
} from './cascade-servers.js';

const ROOT_PASSWORD = 'two-servers-root-password';
const INSTANCE_SLACK = `${ADMIN_INTEGRATIONS}/slack`;
/** A demo project that inherits the instance's Slack settings. */
const PROJECT_SLACK = `${projectIntegrations('platform/infrastructure')}/slack`;
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/XXXX';

const journal = JSON.parse(readFileSync('drizzle/postgres/meta/_journal.json', 'utf8')) as {
  entries: { tag: string; when: number }[];
};

let url: string;
let a: CascadeServer;
let b: CascadeServer;
let root: string;

beforeAll(async () => {
  url = postgresUrl(await createPostgresDatabase(false));
  const env = {
    DATABASE_URL: url,
    SECRET_KEY_BASE: 'two-servers-secret-key-base-0123456789abcdef',
    INITIAL_ROOT_PASSWORD: ROOT_PASSWORD,
    SEED_DEMO: 'true',
    LOG_LEVEL: 'info',
  };
  // Both are spawned before either is ready: they reach the empty database together.
  a = spawnCascade('A', await freePort(), env);
  b = spawnCascade('B', await freePort(), env);
  await Promise.all([a.ready, b.ready]);
  root = await signIn(a, 'root', ROOT_PASSWORD);
}, 60_000);

afterAll(async () => {
  await Promise.all([a, b].filter(Boolean).map(stopCascade));
});

/** The `value` of the form control `name` on a page. */
const valueOf = (html: string, name: string) => /\bvalue="([^"]*)"/.exec(controlOf(html, name) ?? '')?.[1];

async function pageHtml(server: CascadeServer, path: string, cookie: string): Promise<string> {
  const response = await getPage(server, path, cookie);
  expect(response.status, `${server.name} ${path}`).toBe(200);
  return response.text();
}

/** Page-cache hits a server has counted so far (from its /metrics, open to the loopback). */
async function pageCacheHits(server: CascadeServer): Promise<number> {
  const metrics = await (await fetch(`${server.base}/metrics`)).text();
  return Number(/^cascade_page_cache_requests_total\{result="hit"\} (\d+)$/m.exec(metrics)?.[1] ?? 0);
}

/** Loads the instance's Slack form on `server` and saves it with `username`, through the confirmation step. */
async function saveInstanceUsername(server: CascadeServer, username: string): Promise<Response> {
  const version = valueOf(await pageHtml(server, INSTANCE_SLACK, root), '_version')!;
  return saveSettingsForm(server, INSTANCE_SLACK, { _version: version, active: '1', webhook: WEBHOOK, username }, root);
}

describe('two servers started at once on an empty database', () => {
  it('both become ready, and each migration is applied once, by one of them, which also seeds it', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const applied = await client.query<{ created_at: string }>(
        'select created_at from drizzle.__drizzle_migrations order by created_at',
      );
      expect(applied.rows.map((row) => Number(row.created_at))).toEqual(journal.entries.map((entry) => entry.when));
      const roots = await client.query("select id from users where username = 'root'");
      expect(roots.rowCount).toBe(1);
    } finally {
      await client.end();
    }
    for (const { tag } of journal.entries) {
      const line = `"msg":"Applied migration ${tag}"`;
      const appliedBy = [a, b].filter((server) => server.output().includes(line));
      expect(appliedBy, tag).toHaveLength(1);
    }
    // Those lines all come from the one that migrated.
    const migrated = [a, b].filter((server) => server.output().includes('Applied migration'));
    expect(migrated).toHaveLength(1);
    // And one of them seeded root and the demo tree, printing the demo passwords once.
    expect([a, b].filter((server) => server.output().includes('Sign in at'))).toHaveLength(1);
  });
});

describe('a default saved through one server', () => {
  it('is served by the other at once, on pages it had cached before the save', async () => {
    for (const path of [INSTANCE_SLACK, PROJECT_SLACK]) {
      await pageHtml(b, path, root);
      const hits = await pageCacheHits(b);
      await pageHtml(b, path, root);
      // The second load came from B's page cache: the page is kept there.
      expect(await pageCacheHits(b), path).toBe(hits + 1);
    }

    const saved = await saveInstanceUsername(a, 'saved-through-a');
    expect(saved.status).toBe(303);

    expect(valueOf(await pageHtml(b, INSTANCE_SLACK, root), 'username')).toBe('saved-through-a');
    expect(await pageHtml(b, PROJECT_SLACK, root)).toContain('saved-through-a');
  });
});

describe('signing out on one server', () => {
  it('ends the session on the other, which had just served a page with it', async () => {
    const session = await signIn(a, 'root', ROOT_PASSWORD);
    await pageHtml(b, '/', session);
    await pageHtml(b, '/', session);

    const signedOut = await fetch(`${a.base}/users/sign_out`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: a.origin, cookie: session },
    });
    expect(signedOut.status).toBe(303);

    for (const server of [b, a]) {
      const response = await getPage(server, '/', session);
      expect(response.status, server.name).toBe(302);
      expect(response.headers.get('location'), server.name).toMatch(/^\/users\/sign_in/);
    }
    // The other sessions are untouched.
    expect((await getPage(b, '/', root)).status).toBe(200);
  });
});

describe('the sign-in throttle', () => {
  it('counts failures on both servers together', async () => {
    const limit = SIGN_IN_LIMITS.accountFromAddress.maxFailures;
    const servers = (n: number) => (n % 2 === 0 ? a : b);
    const fail = (n: number) =>
      fetch(`${servers(n).base}/users/sign_in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: servers(n).origin },
        body: new URLSearchParams({ username: 'olivia', password: 'not-her-password' }).toString(),
      });
    // Neither server alone has seen the limit's worth of failures.
    for (let n = 0; n < limit; n++) expect((await fail(n)).status, `failure ${n + 1}`).toBe(401);
    for (const n of [limit, limit + 1]) {
      const refused = await fail(n);
      expect(refused.status, `attempt ${n + 1} on ${servers(n).name}`).toBe(429);
      expect(await refused.text()).toContain('Too many failed sign-in attempts');
    }
  });
});

describe('a stale edit', () => {
  it('made on one server after a save on the other is refused, and the other save stays', async () => {
    const staleForm = await pageHtml(a, INSTANCE_SLACK, root);
    const staleVersion = valueOf(staleForm, '_version')!;

    expect((await saveInstanceUsername(b, 'saved-through-b')).status).toBe(303);

    const stale = await saveSettingsForm(
      a,
      INSTANCE_SLACK,
      { _version: staleVersion, active: '1', webhook: WEBHOOK, username: 'stale-from-a' },
      root,
    );
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('Someone else changed these settings');
    for (const server of [a, b]) {
      expect(valueOf(await pageHtml(server, INSTANCE_SLACK, root), 'username'), server.name).toBe('saved-through-b');
    }
  });
});
