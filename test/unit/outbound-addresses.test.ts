import { describe, expect, it } from 'vitest';
import { isAllowlisted, localClass, parseAllowlist, type Allowlist } from '../../src/outbound/addresses.js';

function allowlist(text: string): Allowlist {
  const parsed = parseAllowlist(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.allowlist;
}

describe('localClass', () => {
  // Every block of IANA's special-purpose registries, multicast and IPv6 outside 2000::/3: its first and last address.
  it.each([
    ['0.0.0.0/8 "This network"', '0.0.0.0', '0.255.255.255', 'unspecified'],
    ['10.0.0.0/8 Private-Use', '10.0.0.0', '10.255.255.255', 'private'],
    ['100.64.0.0/10 Shared Address Space', '100.64.0.0', '100.127.255.255', 'private'],
    ['127.0.0.0/8 Loopback', '127.0.0.0', '127.255.255.255', 'loopback'],
    ['169.254.0.0/16 Link Local', '169.254.0.0', '169.254.255.255', 'link-local'],
    ['172.16.0.0/12 Private-Use', '172.16.0.0', '172.31.255.255', 'private'],
    ['192.0.0.0/24 IETF Protocol Assignments', '192.0.0.0', '192.0.0.255', 'reserved'],
    ['192.0.2.0/24 Documentation (TEST-NET-1)', '192.0.2.0', '192.0.2.255', 'documentation'],
    ['192.31.196.0/24 AS112-v4', '192.31.196.0', '192.31.196.255', 'reserved'],
    ['192.52.193.0/24 AMT', '192.52.193.0', '192.52.193.255', 'reserved'],
    ['192.88.99.0/24 Deprecated (6to4 Relay Anycast)', '192.88.99.0', '192.88.99.255', 'reserved'],
    ['192.168.0.0/16 Private-Use', '192.168.0.0', '192.168.255.255', 'private'],
    ['192.175.48.0/24 Direct Delegation AS112 Service', '192.175.48.0', '192.175.48.255', 'reserved'],
    ['198.18.0.0/15 Benchmarking', '198.18.0.0', '198.19.255.255', 'reserved'],
    ['198.51.100.0/24 Documentation (TEST-NET-2)', '198.51.100.0', '198.51.100.255', 'documentation'],
    ['203.0.113.0/24 Documentation (TEST-NET-3)', '203.0.113.0', '203.0.113.255', 'documentation'],
    ['224.0.0.0/4 Multicast', '224.0.0.0', '239.255.255.255', 'multicast'],
    ['240.0.0.0/4 Reserved and 255.255.255.255 Limited Broadcast', '240.0.0.0', '255.255.255.255', 'reserved'],
    ['::/128 Unspecified Address', '::', '::', 'unspecified'],
    ['::1/128 Loopback Address', '::1', '::1', 'loopback'],
    ['100::/64 Discard-Only Address Block', '100::', '100::ffff:ffff:ffff:ffff', 'reserved'],
    ['100:0:0:1::/64 Dummy IPv6 Prefix', '100:0:0:1::', '100:0:0:1:ffff:ffff:ffff:ffff', 'reserved'],
    ['2001::/23 IETF Protocol Assignments', '2001::', '2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
    ['2001:db8::/32 Documentation', '2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'],
    [
      '2620:4f:8000::/48 Direct Delegation AS112 Service',
      '2620:4f:8000::',
      '2620:4f:8000:ffff:ffff:ffff:ffff:ffff',
      'reserved',
    ],
    ['3fff::/20 Documentation', '3fff::', '3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'],
    ['5f00::/16 Segment Routing (SRv6) SIDs', '5f00::', '5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
    ['fc00::/7 Unique-Local', 'fc00::', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'private'],
    ['fe80::/10 Link-Local Unicast', 'fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'link-local'],
    ['ff00::/8 Multicast', 'ff00::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'multicast'],
    ['::/3, outside Global Unicast', '::2', '1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
    ['4000::/2, outside Global Unicast', '4000::', '7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
    ['8000::/1, outside Global Unicast (site-local fec0::/10 included)', '8000::', 'fec0::1', 'reserved'],
  ])('calls the first and last address of %s local', (_block, first, last, expected) => {
    expect(localClass(first), first).toBe(expected);
    expect(localClass(last), last).toBe(expected);
  });

  it.each([
    ['just below 100.64.0.0/10', '100.63.255.255'],
    ['just above 100.64.0.0/10', '100.128.0.0'],
    ['just below 172.16.0.0/12', '172.15.255.255'],
    ['just above 172.16.0.0/12', '172.32.0.0'],
    ['between 192.0.0.0/24 and 192.0.2.0/24', '192.0.1.1'],
    ['just below 198.18.0.0/15', '198.17.255.255'],
    ['just above 198.18.0.0/15', '198.20.0.0'],
    ['just below multicast', '223.255.255.255'],
    ['just above 2001::/23', '2001:200::'],
    ['the first address of Global Unicast', '2000::'],
    ['just above 3fff::/20', '3fff:1000::'],
    ['Google Public DNS', '8.8.8.8'],
    ['a public IPv6 address', '2606:4700:4700::1111'],
    ['a NAT64 address of a public IPv4 address', '64:ff9b::808:808'],
    ['an IPv4-mapped public address', '::ffff:8.8.8.8'],
    ['6to4 of a public IPv4 address', '2002:808:808::1'],
    ['a host name', 'example.com'],
  ])('lets %s (%s) through', (_where, address) => {
    expect(localClass(address)).toBeNull();
  });

  it.each([
    ['IPv4-mapped', '::ffff:127.0.0.1', 'loopback'],
    ['IPv4-mapped, hexadecimal', '::ffff:7f00:1', 'loopback'],
    ['IPv4-mapped', '::ffff:10.1.2.3', 'private'],
    ['IPv4-mapped', '::ffff:a9fe:a9fe', 'link-local'],
    ['IPv4-mapped', '::ffff:0.0.0.0', 'unspecified'],
    ['IPv4-mapped', '::ffff:198.18.0.1', 'reserved'],
    ['IPv4-mapped', '::ffff:192.0.2.1', 'documentation'],
    ['IPv4-mapped, in brackets', '[::ffff:127.0.0.1]', 'loopback'],
    ['NAT64', '64:ff9b::7f00:1', 'loopback'],
    ['NAT64', '64:ff9b::a00:1', 'private'],
    ['NAT64', '64:ff9b::6440:1', 'private'],
    ['NAT64', '64:ff9b::c612:1', 'reserved'],
    ['NAT64, local use', '64:ff9b:1::a9fe:a9fe', 'link-local'],
    ['IPv4-translated', '::ffff:0:7f00:1', 'loopback'],
    ['6to4', '2002:7f00:1::', 'loopback'],
    ['6to4', '2002:a9fe:a9fe::1', 'link-local'],
    ['6to4', '2002:c0a8:101::1', 'private'],
    ['6to4', '2002:c000:0201::1', 'documentation'],
    ['6to4', '2002:f000::', 'reserved'],
    ['IPv4-compatible (deprecated)', '::7f00:1', 'reserved'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
  ])('sees through the %s form %s of an IPv4 address (%s)', (_form, address, expected) => {
    expect(localClass(address)).toBe(expected);
  });

  it('calls local-use NAT64 and IPv4-translated addresses local even when the IPv4 address inside is public', () => {
    expect(localClass('64:ff9b:1:ffff::808:808')).toBe('private');
    expect(localClass('::ffff:0:808:808')).toBe('reserved');
  });

  it('classifies what the URL parser makes of decimal, octal and hexadecimal encodings', () => {
    for (const url of [
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://0x7f.0.0.1/',
      'http://0x7f000001/',
      'http://127.1/',
      'http://017700000001/',
      'http://%31%32%37.0.0.1/',
    ]) {
      expect(localClass(new URL(url).hostname), url).toBe('loopback');
    }
    expect(localClass(new URL('http://0/').hostname)).toBe('unspecified');
    for (const url of [
      'http://127.0.0.1./',
      'http://0x7f.0x0.0x0.0x1/',
      'http://127.000.000.001/',
      'http://①②⑦.0.0.1/',
      'http://１２７.0.0.1/',
      'http://[0::1]/',
      'http://user@127.0.0.1/',
    ]) {
      expect(localClass(new URL(url).hostname), url).toBe('loopback');
    }
    expect(localClass(new URL('http://[0:0:0:0:0:ffff:169.254.169.254]/').hostname)).toBe('link-local');
  });
});

describe('the allowlist', () => {
  const list = allowlist('127.0.0.1\n10.0.0.0/8, fd00::/8; ci.internal\nHooks.Example.test.\n[::1]');

  it('lets through an allowlisted address, also in its IPv4-mapped IPv6 form', () => {
    expect(isAllowlisted(list, '127.0.0.1')).toBe(true);
    expect(isAllowlisted(list, '::ffff:127.0.0.1')).toBe(true);
    expect(isAllowlisted(list, '127.0.0.2')).toBe(false);
    expect(isAllowlisted(list, '::1')).toBe(true);
  });

  it('lets through addresses inside an IPv4 or IPv6 CIDR range', () => {
    expect(isAllowlisted(list, '10.200.3.4')).toBe(true);
    expect(isAllowlisted(list, '11.0.0.1')).toBe(false);
    expect(isAllowlisted(list, 'fd00::42')).toBe(true);
    expect(isAllowlisted(list, 'fe80::1')).toBe(false);
  });

  it('matches host names exactly, ignoring case and a trailing dot', () => {
    expect(isAllowlisted(list, 'ci.internal')).toBe(true);
    expect(isAllowlisted(list, 'hooks.example.test')).toBe(true);
    expect(isAllowlisted(list, 'evil.ci.internal')).toBe(false);
  });

  it('refuses entries that are no address, range or host name, naming them', () => {
    expect(parseAllowlist('10.0.0.0/33')).toEqual({
      ok: false,
      error: '10.0.0.0/33 is not an IP address, CIDR range or host name',
    });
    const several = parseAllowlist('1.2.3\nfoo bar\nfe80::/129\nok.example');
    expect(several.ok).toBe(false);
    expect(!several.ok && several.error).toBe(
      '1.2.3, foo bar, fe80::/129 are not IP addresses, CIDR ranges or host names',
    );
    expect(parseAllowlist('http://example.com').ok).toBe(false);
    expect(parseAllowlist('').ok).toBe(true);
  });
});
