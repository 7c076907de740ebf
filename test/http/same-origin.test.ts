/**
 * Cross-site request forgery: an unsafe request to a page is refused unless it comes from a page
 * of this site, whatever its Content-Type, so that actions that read no form (make admin, block,
 * sign out, ...) cannot be triggered from another site with a JSON or text body either.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.js';
import { CROSS_SITE_REFUSED } from '../../src/http/same-origin.js';
import { apiRequest, apiToken } from '../support/api.js';
import { createTestApp, ORIGIN, textOf, type TestApp } from '../support/app.js';
import { databaseSnapshot } from '../support/snapshot.js';
import { buildWorld, type World } from '../support/world.js';
import { writeConnection } from '../../src/db/client.js';

interface Action {
  url: (w: World) => string;
  /** Whose session cookie the forged request carries. */
  cookie: (w: World) => string;
  setup?: (t: TestApp, w: World) => Promise<unknown>;
}

const ACTIONS: Record<string, Action> = {
  'make admin': { url: (w) => `/admin/users/${w.users.nonMember.id}/make_admin`, cookie: (w) => w.cookies.admin! },
  'revoke admin': {
    url: (w) => `/admin/users/${w.users.nonMember.id}/revoke_admin`,
    cookie: (w) => w.cookies.admin!,
    setup: async (t, w) =>
      await writeConnection(t.db).update(users).set({ isAdmin: true }).where(eq(users.id, w.users.nonMember.id)),
  },
  block: { url: (w) => `/admin/users/${w.users.nonMember.id}/block`, cookie: (w) => w.cookies.admin! },
  unblock: { url: (w) => `/admin/users/${w.users.blocked.id}/unblock`, cookie: (w) => w.cookies.admin! },
  'remove member': {
    url: (w) => `/admin/groups/${w.sub.id}/members/${w.memberships.reporter.id}/delete`,
    cookie: (w) => w.cookies.admin!,
  },
  'sign out': { url: () => '/users/sign_out', cookie: (w) => w.cookies.reporter! },
};

const BODIES: Record<string, { headers: Record<string, string>; body?: string }> = {
  JSON: { headers: { 'content-type': 'application/json' }, body: '{}' },
  text: { headers: { 'content-type': 'text/plain' }, body: 'x' },
  'no content type': { headers: {} },
};

const FORGED: Record<string, Record<string, string>> = {
  'from another origin': { origin: 'https://evil.example' },
  'without an Origin': {},
  'from another origin that claims to be same-origin': {
    origin: 'https://evil.example',
    'sec-fetch-site': 'same-origin',
  },
  'marked cross-site, without an Origin': { 'sec-fetch-site': 'cross-site' },
};

async function setUp(action: Action) {
  const t = await createTestApp();
  const world = await buildWorld(t.db);
  await action.setup?.(t, world);
  return { ...t, world };
}

function send(t: TestApp, path: string, headers: Record<string, string>, body?: string, method = 'POST') {
  return Promise.resolve(t.app.request(path, { method, headers, body }));
}

const forgeries = Object.entries(ACTIONS).flatMap(([action, a]) =>
  Object.entries(BODIES).flatMap(([kind, b]) =>
    Object.entries(FORGED).map(([from, origin]) => ({ action, a, kind, b, from, origin })),
  ),
);

describe('requests from other sites', () => {
  it.each(forgeries)('refuses $action with $kind $from, changing nothing', async ({ a, b, origin }) => {
    const t = await setUp(a);
    const before = await databaseSnapshot(t.db);
    const response = await send(t, a.url(t.world), { ...b.headers, ...origin, cookie: a.cookie(t.world) }, b.body);
    expect(response.status).toBe(403);
    expect(textOf(await response.text())).toContain(CROSS_SITE_REFUSED);
    expect(await databaseSnapshot(t.db)).toBe(before);
  });

  it.each(['PUT', 'PATCH', 'DELETE'])(
    'refuses a cross-site %s to a page before anything else answers',
    async (method) => {
      const t = await setUp(ACTIONS['make admin']!);
      const response = await send(
        t,
        `/admin/users/${t.world.users.nonMember.id}`,
        { origin: 'https://evil.example', cookie: t.world.cookies.admin! },
        '{}',
        method,
      );
      expect(response.status).toBe(403);
    },
  );
});

describe('requests from this site', () => {
  it.each(Object.entries(ACTIONS))(
    'lets %s through from a page of this site, whatever the content type',
    async (_name, a) => {
      const t = await setUp(a);
      const before = await databaseSnapshot(t.db);
      const response = await send(
        t,
        a.url(t.world),
        { 'content-type': 'application/json', origin: ORIGIN, cookie: a.cookie(t.world) },
        '{}',
      );
      expect(response.status).toBe(303);
      expect(await databaseSnapshot(t.db)).not.toBe(before);
    },
  );

  it('accepts a post without an Origin that the browser marks same-origin', async () => {
    const t = await setUp(ACTIONS['make admin']!);
    const response = await send(t, ACTIONS['make admin']!.url(t.world), {
      'sec-fetch-site': 'same-origin',
      cookie: t.world.cookies.admin!,
    });
    expect(response.status).toBe(303);
    expect((await t.db.select().from(users).where(eq(users.id, t.world.users.nonMember.id)).limit(1))[0]?.isAdmin).toBe(
      true,
    );
  });
});

describe('the API', () => {
  it("takes a token's request whatever its Origin: it does not use the session cookie", async () => {
    const t = await setUp(ACTIONS['make admin']!);
    const token = await apiToken(t.db, t.world.users.admin);
    const params = { webhook: 'https://hooks.slack.com/services/T000/B000/API' };
    const url = '/api/v4/admin/application_settings/integrations/slack';
    expect(
      (await apiRequest(t.app, 'PUT', url, { token, params, headers: { origin: 'https://evil.example' } })).status,
    ).toBe(200);
  });
});
