/**
 * Test support: each test's own fresh, migrated database, of the dialect its vitest project
 * runs (vitest.config.ts: `sqlite` or `postgres`). SQLite: a private temporary file.
 * PostgreSQL: a new database copied from the run's migrated template
 * (test/support/postgres-cluster.ts), dropped when the test ends.
 */
import pg from 'pg';
import { afterAll, inject, onTestFinished } from 'vitest';
import {
  migrateDatabase,
  openPostgres,
  openSqlite,
  type Db,
  type Dialect,
  type StatementHooks,
} from '../../src/db/client.js';

/** The dialect of this test run. */
export const TEST_DIALECT: Dialect = process.env.CASCADE_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDatabaseOptions extends StatementHooks {
  /** Left unmigrated (tests of the migrations). */
  migrated?: boolean;
}

let admin: pg.Client | undefined;
let created = 0;

async function adminClient(): Promise<pg.Client> {
  if (!admin) {
    admin = new pg.Client({ connectionString: inject('postgresAdminUrl') });
    await admin.connect();
  }
  return admin;
}

/**
 * Runs `cleanUp` when the current test ends; for what a `beforeAll` opened, when the file's
 * tests end.
 */
function whenDone(cleanUp: () => Promise<void>): void {
  try {
    onTestFinished(cleanUp);
  } catch {
    afterAll(cleanUp);
  }
}

/** A URL of the test server for the database `name`. */
export function postgresUrl(name: string): string {
  const url = new URL(inject('postgresAdminUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A new PostgreSQL database on the test server, migrated (copied from the template) unless
 * `migrated` is false, and dropped when the test ends; answers its name.
 */
export async function createPostgresDatabase(migrated = true): Promise<string> {
  const client = await adminClient();
  const name = `cascade_test_${process.pid}_${++created}`;
  await client.query(`create database ${name}${migrated ? ` template ${inject('postgresTemplate')}` : ''}`);
  // Registered first, so it runs last (after the connections are closed).
  whenDone(() => dropPostgresDatabase(name));
  return name;
}

/**
 * A copy of the test server's database `from`, made while nothing is connected to it (PostgreSQL
 * copies a database only then), dropped when the test ends; answers its name.
 */
export async function copyPostgresDatabase(from: string): Promise<string> {
  const client = await adminClient();
  const name = `cascade_test_${process.pid}_${++created}`;
  await client.query(`create database ${name} template ${from}`);
  whenDone(() => dropPostgresDatabase(name));
  return name;
}

/** Drops a database of the test server now (one that was made for the test and is no longer used). */
export async function dropPostgresDatabase(name: string): Promise<void> {
  await (await adminClient()).query(`drop database if exists ${name} with (force)`);
}

/**
 * @example
 * const db = await openTestDatabase()
 * await db.transaction(async (tx) => tx.insert(users).values(alice))
 */
export async function openTestDatabase({ migrated = true, ...hooks }: TestDatabaseOptions = {}): Promise<Db> {
  const options: StatementHooks = hooks;
  let db: Db;
  if (TEST_DIALECT === 'sqlite') {
    db = openSqlite(':memory:', options);
    if (migrated) await migrateDatabase(db);
  } else {
    db = openPostgres(postgresUrl(await createPostgresDatabase(migrated)), { ...options, poolSize: 4 });
  }
  whenDone(() => db.close().catch(() => undefined));
  return db;
}
