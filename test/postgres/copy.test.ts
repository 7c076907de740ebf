/**
 * Moving an instance from SQLite to PostgreSQL (`npm run db:copy`): the copy holds every row,
 * serves the same pages and API answers, opens every sealed secret with the same key, keeps
 * the sessions signed in, hands out new ids after the copied ones, and a copy into a database
 * that already holds rows is refused.
 */
import { freePort, runCommand } from '../support/processes.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { INSTANCE_LEVEL, recordAuditEvent } from '../../src/audit/trail.js';
import { loadConfig } from '../../src/config.js';
import { migrateDatabase, openPostgres, openSqlite, rows, type Db } from '../../src/db/client.js';
import { COPIED_TABLES, copyDatabase, CopyRefused } from '../../src/db/copy.js';
import {
  codeHosts,
  deliveries,
  deliveryAttempts,
  hostEvents,
  hostSyncRuns,
  integrationHealth,
  pipelineStatuses,
  passwordResetTokens,
  protectedBranches,
} from '../../src/db/schema.js';
import { createGroup, findGroupById, groupLineage } from '../../src/model/groups.js';
import { moveGroup } from '../../src/model/moves.js';
import { findProjectById } from '../../src/model/projects.js';
import { loadSecretKeyBase } from '../../src/secrets.js';
import { projectOwner, settingsChain } from '../../src/settings/owners.js';
import { SettingsStore } from '../../src/settings/store.js';
import { apiRequest, apiToken } from '../support/api.js';
import { createTestApp, get, ORIGIN, post, textOf, type TestApp } from '../support/app.js';
import { createPostgresDatabase, postgresUrl } from '../support/database.js';
import {
  ADMIN_INTEGRATIONS,
  allowLoopbackRequests,
  groupIntegrations,
  projectIntegrations,
  saveInstanceSlack,
  slackForm,
} from '../support/integrations.js';
import { buildWorld, must, type World } from '../support/world.js';

const WEBHOOKS = {
  instance: 'https://hooks.slack.com/services/T000/B000/instance-secret',
  group: 'https://hooks.slack.com/services/T000/B000/group-secret',
  project: 'https://hooks.slack.com/services/T000/B000/project-secret',
};

interface Instance extends TestApp {
  path: string;
  secretKeyBase: string;
  world: World;
  /** A maintainer's API token, as the client holds it. */
  token: string;
  projectId: number;
  projectPath: string;
}

/**
 * A SQLite instance in a file of its own, its key file beside it: the world's users, groups,
 * projects, members and sessions; group "top" moved below a group made after it (so a child
 * has a lower id than its parent); Slack saved with a webhook at every level; network
 * settings changed; audit events, a token, a failed sign-in the throttle counts, and a code
 * host's event with a delivery waiting for its next attempt.
 */
async function sqliteInstance(): Promise<Instance> {
  const path = join(mkdtempSync(join(tmpdir(), 'cascade-copy-')), 'cascade.db');
  const db = openSqlite(path);
  onTestFinished(() => db.close());
  await migrateDatabase(db);
  const secretKeyBase = loadSecretKeyBase(loadConfig({ DATABASE_PATH: path }));
  const test = await createTestApp({ db, secretKeyBase });
  const world = await buildWorld(db);
  const zeta = must(await createGroup(db, { name: 'Zeta', path: 'zeta' }));
  must(await moveGroup(db, world.top, zeta, world.users.admin));
  const project = (await findProjectById(db, world.project.id))!;
  const { cookies } = world;

  expect((await allowLoopbackRequests(test.app, cookies.admin!)).status).toBe(303);
  expect((await saveInstanceSlack(test.app, cookies.admin!, { webhook: WEBHOOKS.instance })).status).toBe(303);
  const custom = { inheritance: 'custom', _confirmed: '1' };
  const group = await post(
    test.app,
    `${groupIntegrations('zeta/top')}/slack`,
    { ...slackForm({ webhook: WEBHOOKS.group, username: 'top-bot' }), ...custom },
    { cookie: cookies.owner },
  );
  expect(group.status).toBe(303);
  const own = await post(
    test.app,
    `${projectIntegrations(project.fullPath)}/slack`,
    { ...slackForm({ webhook: WEBHOOKS.project, username: 'app-bot' }), ...custom },
    { cookie: cookies.maintainer },
  );
  expect(own.status).toBe(303);
  await db.transaction(async (tx) => {
    for (let i = 0; i < 30; i++) {
      await recordAuditEvent(tx, { actor: world.users.admin, action: 'settings.reset', owner: INSTANCE_LEVEL });
    }
  });
  await db.transaction(async (tx) => {
    const [host] = await tx
      .insert(codeHosts)
      .values({
        kind: 'gitlab',
        name: 'gitlab.example.com',
        url: 'https://gitlab.example.com',
        token: 'sealed-token',
        hookSecret: 'sealed-secret',
      })
      .returning();
    const now = new Date();
    await tx
      .insert(hostSyncRuns)
      .values({ codeHostId: host!.id, kind: 'import', status: 'finished', startedAt: now, updatedAt: now });
    const [event] = await tx
      .insert(hostEvents)
      .values({
        codeHostId: host!.id,
        deliveryId: '5f2a8d2c-0000-4000-8000-000000000001',
        hostEvent: 'Push Hook',
        kind: 'push',
        projectId: project.id,
        payload: '{}',
        outcome: 'dispatched',
        receivedAt: now,
      })
      .returning();
    const [delivery] = await tx
      .insert(deliveries)
      .values({
        hostEventId: event!.id,
        projectId: project.id,
        integration: 'slack',
        settingsLevel: 'project',
        settingsOwnerId: project.id,
        targetHost: 'hooks.slack.com',
        request: 'sealed-request',
        nextAttemptAt: now,
        createdAt: now,
      })
      .returning();
    await tx
      .insert(deliveryAttempts)
      .values({ deliveryId: delivery!.id, attemptedAt: now, status: 503, durationMs: 12 });
    await tx.insert(integrationHealth).values({
      integration: 'slack',
      settingsLevel: 'project',
      settingsOwnerId: project.id,
      recentFailures: 1,
      lastFailure: 'The server answered with HTTP 503',
      lastFailureAt: now,
      updatedAt: now,
    });
    await tx.insert(protectedBranches).values({ projectId: project.id, rules: '["main","release/*"]', readAt: now });
    // A reset link mailed within the hour still works after the move.
    await tx.insert(passwordResetTokens).values({
      tokenHash: 'sha256-of-a-mailed-link',
      userId: world.users.reporter.id,
      expiresAt: new Date(now.getTime() + 60 * 60 * 1000),
    });
    await tx
      .insert(pipelineStatuses)
      .values({ projectId: project.id, ref: 'refs/heads/main', status: 'failed', pipelineId: 31, updatedAt: now });
  });
  const failedSignIn = await post(test.app, '/users/sign_in', { username: 'admin', password: 'wrong-password' });
  expect(failedSignIn.status).toBe(401);
  const token = await apiToken(db, world.users.maintainer);
  return { ...test, path, secretKeyBase, world, token, projectId: project.id, projectPath: project.fullPath };
}

/** A new, empty, unmigrated PostgreSQL database on the test server: its URL. */
async function emptyPostgres(): Promise<string> {
  return postgresUrl(await createPostgresDatabase(false));
}

function openTarget(url: string): Db {
  const db = openPostgres(url, { poolSize: 2 });
  onTestFinished(() => db.close());
  return db;
}

async function countsOf(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { name } of COPIED_TABLES.map(getTableConfig)) {
    const [row] = await rows<{ n: number }>(db, sql`select count(*) as n from ${sql.identifier(name)}`);
    counts[name] = row!.n;
  }
  return counts;
}

/** What a user and an API client see of the instance: each page's text, and the API's answer. */
async function whatIsServed(t: TestApp, source: Instance) {
  const { cookies } = source.world;
  const pages = [
    [ADMIN_INTEGRATIONS, cookies.admin],
    [`${ADMIN_INTEGRATIONS}/slack`, cookies.admin],
    ['/admin/application_settings/network', cookies.admin],
    ['/admin/audit_events', cookies.admin],
    [`${groupIntegrations('zeta/top')}/slack`, cookies.owner],
    [`${projectIntegrations(source.projectPath)}/slack`, cookies.maintainer],
    [`/${source.projectPath}/-/audit_events`, cookies.maintainer],
    ['/', cookies.reporter],
  ] as const;
  const served: Record<string, { status: number; html: string }> = {};
  for (const [path, cookie] of pages) {
    const response = await get(t.app, path, { cookie });
    served[path] = { status: response.status, html: await response.text() };
  }
  const api = await apiRequest(t.app, 'GET', `/api/v4/projects/${source.projectId}/integrations/slack`, {
    token: source.token,
  });
  return { served, api: { status: api.status, body: (await api.json()) as unknown } };
}

/** The project's Slack chain (project, its groups, the instance) as the settings store loads it, secrets opened. */
async function projectSlackChain(db: Db, secretKeyBase: string, projectId: number) {
  const project = (await findProjectById(db, projectId))!;
  const lineage = await groupLineage(db, (await findGroupById(db, project.groupId))!);
  const chain = settingsChain(projectOwner(project, lineage), lineage);
  return (await new SettingsStore(db, secretKeyBase).loadChains(chain, 'slack')).get('slack')!;
}

/** Runs `npm run db:copy -- ...args` from the sources, with `env` on top of this process's. */
const runCopy = (args: string[], env: Record<string, string>) => runCommand('src/copy-database.ts', args, env);

describe('copyDatabase', () => {
  it('copies every row, and the copy serves the same pages, opens every secret and keeps the sessions', async () => {
    const source = await sqliteInstance();
    const target = openTarget(await emptyPostgres());
    const progress: string[] = [];
    const counts = await copyDatabase(source.db, target, {
      // Small batches: a group whose parent came after it ("zeta/top") is in a later batch.
      batchSize: 2,
      onProgress: (table, copied, total) => progress.push(`${table} ${copied}/${total}`),
    });

    const sourceCounts = await countsOf(source.db);
    expect(Object.fromEntries(counts.map(({ table, source }) => [table, source]))).toEqual(sourceCounts);
    expect(Object.fromEntries(counts.map(({ table, target }) => [table, target]))).toEqual(sourceCounts);
    expect(await countsOf(target)).toEqual(sourceCounts);
    expect(Object.values(sourceCounts).every((n) => n > 0)).toBe(true);
    expect(progress).toContain(`audit_events 2/${sourceCounts.audit_events}`);
    // Every table of the SQLite schema is copied.
    const sqlite = new Database(source.path, { readonly: true });
    const sqliteTables = sqlite
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not in ('__drizzle_migrations', 'cascade_changes', 'settings_counts')",
      )
      .pluck()
      .all();
    sqlite.close();
    expect([...sqliteTables].sort()).toEqual(Object.keys(sourceCounts).sort());
    // The custom settings below each level, counted again by the triggers as the settings rows came.
    const settingsCounts = sql`select scope_id, type, custom_projects, custom_groups from settings_counts
      where custom_projects <> 0 or custom_groups <> 0 order by scope_id, type`;
    expect(await rows(target, settingsCounts)).toEqual(await rows(source.db, settingsCounts));
    expect(await rows(target, settingsCounts)).not.toEqual([]);
    // SQLite's 0 and 1 are PostgreSQL's booleans.
    expect(await rows(target, sql`select username from users where is_admin`)).toEqual([{ username: 'admin' }]);
    // The change counter keeps its one row (its migration's, not copied).
    expect(await rows(target, sql`select id from cascade_changes`)).toEqual([{ id: 1 }]);

    const copy = await createTestApp({ db: target, secretKeyBase: source.secretKeyBase });
    const before = await whatIsServed(source, source);
    const after = await whatIsServed(copy, source);
    expect(after).toEqual(before);
    expect(Object.values(after.served).map(({ status }) => status)).toEqual(
      Object.values(before.served).map(() => 200),
    );
    expect(after.served[`${projectIntegrations(source.projectPath)}/slack`]!.html).toContain('value="app-bot"');
    expect(after.api.status).toBe(200);
    // The session cookies still sign in.
    expect(textOf(after.served['/']!.html)).toContain('@reporter');

    const chain = await projectSlackChain(target, source.secretKeyBase, source.projectId);
    expect(chain.map((row) => row.fields.webhook)).toEqual([WEBHOOKS.project, WEBHOOKS.group, WEBHOOKS.instance]);
    expect(chain).toEqual(await projectSlackChain(source.db, source.secretKeyBase, source.projectId));

    // New rows get ids after the copied ones: a new group, a save, and its audit event.
    must(await createGroup(target, { name: 'After', path: 'after' }));
    const saved = await post(
      copy.app,
      `${projectIntegrations(source.projectPath)}/slack`,
      {
        ...slackForm({ webhook: WEBHOOKS.project, username: 'after-the-move' }),
        _version: String(chain[0]!.version),
        inheritance: 'custom',
        _confirmed: '1',
      },
      { cookie: source.world.cookies.maintainer, origin: ORIGIN },
    );
    expect(saved.status).toBe(303);
  });

  it('copies the database as it was when the copy began, while it is written meanwhile', async () => {
    const source = await sqliteInstance();
    const target = openTarget(await emptyPostgres());
    const before = await countsOf(source.db);
    const writer = new Database(source.path);
    onTestFinished(() => void writer.close());
    const recordEvent = writer.prepare(
      "insert into audit_events (created_at, actor_name, action, level, owner_name) values (?, 'root', 'settings.reset', 'instance', 'Instance')",
    );
    // Written while the users are copied, before the audit events are read.
    const counts = await copyDatabase(source.db, target, {
      onProgress: (table, copied) => {
        if (table === 'users' && copied === 0) for (let i = 0; i < 5; i++) recordEvent.run(Date.now());
      },
    });

    expect((await countsOf(source.db)).audit_events).toBe(before.audit_events! + 5);
    expect(await countsOf(target)).toEqual(before);
    expect(counts.find(({ table }) => table === 'audit_events')).toEqual({
      table: 'audit_events',
      source: before.audit_events,
      target: before.audit_events,
    });
  });

  it('refuses a copy into a database that holds rows, and leaves it as it was', async () => {
    const source = await sqliteInstance();
    const target = openTarget(await emptyPostgres());
    await copyDatabase(source.db, target);
    const copied = await countsOf(target);

    const again = copyDatabase(source.db, target);
    await expect(again).rejects.toThrow(CopyRefused);
    await expect(again).rejects.toThrow(
      'the PostgreSQL database is not empty (rows in code_hosts, users, groups, projects, members, sessions, password_reset_tokens, personal_access_tokens, integration_settings, audit_events, application_settings, throttle_attempts, host_sync_runs, host_events, deliveries, delivery_attempts, integration_health, protected_branches, pipeline_statuses): copy into a new, empty database',
    );
    expect(await countsOf(target)).toEqual(copied);
  });
});

describe('npm run db:copy -- --to postgres://…', () => {
  it('copies, prints the count of every table and how to set SECRET_KEY_BASE from the key file', async () => {
    const source = await sqliteInstance();
    const url = await emptyPostgres();
    const result = await runCopy(['--to', url], { DATABASE_PATH: source.path });

    expect(result.stderr).toContain(`Copied audit_events: ${(await countsOf(source.db)).audit_events} rows\n`);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Table +SQLite +PostgreSQL$/);
    for (const [table, n] of Object.entries(await countsOf(source.db))) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${table} +${n} +${n}$`)));
    }
    const keyFile = join(source.path, '..', 'secret_key_base.key');
    expect(lines.slice(-4)).toEqual([
      expect.stringMatching(new RegExp(`^Copied [\\d,]+ rows of ${source.path} into ${url}\\.$`)),
      `Its sealed secrets were copied as they are: they open with the key in ${keyFile}.`,
      'Start Cascade on PostgreSQL with that key as SECRET_KEY_BASE, on every server:',
      `  export SECRET_KEY_BASE="$(cat ${keyFile})"`,
    ]);

    const again = await runCopy([`--to=${url}`], { DATABASE_PATH: source.path });
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^Copy refused: the PostgreSQL database is not empty \(rows in code_hosts, users, .*\): copy into a new, empty database\.$/,
      ),
    ]);
  });

  it('exits 1 and names the table when a count differs after the copy', async () => {
    const source = await sqliteInstance();
    const url = await emptyPostgres();
    const target = openTarget(url);
    await migrateDatabase(target);
    // A target that silently keeps no sessions: the copy commits, and only the count check can tell.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`create function keep_no_row() returns trigger language plpgsql as $$ begin return null; end $$;
                        create trigger sessions_kept_nowhere before insert on sessions for each row execute function keep_no_row();`);
    await client.end();

    const result = await runCopy([`--to=${url}`], { DATABASE_PATH: source.path });

    expect(result.code).toBe(1);
    const sessions = (await countsOf(source.db)).sessions;
    expect(result.stdout).toMatch(new RegExp(`^sessions +${sessions} +0  differs$`, 'm'));
    expect(result.stderr.trim().split('\n').at(-1)).toBe('Count check failed: sessions differ.');
  });

  it('refuses with one line that does not show the password when the database cannot be reached', async () => {
    const source = await sqliteInstance();
    const port = await freePort();
    const result = await runCopy(['--to', `postgres://cascade:hunter2-secret@127.0.0.1:${port}/cascade`], {
      DATABASE_PATH: source.path,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `Copy refused: cannot reach postgres://cascade:***@127.0.0.1:${port}/cascade (connect ECONNREFUSED 127.0.0.1:${port}).`,
    ]);
    expect(result.stderr).not.toContain('hunter2');
  });
});
