/**
 * `npm start` with a code host connected: the server process runs the code-host background
 * (src/server.ts), so an import started from the Admin Area runs in it, and an event the test
 * GitLab sends to the registered URL is applied by the processor there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../src/config.js';
import { migrateDatabase, openSqlite } from '../src/db/client.js';
import { codeHosts } from '../src/db/schema.js';
import { createTestApp, insertUser, post, sessionCookie, TEST_SECRET_KEY_BASE, textOf } from './support/app.js';
import { projectEvent } from './support/host-payloads/gitlab.js';
import { freePort } from './support/processes.js';
import { startTestGitLab } from './support/test-gitlab.js';
import { HostTree } from './support/test-host.js';

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill();
});

/** Starts `npm start` from the sources and resolves once it says it is ready. */
function launch(env: Record<string, string>): Promise<() => string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Cascade is ready')) resolve(() => output);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}

async function until(done: () => Promise<boolean>, what: string, output: () => string): Promise<void> {
  for (let tries = 0; tries < 300; tries++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out waiting for ${what}; the server printed:\n${output()}`);
}

describe('npm start with a code host', () => {
  it('imports in the server process and applies the events the host sends', async () => {
    const tree = new HostTree();
    const platform = tree.addGroup({ name: 'Platform' });
    const api = tree.addProject({ name: 'API', groupId: platform.id });
    const gitlab = await startTestGitLab({ tree });
    onTestFinished(() => gitlab.close());
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const path = join(mkdtempSync(join(tmpdir(), 'cascade-start-')), 'cascade.db');

    // Before the start: the Network settings and the connection, through the pages of an app on the same file.
    const db = openSqlite(path);
    await migrateDatabase(db);
    const { app } = await createTestApp({ db, config: loadConfig({ SEED_DEMO: 'false', PUBLIC_URL: origin }) });
    const cookie = await sessionCookie(db, await insertUser(db, 'root', { isAdmin: true }));
    const submit = (to: string, form: Record<string, string>) => post(app, to, form, { cookie, origin });
    expect(
      (
        await submit('/admin/application_settings/network', {
          allow_local_requests: '0',
          outbound_allowlist: '127.0.0.1',
        })
      ).status,
    ).toBe(303);
    const connected = await submit('/admin/code_hosts', {
      kind: 'gitlab',
      url: gitlab.url,
      token: gitlab.adminToken,
      oidc_client_id: '',
      oidc_client_secret: '',
      admins_are_admins: '0',
      reconcile_minutes: '60',
    });
    expect(connected.status).toBe(303);
    const [host] = await db.select().from(codeHosts);
    await db.close();
    expect(gitlab.hooks.map((hook) => hook.url)).toEqual([`${origin}/-/code_hosts/${host!.id}/hook`]);

    const output = await launch({
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: origin,
      DATABASE_PATH: path,
      SECRET_KEY_BASE: TEST_SECRET_KEY_BASE,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
    });
    const page = async (to: string) => textOf(await (await fetch(`${origin}${to}`, { headers: { cookie } })).text());
    const started = await fetch(`${origin}/admin/code_hosts/${host!.id}/sync`, {
      method: 'POST',
      headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });
    expect(started.status).toBe(303);
    await until(
      async () => (await page(`/admin/code_hosts/${host!.id}`)).includes('Reconcile now'),
      'the import',
      output,
    );
    expect(await page(`/admin/code_hosts/${host!.id}`)).toContain('Imported 1 group, 1 project');

    tree.renameProject(api.id, { name: 'Public API', path: 'public-api' });
    const sent = await gitlab.sendHook(gitlab.hooks[0]!, projectEvent(tree, 'project_rename', api, 'platform/api'));
    expect(sent.status).toBe(201);
    await until(
      async () =>
        /Project renamed System Hook platform\/public-api \S+ \S+ UTC Applied/.test(
          await page(`/admin/code_hosts/${host!.id}/events`),
        ),
      'the event to be applied',
      output,
    );
  });
});
