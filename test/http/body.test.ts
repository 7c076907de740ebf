/**
 * Request bodies that go wrong: a body that is not what its Content-Type says, a body over the
 * limit followed by another request on the same connection, and a client that goes away
 * mid-body. The last two run against a real listening server, as a browser meets it.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/app.js';
import { DISCARDED_BODY_MAX_BYTES, UNREADABLE_BODY } from '../../src/http/body.js';
import { apiToken } from '../support/api.js';
import { createTestApp, ORIGIN, textOf, type TestApp } from '../support/app.js';
import { databaseSnapshot } from '../support/snapshot.js';
import { buildWorld, type World } from '../support/world.js';
import { logEntries, stackTraces } from './log.js';

async function withWorld(): Promise<TestApp & { world: World }> {
  const t = await createTestApp();
  return { ...t, world: await buildWorld(t.db) };
}

const send = (t: TestApp, method: string, path: string, headers: Record<string, string>, body: string) =>
  Promise.resolve(t.app.request(path, { method, headers: { origin: ORIGIN, ...headers }, body }));

const statusLines = (received: string) => received.match(/HTTP\/1\.1 \d{3}/g) ?? [];

describe('a body that is not what its Content-Type says', () => {
  const MALFORMED = [
    ['multipart without a boundary', 'multipart/form-data', 'username=root&password=x'],
    ['multipart with a boundary it never uses', 'multipart/form-data; boundary=----x', 'not multipart at all'],
  ] as const;

  it.each(MALFORMED)(
    'answers a sign-in form sent as %s with 400 and says why, changing nothing',
    async (_case, contentType, body) => {
      const t = await withWorld();
      const before = await databaseSnapshot(t.db);
      const response = await send(t, 'POST', '/users/sign_in', { 'content-type': contentType }, body);
      expect(response.status).toBe(400);
      expect(textOf(await response.text())).toContain(UNREADABLE_BODY);
      expect(await databaseSnapshot(t.db)).toBe(before);
      expect(stackTraces(t.logLines)).toEqual([]);
    },
  );

  it.each(MALFORMED)(
    "answers an administrator's form sent as %s with 400, changing nothing",
    async (_case, contentType, body) => {
      const t = await withWorld();
      const before = await databaseSnapshot(t.db);
      const response = await send(
        t,
        'POST',
        '/admin/groups',
        { 'content-type': contentType, cookie: t.world.cookies.admin! },
        body,
      );
      expect(response.status).toBe(400);
      expect(textOf(await response.text())).toContain(UNREADABLE_BODY);
      expect(await databaseSnapshot(t.db)).toBe(before);
    },
  );

  it.each([
    ['multipart that is not', 'multipart/form-data; boundary=----x', 'webhook=x', UNREADABLE_BODY],
    ['JSON that is not', 'application/json', '{"webhook": ', 'The request body is not valid JSON.'],
  ])("answers the API's %s with GitLab's 400 error, changing nothing", async (_case, contentType, body, message) => {
    const t = await withWorld();
    const token = await apiToken(t.db, t.world.users.admin);
    const before = await databaseSnapshot(t.db);
    const response = await send(
      t,
      'PUT',
      '/api/v4/admin/application_settings/integrations/slack',
      { 'content-type': contentType, 'private-token': token },
      body,
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: message });
    expect(await databaseSnapshot(t.db)).toBe(before);
    expect(stackTraces(t.logLines)).toEqual([]);
  });
});

/** A real server on a free loopback port, closed after each test. */
const servers: { close(): unknown }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

function listen(t: TestApp): Promise<number> {
  return new Promise((resolve) => {
    const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve(info.port),
    );
    servers.push(server);
  });
}

interface Exchange {
  /** The status line of every response received, in order. */
  statuses: string[];
  headers: string;
  closed: boolean;
}

/**
 * Writes `requests` on one connection and collects what comes back until `expected` responses
 * arrived, the server closed the connection, or two seconds passed.
 */
function exchange(port: number, requests: (string | Buffer)[], expected: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ statuses: statusLines(received), headers: received.toLowerCase(), closed });
    };
    const timer = setTimeout(finish, 2_000);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (statusLines(received).length >= expected) finish();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      finish();
    });
    for (const request of requests) socket.write(request);
  });
}

const formPost = (path: string, length: number) =>
  `POST ${path} HTTP/1.1\r\nHost: localhost:3000\r\nOrigin: ${ORIGIN}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${length}\r\n\r\n`;
const healthCheck = 'GET /-/health HTTP/1.1\r\nHost: localhost:3000\r\n\r\n';

describe('a body over the limit on a kept-alive connection', () => {
  it('answers 413 and then the next request on the same connection', async () => {
    const t = await createTestApp();
    const port = await listen(t);
    const size = MAX_BODY_BYTES * 2;
    const result = await exchange(port, [formPost('/users/sign_in', size), Buffer.alloc(size, 'a'), healthCheck], 2);
    expect(result.statuses).toEqual(['HTTP/1.1 413', 'HTTP/1.1 200']);
  });

  it("answers the API's 413 and then the next request on the same connection", async () => {
    const t = await createTestApp();
    const port = await listen(t);
    const size = MAX_BODY_BYTES + 1;
    const put = `PUT /api/v4/user HTTP/1.1\r\nHost: localhost:3000\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`;
    const result = await exchange(port, [put, Buffer.alloc(size, ' '), healthCheck], 2);
    expect(result.statuses).toEqual(['HTTP/1.1 413', 'HTTP/1.1 200']);
  });

  it('says Connection: close with the 413 when the body is too large to read and drop', async () => {
    const t = await createTestApp();
    const port = await listen(t);
    const result = await exchange(port, [formPost('/users/sign_in', DISCARDED_BODY_MAX_BYTES + 1)], 1);
    expect(result.statuses).toEqual(['HTTP/1.1 413']);
    expect(result.headers).toContain('connection: close');
  });
});

describe('a client that goes away mid-body', () => {
  /** Sends the start of a request's body, waits until the server has it, then closes the connection. */
  async function abortMidBody(port: number, head: string, start = 'username=ro'): Promise<void> {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(head);
    socket.write(start);
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  /** The request line of an aborted request: "aborted" for its status, and no error with it. */
  const abortedEntry = (method: string, path: string, route: string) =>
    expect.objectContaining({
      msg: 'request aborted by the client',
      method,
      path,
      route,
      status: 'aborted',
      durationMs: expect.any(Number),
      clientAddress: '127.0.0.1',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });

  it('is logged as one line saying the client aborted, with no error and no stack trace', async () => {
    const t = await createTestApp();
    const port = await listen(t);
    await abortMidBody(port, formPost('/users/sign_in', 1000));
    expect(logEntries(t.logLines)).toEqual([abortedEntry('POST', '/users/sign_in', '/users/sign_in')]);
  });

  it('is logged the same way when the body comes in chunks of unknown total length', async () => {
    const t = await createTestApp();
    const port = await listen(t);
    const head = `POST /users/sign_in HTTP/1.1\r\nHost: localhost:3000\r\nOrigin: ${ORIGIN}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`;
    await abortMidBody(port, head, 'b\r\nusername=ro\r\n');
    expect(logEntries(t.logLines)).toEqual([abortedEntry('POST', '/users/sign_in', '/users/sign_in')]);
  });

  it('is logged the same way for the API', async () => {
    const t = await withWorld();
    const token = await apiToken(t.db, t.world.users.admin);
    const port = await listen(t);
    const put = `PUT /api/v4/admin/application_settings/integrations/slack HTTP/1.1\r\nHost: localhost:3000\r\nPRIVATE-TOKEN: ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
    await abortMidBody(port, put);
    expect(logEntries(t.logLines)).toEqual([
      abortedEntry(
        'PUT',
        '/api/v4/admin/application_settings/integrations/slack',
        '/api/v4/admin/application_settings/integrations/:slug',
      ),
    ]);
  });
});
