/**
 * Test support: a fresh app on a private in-memory database, and request helpers that act like
 * a browser (session cookie, Origin header on form posts).
 */
import type { Hono } from 'hono';
import { createApp } from '../../src/app.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.js';
import { SignInThrottle } from '../../src/auth/throttle.js';
import { loadConfig } from '../../src/config.js';
import { type Db, writeConnection } from '../../src/db/client.js';
import { openTestDatabase } from './database.js';
import { users, type User } from '../../src/db/schema.js';
import type { AppDeps, AppEnv } from '../../src/http/context.js';
import type { ResolvedAddress } from '../../src/outbound/request.js';
import { createLogger } from '../../src/logger.js';

export const ORIGIN = 'http://localhost:3000';
/** The secret key base of every test app, e.g. to seal what a test stores directly. */
export const TEST_SECRET_KEY_BASE = 'test-secret-key-base-that-is-long-enough-0123456789';
export const TEST_PASSWORD = 'correct-horse-battery';
/** Hashed once per test file: scrypt is slow on purpose. */
const passwordHash = hashPassword(TEST_PASSWORD);

export interface TestApp {
  app: Hono<AppEnv>;
  db: Db;
  logLines: string[];
}

/**
 * What the tests' DNS answers for every name but localhost: a public unicast address (example.com's
 * old one), so that saving a URL is let through. No test connects to it: requests that tests send
 * go to local receivers, and test/support/loopback-only.ts fails a test that tries.
 */
export const PUBLIC_TEST_ADDRESS = '93.184.216.34';

/**
 * The tests' DNS: "localhost" is the loopback, every other name the public test address, so that
 * no test waits on, or depends on, the machine's resolver.
 */
export async function testResolve(host: string): Promise<ResolvedAddress[]> {
  if (host === 'localhost' || host.endsWith('.localhost')) return [{ address: '127.0.0.1', family: 4 }];
  return [{ address: PUBLIC_TEST_ADDRESS, family: 4 }];
}

/** `deps` replaces the defaults, e.g. a short timeout for requests to other servers; a given `db` must be migrated. */
export async function createTestApp(deps: Partial<AppDeps> = {}): Promise<TestApp> {
  const db = deps.db ?? (await openTestDatabase());
  const logLines: string[] = [];
  const app = createApp({
    db,
    config: loadConfig({ SEED_DEMO: 'false' }),
    secretKeyBase: TEST_SECRET_KEY_BASE,
    throttle: new SignInThrottle(db),
    logger: createLogger('info', (line) => logLines.push(line)),
    ...deps,
    outbound: { resolve: testResolve, ...deps.outbound },
  });
  return { app, db, logLines };
}

export async function insertUser(
  db: Db,
  username: string,
  extra: Partial<typeof users.$inferInsert> = {},
): Promise<User> {
  return (
    await writeConnection(db)
      .insert(users)
      .values({
        username,
        name: username,
        email: `${username}@example.com`,
        passwordHash: await passwordHash,
        ...extra,
      })
      .returning()
  )[0]!;
}

/** A Cookie header for a signed-in session of `user`. */
export async function sessionCookie(db: Db, user: User): Promise<string> {
  return `${SESSION_COOKIE}=${await createSession(db, user.id)}`;
}

export interface RequestOptions {
  cookie?: string | undefined;
  origin?: string | null;
  headers?: Record<string, string>;
}

export function get(app: Hono<AppEnv>, path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  return Promise.resolve(app.request(path, { headers }));
}

/** A form post as a browser on this site sends it; `origin: null` leaves the Origin header out. */
export function post(
  app: Hono<AppEnv>,
  path: string,
  form: Record<string, string | string[]> = {},
  options: RequestOptions = {},
): Promise<Response> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
  }
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...options.headers };
  if (options.origin !== null) headers.origin = options.origin ?? ORIGIN;
  if (options.cookie) headers.cookie = options.cookie;
  return Promise.resolve(app.request(path, { method: 'POST', headers, body: body.toString() }));
}

/** The flash message a redirect response carries, decoded from its signed cookie. */
export function flashOf(response: Response): string | undefined {
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith('cascade_flash='));
  if (!cookie) return undefined;
  const value = decodeURIComponent(cookie.slice('cascade_flash='.length).split(';')[0]!);
  return (JSON.parse(value.slice(0, value.lastIndexOf('.'))) as { message: string }).message;
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#x27;': "'",
};
const decodeEntities = (html: string) => html.replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, (entity) => ENTITIES[entity]!);

/** A page's text as a user reads it: tags removed, entities decoded, whitespace collapsed. */
export function textOf(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** The message shown next to a form field, or undefined when the field has none. */
export function fieldErrorOf(html: string, field: string): string | undefined {
  const match = new RegExp(`<p class="field-error" id="field-${field}-error">([^<]*)</p>`).exec(html);
  return match ? decodeEntities(match[1]!) : undefined;
}

/** The value a read-only settings section shows for a key (`<dd id="field-username">`), as text; undefined when it shows none. */
export function shownValueOf(html: string, name: string): string | undefined {
  const match = new RegExp(`<dd id="field-${name}">(.*?)</dd>`).exec(html);
  return match ? textOf(match[1]!) : undefined;
}

/** The opening tag of the form control named `name` (`<input ...>`, `<select ...>`), or undefined. */
export function controlOf(html: string, name: string): string | undefined {
  return new RegExp(`<(?:input|select|textarea)\\b[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
}
