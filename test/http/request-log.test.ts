/**
 * The request log as an operator reads it: one JSON line per request with its id (also sent back
 * as X-Request-Id), route, user and status; and nothing in it that lets a reader sign in or open
 * a secret: no tokens, cookies, passwords or query strings.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger, REDACTED } from '../../src/logger.js';
import { apiRequest, apiToken } from '../support/api.js';
import { createTestApp, get, post } from '../support/app.js';
import { groupIntegrations } from '../support/integrations.js';
import { buildWorld } from '../support/world.js';
import { ERROR_LEVEL, logEntries, requestEntries } from './log.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function worldApp(env: Record<string, string> = {}) {
  const t = await createTestApp({ config: loadConfig({ SEED_DEMO: 'false', ...env }) });
  return { ...t, world: await buildWorld(t.db) };
}

describe('the request id', () => {
  it('is a new random id for each request, sent back as X-Request-Id and written on its log line', async () => {
    const t = await createTestApp();
    const first = await get(t.app, '/users/sign_in');
    const second = await get(t.app, '/no-such-page');
    const ids = [first, second].map((response) => response.headers.get('x-request-id'));
    expect(ids[0]).toMatch(UUID);
    expect(ids[1]).toMatch(UUID);
    expect(ids[0]).not.toBe(ids[1]);
    expect(requestEntries(t.logLines).map((entry) => entry.requestId)).toEqual(ids);
  });

  /** The id a request from `peer` carrying X-Request-Id `incoming` is given, with TRUST_PROXY=10.0.0.2. */
  async function idFor(peer: string, incoming: string): Promise<string | null> {
    const t = await createTestApp({ config: loadConfig({ SEED_DEMO: 'false', TRUST_PROXY: '10.0.0.2' }) });
    const response = await t.app.request(
      '/-/health',
      { headers: { 'x-request-id': incoming } },
      { incoming: { socket: { remoteAddress: peer } } },
    );
    expect(requestEntries(t.logLines)[0]!.requestId).toBe(response.headers.get('x-request-id'));
    return response.headers.get('x-request-id');
  }

  it("is a trusted proxy's own id when it is 1 to 64 letters, digits, dots, dashes or underscores", async () => {
    expect(await idFor('10.0.0.2', 'nginx-7f3a.01_x')).toBe('nginx-7f3a.01_x');
    expect(await idFor('10.0.0.2', 'a'.repeat(64))).toBe('a'.repeat(64));
  });

  it.each([
    ['from a client that is not a trusted proxy', '203.0.113.7', 'chosen-by-the-client'],
    ['longer than 64 characters', '10.0.0.2', 'a'.repeat(65)],
    ['with characters a log line or header should not carry', '10.0.0.2', 'id with spaces"\\'],
  ])('is a new id for an incoming one %s', async (_case, peer, incoming) => {
    expect(await idFor(peer, incoming)).toMatch(UUID);
  });
});

describe('the request line', () => {
  it("gives the API route's pattern and the token's user", async () => {
    const t = await worldApp();
    const token = await apiToken(t.db, t.world.users.owner);
    const response = await apiRequest(t.app, 'GET', `/api/v4/projects/${t.world.project.id}/integrations`, { token });
    expect(response.status).toBe(200);
    expect(requestEntries(t.logLines)).toEqual([
      expect.objectContaining({
        method: 'GET',
        route: '/api/v4/projects/:id/integrations',
        path: `/api/v4/projects/${t.world.project.id}/integrations`,
        status: 200,
        userId: t.world.users.owner.id,
        requestId: response.headers.get('x-request-id'),
      }),
    ]);
  });

  it("logs an API request's unhandled error with the request id the client was sent, and the stack", async () => {
    const t = await worldApp();
    const token = await apiToken(t.db, t.world.users.owner);
    await t.db.close();
    const response = await apiRequest(t.app, 'GET', '/api/v4/projects', { token });
    expect(response.status).toBe(500);
    expect(logEntries(t.logLines)).toContainEqual(
      expect.objectContaining({
        level: ERROR_LEVEL,
        msg: 'Unhandled error on GET /api/v4/projects',
        requestId: response.headers.get('x-request-id'),
        err: expect.objectContaining({ stack: expect.stringMatching(/^\w*Error: .+\n\s+at /) }),
      }),
    );
    expect(t.logLines.join('\n')).not.toContain(token);
    // Nor the failed query's parameters, such as the token's hash.
    expect(t.logLines.join('\n')).not.toContain(createHash('sha256').update(token).digest('hex'));
  });

  it('leaves the user out when nobody is signed in', async () => {
    const t = await createTestApp();
    await get(t.app, '/users/sign_in');
    expect(requestEntries(t.logLines)[0]).not.toHaveProperty('userId');
  });

  it('names the route of a page the page cache answered, not the cache', async () => {
    const t = await worldApp();
    const cookie = t.world.cookies.owner;
    await get(t.app, '/groups/top', { cookie });
    await get(t.app, '/groups/top', { cookie });
    expect(requestEntries(t.logLines).map((entry) => entry.route)).toEqual(['/groups/:fullPath', '/groups/:fullPath']);
  });
});

describe('what the log never holds', () => {
  it('holds no token from the query string, no session cookie and no PRIVATE-TOKEN header', async () => {
    const t = await worldApp();
    const token = await apiToken(t.db, t.world.users.owner);
    const cookie = t.world.cookies.owner!;
    const session = cookie.slice(cookie.indexOf('=') + 1);
    await get(t.app, '/groups/top?private_token=query-token-0451&search=private-term', { cookie });
    await apiRequest(t.app, 'GET', '/api/v4/projects?private_token=query-token-0452', {
      token,
      headers: { cookie, authorization: 'Bearer header-bearer-0453' },
    });
    // An unknown token is refused, and still not written down.
    await apiRequest(t.app, 'GET', '/api/v4/projects', { token: 'glpat-unknown-token-0454' });

    expect(requestEntries(t.logLines).map((entry) => [entry.path, entry.status])).toEqual([
      ['/groups/top', 200],
      ['/api/v4/projects', 200],
      ['/api/v4/projects', 401],
    ]);
    const log = t.logLines.join('\n');
    for (const secret of [
      token,
      session,
      'query-token-0451',
      'query-token-0452',
      'private-term',
      'header-bearer-0453',
      'glpat-unknown-token-0454',
      '?',
    ])
      expect(log).not.toContain(secret);
  });

  it('holds no secret saved through the settings form, not even when the save fails', async () => {
    const t = await worldApp();
    const form = {
      _version: '0',
      inheritance: 'custom',
      active: '1',
      url: 'https://jira.example.com',
      username: 'top-bot',
      password: 'jira-password-0455',
      jira_auth_type: '0',
      _confirmed: '1',
    };
    const jira = `${groupIntegrations('top')}/jira`;
    expect((await post(t.app, jira, form, { cookie: t.world.cookies.owner })).status).toBe(303);
    await t.db.close();
    const failed = await post(
      t.app,
      jira,
      { ...form, password: 'jira-password-0456' },
      { cookie: t.world.cookies.owner },
    );
    expect(failed.status).toBe(500);

    expect(logEntries(t.logLines).some((entry) => entry.msg.startsWith('Unhandled error'))).toBe(true);
    const log = t.logLines.join('\n');
    expect(log).not.toContain('jira-password-0455');
    expect(log).not.toContain('jira-password-0456');
  });

  it('redacts credential headers and fields named password, token or secret wherever a line has them', () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line));
    logger.info(
      {
        headers: {
          authorization: 'Bearer a-0457',
          cookie: 'c-0458',
          'private-token': 'p-0459',
          'set-cookie': 's-0460',
        },
        request: { headers: { cookie: 'c-0461' }, password: 'pw-0462' },
        token: 't-0463',
        settings: { secret: 's-0464', url: 'https://jira.example.com' },
      },
      'a line with credentials in it',
    );
    expect(logEntries(lines)).toEqual([
      expect.objectContaining({
        headers: { authorization: REDACTED, cookie: REDACTED, 'private-token': REDACTED, 'set-cookie': REDACTED },
        request: { headers: { cookie: REDACTED }, password: REDACTED },
        token: REDACTED,
        settings: { secret: REDACTED, url: 'https://jira.example.com' },
      }),
    ]);
  });
});

describe('LOG_FORMAT', () => {
  it('writes one JSON object per line by default, and readable lines with pretty', () => {
    const json: string[] = [];
    const pretty: string[] = [];
    createLogger('info', (line) => json.push(line)).info({ userId: 7 }, 'Cascade is ready');
    createLogger('info', (line) => pretty.push(line), 'pretty').info({ userId: 7 }, 'Cascade is ready');
    expect(logEntries(json)).toEqual([expect.objectContaining({ level: 30, userId: 7, msg: 'Cascade is ready' })]);
    // eslint-disable-next-line no-control-regex
    const text = pretty.join('\n').replace(/\u001b\[[0-9;]*m/g, '');
    expect(text).toMatch(/^\[.+\] INFO: Cascade is ready \{"userId":7\}$/);
    expect(() => JSON.parse(pretty[0]!) as unknown).toThrow();
  });

  it('writes nothing below LOG_LEVEL', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', (line) => lines.push(line));
    logger.info('hidden');
    logger.warn('shown');
    expect(logEntries(lines).map((entry) => entry.msg)).toEqual(['shown']);
  });
});
