/**
 * Test support: each test's own fresh, migrated database, of the dialect its vitest project
 * runs (vitest.config.ts: `sqlite` or `postgres`). SQLite: a private temporary file.
 * PostgreSQL: a database copied from the run's migrated template
 * (test/support/postgres-cluster.ts), emptied when the test ends and handed to the worker's
 * next test: copying a database costs PostgreSQL far more than emptying one.
 */
import pg from 'pg';
import { afterAll, inject, onTestFinished } from 'vitest';
import {
  migrateDatabase,
  openPostgres,
  openSqlite,
  type Db,
  type Dialect,
  sqliteHandle,
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
/** This worker's databases that no test uses now, emptied, each with the connection that empties it. */
const emptied: { name: string; janitor: pg.Client }[] = [];

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

/** Drops a database of the test server now (one that was made for the test and is no longer used). */
async function dropPostgresDatabase(name: string): Promise<void> {
  await (await adminClient()).query(`drop database if exists ${name} with (force)`);
}

/**
 * A migrated database of the test server whose tables are empty, kept until the test ends, then
 * emptied for the next one. A test that adds something besides rows (a trigger) removes it.
 */
async function emptiedDatabase(): Promise<string> {
  let entry = emptied.pop();
  if (!entry) {
    const client = await adminClient();
    const name = `cascade_test_${process.pid}_${++created}`;
    await client.query(`create database ${name} template ${inject('postgresTemplate')}`);
    const janitor = new pg.Client({ connectionString: postgresUrl(name) });
    await janitor.connect();
    entry = { name, janitor };
  }
  const taken = entry;
  whenDone(async () => {
    await empty(taken.janitor);
    emptied.push(taken);
  });
  return taken.name;
}

/** The tables whose rows a test writes: all but the change counter. */
async function rowTables(client: pg.Client): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `select quote_ident(tablename) as name from pg_tables
      where schemaname = current_schema() and tablename <> 'cascade_changes' order by tablename`,
  );
  return tables.map((table) => table.name);
}

/**
 * Removes every row but the change counter's, and starts the ids again from 1: the database is
 * as the template made it. The audit trail refuses TRUNCATE; its guard is lifted for this only.
 * Within a transaction of the caller's when `inTransaction`.
 */
async function empty(client: pg.Client, inTransaction = false): Promise<void> {
  const truncate = `alter table audit_events disable trigger audit_events_no_truncate;
    truncate ${(await rowTables(client)).join(', ')} restart identity cascade;
    alter table audit_events enable trigger audit_events_no_truncate`;
  await client.query(inTransaction ? truncate : `begin; ${truncate}; commit`);
}

/** Every row of a PostgreSQL test database, to put back with {@link restoreRows}. */
export type SavedRows = Record<string, unknown[]>;

/** The rows of every table of the test server's database `name` as they are now. */
export async function saveRows(name: string): Promise<SavedRows> {
  const client = new pg.Client({ connectionString: postgresUrl(name) });
  await client.connect();
  try {
    const saved: SavedRows = {};
    for (const table of await rowTables(client)) saved[table] = (await client.query(`select * from ${table}`)).rows;
    return saved;
  } finally {
    await client.end();
  }
}

/**
 * Puts the database `name` back as {@link saveRows} found it, in one transaction: every table
 * emptied and refilled with its rows, and each id sequence moved past them. Much cheaper than
 * copying a database, which PostgreSQL does file by file.
 */
export async function restoreRows(name: string, saved: SavedRows): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl(name) });
  await client.connect();
  try {
    await client.query('begin');
    // Foreign keys are checked at the end of the transaction, so tables may be filled in any order.
    await client.query("set local session_replication_role = 'replica'");
    await empty(client, true);
    for (const [table, tableRows] of Object.entries(saved)) {
      if (tableRows.length === 0) continue;
      await client.query(`insert into ${table} select * from json_populate_recordset(null::${table}, $1::json)`, [
        JSON.stringify(tableRows),
      ]);
      await client.query(
        `select setval(pg_get_serial_sequence($1, 'id'), max(id)) from ${table}
          having max(id) is not null and pg_get_serial_sequence($1, 'id') is not null`,
        [table],
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    await client.end();
  }
}

/** The PostgreSQL database of each test database, for {@link openAsAnotherServer}. */
const postgresNames = new WeakMap<Db, string>();

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
    const name = migrated ? await emptiedDatabase() : await createPostgresDatabase(false);
    db = openPostgres(postgresUrl(name), { ...options, poolSize: 4 });
    postgresNames.set(db, name);
  }
  whenDone(() => db.close().catch(() => undefined));
  return db;
}

/**
 * The test database `db` opened again, as another server opens it: SQLite's file through
 * handles of its own, PostgreSQL's database through a pool of its own. Closed when the test ends.
 *
 * @example
 * const db = await openTestDatabase()
 * const other = openAsAnotherServer(db)
 */
export function openAsAnotherServer(db: Db): Db {
  const other =
    db.engine === 'sqlite'
      ? openSqlite(sqliteHandle(db).name)
      : openPostgres(postgresUrl(postgresNames.get(db)!), { poolSize: 4 });
  whenDone(() => other.close().catch(() => undefined));
  return other;
}
