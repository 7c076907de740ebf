/**
 * Group and project pages, error pages that reveal nothing, security headers and the request log.
 */
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/auth/sessions.js';
import { createTestApp, get, insertUser, post, TEST_PASSWORD, textOf } from '../support/app.js';
import { buildWorld, type Actor } from '../support/world.js';
import { ERROR_LEVEL, logEntries, requestEntries } from './log.js';

/** The breadcrumb trail of a page: each crumb's label with its link, the current page last without one. */
function breadcrumbsOf(html: string): string[] {
  const trail = /<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)<\/nav>/.exec(html)?.[1] ?? '';
  return [...trail.matchAll(/<a href="([^"]+)">([^<]+)<\/a>|<span aria-current="page">([^<]+)<\/span>/g)].map(
    ([, href, label, current]) => (current ? `${current} (current)` : `${label} ${href}`),
  );
}

const SETTINGS_LINK = 'Settings › Integrations';
/** Stack frames as Node prints them: "    at fn (file:line:col)". */
const STACK_LINE = /^\s*at .+(:\d+:\d+\)?|\(native\))$/m;

async function worldApp() {
  const t = await createTestApp();
  return { ...t, world: await buildWorld(t.db) };
}

describe('group page', () => {
  it('shows the breadcrumbs Top / Sub and the projects of the group', async () => {
    const t = await worldApp();
    const response = await get(t.app, '/groups/top/sub', { cookie: t.world.cookies.reporter });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(breadcrumbsOf(html)).toEqual(['Top /groups/top', 'Sub (current)']);
    expect(html).toContain('<a href="/top/sub/app">App</a>');
  });

  it.each<[Actor, boolean]>([
    ['reporter', false],
    ['developer', false],
    ['maintainer', false],
    ['owner', true],
    ['admin', true],
  ])('as %s, shows the "Settings › Integrations" link: %s', async (actor, shown) => {
    const t = await worldApp();
    const text = textOf(await (await get(t.app, '/groups/top/sub', { cookie: t.world.cookies[actor] })).text());
    expect(text.includes(SETTINGS_LINK)).toBe(shown);
  });
});

describe('project page', () => {
  it('shows the breadcrumbs Top / Sub / App', async () => {
    const t = await worldApp();
    const response = await get(t.app, '/top/sub/app', { cookie: t.world.cookies.developer });
    expect(response.status).toBe(200);
    expect(breadcrumbsOf(await response.text())).toEqual(['Top /groups/top', 'Sub /groups/top/sub', 'App (current)']);
  });

  it('finds the project whatever the letter case of its URL', async () => {
    const t = await worldApp();
    expect((await get(t.app, '/Top/SUB/app', { cookie: t.world.cookies.developer })).status).toBe(200);
  });

  it.each<[Actor, boolean]>([
    ['reporter', false],
    ['developer', false],
    ['maintainer', true],
    ['owner', true],
    ['admin', true],
  ])('as %s, shows the "Settings › Integrations" link: %s', async (actor, shown) => {
    const t = await worldApp();
    const html = await (await get(t.app, '/top/sub/app', { cookie: t.world.cookies[actor] })).text();
    expect(textOf(html).includes(SETTINGS_LINK)).toBe(shown);
    if (shown)
      expect(html).toContain(`<a class="button" href="/top/sub/app/-/settings/integrations">${SETTINGS_LINK}</a>`);
  });
});

describe('not found', () => {
  it('answers an unknown path with a plain 404 page', async () => {
    const t = await worldApp();
    const response = await get(t.app, '/no-such-page', { cookie: t.world.cookies.admin });
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).toContain('<title>Page not found · Cascade</title>');
    expect(textOf(html)).toContain('The page you were looking for could not be found.');
    expect(html).not.toMatch(STACK_LINE);
  });

  it('answers a hidden group or project exactly like one that does not exist', async () => {
    const t = await worldApp();
    const cookie = t.world.cookies.nonMember;
    for (const [hidden, missing] of [
      ['/groups/top/sub', '/groups/top/nope'],
      ['/top/sub/app', '/top/sub/nope'],
    ] as const) {
      const [a, b] = await Promise.all([get(t.app, hidden, { cookie }), get(t.app, missing, { cookie })]);
      expect([a.status, b.status]).toEqual([404, 404]);
      expect(await a.text()).toBe(await b.text());
    }
  });

  it('sends a signed-out visitor to sign in for any project-like URL, existing or not', async () => {
    const t = await worldApp();
    const existing = await get(t.app, '/top/sub/app');
    const missing = await get(t.app, '/top/sub/nope');
    expect([existing.status, missing.status]).toEqual([302, 302]);
    expect(existing.headers.get('location')).toBe('/users/sign_in?redirect_to=%2Ftop%2Fsub%2Fapp');
    expect(missing.headers.get('location')).toBe('/users/sign_in?redirect_to=%2Ftop%2Fsub%2Fnope');
  });
});

describe('server errors', () => {
  it('answers 500 with a generic page, no stack trace, and logs the error', async () => {
    const t = await worldApp();
    await t.db.close();
    const response = await get(t.app, '/groups/top/sub', { cookie: t.world.cookies.owner });
    expect(response.status).toBe(500);
    const html = await response.text();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(textOf(html)).toContain('Something went wrong on our end. The error was logged; please try again.');
    expect(html).not.toMatch(STACK_LINE);
    expect(html).not.toContain('database connection');
    expect(html).not.toContain('node_modules');
    expect(logEntries(t.logLines)).toContainEqual(
      expect.objectContaining({
        level: ERROR_LEVEL,
        msg: 'Unhandled error on GET /groups/top/sub',
        requestId: response.headers.get('x-request-id'),
        err: expect.objectContaining({
          stack: expect.stringMatching(/^\w*Error: .+\n\s+at /),
        }),
      }),
    );
  });

  it('answers 500 without a stack trace when a form post fails', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada');
    await t.db.close();
    const response = await post(t.app, '/users/sign_in', { username: 'ada', password: TEST_PASSWORD });
    expect(response.status).toBe(500);
    const html = await response.text();
    expect(textOf(html)).toContain('Something went wrong');
    expect(html).not.toMatch(STACK_LINE);
    expect(html).not.toContain(TEST_PASSWORD);
  });
});

describe('security headers', () => {
  it.each(['/users/sign_in', '/-/health', '/no-such-page'])(
    'sends a strict Content-Security-Policy and forbids framing on %s',
    async (path) => {
      const t = await createTestApp();
      const response = await get(t.app, path);
      const policy = response.headers.get('content-security-policy')!;
      expect(policy).toContain("default-src 'self'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).not.toContain('unsafe-inline');
      expect(policy).not.toContain('unsafe-eval');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('same-origin');
    },
  );

  it('uses no inline script or style the policy would block', async () => {
    const t = await worldApp();
    const html = await (await get(t.app, '/top/sub/app', { cookie: t.world.cookies.admin })).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style\b|\sstyle="|\son[a-z]+="/);
  });
});

describe('request log', () => {
  it('writes method, route, path, status, duration, user and client address for every request', async () => {
    const t = await worldApp();
    await get(t.app, '/groups/top/sub', { cookie: t.world.cookies.owner });
    await get(t.app, '/groups/top', { cookie: t.world.cookies.nonMember });
    await post(
      t.app,
      '/admin/groups',
      { name: 'X', path: 'x' },
      { cookie: t.world.cookies.admin, origin: 'https://evil.example' },
    );
    const { owner, nonMember, admin } = t.world.users;
    expect(
      requestEntries(t.logLines).map(({ method, route, path, status, userId }) => ({
        method,
        route,
        path,
        status,
        userId,
      })),
    ).toEqual([
      { method: 'GET', route: '/groups/:fullPath', path: '/groups/top/sub', status: 200, userId: owner.id },
      { method: 'GET', route: '/groups/:fullPath', path: '/groups/top', status: 404, userId: nonMember.id },
      { method: 'POST', route: '/admin/groups', path: '/admin/groups', status: 403, userId: admin.id },
    ]);
    for (const entry of requestEntries(t.logLines)) {
      expect(entry.durationMs).toEqual(expect.any(Number));
      expect(entry.clientAddress).toBe('unknown');
    }
  });

  it('never logs the session cookie, the password or the query string', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'ada', { isAdmin: true });
    const signedIn = await post(t.app, '/users/sign_in', {
      username: 'ada',
      password: TEST_PASSWORD,
      redirect_to: '/admin?token=abc',
    });
    const token = /cascade_session=([^;]+)/.exec(signedIn.headers.getSetCookie().join('\n'))![1]!;
    await get(t.app, '/admin/users?search=private-search-term&page=1', { cookie: `${SESSION_COOKIE}=${token}` });
    await post(t.app, '/users/sign_in', { username: 'ada', password: 'wrong-password-1' });

    expect(requestEntries(t.logLines).map(({ method, path, status }) => [method, path, status])).toEqual([
      ['POST', '/users/sign_in', 303],
      ['GET', '/admin/users', 200],
      ['POST', '/users/sign_in', 401],
    ]);
    const log = t.logLines.join('\n');
    for (const secret of [token, TEST_PASSWORD, 'wrong-password-1', 'private-search-term', 'token=abc', '?'])
      expect(log).not.toContain(secret);
  });
});
