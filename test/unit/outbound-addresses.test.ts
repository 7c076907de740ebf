import { describe, expect, it } from 'vitest';
import { isAllowlisted, localClass, parseAllowlist, type Allowlist } from '../../src/outbound/addresses.js';

function allowlist(text: string): Allowlist {
  const parsed = parseAllowlist(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.allowlist;
}

describe('localClass', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
  ])('calls %s %s', (address, expected) => {
    expect(localClass(address)).toBe(expected);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b:1::a9fe:a9fe', 'link-local'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['2002:c0a8:101::1', 'private'],
    ['::7f00:1', 'reserved'],
  ])('sees through the IPv6 form %s of an IPv4 address (%s)', (address, expected) => {
    expect(localClass(address)).toBe(expected);
  });

  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '64:ff9b::808:808', '2002:808:808::1', 'example.com'])('lets the public address %s through', (address) => {
    expect(localClass(address)).toBeNull();
  });

  it('classifies what the URL parser makes of decimal, octal and hexadecimal encodings', () => {
    for (const url of ['http://2130706433/', 'http://0177.0.0.1/', 'http://0x7f.0.0.1/', 'http://0x7f000001/', 'http://127.1/', 'http://017700000001/', 'http://%31%32%37.0.0.1/']) {
      expect(localClass(new URL(url).hostname), url).toBe('loopback');
    }
    expect(localClass(new URL('http://0/').hostname)).toBe('unspecified');
    for (const url of ['http://127.0.0.1./', 'http://0x7f.0x0.0x0.0x1/', 'http://127.000.000.001/', 'http://①②⑦.0.0.1/', 'http://１２７.0.0.1/', 'http://[0::1]/', 'http://user@127.0.0.1/']) {
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
    expect(parseAllowlist('10.0.0.0/33')).toEqual({ ok: false, error: '10.0.0.0/33 is not an IP address, CIDR range or host name' });
    const several = parseAllowlist('1.2.3\nfoo bar\nfe80::/129\nok.example');
    expect(several.ok).toBe(false);
    expect(!several.ok && several.error).toBe('1.2.3, foo bar, fe80::/129 are not IP addresses, CIDR ranges or host names');
    expect(parseAllowlist('http://example.com').ok).toBe(false);
    expect(parseAllowlist('').ok).toBe(true);
  });
});
