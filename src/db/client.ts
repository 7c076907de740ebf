/**
 * @module db/client
 * Opens the SQLite database with the pragmas Cascade relies on and applies migrations safely.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** The database file cannot be created or written; the message says why, after the path. */
export class DatabaseFileError extends Error {}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'part of the path is a file',
  EEXIST: 'a file of that name is in the way',
  ENOENT: 'the file system has no such folder',
};

const reasonOf = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return REASONS[code] ?? (code || String(error));
};

/**
 * `mkdirSync(folder, { recursive: true })`, one level at a time: Node 20's recursive form never
 * returns where mkdir answers ENOENT for a reason other than a missing parent (under /proc).
 */
function createFolder(folder: string): void {
  const found = statSync(folder, { throwIfNoEntry: false });
  if (found?.isDirectory()) return;
  if (!found) createFolder(dirname(folder));
  // Throws EEXIST where a file is in the way.
  mkdirSync(folder);
}

/**
 * Creates the folder of `path` and checks that SQLite can write the file and, beside it, its
 * journal: otherwise a read-only database would open and fail only at the first write.
 */
function ensureWritable(path: string): void {
  const folder = dirname(resolve(path));
  try {
    createFolder(folder);
  } catch (error) {
    throw new DatabaseFileError(`cannot be created: its folder ${folder} cannot be created (${reasonOf(error)})`);
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new DatabaseFileError(`cannot be written: its folder ${folder} is not writable (${reasonOf(error)})`);
  }
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new DatabaseFileError('cannot be used: it is a folder, not a file');
  if (!existing) return;
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw new DatabaseFileError(`cannot be written: the file is not writable (${reasonOf(error)})`);
  }
}

/**
 * Opens (and creates, with its folder) the database at `path`; `':memory:'` gives a private one.
 * Throws a {@link DatabaseFileError} when the file cannot be written or is not a database.
 * `onStatement` hears the text of every statement run (the tests count queries with it).
 *
 * @example
 * const db = openDatabase(':memory:')
 * migrateDatabase(db)
 */
export function openDatabase(path: string, { onStatement }: { onStatement?: (sql: string) => void } = {}): Db {
  if (path !== ':memory:') ensureWritable(path);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(path, onStatement ? { verbose: (sql) => onStatement(String(sql)) } : {});
    sqlite.pragma('journal_mode = WAL');
  } catch (error) {
    throw new DatabaseFileError(`cannot be opened: ${error instanceof Error ? error.message : String(error)}`);
  }
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Reads of a large instance (a million projects) go through memory-mapped pages and a
  // bigger page cache instead of a read() per page.
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('mmap_size = 1073741824');
  sqlite.pragma('temp_store = MEMORY');
  return drizzle(sqlite, { schema });
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
