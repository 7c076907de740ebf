/**
 * @module auth/host-fetch
 * The fetch that openid-client uses to reach a code host for "Sign in with <host>": discovery,
 * the keys, the token exchange. It holds every request to the outbound protection of
 * outbound/request.ts (Network settings, the checked address pinned against DNS rebinding),
 * and unlike `sendOutbound` it returns the answer's body, which OpenID Connect needs.
 * Redirects are never followed: openid-client asks for `redirect: 'manual'`.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { CustomFetch } from 'openid-client';
import { HostRequestFailed } from '../code-hosts/host.js';
import { normalHost } from '../outbound/addresses.js';
import {
  checkDestination,
  DEFAULT_TIMEOUT_MS,
  pinnedLookup,
  type Destination,
  type OutboundOptions,
  type OutboundPolicy,
} from '../outbound/request.js';

/** Discovery documents, key sets and token answers are a few kilobytes; anything this large is not one. */
const MAX_BODY_BYTES = 1024 * 1024;

type FetchBody = Parameters<CustomFetch>[1]['body'];

function bodyBytes(body: FetchBody): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return Buffer.from(body as Uint8Array);
  throw new HostRequestFailed('A streamed request body cannot be sent to a code host');
}

function readBody(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        response.destroy();
        reject(new HostRequestFailed('The code host sent an answer that is too large'));
      } else chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks)));
    response.on('error', reject);
  });
}

function exchange(
  { url, address }: Destination,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  signal: AbortSignal,
): Promise<Response> {
  const host = normalHost(url.hostname);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = client.request(
      {
        method,
        hostname: host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers: {
          'user-agent': 'Cascade',
          ...headers,
          ...(body ? { 'content-length': String(body.length) } : {}),
        },
        agent: false,
        lookup: pinnedLookup(address),
        signal,
        ...(url.protocol === 'https:' ? { servername: isIP(host) ? undefined : host } : {}),
      },
      (response) => {
        readBody(response).then((bytes) => {
          const answer = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            for (const item of Array.isArray(value) ? value : [value ?? '']) answer.append(name, item);
          }
          const status = response.statusCode ?? 502;
          const empty = status === 204 || status === 304;
          resolve(new Response(empty ? null : new Uint8Array(bytes), { status, headers: answer }));
        }, reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * @example
 * const config = await client.discovery(issuer, clientId, secret, undefined, {
 *   [client.customFetch]: hostFetch(await outboundPolicy(db), deps.outbound),
 * })
 * // A host on the local network that the Network settings do not allow: HostRequestFailed
 * // "Requests to the local network are not allowed: 10.0.0.5 is a private address"
 */
export function hostFetch(policy: OutboundPolicy, options: OutboundOptions = {}): CustomFetch {
  return async (url, init) => {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new HostRequestFailed('The code host gave an invalid URL');
    }
    let destination: Awaited<ReturnType<typeof checkDestination>>;
    try {
      destination = await checkDestination(target, policy, options.resolve, signal);
    } catch {
      throw new HostRequestFailed(`No response from ${target.host} (timed out)`);
    }
    if (!destination.ok) throw new HostRequestFailed(destination.message);
    try {
      return await exchange(destination, init.method, init.headers, bodyBytes(init.body), signal);
    } catch (error) {
      if (error instanceof HostRequestFailed) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (signal.aborted) throw new HostRequestFailed(`No response from ${target.host} (timed out)`);
      throw new HostRequestFailed(`The request to ${target.host} failed (${code || 'network error'})`);
    }
  };
}
