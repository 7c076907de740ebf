/**
 * Start-up configuration: defaults, and one clear line for a bad value.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      host: undefined,
      port: 3000,
      databasePath: './data/cascade.db',
      databaseUrl: undefined,
      databasePoolSize: 10,
      secretKeyBase: undefined,
      publicOrigin: 'http://localhost:3000',
      secureCookies: false,
      initialRootPassword: undefined,
      logLevel: 'info',
      logFormat: 'json',
      seedDemo: true,
      trustedProxies: [],
      metricsToken: undefined,
      metricsAllowlist: ['127.0.0.0/8', '::1/128'],
      hostEventsRetentionDays: 14,
      deliveryRetentionDays: 14,
      deliveryRetrySchedule: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      deliveryConcurrency: 16,
      deliveryHostConcurrency: 4,
      mail: undefined,
      deliveryLeaseMs: 30_000,
    });
  });

  it('selects PostgreSQL with DATABASE_URL, which needs SECRET_KEY_BASE, and never repeats the URL in an error', () => {
    const url = 'postgres://cascade:hunter2-password@db.internal:5432/cascade';
    expect(() => loadConfig({ DATABASE_URL: url })).toThrow(
      'Invalid configuration: SECRET_KEY_BASE is required with DATABASE_URL',
    );
    const config = loadConfig({ DATABASE_URL: url, SECRET_KEY_BASE: 'k'.repeat(32), DATABASE_POOL_SIZE: '4' });
    expect(config).toMatchObject({ databaseUrl: url, databasePoolSize: 4 });
    const refused = () => loadConfig({ DATABASE_URL: 'mysql://cascade:hunter2-password@db/cascade' });
    expect(refused).toThrow('Invalid configuration: DATABASE_URL must be a PostgreSQL URL');
    expect(refused).not.toThrow(/hunter2/);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow('DATABASE_POOL_SIZE must be between 1 and 100');
  });

  it('reads TRUST_PROXY as a list of addresses and CIDR ranges', () => {
    expect(loadConfig({ TRUST_PROXY: '10.0.0.2, 192.168.0.0/16,::1,fd00::/8' }).trustedProxies).toEqual([
      '10.0.0.2',
      '192.168.0.0/16',
      '::1',
      'fd00::/8',
    ]);
  });

  it('reads HOST as an address or a host name', () => {
    for (const host of ['127.0.0.1', '::', '::1', 'localhost', 'app-1.internal', 'cascade.example.com.'])
      expect(loadConfig({ HOST: host }).host).toBe(host);
  });

  it('reads LOG_FORMAT, METRICS_TOKEN and METRICS_ALLOWLIST', () => {
    const config = loadConfig({
      LOG_FORMAT: 'pretty',
      METRICS_TOKEN: 'a-metrics-token-of-some-length',
      METRICS_ALLOWLIST: '10.0.0.0/8, ::1',
    });
    expect(config.logFormat).toBe('pretty');
    expect(config.metricsToken).toBe('a-metrics-token-of-some-length');
    expect(config.metricsAllowlist).toEqual(['10.0.0.0/8', '::1']);
  });

  it('reads the retry schedule, the concurrency and the lease of deliveries', () => {
    const config = loadConfig({
      DELIVERY_RETRY_SCHEDULE: '500ms, 10s,1m ,3h',
      DELIVERY_CONCURRENCY: '64',
      DELIVERY_HOST_CONCURRENCY: '8',
      DELIVERY_LEASE_MS: '2000',
    });
    expect(config.deliveryRetrySchedule).toEqual([500, 10_000, 60_000, 10_800_000]);
    expect(config.deliveryConcurrency).toBe(64);
    expect(config.deliveryHostConcurrency).toBe(8);
    expect(config.deliveryLeaseMs).toBe(2_000);
  });

  it('reads SMTP_URL and MAIL_FROM, set together, and never repeats SMTP_URL in an error', () => {
    expect(
      loadConfig({ SMTP_URL: 'smtps://cascade:s%40cret@smtp.example.com', MAIL_FROM: 'Cascade <cascade@example.com>' })
        .mail,
    ).toEqual({
      smtp: { hostname: 'smtp.example.com', port: undefined, secure: true, user: 'cascade', password: 's@cret' },
      from: { name: 'Cascade', address: 'cascade@example.com' },
    });
    expect(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'cascade@example.com' }).mail).toEqual({
      smtp: { hostname: '127.0.0.1', port: 2525, secure: false, user: undefined, password: undefined },
      from: { name: undefined, address: 'cascade@example.com' },
    });
    const together = 'Invalid configuration: SMTP_URL and MAIL_FROM are set together';
    expect(() => loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' })).toThrow(together);
    expect(() => loadConfig({ MAIL_FROM: 'cascade@example.com' })).toThrow(together);
    for (const url of [
      'https://cascade:hunter2@smtp.example.com',
      'smtp://cascade:hunter2@smtp.example.com/x',
      'smtp:',
    ]) {
      const refused = () => loadConfig({ SMTP_URL: url, MAIL_FROM: 'cascade@example.com' });
      expect(refused).toThrow(
        new ConfigError(
          'Invalid configuration: SMTP_URL must be an smtp or smtps URL, such as smtp://user:password@smtp.example.com:587.',
        ),
      );
    }
    for (const from of ['cascade', 'Cascade <cascade>', 'a b@example.com'])
      expect(() => loadConfig({ SMTP_URL: 'smtp://127.0.0.1', MAIL_FROM: from })).toThrow(
        new ConfigError(
          `Invalid configuration: MAIL_FROM must be an address, or a name and an address, such as Cascade <cascade@example.com> (got "${from}").`,
        ),
      );
  });

  it('keeps deliveries 14 days unless DELIVERY_RETENTION_DAYS says otherwise', () => {
    expect(loadConfig({}).deliveryRetentionDays).toBe(14);
    expect(loadConfig({ DELIVERY_RETENTION_DAYS: '30' }).deliveryRetentionDays).toBe(30);
  });

  it('takes the CSRF origin from PUBLIC_URL and makes cookies Secure for https', () => {
    const config = loadConfig({
      PUBLIC_URL: 'https://cascade.example.com/some/path',
      SEED_DEMO: 'false',
      PORT: '8080',
    });
    expect(config.publicOrigin).toBe('https://cascade.example.com');
    expect(config.secureCookies).toBe(true);
    expect(config.seedDemo).toBe(false);
    expect(config.port).toBe(8080);
  });

  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be a number (got "abc").'],
    [{ PORT: '70000' }, 'Invalid configuration: PORT must be between 1 and 65535 (got "70000").'],
    [
      { INITIAL_ROOT_PASSWORD: 'short' },
      'Invalid configuration: INITIAL_ROOT_PASSWORD is too short (minimum is 8 characters).',
    ],
    [{ SECRET_KEY_BASE: 'too-short' }, 'Invalid configuration: SECRET_KEY_BASE must be at least 32 characters long.'],
    [
      { PUBLIC_URL: 'ftp://example.com' },
      'Invalid configuration: PUBLIC_URL must be an http or https URL, such as https://cascade.example.com (got "ftp://example.com").',
    ],
    [
      { LOG_LEVEL: 'loud' },
      'Invalid configuration: LOG_LEVEL must be one of debug, info, warn, error, silent (got "loud").',
    ],
    ...['5', '5s,,5m', '1d', '-5s'].map((value): [Record<string, string>, string] => [
      { DELIVERY_RETRY_SCHEDULE: value },
      `Invalid configuration: DELIVERY_RETRY_SCHEDULE must list waits separated by commas, such as 5s,5m,30m,2h (got "${value}").`,
    ]),
    [
      { DELIVERY_HOST_CONCURRENCY: '0' },
      'Invalid configuration: DELIVERY_HOST_CONCURRENCY must be between 1 and 1000 (got "0").',
    ],
    [
      { DELIVERY_RETENTION_DAYS: '0' },
      'Invalid configuration: DELIVERY_RETENTION_DAYS must be between 1 and 3650 (got "0").',
    ],
    [
      { DELIVERY_RETENTION_DAYS: '1.5' },
      'Invalid configuration: DELIVERY_RETENTION_DAYS must be a whole number (got "1.5").',
    ],
    [
      { DELIVERY_LEASE_MS: '500' },
      'Invalid configuration: DELIVERY_LEASE_MS must be between 1000 and 86400000 (got "500").',
    ],
    [{ SEED_DEMO: 'maybe' }, 'Invalid configuration: SEED_DEMO must be true or false (got "maybe").'],
    [{ LOG_FORMAT: 'xml' }, 'Invalid configuration: LOG_FORMAT must be json or pretty (got "xml").'],
    [{ METRICS_TOKEN: 'short-token' }, 'Invalid configuration: METRICS_TOKEN must be at least 16 characters long.'],
    [
      { METRICS_ALLOWLIST: 'localhost' },
      'Invalid configuration: METRICS_ALLOWLIST must list IP addresses or CIDR ranges separated by commas, such as 10.0.0.2,192.168.0.0/16 (got "localhost").',
    ],
    ...['0.0.0.0:3000', 'http://localhost', 'my host', '-leading.example', 'a..b', 'x'.repeat(64)].map(
      (value): [Record<string, string>, string] => [
        { HOST: value },
        `Invalid configuration: HOST must be an IP address or a host name, such as 127.0.0.1, :: or localhost (got "${value}").`,
      ],
    ),
    ...['nginx', '10.0.0.300', '10.0.0.0/33', '10.0.0.1,fd00::/129', '10.0.0.0/8/8', '10.0.0.1 10.0.0.2', 'true'].map(
      (value): [Record<string, string>, string] => [
        { TRUST_PROXY: value },
        `Invalid configuration: TRUST_PROXY must list IP addresses or CIDR ranges separated by commas, such as 10.0.0.2,192.168.0.0/16 (got "${value}").`,
      ],
    ),
  ])('refuses %o with one clear line that never echoes a secret', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });
});

describe('npm start', () => {
  it('stops with exit code 1 and one line on a bad value', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-config-'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, PORT: 'not-a-port', DATABASE_PATH: join(folder, 'c.db') },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'Invalid configuration: PORT must be a number (got "not-a-port").',
    ]);
  });
});
