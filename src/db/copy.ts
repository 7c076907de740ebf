/**
 * @module db/copy
 * Moving an instance from SQLite to PostgreSQL: every row of a SQLite database copied into an
 * empty PostgreSQL database in one consistent pass. The source is read in one read transaction
 * on a connection of its own, so writes made meanwhile are neither half in the copy nor able to
 * break it; the target is written in one transaction, so a copy that fails leaves it empty.
 * Rows are copied as they are stored (ids, times in milliseconds, sealed secrets), so the copy
 * needs the same SECRET_KEY_BASE to open its secrets.
 */
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { execute, firstRow, migrateDatabase, rows, sqliteHandle, type Db, type Row, type Tx } from './client.js';
import { pendingMigrations } from './migrations.js';
import * as pgSchema from './schema.pg.js';
import { SQLITE_MIGRATIONS } from './sqlite.js';

/**
 * Every table the copy fills, each after the tables its rows point at. The throttles' recent
 * attempts are copied too, so that a lockout in progress survives the move. The change counter
 * (cascade_changes) is left out: its one row comes with the migrations. So is settings_counts:
 * its triggers count the settings rows again as they are copied.
 */
export const COPIED_TABLES: readonly PgTable[] = [
  pgSchema.codeHosts,
  pgSchema.users,
  pgSchema.groups,
  pgSchema.projects,
  pgSchema.members,
  pgSchema.sessions,
  pgSchema.passwordResetTokens,
  pgSchema.personalAccessTokens,
  pgSchema.integrationSettings,
  pgSchema.auditEvents,
  pgSchema.applicationSettings,
  pgSchema.throttleAttempts,
  pgSchema.hostSyncRuns,
  pgSchema.hostEvents,
  // Deliveries still to be sent go out from the new database; their requests stay sealed.
  pgSchema.deliveries,
  pgSchema.deliveryAttempts,
  // A paused or disabled target stays so on the new database.
  pgSchema.integrationHealth,
  pgSchema.protectedBranches,
  pgSchema.pipelineStatuses,
];

/** Their names and columns, as PostgreSQL declares them. */
const copied = COPIED_TABLES.map(getTableConfig);

/** Groups point at their parent: read from the top level down ("/1/5/" is one level above "/1/5/9/"). */
const READ_ORDER: Record<string, string> = {
  groups: "length(traversal_ids) - length(replace(traversal_ids, '/', '')), id",
  // One row per project, keyed by it.
  protected_branches: 'project_id',
};

/** Rows per insert. */
const BATCH_SIZE = 1000;

/** A reason not to copy, found before anything is written. */
export class CopyRefused extends Error {}

export interface CopyOptions {
  batchSize?: number;
  /** Hears, table by table, how many of its rows are copied so far (0 before the first). */
  onProgress?: (table: string, copied: number, total: number) => void;
}

/** A table's rows in the source (in the transaction it was read in) and in the target after the copy. */
export interface TableCount {
  table: string;
  source: number;
  target: number;
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Copies the SQLite database `source` into the PostgreSQL database `target`, which is migrated
 * first and must hold no rows; answers the count of each table on both sides. Throws a
 * {@link CopyRefused} when the source is not up to date or the target not empty.
 *
 * @example
 * const counts = await copyDatabase(openSqlite('data/cascade.db'), openPostgres(url))
 * counts.every(({ source, target }) => source === target)
 */
export async function copyDatabase(
  source: Db,
  target: Db,
  { batchSize = BATCH_SIZE, onProgress }: CopyOptions = {},
): Promise<TableCount[]> {
  if (target.engine !== 'postgres') throw new Error('The copy goes into a PostgreSQL database');
  const reader = new Database(sqliteHandle(source).name, { readonly: true, fileMustExist: true });
  try {
    // Deferred: the first read below fixes the moment every later read sees.
    reader.exec('begin');
    refuseUnlessUpToDate(reader);
    const sourceCounts = new Map(copied.map(({ name }) => [name, countOf(reader, name)] as const));
    await migrateDatabase(target);
    await target.transaction(async (tx) => {
      await refuseUnlessEmpty(tx);
      for (const { name } of copied) {
        await copyTable(reader, tx, name, { batchSize, total: sourceCounts.get(name)!, onProgress });
      }
      await moveIdentitiesPastCopiedIds(tx);
      await recountGroupProjects(tx);
    });
    reader.exec('commit');
    const counts: TableCount[] = [];
    for (const { name } of copied) {
      const row = await firstRow<{ n: number }>(target, sql`select count(*) as n from ${sql.identifier(name)}`);
      counts.push({ table: name, source: sourceCounts.get(name)!, target: row!.n });
    }
    return counts;
  } finally {
    reader.close();
  }
}

/** The columns of a copied table would not match a source that misses migrations. */
function refuseUnlessUpToDate(reader: Database.Database): void {
  const migrated = reader.prepare("select 1 from sqlite_master where name = '__drizzle_migrations'").pluck().get();
  const last = migrated
    ? (reader.prepare('select max(created_at) from __drizzle_migrations').pluck().get() as number | null)
    : null;
  const pending = pendingMigrations(SQLITE_MIGRATIONS, last);
  if (pending.length > 0) {
    throw new CopyRefused(
      `the SQLite database misses migrations (${pending.join(', ')}): start this version of Cascade on it once, then copy`,
    );
  }
}

function countOf(reader: Database.Database, table: string): number {
  return reader
    .prepare(`select count(*) from ${quoted(table)}`)
    .pluck()
    .get() as number;
}

async function refuseUnlessEmpty(tx: Tx): Promise<void> {
  const holding: string[] = [];
  for (const { name } of copied) {
    const found = await firstRow(tx, sql`select 1 from ${sql.identifier(name)} limit 1`);
    if (found) holding.push(name);
  }
  if (holding.length > 0) {
    throw new CopyRefused(
      `the PostgreSQL database is not empty (rows in ${holding.join(', ')}): copy into a new, empty database`,
    );
  }
}

interface TableCopy {
  batchSize: number;
  total: number;
  onProgress: CopyOptions['onProgress'];
}

async function copyTable(
  reader: Database.Database,
  tx: Tx,
  name: string,
  { batchSize, total, onProgress }: TableCopy,
): Promise<void> {
  const statement = reader.prepare(`select * from ${quoted(name)} order by ${READ_ORDER[name] ?? 'id'}`);
  let batch: Row[] = [];
  let done = 0;
  onProgress?.(name, 0, total);
  const flush = async () => {
    await insertRows(tx, name, batch);
    done += batch.length;
    batch = [];
    onProgress?.(name, done, total);
  };
  for (const row of statement.iterate() as Iterable<Row>) {
    batch.push(row);
    if (batch.length === batchSize) await flush();
  }
  if (batch.length > 0) await flush();
}

/**
 * One insert per batch, its rows sent as one JSON parameter that PostgreSQL reads into the
 * table's own row type: each value is converted to its column's type by name (SQLite's 0 and 1
 * to booleans among them), whatever the number of rows or columns.
 */
async function insertRows(tx: Tx, table: string, batch: Row[]): Promise<void> {
  const columns = sql.join(
    Object.keys(batch[0]!).map((column) => sql.identifier(column)),
    sql`, `,
  );
  await execute(
    tx,
    sql`insert into ${sql.identifier(table)} (${columns})
        select ${columns} from json_populate_recordset(null::${sql.identifier(table)}, ${JSON.stringify(batch)}::json)`,
  );
}

/**
 * Each group's project count came with the groups, and the projects' triggers then counted each
 * copied project again: count them once more from the projects themselves.
 */
async function recountGroupProjects(tx: Tx): Promise<void> {
  await execute(tx, sql`update groups set project_count = (select count(*) from projects where group_id = groups.id)`);
}

/** Ids were copied as they were: the next id each table hands out must come after them. */
async function moveIdentitiesPastCopiedIds(tx: Tx): Promise<void> {
  for (const { name, columns } of copied) {
    if (!columns.some((column) => column.name === 'id' && column.generatedIdentity)) continue;
    await rows(
      tx,
      sql`select setval(pg_get_serial_sequence(${name}, 'id'), max(id)) from ${sql.identifier(name)} having max(id) is not null`,
    );
  }
}
