/**
 * Support for delivery by a Cascade server process (the kill -9 test and `bench/delivery.ts`):
 * a database prepared as an administrator leaves it (the Network settings open to 127.0.0.1, a
 * GitLab connection, the imported project of GitLab's documented push, the instance's Slack
 * webhook on a local receiver), and documented pushes each marked with a commit of its own, so
 * that what arrives at the receiver tells which event it was for. Free of vitest: the benchmark
 * imports it too.
 */
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { createApp } from '../../src/app.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.js';
import { SignInThrottle } from '../../src/auth/throttle.js';
import { loadConfig } from '../../src/config.js';
import { writeConnection, type Db } from '../../src/db/client.js';
import { projects, users, type CodeHost } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { hostHeaders, insertConnection, insertImportedProject, SECRET_KEY_BASE } from './code-host-events.js';

/** The server process must be given this SECRET_KEY_BASE: the connection's hook secret is sealed with it. */
export const DELIVERY_SECRET_KEY_BASE = SECRET_KEY_BASE;

const PUSH = JSON.parse(
  readFileSync(new URL('host-payloads/delivery-gitlab-push.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

/** The forms' origin: PUBLIC_URL's default. */
const ORIGIN = 'http://localhost:3000';

async function adminCookie(db: Db): Promise<string> {
  const [admin] = await writeConnection(db)
    .insert(users)
    .values({
      username: 'root',
      name: 'Administrator',
      email: 'root@example.com',
      passwordHash: await hashPassword('delivery-password'),
      isAdmin: true,
    })
    .returning();
  return `${SESSION_COOKIE}=${await createSession(db, admin!.id)}`;
}

/**
 * Prepares the migrated, empty database `db` for delivery to `webhook` (a URL on 127.0.0.1),
 * through the Admin Area's forms; answers the connection whose receiver route takes the pushes,
 * and the id of the project they are for.
 */
export async function prepareDelivery(db: Db, webhook: string): Promise<{ connection: CodeHost; projectId: number }> {
  const app = createApp({
    db,
    config: loadConfig({ SEED_DEMO: 'false', LOG_LEVEL: 'silent' }),
    secretKeyBase: DELIVERY_SECRET_KEY_BASE,
    throttle: new SignInThrottle(db),
    logger: createLogger('silent'),
  });
  const cookie = await adminCookie(db);
  const submit = async (path: string, form: Record<string, string>) => {
    const response = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, cookie },
      body: new URLSearchParams(form).toString(),
    });
    if (response.status !== 303) throw new Error(`${path} answered ${response.status}`);
  };
  await submit('/admin/application_settings/network', { allow_local_requests: '0', outbound_allowlist: '127.0.0.1' });
  await submit('/admin/application_settings/integrations/slack', {
    _version: '0',
    _confirmed: '1',
    active: '1',
    webhook,
    username: 'cascade',
  });
  const connection = await insertConnection(db, 'gitlab');
  // The documented push is to project 15 ("mike/diaspora"), on its default branch.
  const project = await insertImportedProject(db, connection, 15, 'diaspora');
  await writeConnection(db).update(projects).set({ defaultBranch: 'master' }).where(eq(projects.id, project.id));
  return { connection, projectId: project.id };
}

/** The commit a push marked `mark` names: 40 hex digits. */
const commitOf = (mark: number) => mark.toString(16).padStart(40, '0');

/** GitLab's documented push, its commit standing for `mark` (from 1: a commit of zeros is a deleted branch). */
export function markedPush(mark: number): string {
  return JSON.stringify({ ...PUSH, after: commitOf(mark), checkout_sha: commitOf(mark) });
}

/** The mark of the push a delivery's body (a Slack message, whose compare link ends in the commit) is for. */
export function markOf(body: string): number | null {
  const commit = /\.\.\.([0-9a-f]{40})/.exec(body)?.[1];
  return commit === undefined ? null : parseInt(commit, 16);
}

/** What GitLab sends with the push `body`: its event, the hook secret and a delivery id of its own. */
export const pushHeaders = (body: string) => hostHeaders('gitlab', 'Push Hook', body);

/** Where the connection's receiver route is on the server at `base`. */
export const hookUrl = (base: string, connection: CodeHost) => `${base}/-/code_hosts/${connection.id}/hook`;
