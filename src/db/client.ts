/**
 * @module db/client
 * Opens the SQLite database with the pragmas Cascade relies on and applies migrations safely.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/**
 * Opens (and creates, with its folder) the database at `path`; `':memory:'` gives a private one.
 * `onStatement` hears the text of every statement run (the tests count queries with it).
 *
 * @example
 * const db = openDatabase(':memory:')
 * migrateDatabase(db)
 */
export function openDatabase(path: string, { onStatement }: { onStatement?: (sql: string) => void } = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path, onStatement ? { verbose: (sql) => onStatement(String(sql)) } : {});
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Reads of a large instance (a million projects) go through memory-mapped pages and a
  // bigger page cache instead of a read() per page.
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('mmap_size = 1073741824');
  sqlite.pragma('temp_store = MEMORY');
  return drizzle(sqlite, { schema }) as Db;
}

export class MigrationError extends Error {}

/**
 * Applies the pending migrations in drizzle/. Drizzle runs each one in a transaction, where
 * `PRAGMA foreign_keys = OFF` has no effect, so a table rebuild would cascade-delete child rows:
 * foreign keys are switched off around the whole run and checked before they are switched on.
 */
export function migrateDatabase(db: Db, migrationsFolder = MIGRATIONS_FOLDER): void {
  const sqlite = db.$client;
  sqlite.pragma('foreign_keys = OFF');
  try {
    migrate(db, { migrationsFolder });
    const violations = sqlite.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) {
      throw new MigrationError(`Migration left ${violations.length} rows that break a foreign key.`);
    }
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
}

/**
 * Builds something once per database and hands the same one back after: used for the prepared
 * statements of the hot paths, which drizzle would otherwise rebuild on every request.
 *
 * @example
 * const statements = perDatabase((db) => ({ byId: db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare() }))
 * statements(db).byId.get({ id: 1 })
 */
export function perDatabase<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let value = built.get(db);
    if (value === undefined) {
      value = build(db);
      built.set(db, value);
    }
    return value;
  };
}
