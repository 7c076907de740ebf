/**
 * @module outbound/addresses
 * Which IP addresses count as the local network (loopback, private ranges, link-local and the
 * like), and the administrator's allowlist of addresses, ranges and host names that may be
 * reached anyway. Pure: no DNS, no sockets.
 */
import { BlockList, isIP } from 'node:net';

/** Why an address is local, in words for an error message. */
export type LocalClass =
  'unspecified' | 'loopback' | 'private' | 'link-local' | 'multicast' | 'documentation' | 'reserved';

type Family = 'ipv4' | 'ipv6';

/** An address block that is not the public internet: the registry's name for it, and why it is local. */
interface LocalBlock {
  block: string;
  name: string;
  class: LocalClass;
}

/**
 * Every block of IANA's IPv4 and IPv6 Special-Purpose Address Registries (iana-ipv4-special-registry,
 * iana-ipv6-special-registry, as updated in October 2025), by the registries' names, plus
 * multicast and, for IPv6, everything outside Global Unicast (2000::/3) from the address space
 * registries. A block whose sub-blocks the registry marks globally reachable (the anycast
 * addresses in 192.0.0.0/24 and 2001::/23, AS112, AMT, ORCHIDv2) is local as a whole: no
 * webhook or issue tracker lives there. The first block that holds an address names its class.
 * The IPv6 blocks that carry an IPv4 address are in {@link IPV4_CARRIERS}.
 */
const LOCAL_BLOCKS: readonly LocalBlock[] = [
  { block: '0.0.0.0/8', name: '"This network" (0.0.0.0/32: "This host on this network")', class: 'unspecified' },
  { block: '10.0.0.0/8', name: 'Private-Use', class: 'private' },
  { block: '100.64.0.0/10', name: 'Shared Address Space (carrier-grade NAT)', class: 'private' },
  { block: '127.0.0.0/8', name: 'Loopback', class: 'loopback' },
  {
    block: '169.254.0.0/16',
    name: 'Link Local (with the cloud metadata service at 169.254.169.254)',
    class: 'link-local',
  },
  { block: '172.16.0.0/12', name: 'Private-Use', class: 'private' },
  {
    block: '192.0.0.0/24',
    name: 'IETF Protocol Assignments (IPv4 Service Continuity Prefix, dummy address, PCP and TURN anycast, NAT64/DNS64 discovery)',
    class: 'reserved',
  },
  { block: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', class: 'documentation' },
  { block: '192.31.196.0/24', name: 'AS112-v4', class: 'reserved' },
  { block: '192.52.193.0/24', name: 'AMT', class: 'reserved' },
  {
    block: '192.88.99.0/24',
    name: 'Deprecated (6to4 Relay Anycast), with the 6a44-relay anycast address',
    class: 'reserved',
  },
  { block: '192.168.0.0/16', name: 'Private-Use', class: 'private' },
  { block: '192.175.48.0/24', name: 'Direct Delegation AS112 Service', class: 'reserved' },
  { block: '198.18.0.0/15', name: 'Benchmarking', class: 'reserved' },
  { block: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', class: 'documentation' },
  { block: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', class: 'documentation' },
  { block: '224.0.0.0/4', name: 'Multicast (IPv4 Multicast Address Space Registry)', class: 'multicast' },
  { block: '240.0.0.0/4', name: 'Reserved, with 255.255.255.255/32: Limited Broadcast', class: 'reserved' },

  { block: '::/128', name: 'Unspecified Address', class: 'unspecified' },
  { block: '::1/128', name: 'Loopback Address', class: 'loopback' },
  { block: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translat. (local use)', class: 'private' },
  { block: '100::/64', name: 'Discard-Only Address Block', class: 'reserved' },
  { block: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix', class: 'reserved' },
  {
    block: '2001::/23',
    name: 'IETF Protocol Assignments (TEREDO, Benchmarking, AMT, AS112-v6, ORCHID, ORCHIDv2, DETs, anycast)',
    class: 'reserved',
  },
  { block: '2001:db8::/32', name: 'Documentation', class: 'documentation' },
  { block: '2620:4f:8000::/48', name: 'Direct Delegation AS112 Service', class: 'reserved' },
  { block: '3fff::/20', name: 'Documentation', class: 'documentation' },
  { block: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', class: 'reserved' },
  { block: 'fc00::/7', name: 'Unique-Local', class: 'private' },
  { block: 'fe80::/10', name: 'Link-Local Unicast', class: 'link-local' },
  { block: 'ff00::/8', name: 'Multicast (IPv6 Multicast Address Space Registry)', class: 'multicast' },
  // The IPv6 Address Space registry: all but 2000::/3 is reserved by the IETF (the deprecated
  // IPv4-compatible ::/96 and site-local fec0::/10 among it), or one of the blocks above.
  { block: '::/3', name: 'Reserved by IETF', class: 'reserved' },
  { block: '4000::/2', name: 'Reserved by IETF', class: 'reserved' },
  { block: '8000::/1', name: 'Reserved by IETF', class: 'reserved' },
];

/**
 * IPv6 blocks whose addresses carry an IPv4 address, starting at 16-bit group `at`. A local
 * IPv4 address inside makes the IPv6 one local too. An alias stands for its IPv4 address and
 * nothing else, so a public one inside makes it public; the others are local whatever they carry.
 */
const IPV4_CARRIERS: readonly { block: string; name: string; at: 1 | 6; alias: boolean }[] = [
  { block: '::ffff:0:0/96', name: 'IPv4-mapped Address', at: 6, alias: true },
  { block: '64:ff9b::/96', name: 'IPv4-IPv6 Translat. (the NAT64 well-known prefix)', at: 6, alias: true },
  { block: '2002::/16', name: '6to4', at: 1, alias: true },
  { block: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translat. (local use)', at: 6, alias: false },
  // IPv4-translated addresses of SIIT (RFC 2765), inside ::/3 above.
  { block: '::ffff:0:0:0/96', name: 'IPv4-translated Address', at: 6, alias: false },
];

/** A BlockList holding one block; it answers only for addresses of the block's family. */
function blockMatcher(block: string): (address: string, family: Family) => boolean {
  const [network, prefix] = block.split('/') as [string, string];
  const family: Family = isIP(network) === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  list.addSubnet(network, Number(prefix), family);
  // An IPv6 block would also match IPv4 addresses (as IPv4-mapped), an IPv4 one their mapped form.
  return (address, of) => of === family && list.check(address, family);
}

const LOCAL_MATCHERS = LOCAL_BLOCKS.map((entry) => ({ ...entry, contains: blockMatcher(entry.block) }));
const CARRIER_MATCHERS = IPV4_CARRIERS.map((entry) => ({ ...entry, contains: blockMatcher(entry.block) }));

const familyOf = (address: string): Family => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** "[::1]" -> "::1": URL host names put IPv6 addresses in brackets. */
export const unbracket = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** The eight 16-bit groups of a valid IPv6 address ("::" expanded, a dotted IPv4 tail as two groups). */
function ipv6Groups(address: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const text = dotted
    ? `${address.slice(0, dotted.index)}${((+dotted[1]! << 8) | +dotted[2]!).toString(16)}:${((+dotted[3]! << 8) | +dotted[4]!).toString(16)}`
    : address;
  const groups = (part: string | undefined) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const [head, tail] = text.split('::');
  const first = groups(head);
  const last = groups(tail);
  return [...first, ...Array<number>(8 - first.length - last.length).fill(0), ...last];
}

const ipv4Of = (high: number, low: number) => [high >> 8, high & 255, low >> 8, low & 255].join('.');

/**
 * The class of a local address, or null for a public one (or a string that is no IP address).
 *
 * @example
 * localClass('169.254.169.254') // 'link-local'
 * localClass('::ffff:7f00:1') // 'loopback'
 * localClass('2002:c000:0201::1') // 'documentation' (6to4 of 192.0.2.1)
 * localClass('93.184.216.34') // null
 */
export function localClass(address: string): LocalClass | null {
  const ip = unbracket(address);
  if (isIP(ip) === 0) return null;
  const family = familyOf(ip);
  const carrier = family === 'ipv6' ? CARRIER_MATCHERS.find((entry) => entry.contains(ip, family)) : undefined;
  if (carrier) {
    const groups = ipv6Groups(ip);
    const carried = localClass(ipv4Of(groups[carrier.at]!, groups[carrier.at + 1]!));
    if (carried || carrier.alias) return carried;
  }
  return LOCAL_MATCHERS.find((entry) => entry.contains(ip, family))?.class ?? null;
}

export const LOCAL_CLASS_LABELS: Record<LocalClass, string> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private network address',
  'link-local': 'a link-local address',
  multicast: 'a multicast address',
  documentation: 'a documentation address',
  reserved: 'a reserved address',
};

/** The administrator's exceptions: addresses and ranges, and host names (matched exactly). */
export interface Allowlist {
  ranges: BlockList;
  hosts: ReadonlySet<string>;
}

export const EMPTY_ALLOWLIST: Allowlist = { ranges: new BlockList(), hosts: new Set() };

const MAX_ENTRIES = 1_000;
const MAX_ENTRY_LENGTH = 255;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** One entry per line; commas and semicolons also separate entries, as in GitLab. */
export function allowlistEntries(text: string): string[] {
  return text
    .split(/[\n,;]/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** Adds one entry to the list; false when it is no IP address, CIDR range or host name. */
function addEntry(list: { ranges: BlockList; hosts: Set<string> }, entry: string): boolean {
  if (entry.length > MAX_ENTRY_LENGTH) return false;
  const ip = unbracket(entry);
  if (isIP(ip)) {
    list.ranges.addAddress(ip, familyOf(ip));
    return true;
  }
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
  if (cidr) {
    const [, network, prefixText] = cidr as unknown as [string, string, string];
    const version = isIP(network);
    const prefix = Number(prefixText);
    if (version === 0 || prefix > (version === 4 ? 32 : 128)) return false;
    list.ranges.addSubnet(network, prefix, version === 4 ? 'ipv4' : 'ipv6');
    return true;
  }
  // A string of digits and dots is a mistyped address, not a host name.
  if (/^[\d.]+$/.test(entry) || !HOST_NAME.test(entry)) return false;
  list.hosts.add(normalHost(entry));
  return true;
}

/** "Hooks.Example.com." -> "hooks.example.com". */
export const normalHost = (host: string) => unbracket(host).toLowerCase().replace(/\.$/, '');

export type AllowlistOutcome = { ok: true; allowlist: Allowlist } | { ok: false; error: string };

/**
 * Parses the allowlist as the Network page saves it.
 *
 * @example
 * parseAllowlist('127.0.0.1\n10.0.0.0/8\nfd00::/8\nci.internal').ok // true
 * parseAllowlist('10.0.0.0/33') // { ok: false, error: '10.0.0.0/33 is not an IP address, CIDR range or host name' }
 */
export function parseAllowlist(text: string): AllowlistOutcome {
  const entries = allowlistEntries(text);
  if (entries.length > MAX_ENTRIES)
    return { ok: false, error: `The allowlist can hold at most ${MAX_ENTRIES} entries` };
  const list = { ranges: new BlockList(), hosts: new Set<string>() };
  const invalid = entries.filter((entry) => !addEntry(list, entry));
  if (invalid.length > 0) {
    const shown = invalid.slice(0, 3).join(', ');
    return {
      ok: false,
      error: `${shown} ${invalid.length === 1 ? 'is not an IP address, CIDR range or host name' : 'are not IP addresses, CIDR ranges or host names'}`,
    };
  }
  return { ok: true, allowlist: list };
}

/** Whether the allowlist lets an address or host name through. */
export function isAllowlisted(allowlist: Allowlist, hostOrAddress: string): boolean {
  const value = unbracket(hostOrAddress);
  if (isIP(value)) return allowlist.ranges.check(value, familyOf(value));
  return allowlist.hosts.has(normalHost(value));
}
