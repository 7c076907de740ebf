/**
 * @module config
 * The environment, parsed once with zod. A bad value stops start-up with one clear line.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { booleanField } from './boolean.js';
import { parseMailFrom, parseSmtpUrl, type MailConfig } from './mail/settings.js';

export const MIN_PASSWORD_LENGTH = 8;

const booleanFlag = booleanField('must be true or false');

/** "10.0.0.2" or "10.0.0.0/8": an address, or a range of them with its prefix length. */
function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

const proxyList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .refine(
    (entries) => entries.every(isAddressOrRange),
    'must list IP addresses or CIDR ranges separated by commas, such as 10.0.0.2,192.168.0.0/16',
  );

/** "127.0.0.1", "::", "localhost", "app.internal": an address, or a name of one (RFC 1123 labels). */
function isAddressOrHostName(value: string): boolean {
  const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
  return (
    isIP(value) !== 0 ||
    (value.length <= 253 &&
      value
        .replace(/\.$/, '')
        .split('.')
        .every((part) => label.test(part)))
  );
}

const WAIT_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Waits in milliseconds from "5s, 5m, 30m, 2h": whole numbers with their unit (ms, s, m, h),
 * separated by commas; null when the text is not that.
 */
function parseWaits(text: string): number[] | null {
  const waits = text.split(',').map((part) => /^(\d+)(ms|s|m|h)$/.exec(part.trim()));
  if (waits.some((match) => match === null)) return null;
  return waits.map((match) => Number(match![1]) * WAIT_UNITS[match![2]!]!);
}

const environmentSchema = z.object({
  HOST: z
    .string()
    .refine(isAddressOrHostName, 'must be an IP address or a host name, such as 127.0.0.1, :: or localhost')
    .optional(),
  PORT: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(3000),
  DATABASE_PATH: z.string().min(1, 'must not be empty').default('./data/cascade.db'),
  DATABASE_URL: z
    .string()
    .refine(
      (value) => /^postgres(ql)?:\/\/./.test(value) && URL.canParse(value),
      'must be a PostgreSQL URL, such as postgres://cascade:password@db.internal:5432/cascade',
    )
    .optional(),
  DATABASE_POOL_SIZE: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 100')
    .max(100, 'must be between 1 and 100')
    .default(10),
  SECRET_KEY_BASE: z.string().min(32, 'must be at least 32 characters long').optional(),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL, such as https://cascade.example.com' })
    .optional(),
  INITIAL_ROOT_PASSWORD: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `is too short (minimum is ${MIN_PASSWORD_LENGTH} characters)`)
    .max(128, 'is too long (maximum is 128 characters)')
    .optional(),
  LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error', 'silent'], {
      error: 'must be one of debug, info, warn, error, silent',
    })
    .default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).default('json'),
  SEED_DEMO: booleanFlag.default(true),
  TRUST_PROXY: proxyList.default([]),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters long').optional(),
  // GitLab's monitoring_whitelist default: the machine itself.
  METRICS_ALLOWLIST: proxyList.default(['127.0.0.0/8', '::1/128']),
  HOST_EVENTS_RETENTION_DAYS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 3650')
    .max(3650, 'must be between 1 and 3650')
    .default(14),
  DELIVERY_RETENTION_DAYS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 3650')
    .max(3650, 'must be between 1 and 3650')
    .default(14),
  DELIVERY_RETRY_SCHEDULE: z
    .string()
    .transform((value, context) => {
      const schedule = parseWaits(value);
      if (schedule) return schedule;
      context.addIssue({ code: 'custom', message: 'must list waits separated by commas, such as 5s,5m,30m,2h' });
      return z.NEVER;
    })
    // Svix's: eight attempts over about 32 hours.
    .default(parseWaits('5s,5m,30m,2h,5h,10h,10h')!),
  DELIVERY_CONCURRENCY: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 1000')
    .max(1000, 'must be between 1 and 1000')
    .default(16),
  DELIVERY_HOST_CONCURRENCY: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 1000')
    .max(1000, 'must be between 1 and 1000')
    .default(4),
  SMTP_URL: z
    .string()
    .refine(
      (value) => parseSmtpUrl(value) !== null,
      'must be an smtp or smtps URL, such as smtp://user:password@smtp.example.com:587',
    )
    .optional(),
  MAIL_FROM: z
    .string()
    .refine(
      (value) => parseMailFrom(value) !== null,
      'must be an address, or a name and an address, such as Cascade <cascade@example.com>',
    )
    .optional(),
  DELIVERY_LEASE_MS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1_000, 'must be between 1000 and 86400000')
    .max(86_400_000, 'must be between 1000 and 86400000')
    .default(30_000),
});

export type LogLevel = z.infer<typeof environmentSchema>['LOG_LEVEL'];
export type LogFormat = z.infer<typeof environmentSchema>['LOG_FORMAT'];

/** Variables whose value is never repeated in an error message. */
// DATABASE_URL and SMTP_URL may hold a password.
const SECRET_VARIABLES = new Set([
  'SECRET_KEY_BASE',
  'INITIAL_ROOT_PASSWORD',
  'METRICS_TOKEN',
  'DATABASE_URL',
  'SMTP_URL',
]);

export interface Config {
  /** The address to listen on; unset means every interface. */
  host: string | undefined;
  port: number;
  databasePath: string;
  /** PostgreSQL instead of the SQLite file at `databasePath`. */
  databaseUrl: string | undefined;
  /** Connections each server keeps to PostgreSQL. */
  databasePoolSize: number;
  /** Unset means: read or create the key file beside the database (see `secrets.ts`). */
  secretKeyBase: string | undefined;
  /** The origin browsers use to reach Cascade; form posts from any other origin are refused. */
  publicOrigin: string;
  /** Whether the session cookie must be sent over https only. */
  secureCookies: boolean;
  initialRootPassword: string | undefined;
  logLevel: LogLevel;
  logFormat: LogFormat;
  seedDemo: boolean;
  /** Proxies (addresses and CIDR ranges) whose X-Forwarded-For is believed; see `http/client-address.ts`. */
  trustedProxies: string[];
  /** Sent as `Authorization: Bearer <token>`, it opens /metrics from anywhere (see `http/metrics.ts`). */
  metricsToken: string | undefined;
  /** Addresses and CIDR ranges that may read /metrics without the token. */
  metricsAllowlist: string[];
  /** Days the events received from code hosts are kept (code-hosts/retention.ts). */
  hostEventsRetentionDays: number;
  /** Days finished deliveries and their attempts are kept (delivery/retention.ts). */
  deliveryRetentionDays: number;
  /** Milliseconds between a delivery's attempts: after the first, the second, ... (delivery/schedule.ts). */
  deliveryRetrySchedule: number[];
  /** Deliveries each server sends at once... */
  deliveryConcurrency: number;
  /** ...and to one host at once. */
  deliveryHostConcurrency: number;
  /** The SMTP server and sender of every mail Cascade sends; unset, no mail is sent (see `mail/`). */
  mail: MailConfig | undefined;
  /** How long a send is a server's before another may take the delivery again (delivery/worker.ts). */
  deliveryLeaseMs: number;
}

export class ConfigError extends Error {}

/**
 * Reads the configuration from an environment; throws a {@link ConfigError} whose message is
 * one line naming the variable and what is wrong with it.
 *
 * @example
 * const config = loadConfig({ PORT: '8080' }) // config.publicOrigin === 'http://localhost:8080'
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(
    Object.keys(environmentSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    const shown = SECRET_VARIABLES.has(name) ? '' : ` (got "${env[name]}")`;
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message}${shown}.`);
  }
  const values = parsed.data;
  if (values.DATABASE_URL && !values.SECRET_KEY_BASE) {
    // Every server must seal and open secrets with the same key: no key file beside a database
    // that several machines share.
    throw new ConfigError(
      'Invalid configuration: SECRET_KEY_BASE is required with DATABASE_URL (the same value on every server; generate one with `openssl rand -hex 32`).',
    );
  }
  if (Boolean(values.SMTP_URL) !== Boolean(values.MAIL_FROM)) {
    throw new ConfigError(
      'Invalid configuration: SMTP_URL and MAIL_FROM are set together (the server that sends mail, and the address it is sent from).',
    );
  }
  const publicUrl = new URL(values.PUBLIC_URL ?? `http://localhost:${values.PORT}`);
  return {
    host: values.HOST,
    port: values.PORT,
    databasePath: values.DATABASE_PATH,
    databaseUrl: values.DATABASE_URL,
    databasePoolSize: values.DATABASE_POOL_SIZE,
    secretKeyBase: values.SECRET_KEY_BASE,
    publicOrigin: publicUrl.origin,
    secureCookies: publicUrl.protocol === 'https:',
    initialRootPassword: values.INITIAL_ROOT_PASSWORD,
    logLevel: values.LOG_LEVEL,
    logFormat: values.LOG_FORMAT,
    seedDemo: values.SEED_DEMO,
    trustedProxies: values.TRUST_PROXY,
    metricsToken: values.METRICS_TOKEN,
    metricsAllowlist: values.METRICS_ALLOWLIST,
    hostEventsRetentionDays: values.HOST_EVENTS_RETENTION_DAYS,
    deliveryRetentionDays: values.DELIVERY_RETENTION_DAYS,
    deliveryRetrySchedule: values.DELIVERY_RETRY_SCHEDULE,
    deliveryConcurrency: values.DELIVERY_CONCURRENCY,
    deliveryHostConcurrency: values.DELIVERY_HOST_CONCURRENCY,
    mail:
      values.SMTP_URL && values.MAIL_FROM
        ? { smtp: parseSmtpUrl(values.SMTP_URL)!, from: parseMailFrom(values.MAIL_FROM)! }
        : undefined,
    deliveryLeaseMs: values.DELIVERY_LEASE_MS,
  };
}
