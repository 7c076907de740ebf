import { describe, expect, it } from 'vitest';
import { EMPTY_ALLOWLIST } from '../../src/outbound/addresses.js';
import { fetchOutbound, type OutboundPolicy } from '../../src/outbound/request.js';
import { receiverForFile, redirectTo } from '../support/receiver.js';

const BLOCKING: OutboundPolicy = { allowLocalRequests: false, allowlist: EMPTY_ALLOWLIST };
const ALLOWING: OutboundPolicy = { allowLocalRequests: true, allowlist: EMPTY_ALLOWLIST };

const receiver = receiverForFile();

describe('fetchOutbound', () => {
  it('reads the status, the headers and the body of the answer', async () => {
    receiver().answer = (response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-total': '3' });
      response.end('{"version":"17.5.1"}');
    };
    const answer = await fetchOutbound({ method: 'GET', url: `${receiver().origin}/api/v4/version` }, ALLOWING);
    expect(answer).toMatchObject({ ok: true, status: 200, body: '{"version":"17.5.1"}' });
    expect(answer.ok && answer.headers['x-total']).toBe('3');
  });

  it('gives an error status with its body for the caller to judge', async () => {
    receiver().answer = (response) => {
      response.writeHead(404);
      response.end('{"message":"404 Project Not Found"}');
    };
    const answer = await fetchOutbound({ method: 'GET', url: `${receiver().origin}/api/v4/projects/9` }, ALLOWING);
    expect(answer).toMatchObject({ ok: true, status: 404, body: '{"message":"404 Project Not Found"}' });
  });

  it('sends PUT and DELETE with their bodies', async () => {
    await fetchOutbound({ method: 'PUT', url: `${receiver().origin}/a`, body: '{"x":1}' }, ALLOWING);
    await fetchOutbound({ method: 'DELETE', url: `${receiver().origin}/hooks/3` }, ALLOWING);
    expect(receiver().received.map(({ method, path, body }) => ({ method, path, body }))).toEqual([
      { method: 'PUT', path: '/a', body: '{"x":1}' },
      { method: 'DELETE', path: '/hooks/3', body: '' },
    ]);
  });

  it('fails clearly when the answer is larger than allowed, declared or not', async () => {
    receiver().answer = (response) => response.end('x'.repeat(2048));
    const url = `${receiver().origin}/big`;
    expect(await fetchOutbound({ method: 'GET', url }, ALLOWING, { maxBodyBytes: 1024 })).toMatchObject({
      ok: false,
      failure: 'too_large',
      message: `The answer of 127.0.0.1:${receiver().port} is larger than 1024 bytes`,
    });
    receiver().answer = (response) => {
      response.write('x'.repeat(1000));
      response.end('x'.repeat(1000));
    };
    expect(await fetchOutbound({ method: 'GET', url }, ALLOWING, { maxBodyBytes: 1024 })).toMatchObject({
      failure: 'too_large',
    });
  });

  it('cuts a longer answer to its first bytes when asked to, declared or not, keeping its status', async () => {
    const url = `${receiver().origin}/big`;
    receiver().answer = (response) => {
      response.writeHead(500);
      response.end('a'.repeat(1000) + 'b'.repeat(1048));
    };
    const options = { maxBodyBytes: 1024, cutLongerBody: true };
    expect(await fetchOutbound({ method: 'GET', url }, ALLOWING, options)).toMatchObject({
      ok: true,
      status: 500,
      body: 'a'.repeat(1000) + 'b'.repeat(24),
    });
    receiver().answer = (response) => {
      response.write('a'.repeat(1000));
      response.end('b'.repeat(1000));
    };
    expect(await fetchOutbound({ method: 'GET', url }, ALLOWING, options)).toMatchObject({
      body: 'a'.repeat(1000) + 'b'.repeat(24),
    });
  });

  it("keeps a code host's token to its own origin when redirected elsewhere", async () => {
    receiver().answer = (response, request) =>
      request.path === '/start' ? redirectTo(`http://localhost:${receiver().port}/end`)(response) : response.end('{}');
    await fetchOutbound(
      {
        method: 'GET',
        url: `${receiver().origin}/start`,
        headers: { 'private-token': 'glpat-x', authorization: 'token y' },
      },
      ALLOWING,
    );
    const [first, second] = receiver().received;
    expect(first!.headers).toMatchObject({ 'private-token': 'glpat-x', authorization: 'token y' });
    expect(second!.headers['private-token']).toBeUndefined();
    expect(second!.headers.authorization).toBeUndefined();
  });

  it('follows redirects and refuses the local network as sendOutbound does', async () => {
    receiver().answer = (response, request) =>
      request.path === '/start' ? redirectTo('/end')(response) : response.end('{"at":"end"}');
    expect(await fetchOutbound({ method: 'GET', url: `${receiver().origin}/start` }, ALLOWING)).toMatchObject({
      status: 200,
      body: '{"at":"end"}',
    });
    expect(await fetchOutbound({ method: 'GET', url: `${receiver().origin}/start` }, BLOCKING)).toMatchObject({
      ok: false,
      failure: 'blocked',
      message: 'Requests to the local network are not allowed: 127.0.0.1 is a loopback address',
    });
  });
});
