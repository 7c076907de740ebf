/**
 * Test support: each test's own fresh, migrated database, of the dialect its vitest project
 * runs (vitest.config.ts: `sqlite` or `postgres`). SQLite: a private temporary file, copied from
 * a file the test file migrated once (a copy costs ~8 ms, migrating ~35).
 * PostgreSQL: a database copied from the run's migrated template
 * (test/support/postgres-cluster.ts), emptied when the test ends and handed to the worker's
 * next test: copying a database costs PostgreSQL far more than emptying one.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  /** What the new database holds: what another test's held ({@link keepContents}); nothing by default. */
  from?: DatabaseContents;
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
async function emptiedDatabase(): Promise<{ name: string; janitor: pg.Client }> {
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
  return taken;
}

/** What {@link empty} empties: the tables whose rows a test writes (all but the change counter) and their id sequences. */
interface RowTables {
  tables: string[];
  sequences: string[];
}

/** The row tables of each database, by connection: the same for every database copied from the template. */
const rowTablesOf = new WeakMap<pg.Client, Promise<RowTables>>();

async function readRowTables(client: pg.Client): Promise<RowTables> {
  const { rows: tables } = await client.query<{ name: string }>(
    `select quote_ident(tablename) as name from pg_tables
      where schemaname = current_schema() and tablename <> 'cascade_changes' order by tablename`,
  );
  const { rows: sequences } = await client.query<{ name: string }>(
    `select quote_ident(s.relname) as name from pg_class s
       join pg_depend d on d.objid = s.oid and d.deptype in ('a', 'i')
       join pg_class t on t.oid = d.refobjid
       join pg_namespace n on n.oid = s.relnamespace
      where s.relkind = 'S' and n.nspname = current_schema() and t.relname <> 'cascade_changes'`,
  );
  return { tables: tables.map(({ name }) => name), sequences: sequences.map(({ name }) => name) };
}

/** The tables whose rows a test writes: all but the change counter. */
async function rowTables(client: pg.Client): Promise<RowTables> {
  let tables = rowTablesOf.get(client);
  if (!tables) {
    tables = readRowTables(client);
    rowTablesOf.set(client, tables);
  }
  return tables;
}

/**
 * Removes every row but the change counter's, and starts the ids again from 1: the database is
 * as the template made it. Rows are deleted, not truncated: TRUNCATE gives each table and index
 * new files, which cost PostgreSQL ~110 ms a test here; deleting a test's few rows ~30 ms. With
 * `session_replication_role = replica` no trigger fires (the audit trail's refusal to be deleted
 * from, the foreign keys' checks). Within a transaction of the caller's when `inTransaction`.
 */
async function empty(client: pg.Client, inTransaction = false): Promise<void> {
  const { tables, sequences } = await rowTables(client);
  const deletes = `set local session_replication_role = 'replica';
    ${tables.map((table) => `delete from ${table};`).join(' ')}
    ${sequences.map((sequence) => `alter sequence ${sequence} restart;`).join(' ')}`;
  await client.query(inTransaction ? deletes : `begin; ${deletes} commit`);
}

/** Every row of a PostgreSQL test database, to put back with {@link restoreRows}. */
export type SavedRows = Record<string, unknown[]>;

/** The rows of every table of the test server's database `name` as they are now. */
export async function saveRows(name: string): Promise<SavedRows> {
  const client = new pg.Client({ connectionString: postgresUrl(name) });
  await client.connect();
  try {
    const saved: SavedRows = {};
    for (const table of (await rowTables(client)).tables)
      saved[table] = (await client.query(`select * from ${table}`)).rows;
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
    await empty(client, true);
    await fillRows(client, saved, true);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * Inserts the saved rows into an empty database and moves each id sequence past them; within a
 * transaction of the caller's when `inTransaction`.
 */
async function fillRows(client: pg.Client, saved: SavedRows, inTransaction = false): Promise<void> {
  if (!inTransaction) await client.query('begin');
  // Foreign keys are checked at the end of the transaction, so tables may be filled in any order.
  await client.query("set local session_replication_role = 'replica'");
  for (const [table, tableRows] of Object.entries(saved)) {
    if (tableRows.length === 0) continue;
    await client.query(
      `with inserted as (insert into ${table} select * from json_populate_recordset(null::${table}, $1::json) returning id)
       select setval(pg_get_serial_sequence($2, 'id'), max(id)) from inserted
       having max(id) is not null and pg_get_serial_sequence($2, 'id') is not null`,
      [JSON.stringify(tableRows), table],
    );
  }
  if (!inTransaction) await client.query('commit');
}

/** What a test database held at one moment, to start other tests' databases from ({@link TestDatabaseOptions.from}). */
export interface DatabaseContents {
  /** SQLite: a copy of the file. */
  file?: string;
  /** PostgreSQL: the rows of every table. */
  rows?: SavedRows;
}

/** What the test database `db` holds now. */
export async function keepContents(db: Db): Promise<DatabaseContents> {
  if (db.engine === 'postgres') return { rows: await saveRows(postgresNames.get(db)!) };
  const file = join(tmpdir(), `cascade-contents-${randomUUID()}.db`);
  sqliteHandle(db).prepare('vacuum into ?').run(file);
  return { file };
}

let sqliteTemplate: Promise<string> | undefined;

/** This test file's migrated SQLite file, made on first use, in the run's temporary folder (test/support/temporary-folder.ts). */
async function migratedSqliteTemplate(): Promise<string> {
  const path = join(tmpdir(), `cascade-template-${process.pid}-${randomUUID()}.db`);
  const db = openSqlite(path);
  try {
    await migrateDatabase(db);
    // Everything in the file itself, so that a copy of it alone is the whole database.
    sqliteHandle(db).pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    await db.close();
  }
  return path;
}

/** A new copy of `source` (the migrated template by default), removed when the test ends; answers its path. */
async function sqliteCopy(source?: string): Promise<string> {
  sqliteTemplate ??= migratedSqliteTemplate();
  const path = join(tmpdir(), `cascade-test-${randomUUID()}.db`);
  copyFileSync(source ?? (await sqliteTemplate), path);
  // Registered first, so it runs last (after the database is closed).
  whenDone(async () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  });
  return path;
}

/** The PostgreSQL database of each test database, for {@link openAsAnotherServer}. */
const postgresNames = new WeakMap<Db, string>();

/**
 * @example
 * const db = await openTestDatabase()
 * await db.transaction(async (tx) => tx.insert(users).values(alice))
 */
export async function openTestDatabase({ migrated = true, from, ...hooks }: TestDatabaseOptions = {}): Promise<Db> {
  const options: StatementHooks = hooks;
  let db: Db;
  if (TEST_DIALECT === 'sqlite') {
    db = migrated ? openSqlite(await sqliteCopy(from?.file), options) : openSqlite(':memory:', options);
  } else {
    let name: string;
    if (migrated) {
      const emptiedOne = await emptiedDatabase();
      if (from?.rows) await fillRows(emptiedOne.janitor, from.rows);
      name = emptiedOne.name;
    } else name = await createPostgresDatabase(false);
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
