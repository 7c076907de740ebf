import { freePort } from '../support/processes.js';
import { describe, expect, it } from 'vitest';
import { EMPTY_ALLOWLIST, parseAllowlist } from '../../src/outbound/addresses.js';
import { localNetworkError, sendOutbound, type OutboundPolicy } from '../../src/outbound/request.js';
import { neverAnswer, receiverForFile, redirectTo } from '../support/receiver.js';

const BLOCKING: OutboundPolicy = { allowLocalRequests: false, allowlist: EMPTY_ALLOWLIST };
const ALLOWING: OutboundPolicy = { allowLocalRequests: true, allowlist: EMPTY_ALLOWLIST };

const receiver = receiverForFile();

/** A name server that knows no name: the system's would be asked over the network. */
const resolveNothing = async (host: string) => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

describe('sendOutbound with local requests allowed', () => {
  it('sends the method, path, headers and body, and reports the status and the time taken', async () => {
    const result = await sendOutbound(
      {
        method: 'POST',
        url: `${receiver().origin}/hooks/abc?x=1`,
        headers: { 'content-type': 'application/json' },
        body: '{"text":"hi"}',
      },
      ALLOWING,
    );
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(receiver().received).toHaveLength(1);
    const [request] = receiver().received;
    expect(request).toMatchObject({ method: 'POST', path: '/hooks/abc?x=1', body: '{"text":"hi"}' });
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': '13',
      host: `127.0.0.1:${receiver().port}`,
      'user-agent': 'Cascade',
    });
  });

  it('connects to the address it checked, resolving the host name once, and keeps the name in the Host header', async () => {
    const lookups: string[] = [];
    const resolve = async (host: string) => {
      lookups.push(host);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    // hooks.example.test resolves nowhere else: only the checked address can have been used.
    const result = await sendOutbound(
      { method: 'GET', url: `http://hooks.example.test:${receiver().port}/x` },
      ALLOWING,
      { resolve },
    );
    expect(result.ok).toBe(true);
    expect(lookups).toEqual(['hooks.example.test']);
    expect(receiver().received[0]!.headers.host).toBe(`hooks.example.test:${receiver().port}`);
  });

  it('reports an error status as a failure with its code', async () => {
    receiver().answer = (response) => {
      response.statusCode = 404;
      response.end();
    };
    expect(await sendOutbound({ method: 'GET', url: `${receiver().origin}/missing` }, ALLOWING)).toMatchObject({
      ok: false,
      failure: 'http_status',
      status: 404,
      message: 'The server answered with HTTP 404',
    });
  });

  it('reports a timeout when the server never answers', async () => {
    receiver().answer = neverAnswer;
    const result = await sendOutbound({ method: 'GET', url: `${receiver().origin}/slow` }, ALLOWING, {
      timeoutMs: 200,
    });
    expect(result).toMatchObject({
      ok: false,
      failure: 'timeout',
      message: `No response from 127.0.0.1:${receiver().port} within 0.2 seconds (timed out)`,
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(190);
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it('reports a refused connection', async () => {
    const closed = await freePort();
    expect(await sendOutbound({ method: 'GET', url: `http://127.0.0.1:${closed}/` }, ALLOWING)).toMatchObject({
      ok: false,
      failure: 'refused',
      message: `The connection to 127.0.0.1:${closed} was refused`,
    });
  });

  it('reports a host name that does not resolve', async () => {
    const result = await sendOutbound({ method: 'GET', url: 'http://no-such-host.invalid/' }, ALLOWING, {
      resolve: resolveNothing,
    });
    expect(result).toMatchObject({
      ok: false,
      failure: 'dns',
      message: 'The host name no-such-host.invalid could not be resolved (DNS lookup failed)',
    });
  });

  it('follows a redirect to an allowed place, turning a POST into a GET on 302', async () => {
    receiver().answer = (response, request) =>
      request.path === '/old' ? redirectTo('/new')(response) : response.end('ok');
    const result = await sendOutbound(
      { method: 'POST', url: `${receiver().origin}/old`, headers: { 'content-type': 'application/json' }, body: '{}' },
      ALLOWING,
    );
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(receiver().received.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /old', 'GET /new']);
  });

  it('gives up after three redirects', async () => {
    receiver().answer = redirectTo('/again');
    expect(await sendOutbound({ method: 'GET', url: `${receiver().origin}/loop` }, ALLOWING)).toMatchObject({
      ok: false,
      failure: 'too_many_redirects',
      status: 302,
    });
    expect(receiver().received).toHaveLength(4);
  });

  it('refuses schemes other than http and https', async () => {
    expect(await sendOutbound({ method: 'GET', url: 'file:///etc/passwd' }, ALLOWING)).toMatchObject({
      ok: false,
      failure: 'blocked',
      message: 'Only http and https URLs are allowed',
    });
  });
});

describe('sendOutbound with local requests refused (the default)', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:PORT/'],
    ['loopback, decimal', 'http://2130706433:PORT/'],
    ['loopback, octal', 'http://0177.0.0.1:PORT/'],
    ['loopback, hexadecimal', 'http://0x7f000001:PORT/'],
    ['loopback, IPv6', 'http://[::1]:PORT/'],
    ['loopback, IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]:PORT/'],
    ['private 10/8', 'http://10.0.0.1:PORT/'],
    ['private 172.16/12', 'http://172.16.5.4:PORT/'],
    ['private 192.168/16', 'http://192.168.0.1:PORT/'],
    ['link-local (cloud metadata)', 'http://169.254.169.254/latest/meta-data/'],
    ['link-local IPv6', 'http://[fe80::1]:PORT/'],
    ['unspecified 0.0.0.0', 'http://0.0.0.0:PORT/'],
    ['unspecified 0', 'http://0:PORT/'],
    ['unspecified IPv6', 'http://[::]:PORT/'],
    ['unique local IPv6', 'http://[fd00::1]:PORT/'],
    ['shared address space (carrier-grade NAT)', 'http://100.64.0.1:PORT/'],
    ['IETF protocol assignments', 'http://192.0.0.170:PORT/'],
    ['benchmarking', 'http://198.18.0.1:PORT/'],
    ['documentation', 'http://192.0.2.10:PORT/'],
    ['reserved 240/4', 'http://240.0.0.1:PORT/'],
    ['NAT64 of the loopback', 'http://[64:ff9b::7f00:1]:PORT/'],
    ['6to4 of a private address', 'http://[2002:a00:1::1]:PORT/'],
    ['Teredo', 'http://[2001::1]:PORT/'],
    ['IPv6 outside Global Unicast', 'http://[5f00::1]:PORT/'],
  ])('refuses %s (%s) without connecting', async (_class, pattern) => {
    const url = pattern.replace('PORT', String(receiver().port));
    const result = await sendOutbound({ method: 'GET', url }, BLOCKING, { timeoutMs: 500 });
    expect(result).toMatchObject({ ok: false, failure: 'blocked' });
    expect(result.ok === false && result.message).toMatch(/^Requests to the local network are not allowed: /);
    expect(receiver().received).toEqual([]);
  });

  it('refuses a host name that resolves to 127.0.0.1 (localhost)', async () => {
    const result = await sendOutbound({ method: 'GET', url: `http://localhost:${receiver().port}/` }, BLOCKING);
    expect(result).toMatchObject({ ok: false, failure: 'blocked' });
    expect(result.ok === false && result.message).toMatch(
      /^Requests to the local network are not allowed: localhost resolves to (127\.0\.0\.1|::1), which is a loopback address/,
    );
    expect(receiver().received).toEqual([]);
  });

  it('refuses a host name when any of its addresses is local', async () => {
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    expect(
      await sendOutbound({ method: 'GET', url: 'http://mixed.example.test/' }, BLOCKING, { resolve }),
    ).toMatchObject({ ok: false, failure: 'blocked' });
  });

  it('does not follow a redirect to a local address', async () => {
    const publicHost = `http://public.example.test:${receiver().port}`;
    receiver().answer = redirectTo('http://169.254.169.254/latest/meta-data/');
    // The first hop is let through by the allowlist, as a public server would be.
    const policy: OutboundPolicy = { allowLocalRequests: false, allowlist: allowlist('public.example.test') };
    const result = await sendOutbound({ method: 'GET', url: `${publicHost}/start` }, policy, {
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    expect(result).toMatchObject({ ok: false, failure: 'blocked' });
    expect(receiver().received.map((r) => r.path)).toEqual(['/start']);
  });

  it('lets through an allowlisted address, range or host name', async () => {
    for (const entry of ['127.0.0.1', '127.0.0.0/8', 'receiver.test']) {
      const policy: OutboundPolicy = { allowLocalRequests: false, allowlist: allowlist(entry) };
      const url = entry === 'receiver.test' ? `http://receiver.test:${receiver().port}/` : `${receiver().origin}/`;
      const result = await sendOutbound({ method: 'GET', url }, policy, {
        resolve: async () => [{ address: '127.0.0.1', family: 4 }],
      });
      expect(result, entry).toMatchObject({ ok: true, status: 200 });
    }
  });
});

describe('localNetworkError, at save time', () => {
  it('names a literal local address and a host name that resolves to one', async () => {
    expect(await localNetworkError('http://2130706433/hook', BLOCKING)).toBe(
      'Requests to the local network are not allowed',
    );
    expect(await localNetworkError('http://localhost/hook', BLOCKING)).toBe(
      'Requests to the local network are not allowed',
    );
    expect(await localNetworkError('https://[::ffff:a9fe:a9fe]/', BLOCKING)).toBe(
      'Requests to the local network are not allowed',
    );
  });

  it('accepts public addresses, unresolvable hosts (checked again when sending) and allowed local ones', async () => {
    expect(await localNetworkError('https://93.184.216.34/hook', BLOCKING)).toBeNull();
    expect(
      await localNetworkError('https://no-such-host.invalid/hook', BLOCKING, { resolve: resolveNothing }),
    ).toBeNull();
    expect(await localNetworkError('http://127.0.0.1/hook', ALLOWING)).toBeNull();
  });
});

function allowlist(text: string) {
  const parsed = parseAllowlist(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.allowlist;
}
