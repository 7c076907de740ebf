/**
 * @module outbound/addresses
 * Which IP addresses count as the local network (loopback, private ranges, link-local and the
 * like), and the administrator's allowlist of addresses, ranges and host names that may be
 * reached anyway. Pure: no DNS, no sockets.
 */
import { BlockList, isIP } from 'node:net';

/** Why an address is local, in words for an error message. */
export type LocalClass = 'unspecified' | 'loopback' | 'private' | 'link-local' | 'multicast' | 'reserved';

const LOCAL_RANGES: readonly [LocalClass, string, number, 'ipv4' | 'ipv6'][] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  // Carrier-grade NAT: not on the internet either.
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['private', 'fc00::', 7, 'ipv6'],
  // Includes the cloud metadata service at 169.254.169.254.
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  // 240/4 holds the broadcast address 255.255.255.255; ::/96 the deprecated IPv4-compatible forms.
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['reserved', '::', 96, 'ipv6'],
];

/** One BlockList per class, in the order above, so the most telling class is named. */
const CLASS_LISTS: readonly [LocalClass, BlockList][] = (() => {
  const lists = new Map<LocalClass, BlockList>();
  for (const [name, network, prefix, family] of LOCAL_RANGES) {
    if (!lists.has(name)) lists.set(name, new BlockList());
    // BlockList also matches the IPv4-mapped IPv6 form (::ffff:127.0.0.1) of an IPv4 range.
    lists.get(name)!.addSubnet(network, prefix, family);
  }
  return [...lists];
})();

/** IPv6 ranges whose last 32 bits are an IPv4 address: NAT64 and IPv4-translated (SIIT) addresses. */
const IPV4_IN_LAST_BITS = (() => {
  const list = new BlockList();
  list.addSubnet('64:ff9b::', 96, 'ipv6');
  list.addSubnet('64:ff9b:1::', 48, 'ipv6');
  list.addSubnet('::ffff:0:0:0', 96, 'ipv6');
  return list;
})();

const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** "[::1]" -> "::1": URL host names put IPv6 addresses in brackets. */
export const unbracket = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** The eight 16-bit groups of a valid IPv6 address ("::" expanded, a dotted IPv4 tail as two groups). */
function ipv6Groups(address: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const text = dotted ? `${address.slice(0, dotted.index)}${((+dotted[1]! << 8) | +dotted[2]!).toString(16)}:${((+dotted[3]! << 8) | +dotted[4]!).toString(16)}` : address;
  const groups = (part: string | undefined) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const [head, tail] = text.split('::');
  const first = groups(head);
  const last = groups(tail);
  return [...first, ...Array<number>(8 - first.length - last.length).fill(0), ...last];
}

const ipv4Of = (high: number, low: number) => [high >> 8, high & 255, low >> 8, low & 255].join('.');

/** The IPv4 address an IPv6 address carries (NAT64, IPv4-translated, 6to4 2002::/16), if any. */
function embeddedIpv4(address: string): string | null {
  const groups = ipv6Groups(address);
  if (IPV4_IN_LAST_BITS.check(address, 'ipv6')) return ipv4Of(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return ipv4Of(groups[1]!, groups[2]!);
  return null;
}

/**
 * The class of a local address, or null for a public one (or a string that is no IP address).
 *
 * @example
 * localClass('169.254.169.254') // 'link-local'
 * localClass('::ffff:7f00:1') // 'loopback'
 * localClass('93.184.216.34') // null
 */
export function localClass(address: string): LocalClass | null {
  const ip = unbracket(address);
  if (isIP(ip) === 0) return null;
  const family = familyOf(ip);
  const embedded = family === 'ipv6' ? embeddedIpv4(ip) : null;
  if (embedded) return localClass(embedded);
  for (const [name, list] of CLASS_LISTS) if (list.check(ip, family)) return name;
  return null;
}

export const LOCAL_CLASS_LABELS: Record<LocalClass, string> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private network address',
  'link-local': 'a link-local address',
  multicast: 'a multicast address',
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
  if (entries.length > MAX_ENTRIES) return { ok: false, error: `The allowlist can hold at most ${MAX_ENTRIES} entries` };
  const list = { ranges: new BlockList(), hosts: new Set<string>() };
  const invalid = entries.filter((entry) => !addEntry(list, entry));
  if (invalid.length > 0) {
    const shown = invalid.slice(0, 3).join(', ');
    return { ok: false, error: `${shown} ${invalid.length === 1 ? 'is not an IP address, CIDR range or host name' : 'are not IP addresses, CIDR ranges or host names'}` };
  }
  return { ok: true, allowlist: list };
}

/** Whether the allowlist lets an address or host name through. */
export function isAllowlisted(allowlist: Allowlist, hostOrAddress: string): boolean {
  const value = unbracket(hostOrAddress);
  if (isIP(value)) return allowlist.ranges.check(value, familyOf(value));
  return allowlist.hosts.has(normalHost(value));
}
