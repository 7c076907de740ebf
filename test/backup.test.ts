/**
 * `npm run backup`: a copy of a live database taken while it is written is whole and
 * consistent, opens its secrets with the key copied beside it, and the command refuses in one
 * line what it should not do.
 */
import { runCommand } from './support/processes.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { and, count, eq, isNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { INSTANCE_LEVEL, recordAuditEvent } from '../src/audit/trail.js';
import { loadConfig } from '../src/config.js';
import { backupSqlite } from '../src/db/backup.js';
import { migrateDatabase, openSqlite, type Db } from '../src/db/client.js';
import { auditEvents, integrationSettings, type User } from '../src/db/schema.js';
import { loadSecretKeyBase } from '../src/secrets.js';
import { INSTANCE_OWNER } from '../src/settings/owners.js';
import { SettingsStore } from '../src/settings/store.js';
import { createTestApp, insertUser, sessionCookie, type TestApp } from './support/app.js';
import { saveInstanceSlack } from './support/integrations.js';

const webhookOf = (save: number) => `https://hooks.slack.com/services/T000/B000/secret-${save}`;

interface Instance extends TestApp {
  path: string;
  secretKeyBase: string;
  admin: User;
  cookie: string;
  saves: number;
}

/** A database in a file of its own, with its key file beside it, and the instance's Slack default saved once. */
async function instance(): Promise<Instance> {
  const path = join(mkdtempSync(join(tmpdir(), 'cascade-backup-')), 'data', 'cascade.db');
  const db = openSqlite(path);
  await migrateDatabase(db);
  const secretKeyBase = loadSecretKeyBase(loadConfig({ DATABASE_PATH: path }));
  const test = await createTestApp({ db, secretKeyBase });
  const admin = await insertUser(db, 'root', { isAdmin: true });
  const cookie = await sessionCookie(db, admin);
  const result = { ...test, path, secretKeyBase, admin, cookie, saves: 0 };
  await save(result);
  return result;
}

async function slackVersion(db: Db): Promise<number> {
  const [row] = await db
    .select({ version: integrationSettings.version })
    .from(integrationSettings)
    .where(
      and(
        eq(integrationSettings.type, 'slack'),
        isNull(integrationSettings.groupId),
        isNull(integrationSettings.projectId),
      ),
    );
  return row?.version ?? 0;
}

/** Saves the instance's Slack default with a new webhook (a secret) through the page. */
async function save(t: Instance): Promise<void> {
  t.saves += 1;
  const response = await saveInstanceSlack(t.app, t.cookie, {
    _version: String(await slackVersion(t.db)),
    webhook: webhookOf(t.saves),
    username: `cascade-${t.saves}`,
  });
  expect(response.status).toBe(303);
}

async function recordEvents(t: Instance, events: number): Promise<void> {
  await t.db.transaction(async (tx) => {
    for (let i = 0; i < events; i++) {
      await recordAuditEvent(tx, {
        actor: t.admin,
        action: 'settings.reset',
        owner: INSTANCE_LEVEL,
        integration: 'jira',
      });
    }
  });
}

/** The instance's Slack default in the database at `path`, its secret opened with `secretKeyBase`. */
async function slackDefault(path: string, secretKeyBase: string) {
  const db = openSqlite(path);
  try {
    const [row] = (await new SettingsStore(db, secretKeyBase).loadChains([INSTANCE_OWNER], 'slack')).get('slack')!;
    const [events] = await db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.integration, 'slack'));
    return { username: row!.fields.username, webhook: row!.fields.webhook, version: row!.version, events: events!.n };
  } finally {
    await db.close();
  }
}

function countRows(path: string): Record<string, number> {
  const database = new Database(path, { readonly: true });
  try {
    const tables = database
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables.map((table) => [table, database.prepare(`select count(*) from "${table}"`).pluck().get() as number]),
    );
  } finally {
    database.close();
  }
}

function integrityOf(path: string): string {
  const database = new Database(path, { readonly: true });
  try {
    return database.pragma('integrity_check', { simple: true }) as string;
  } finally {
    database.close();
  }
}

/**
 * What the server writes while the copy runs, done between the copy's steps on a connection of
 * its own (as the server's is), so that writes land mid-copy however fast the machine: the
 * instance's Slack default takes the next of the page-saved values (a secret and the username
 * saved with it) with its audit event, in one transaction.
 */
function writerBetweenSteps(t: Instance, saved: { fields: string; secrets: string }[], everySteps: number) {
  const connection = new Database(t.path);
  const write = connection.transaction((next: { fields: string; secrets: string }) => {
    connection
      .prepare(
        'update integration_settings set fields = ?, secrets = ?, version = version + 1 ' +
          "where type = 'slack' and group_id is null and project_id is null",
      )
      .run(next.fields, next.secrets);
    connection
      .prepare(
        'insert into audit_events (created_at, actor_id, actor_name, action, level, owner_name, integration) ' +
          "values (?, ?, 'root', 'settings.saved', 'instance', 'Instance', 'slack')",
      )
      .run(Date.now(), t.admin.id);
  });
  let steps = 0;
  let writes = 0;
  return {
    onProgress: (fraction: number) => {
      steps += 1;
      if (fraction < 1 && steps % everySteps === 0) write(saved[writes++ % saved.length]!);
    },
    writes: () => writes,
    close: () => connection.close(),
  };
}

describe('backupSqlite', () => {
  it('copies a database that is written while it is copied, whole and as it was at one moment', async () => {
    const t = await instance();
    await recordEvents(t, 50_000);
    // Values saved through the page, sealed as the server seals them, for the writer to put back.
    const saved: { fields: string; secrets: string }[] = [];
    const raw = new Database(t.path, { readonly: true });
    for (let i = 0; i < 3; i++) {
      await save(t);
      saved.push(
        raw
          .prepare(
            "select fields, secrets from integration_settings where type = 'slack' and group_id is null and project_id is null",
          )
          .get() as { fields: string; secrets: string },
      );
    }
    raw.close();
    const target = join(mkdtempSync(join(tmpdir(), 'cascade-backup-to-')), 'copy.db');

    const writer = writerBetweenSteps(t, saved, 50);
    // One page a step, so that the writer writes many times before the copy ends.
    const result = await backupSqlite(t.path, target, { pagesPerStep: 1, onProgress: writer.onProgress });
    writer.close();

    expect(writer.writes()).toBeGreaterThan(10);
    expect(integrityOf(target)).toBe('ok');
    expect(countRows(target)).toEqual(result.rows);
    expect(result.rows.audit_events).toBeLessThan(countRows(t.path).audit_events!);
    expect(result.bytes).toBe(statSync(target).size);

    // Each write changed its row and added its audit event in one transaction: the copy has both or neither.
    const source = await slackDefault(t.path, t.secretKeyBase);
    const copy = await slackDefault(target, t.secretKeyBase);
    expect(copy.events - copy.version).toBe(source.events - source.version);
    expect(copy.version).toBeLessThan(source.version);
    // The copy is of the moment before the first write: the last value saved through the page.
    expect(copy.username).toBe(`cascade-${t.saves}`);
    expect(copy.webhook).toBe(webhookOf(t.saves));
    await t.db.close();
  });
});

/** Runs `npm run backup -- ...args` from the sources, with `env` on top of this process's. */
const runBackup = (args: string[], env: Record<string, string>) => runCommand('src/backup.ts', args, env);

describe('npm run backup -- FILE', () => {
  it('copies the database and beside it the key file, whose key opens the copy’s secrets', async () => {
    const t = await instance();
    const target = join(mkdtempSync(join(tmpdir(), 'cascade-backup-to-')), 'cascade-backup.db');
    const result = await runBackup([target], { DATABASE_PATH: t.path });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('100%');
    expect(result.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Backed up ${t.path} to ${target} \\(\\d+\\.\\d MB, [\\d,]+ rows in \\d+ tables\\) and its key to ${target}\\.key\\.$`,
        ),
      ),
    ]);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(statSync(`${target}.key`).mode & 0o777).toBe(0o600);
    const key = readFileSync(`${target}.key`, 'utf8').trim();
    expect(await slackDefault(target, key)).toMatchObject({ webhook: webhookOf(1), username: 'cascade-1' });
    await t.db.close();
  });

  it('refuses to replace a file unless --force is given, and replaces it with --force', async () => {
    const t = await instance();
    const target = join(mkdtempSync(join(tmpdir(), 'cascade-backup-to-')), 'cascade-backup.db');
    writeFileSync(target, 'an older backup');

    const refused = await runBackup([target], { DATABASE_PATH: t.path });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(`Backup failed: ${target} already exists (add --force to replace it).`);
    expect(readFileSync(target, 'utf8')).toBe('an older backup');

    const forced = await runBackup([target, '--force'], { DATABASE_PATH: t.path });
    expect(forced.code).toBe(0);
    expect(integrityOf(target)).toBe('ok');
    await t.db.close();
  });

  it('names the folder when it does not exist', async () => {
    const t = await instance();
    const folder = join(mkdtempSync(join(tmpdir(), 'cascade-backup-to-')), 'missing');
    const result = await runBackup([join(folder, 'copy.db')], { DATABASE_PATH: t.path });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`Backup failed: the folder ${folder} does not exist.`);
    await t.db.close();
  });

  it('says to keep SECRET_KEY_BASE when it is set, and copies no key file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-backup-'));
    const path = join(folder, 'cascade.db');
    const db = openSqlite(path);
    await migrateDatabase(db);
    await db.close();
    const target = join(folder, 'copy.db');
    const result = await runBackup([target], { DATABASE_PATH: path, SECRET_KEY_BASE: 'k'.repeat(40) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Keep SECRET_KEY_BASE with it: its sealed secrets cannot be opened without it.');
    expect(existsSync(`${target}.key`)).toBe(false);
  });

  it('sends a PostgreSQL database to pg_dump', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-backup-'));
    mkdirSync(join(folder, 'out'));
    const result = await runBackup([join(folder, 'out', 'copy.db')], {
      DATABASE_URL: 'postgres://cascade@localhost/cascade',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Backup failed: DATABASE_URL is a PostgreSQL database: back it up with pg_dump -Fc (see "Backups" in the README).',
    );
  });
});
