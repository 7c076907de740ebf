/**
 * @module http/client-address
 * The address a request comes from, for throttles, the request log and the /metrics allowlist:
 * the peer's, or, when the peer is a proxy listed in TRUST_PROXY, the address that proxy saw,
 * from X-Forwarded-For.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { BlockList, isIP } from 'node:net';

/** What requests without a socket (tests' `app.request`) count as. */
const UNKNOWN = 'unknown';

const compiled = new WeakMap<readonly string[], BlockList>();

/** The BlockList of a list of addresses and CIDR ranges (checked by config.ts), built once per list. */
function blockList(entries: readonly string[]): BlockList {
  let list = compiled.get(entries);
  if (!list) {
    list = new BlockList();
    for (const entry of entries) {
      const [address, prefix] = entry.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(prefix), family);
    }
    compiled.set(entries, list);
  }
  return list;
}

/**
 * Whether `address` (as {@link clientAddress} gives it) is in `entries`, a list of addresses and
 * CIDR ranges such as TRUST_PROXY or METRICS_ALLOWLIST.
 *
 * @example
 * isListed('127.0.0.1', ['127.0.0.0/8', '::1/128']) // true
 */
export function isListed(address: string, entries: readonly string[]): boolean {
  if (address === UNKNOWN || entries.length === 0) return false;
  return blockList(entries).check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** "203.0.113.7", "[2001:db8::1]:443", "::ffff:203.0.113.7" -> the bare address; undefined for anything else. */
function bareAddress(value: string): string | undefined {
  const trimmed = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(trimmed)?.[1];
  const address = (bracketed ?? trimmed.replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1')).replace(
    /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i,
    '$1',
  );
  return isIP(address) ? address : undefined;
}

function peerAddress(c: Context): string {
  try {
    return bareAddress(getConnInfo(c).remote.address ?? '') ?? UNKNOWN;
  } catch {
    return UNKNOWN;
  }
}

/**
 * Walks X-Forwarded-For from the right, past the trusted proxies each hop was added by, to the
 * first address that is not one: a client can write anything on the left, but not on the right
 * of what a trusted proxy appended. Without trusted proxies, the header is ignored.
 *
 * @example
 * // TRUST_PROXY=10.0.0.0/8; peer 10.0.0.2; X-Forwarded-For: 1.2.3.4, 203.0.113.7, 10.0.0.3
 * clientAddress(c, config.trustedProxies) // '203.0.113.7'
 */
export function clientAddress(c: Context, trustedProxies: readonly string[]): string {
  let address = peerAddress(c);
  if (trustedProxies.length === 0) return address;
  const isTrusted = (candidate: string) => isListed(candidate, trustedProxies);
  const hops = (c.req.header('x-forwarded-for') ?? '').split(',').reverse();
  for (const hop of hops) {
    if (!isTrusted(address)) break;
    const forwarded = bareAddress(hop);
    // Not an address: stop at the proxy that forwarded it.
    if (!forwarded) break;
    address = forwarded;
  }
  return address;
}

/** Whether the request comes straight from a proxy listed in TRUST_PROXY, whose headers are believed. */
export function fromTrustedProxy(c: Context, trustedProxies: readonly string[]): boolean {
  return isListed(peerAddress(c), trustedProxies);
}
