/**
 * @module db/postgres
 * The shared database of several app servers: PostgreSQL through a pool of node-postgres
 * connections. Transactions that write take a lock that every server shares, so they run one
 * at a time as on SQLite, and the code above needs no second way of thinking about races;
 * reads never wait for it.
 */
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { PACKAGE_ROOT } from '../paths.js';
import { registerDriver, type Db, type ExclusiveLock, type StatementHooks, type Tx } from './database.js';
import { pendingMigrations } from './migrations.js';

export const POSTGRES_MIGRATIONS = join(PACKAGE_ROOT, 'drizzle', 'postgres');

/**
 * Keys of the advisory locks, the same on every server: writes take turns under the first, and
 * the server that migrates holds the second while the others wait for it.
 */
const WRITE_LOCK = 4_242_001;
const MIGRATION_LOCK = 4_242_002;

/**
 * The first key of each {@link ExclusiveLock}'s two-key advisory lock, the second being its id
 * (PostgreSQL keeps two-key locks apart from the one-key locks above).
 */
const EXCLUSIVE_LOCKS: Record<ExclusiveLock['name'], number> = { 'code-host-events': 4_242_003 };

/**
 * Connections of their own that hold the exclusive locks, so that work holding one never waits
 * for a connection of the pool that the holders have taken: the most {@link withExclusive} calls
 * of one server that run at once (the next waits for one to end).
 */
const EXCLUSIVE_CONNECTIONS = 4;

// Counts and times are bigints in PostgreSQL; node-postgres hands them over as strings unless
// told otherwise. Cascade's never reach 2^53 (times are milliseconds since the epoch).
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

export interface PostgresOptions extends StatementHooks {
  /** Connections in the pool (DATABASE_POOL_SIZE). */
  poolSize?: number;
}

/** Reports how long each query of the pool's connections takes, to its answer. */
function timeQueries(pool: pg.Pool, onTimed: (seconds: number) => void): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const started = performance.now();
      const done = () => onTimed((performance.now() - started) / 1000);
      const result = query(...args);
      if (result instanceof Promise) void result.then(done, done);
      return result;
    }) as typeof client.query;
  });
}

type Connection = NodePgDatabase & { $client: pg.Pool };

/** A connection string without its password, to name the database in a message. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the DATABASE_URL';
  }
}

function transactionOf(connection: NodePgDatabase | Parameters<Parameters<NodePgDatabase['transaction']>[0]>[0]): Tx {
  return Object.assign(Object.create(connection) as object, {
    engine: 'postgres' as const,
    inTransaction: true as const,
    transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      return connection.transaction((nested) => work(transactionOf(nested)));
    },
  }) as unknown as Tx;
}

/**
 * Connects to the PostgreSQL database at `url` (nothing is sent until the first query).
 *
 * @example
 * const db = openPostgres('postgres://cascade@db.internal/cascade', { poolSize: 10 })
 * await migrateDatabase(db)
 */
export function openPostgres(url: string, { poolSize = 10, onStatement, onTimed }: PostgresOptions = {}): Db {
  // Read-only unless a transaction says otherwise, as SQLite's reading connection is: a write
  // outside `db.transaction` is refused instead of slipping past the write lock.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    application_name: 'cascade',
    options: '-c default_transaction_read_only=on',
  });
  // A connection that breaks while idle in the pool is dropped and replaced; the error reaches
  // the next query that needs the database, not the process.
  pool.on('error', () => undefined);
  if (onTimed) timeQueries(pool, onTimed);
  const logger = onStatement ? { logQuery: (query: string) => onStatement(query) } : undefined;
  const connection: Connection = drizzle(pool, logger ? { logger } : {});
  // Fixtures and bulk loads (writeConnection), opened on first use.
  let writerPool: pg.Pool | undefined;
  const writer = () => {
    writerPool ??= new pg.Pool({ connectionString: url, max: 2, application_name: 'cascade' });
    writerPool.on('error', () => undefined);
    return drizzle(writerPool, logger ? { logger } : {});
  };

  const db = Object.assign(Object.create(connection) as object, {
    engine: 'postgres' as const,
    inTransaction: false as const,
    transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      // `begin read write`: the pool's connections are read-only unless a transaction says otherwise.
      return connection.transaction(
        async (tx) => {
          await tx.execute(sql.raw(`select pg_advisory_xact_lock(${WRITE_LOCK})`));
          return work(transactionOf(tx));
        },
        { accessMode: 'read write' },
      );
    },
    async close() {
      await Promise.all([pool.end(), writerPool?.end(), exclusivePool?.end()]);
    },
  }) as unknown as Db;

  // The exclusive locks' connections (holdExclusive), opened on first use.
  let exclusivePool: pg.Pool | undefined;
  const exclusive = () => {
    exclusivePool ??= new pg.Pool({ connectionString: url, max: EXCLUSIVE_CONNECTIONS, application_name: 'cascade' });
    exclusivePool.on('error', () => undefined);
    return exclusivePool;
  };

  let writerConnection: ReturnType<typeof writer> | undefined;
  registerDriver(db, {
    get writer() {
      writerConnection ??= writer();
      return writerConnection as unknown as Parameters<typeof registerDriver>[1]['writer'];
    },
    async stamp() {
      const result = await pool.query<{ counter: number }>('select counter from cascade_changes where id = 1');
      return String(result.rows[0]?.counter ?? 0);
    },
    migrate: (folder = POSTGRES_MIGRATIONS) => migrateShared(pool, folder),
    exclusive: (lock, work) => holdExclusive(exclusive(), lock, work),
  });
  return db;
}

/**
 * Applies the pending migrations while holding the migration lock: when several servers start
 * at once, one migrates and the others wait, then find nothing left to do.
 */
async function migrateShared(pool: pg.Pool, folder: string): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query(`select pg_advisory_lock(${MIGRATION_LOCK})`);
    // This connection goes back to the pool afterwards: read-only again then.
    await client.query('set default_transaction_read_only = off');
    try {
      const table = await client.query<{ name: string | null }>(
        "select to_regclass('drizzle.__drizzle_migrations')::text as name",
      );
      const last = table.rows[0]?.name
        ? (
            await client.query<{ last: number | null }>(
              'select max(created_at) as last from drizzle.__drizzle_migrations',
            )
          ).rows[0]!.last
        : null;
      const pending = pendingMigrations(folder, last);
      if (pending.length > 0) await migrate(drizzle(client), { migrationsFolder: folder });
      return pending;
    } finally {
      await client.query('reset default_transaction_read_only');
      await client.query(`select pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  } finally {
    client.release();
  }
}

/**
 * Runs `work` while a transaction of a connection of its own holds the lock's advisory lock,
 * unless another holds it. A lock of the transaction, not of the session: behind PgBouncer in
 * transaction pooling a session's statements may reach different server connections, a
 * transaction's never do. The transaction only holds the lock, so it keeps no snapshot that would
 * hold back vacuum while `work` runs on the pool's connections.
 */
async function holdExclusive<T>(
  pool: pg.Pool,
  { name, id }: ExclusiveLock,
  work: () => Promise<T>,
): Promise<T | undefined> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    // A database that ends transactions left idle would otherwise let go of the lock while `work` runs.
    await client.query('set local idle_in_transaction_session_timeout = 0');
    // Keys in the text, not as parameters: the portal of a query with parameters keeps its
    // snapshot until the next query, which would hold back vacuum for as long as `work` runs.
    const taken = await client.query<{ taken: boolean }>(
      `select pg_try_advisory_xact_lock(${EXCLUSIVE_LOCKS[name]}, ${id}) as taken`,
    );
    if (!taken.rows[0]!.taken) return undefined;
    return await work();
  } finally {
    // Ending the transaction lets go of the lock (it wrote nothing). A connection that cannot end
    // it is closed instead of going back to the pool, which lets go of the lock too.
    const failed = await client.query('rollback').then(
      () => undefined,
      (error: Error) => error,
    );
    client.release(failed);
  }
}
