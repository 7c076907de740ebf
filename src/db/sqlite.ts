/**
 * @module db/sqlite
 * The embedded database: a SQLite file, opened with the pragmas Cascade relies on, with a
 * connection that reads and one that writes, and its migrations applied safely.
 */
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { PACKAGE_ROOT } from '../paths.js';
import { driverOf, registerDriver, type Db, type ExclusiveLock, type StatementHooks, type Tx } from './database.js';
import { pendingMigrations, MigrationError } from './migrations.js';
import * as schema from './schema.js';

export const SQLITE_MIGRATIONS = join(PACKAGE_ROOT, 'drizzle', 'sqlite');

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

type Connection = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Gives each caller its turn: the next starts when the one before has settled. */
class Turns {
  private last: Promise<unknown> = Promise.resolve();

  take<T>(work: () => Promise<T>): Promise<T> {
    const result = this.last.then(work);
    this.last = result.catch(() => undefined);
    return result;
  }
}

function configure(sqlite: Database.Database): void {
  sqlite.pragma('busy_timeout = 5000');
  // Reads of a large instance (a million projects) go through memory-mapped pages and a
  // bigger page cache instead of a read() per page.
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('mmap_size = 1073741824');
  sqlite.pragma('temp_store = MEMORY');
}

/** The folders of temporary databases still open, removed when the process exits. */
const temporaryFolders = new Set<string>();
let removesTemporaryFolders = false;

function temporaryDatabasePath(): { path: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'cascade-db-'));
  temporaryFolders.add(folder);
  if (!removesTemporaryFolders) {
    removesTemporaryFolders = true;
    process.once('exit', () => temporaryFolders.forEach((left) => rmSync(left, { recursive: true, force: true })));
  }
  return {
    path: join(folder, 'cascade.db'),
    remove: () => {
      temporaryFolders.delete(folder);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/**
 * The exclusive locks held now, by file and lock: one process serves a SQLite file (servers that
 * share a database share a PostgreSQL one), so its handles on the file only need to know of each other.
 */
const heldLocks = new Set<string>();

async function holdExclusive<T>(file: string, lock: ExclusiveLock, work: () => Promise<T>): Promise<T | undefined> {
  const key = JSON.stringify([resolve(file), lock.name, lock.id]);
  if (heldLocks.has(key)) return undefined;
  heldLocks.add(key);
  try {
    return await work();
  } finally {
    heldLocks.delete(key);
  }
}

/** Statements kept prepared per connection: the queries Cascade runs are a few hundred texts. */
const PREPARED_STATEMENTS = 500;

/**
 * Keeps what `connection` prepares, by its text, instead of compiling it again for every query
 * (drizzle prepares each query it runs): compiling is a tenth of the delivery worker's time. A
 * statement comes back as a fresh one would (objects, not raw rows or plucked columns).
 */
function keepPrepared(connection: Database.Database): void {
  const prepare = connection.prepare.bind(connection);
  const kept = new Map<string, Database.Statement>();
  connection.prepare = ((source: string) => {
    let statement = kept.get(source);
    if (statement === undefined) {
      statement = prepare(source);
      if (kept.size >= PREPARED_STATEMENTS) kept.delete(kept.keys().next().value!);
      kept.set(source, statement);
    } else if (statement.reader) statement.raw(false).pluck(false).expand(false);
    return statement;
  }) as typeof connection.prepare;
}

const EXECUTING = new Set(['run', 'get', 'all', 'iterate']);

/** Reports how long each statement that `connection` prepares takes to run. */
function timeStatements(connection: Database.Database, onTimed: (seconds: number) => void): void {
  const prepare = connection.prepare.bind(connection);
  const timed = (statement: Database.Statement): Database.Statement =>
    new Proxy(statement, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        if (property === 'raw' || property === 'pluck' || property === 'expand') {
          return (...args: unknown[]) => timed((value as (...a: unknown[]) => Database.Statement).apply(target, args));
        }
        if (!EXECUTING.has(String(property))) return (value as (...a: unknown[]) => unknown).bind(target);
        return (...args: unknown[]) => {
          const started = performance.now();
          try {
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          } finally {
            onTimed((performance.now() - started) / 1000);
          }
        };
      },
    });
  connection.prepare = ((source: string) => timed(prepare(source))) as typeof connection.prepare;
}

/**
 * Applies the pending migrations of `folder`. Drizzle runs each one in a transaction, where
 * `PRAGMA foreign_keys = OFF` has no effect, so a table rebuild would cascade-delete child rows:
 * foreign keys are switched off around the whole run and checked before they are switched on.
 */
function migrateFile(writer: Connection, folder: string): string[] {
  const sqlite = writer.$client;
  const hasTable = sqlite.prepare("select 1 from sqlite_master where name = '__drizzle_migrations'").pluck().get();
  const last = hasTable ? sqlite.prepare('select max(created_at) from __drizzle_migrations').pluck().get() : null;
  const pending = pendingMigrations(folder, last as number | null);
  if (pending.length === 0) return [];
  sqlite.pragma('foreign_keys = OFF');
  try {
    migrate(writer, { migrationsFolder: folder });
    const violations = sqlite.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) {
      throw new MigrationError(`Migration left ${violations.length} rows that break a foreign key.`);
    }
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
  return pending;
}

/**
 * Opens (and creates, with its folder) the database at `path`; `':memory:'` gives a private one
 * in a temporary file, removed when it is closed or the process exits. Throws a
 * {@link DatabaseFileError} when the file cannot be written or is not a database.
 * `hooks` hear every statement run and how long it took.
 *
 * @example
 * const db = openSqlite(':memory:')
 * await migrateDatabase(db)
 * await db.transaction(async (tx) => tx.insert(users).values(alice))
 */
export function openSqlite(path: string, { onStatement, onTimed }: StatementHooks = {}): Db {
  const temporary = path === ':memory:' ? temporaryDatabasePath() : undefined;
  const file = temporary?.path ?? path;
  if (!temporary) ensureWritable(file);
  const verbose = onStatement ? { verbose: (sql: unknown) => onStatement(String(sql)) } : {};
  let writer: Database.Database;
  let reader: Database.Database;
  try {
    writer = new Database(file, verbose);
    writer.pragma('journal_mode = WAL');
    reader = new Database(file, { ...verbose, readonly: true });
  } catch (error) {
    temporary?.remove();
    throw new DatabaseFileError(`cannot be opened: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const connection of [writer, reader]) {
    keepPrepared(connection);
    if (onTimed) timeStatements(connection, onTimed);
  }
  writer.pragma('synchronous = NORMAL');
  writer.pragma('foreign_keys = ON');
  configure(writer);
  configure(reader);

  const writeConnection = drizzle(writer, { schema });
  const turns = new Turns();
  let savepoints = 0;
  const tx = Object.assign(Object.create(writeConnection) as Connection, {
    engine: 'sqlite' as const,
    inTransaction: true as const,
    async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      const savepoint = `nested_${++savepoints}`;
      writer.exec(`savepoint ${savepoint}`);
      try {
        const result = await work(tx);
        writer.exec(`release ${savepoint}`);
        return result;
      } catch (error) {
        writer.exec(`rollback to ${savepoint}; release ${savepoint}`);
        throw error;
      }
    },
  }) as unknown as Tx;

  const db = Object.assign(Object.create(drizzle(reader, { schema })) as Connection, {
    engine: 'sqlite' as const,
    inTransaction: false as const,
    transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      return turns.take(async () => {
        writer.exec('begin immediate');
        try {
          const result = await work(tx);
          writer.exec('commit');
          return result;
        } catch (error) {
          if (writer.inTransaction) writer.exec('rollback');
          throw error;
        }
      });
    },
    close() {
      if (reader.open) reader.close();
      if (writer.open) writer.close();
      temporary?.remove();
      return Promise.resolve();
    },
  }) as unknown as Db;

  // The change counter (src/db/schema.ts, cascadeChanges), prepared once its table exists.
  let counter: Database.Statement<[], number> | undefined;
  registerDriver(db, {
    writer: writeConnection,
    stamp: () => {
      counter ??= reader.prepare<[], number>('select counter from cascade_changes where id = 1').pluck();
      return Promise.resolve(String(counter.get() ?? 0));
    },
    migrate: (folder = SQLITE_MIGRATIONS) => Promise.resolve(migrateFile(writeConnection, folder)),
    exclusive: (lock, work) => holdExclusive(file, lock, work),
  });
  return db;
}

/**
 * The better-sqlite3 handle that writes the file, for what only SQLite has: its pragmas, its
 * file name, and raw rows in tests of its migrations.
 */
export function sqliteHandle(db: Db): Database.Database {
  if (db.engine !== 'sqlite') throw new Error('Not a SQLite database');
  return (driverOf(db).writer as unknown as Connection).$client;
}
