/**
 * The client address in the request log, with and without TRUST_PROXY: X-Forwarded-For is
 * believed only as far as it was written by trusted proxies.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTestApp } from '../support/app.js';
import { logEntries } from './log.js';

/** The client address the log line gives, for a health check from `peer` carrying `forwardedFor`. */
async function loggedAddress(trustProxy: string | undefined, peer: string, forwardedFor?: string): Promise<string> {
  const t = await createTestApp({ config: loadConfig({ SEED_DEMO: 'false', TRUST_PROXY: trustProxy }) });
  const headers: Record<string, string> = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  await t.app.request('/-/health', { headers }, { incoming: { socket: { remoteAddress: peer } } });
  expect(t.logLines).toHaveLength(1);
  return logEntries(t.logLines)[0]!.clientAddress as string;
}

describe('the client address in the request log', () => {
  it('is the peer address, whatever X-Forwarded-For says, when TRUST_PROXY is not set', async () => {
    expect(await loggedAddress(undefined, '203.0.113.7')).toBe('203.0.113.7');
    expect(await loggedAddress(undefined, '203.0.113.7', '198.51.100.1')).toBe('203.0.113.7');
    expect(await loggedAddress(undefined, '::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('is the address a trusted proxy forwarded', async () => {
    expect(await loggedAddress('10.0.0.2', '10.0.0.2', '198.51.100.1')).toBe('198.51.100.1');
    expect(await loggedAddress('10.0.0.2', '::ffff:10.0.0.2', '198.51.100.1:51234')).toBe('198.51.100.1');
    expect(await loggedAddress('fd00::/8', 'fd00::5', '[2001:db8::1]:443')).toBe('2001:db8::1');
  });

  it('skips every trusted proxy in a chain, taking the first untrusted address from the right', async () => {
    expect(
      await loggedAddress('10.0.0.0/8, 192.168.1.1', '10.0.0.2', '192.0.2.9, 198.51.100.1, 192.168.1.1, 10.1.2.3'),
    ).toBe('198.51.100.1');
  });

  it('ignores what a client wrote on the left of a trusted proxy: spoofing the header changes nothing', async () => {
    expect(await loggedAddress('10.0.0.2', '10.0.0.2', '127.0.0.1, 10.0.0.2, 198.51.100.1')).toBe('198.51.100.1');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    expect(await loggedAddress('10.0.0.2', '203.0.113.7', '198.51.100.1')).toBe('203.0.113.7');
  });

  it('stays at the trusted proxy when the header is missing or holds no address', async () => {
    expect(await loggedAddress('10.0.0.2', '10.0.0.2')).toBe('10.0.0.2');
    expect(await loggedAddress('10.0.0.2', '10.0.0.2', 'unknown')).toBe('10.0.0.2');
    expect(await loggedAddress('10.0.0.0/8', '10.0.0.2', '198.51.100.1, nonsense, 10.0.0.3')).toBe('10.0.0.3');
  });
});
