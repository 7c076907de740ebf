/**
 * @module code-hosts/oidc-fetch
 * The fetch that openid-client uses to reach a code host for "Sign in with <host>": discovery
 * and the token exchange. Every request goes through `fetchOutbound` (outbound/request.ts): the
 * Network settings, the checked address pinned against DNS rebinding, a bounded body. Redirects
 * are not followed, as openid-client asks (`redirect: 'manual'`): none of these endpoints
 * redirects on GitLab, Gitea or Forgejo.
 */
import type { CustomFetch } from 'openid-client';
import { HostRequestFailed } from './host.js';
import { fetchOutbound, type OutboundOptions, type OutboundPolicy, type OutboundRequest } from '../outbound/request.js';

/** Discovery documents and token answers are a few kilobytes; anything this large is not one. */
const MAX_BODY_BYTES = 1024 * 1024;

type FetchBody = Parameters<CustomFetch>[1]['body'];

/** openid-client sends forms (URLSearchParams) and nothing else to these endpoints. */
function bodyText(body: FetchBody): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return Buffer.from(body as Uint8Array).toString();
  throw new HostRequestFailed('A streamed request body cannot be sent to a code host');
}

function methodOf(method: string): OutboundRequest['method'] {
  if (method === 'GET' || method === 'POST') return method;
  throw new HostRequestFailed(`Sign-in does not send ${method} requests`);
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
    const body = bodyText(init.body);
    const answer = await fetchOutbound(
      { method: methodOf(init.method), url, headers: init.headers, ...(body === undefined ? {} : { body }) },
      policy,
      { ...options, maxRedirects: 0, maxBodyBytes: MAX_BODY_BYTES },
    );
    if (!answer.ok) throw new HostRequestFailed(answer.message, answer.status);
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const item of Array.isArray(value) ? value : [value ?? '']) headers.append(name, item);
    }
    const empty = answer.status === 204 || answer.status === 304;
    return new Response(empty ? null : answer.body, { status: answer.status, headers });
  };
}
