/**
 * @module db/client
 * Opens the database the configuration names (PostgreSQL for DATABASE_URL, otherwise the SQLite
 * file at DATABASE_PATH) and does what differs between the two behind one call each.
 */
import { driverOf, type Db, type ExclusiveLock } from './database.js';
import { openPostgres, type PostgresOptions } from './postgres.js';
import { openSqlite } from './sqlite.js';

export {
  execute,
  firstRow,
  inJsonArray,
  insertRecords,
  jsonRecords,
  namedRows,
  perDatabase,
  prepareNamed,
  rows,
  type Db,
  type Dialect,
  type ExclusiveLock,
  type Queryable,
  type RecordColumns,
  type Row,
  type StatementHooks,
  type Tx,
} from './database.js';
export { DatabaseFileError, openSqlite, sqliteHandle } from './sqlite.js';
export { openPostgres, withoutPassword } from './postgres.js';
export { MigrationError } from './migrations.js';

/** Where the database is: a `postgres://` URL, or the path of a SQLite file (`':memory:'`: a private temporary one). */
export interface DatabaseLocation {
  url?: string | undefined;
  path: string;
}

/**
 * @example
 * const db = openDatabase({ url: process.env.DATABASE_URL, path: './data/cascade.db' })
 */
export function openDatabase(location: DatabaseLocation, options: PostgresOptions = {}): Db {
  if (location.url) return openPostgres(location.url, options);
  return openSqlite(location.path, options);
}

/**
 * Applies the pending migrations (of `folder`, by default the dialect's own under drizzle/)
 * and answers their names, in order.
 */
export function migrateDatabase(db: Db, folder?: string): Promise<string[]> {
  return driverOf(db).migrate(folder);
}

/**
 * The connection that writes outside the requests' transactions, for what runs before or
 * beside them: fixtures that tests and benchmarks write in bulk. Requests write in `db.transaction`.
 */
export function writeConnection(db: Db) {
  return driverOf(db).writer;
}

/** Changes whenever anything is written to the database, by this process or another. */
export function databaseStamp(db: Db): Promise<string> {
  return driverOf(db).stamp();
}

/**
 * Runs `work` while this server holds `lock`, and answers its result; answers undefined without
 * running it when another server (or another handle of this process) holds the lock now. The
 * lock is let go when `work` settles, or when the server's connection to the database ends.
 *
 * @example
 * const applied = await withExclusive(db, { name: 'code-host-events', id: connection.id }, () => applyEvents(connection))
 * if (applied === undefined) return // another server applies them
 */
export function withExclusive<T>(db: Db, lock: ExclusiveLock, work: () => Promise<T>): Promise<T | undefined> {
  return driverOf(db).exclusive(lock, work);
}
