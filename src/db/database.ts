/**
 * @module db/database
 * What the rest of Cascade sees of a database, whichever it is: SQLite (src/db/sqlite.ts) or
 * PostgreSQL (src/db/postgres.ts). Queries are written once, with drizzle, against the tables of
 * src/db/schema.ts; both databases store the same values in the same way (times as milliseconds
 * since the epoch, ids as integers, JSON as text), so the SQL drizzle builds from those tables is
 * right for both. Builders are only awaited (never `.get()`, `.all()` or `.run()`, which exist
 * only on SQLite's), and SQL of our own goes through {@link rows}.
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type * as schema from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The query builder, as the code is typed against it. At run time it is the builder of the
 * database's own dialect: the methods left out here exist only on SQLite's.
 */
type Builder = Omit<BetterSQLite3Database<typeof schema>, 'transaction' | 'run' | 'all' | 'get' | 'values' | 'batch'>;

/** What runs statements: the database (reads) or a transaction (reads and writes). */
interface Transactional {
  /** Which database this is: the SQL of our own that differs between them asks. */
  readonly engine: Dialect;
  /**
   * Runs `work` in a transaction: committed when it resolves, rolled back when it throws.
   * Transactions that write take turns, across every server of a PostgreSQL database too (see
   * src/db/postgres.ts), and nothing outside one sees its writes before it commits. Inside a
   * transaction, `tx.transaction` nests (a savepoint); never call the database's own
   * `transaction` there: it would wait for the transaction that is waiting for it.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

/**
 * The database as requests use it: reads see what is committed, and writes happen only in
 * {@link Transactional.transaction}, on a connection of their own.
 */
export type Db = Builder &
  Transactional & {
    readonly inTransaction: false;
    /** Closes every connection (and removes a temporary database). */
    close(): Promise<void>;
  };

/** A transaction: reads see its own writes. */
export type Tx = Builder & Transactional & { readonly inTransaction: true };

/** The database or a transaction: what a function that only reads needs. */
export type Queryable = Db | Tx;

/** A row as the database hands it back from SQL of our own: columns by their SQL names. */
export type Row = Record<string, unknown>;

interface RawRunner {
  all?(query: SQL): unknown[];
  run?(query: SQL): unknown;
  execute?(query: SQL): Promise<{ rows: unknown[] }>;
}

/**
 * The rows of SQL written by hand (drizzle's `sql`), on either database. Counts are numbers on
 * both (src/db/postgres.ts reads PostgreSQL's bigint as a number).
 *
 * @example
 * await rows<{ n: number }>(db, sql`select count(*) as n from projects`) // [{ n: 10 }]
 */
export async function rows<T = Row>(db: Queryable, query: SQL): Promise<T[]> {
  const runner = db as unknown as RawRunner;
  if (db.engine === 'sqlite') return runner.all!(query) as T[];
  return (await runner.execute!(query)).rows as T[];
}

/** What {@link namedRows} uses of PostgreSQL's drizzle database (or transaction). */
interface PostgresSession {
  dialect: { sqlToQuery(query: SQL): unknown };
  session: {
    prepareQuery(
      query: unknown,
      fields: undefined,
      name: string,
      arrayMode: false,
    ): { execute(): Promise<{ rows: unknown[] }> };
  };
}

/**
 * {@link rows}, run on PostgreSQL as the prepared statement `name`: each connection parses and
 * plans it once (see {@link prepareNamed}). For SQL of our own that pages run on every request;
 * its text must be the same at every call, with the values as parameters.
 *
 * @example
 * await namedRows<{ n: number }>(db, 'projects_in_group', sql`select count(*) as n from projects where group_id = ${id}`)
 */
export async function namedRows<T = Row>(db: Queryable, name: string, query: SQL): Promise<T[]> {
  if (db.engine === 'sqlite') return rows<T>(db, query);
  const { dialect, session } = db as unknown as PostgresSession;
  return (await session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false).execute()).rows as T[];
}

/** Runs SQL written by hand that answers no rows (DDL, or a write in a transaction). */
export async function execute(db: Queryable, query: SQL): Promise<void> {
  const runner = db as unknown as RawRunner;
  if (db.engine === 'sqlite') runner.run!(query);
  else await runner.execute!(query);
}

/** The first row of {@link rows}, or undefined. */
export async function firstRow<T = Row>(db: Queryable, query: SQL): Promise<T | undefined> {
  return (await rows<T>(db, query))[0];
}

/**
 * Builds something once per database and hands the same one back after: used for the prepared
 * statements of the hot paths, which drizzle would otherwise rebuild on every request.
 *
 * @example
 * const statements = perDatabase((db) => ({ byId: db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare() }))
 * await statements(db).byId.execute({ id: 1 })
 */
export function perDatabase<T>(build: (db: Queryable) => T): (db: Queryable) => T {
  const built = new WeakMap<Queryable, T>();
  return (db) => {
    let value = built.get(db);
    if (value === undefined) {
      value = build(db);
      built.set(db, value);
    }
    return value;
  };
}

/**
 * A query builder's statement, prepared under `name` on PostgreSQL: each connection then parses
 * and plans it once, and later runs only bind it (on a busy page, planning a small statement
 * costs PostgreSQL ten times as much as running it). SQLite's statements are prepared once
 * anyway. Each name is for one statement text; build them in {@link perDatabase}.
 *
 * @example
 * const statements = perDatabase((db) => ({ byId: prepareNamed(db.select().from(users).where(eq(users.id, sql.placeholder('id'))), 'users_by_id') }))
 */
export function prepareNamed<P>(query: { prepare(): P }, name: string): P {
  // Typed as SQLite's builder, whose `prepare` takes no name; PostgreSQL's takes one.
  const named = query as unknown as { prepare(name: string): P };
  return named.prepare(name);
}

/**
 * `expression in (...)` over the values of a JSON array given as one parameter, so that a
 * prepared statement takes a list of any length.
 *
 * @example
 * db.select().from(groups).where(inJsonArray(db.engine, groups.id, sql.placeholder('ids'), 'integer')).prepare()
 */
export function inJsonArray(
  dialect: Dialect,
  expression: SQLWrapper,
  array: SQLWrapper | string,
  type: 'integer' | 'text',
): SQL {
  if (dialect === 'sqlite') return sql`${expression} in (select value from json_each(${array}))`;
  // `= any(array(...))`, not `in (select ...)`: PostgreSQL can look each value up in an index
  // then, instead of scanning the table against a hashed list.
  return sql`${expression} = any(array(select value::${sql.raw(type)} from json_array_elements_text(${array}::json) as value))`;
}

/** The SQL types of the columns {@link jsonRecords} and {@link insertRecords} read: integers (ids, epoch milliseconds) and text. */
export type RecordColumns = Record<string, 'integer' | 'bigint' | 'text'>;

/**
 * The records of a JSON array given as one parameter (each keyed by the columns' SQL names; a
 * missing key reads as null), as a relation named `alias` with `columns`: many rows in one
 * statement whose text stays the same whatever their number, with no SQL built per value and no
 * limit on parameters. For statements that write many rows each their own way:
 * `update ... from ${jsonRecords(...)} where t.id = alias.id`.
 *
 * @example
 * sql`update deliveries set state = j.state from ${jsonRecords(tx.engine, JSON.stringify(done), 'j', { id: 'integer', state: 'text' })} where deliveries.id = j.id`
 */
export function jsonRecords(dialect: Dialect, json: string, alias: string, columns: RecordColumns): SQL {
  const names = Object.keys(columns);
  if (dialect === 'sqlite') {
    const read = sql.join(
      names.map((name) => sql`json_extract(value, ${`$.${name}`}) as ${sql.identifier(name)}`),
      sql`, `,
    );
    return sql`(select ${read} from json_each(${json})) as ${sql.identifier(alias)}`;
  }
  const typed = sql.join(
    names.map((name) => sql`${sql.identifier(name)} ${sql.raw(columns[name]!)}`),
    sql`, `,
  );
  return sql`json_to_recordset(${json}::json) as ${sql.identifier(alias)}(${typed})`;
}

/**
 * `insert into table (columns) select ...` from {@link jsonRecords} (times as epoch
 * milliseconds). Add `returning ...` after it where the caller needs the rows.
 *
 * @example
 * await execute(tx, insertRecords(tx.engine, members, { user_id: 'integer', project_id: 'integer' }, [{ user_id: 1, project_id: 2 }]))
 */
export function insertRecords(
  dialect: Dialect,
  table: SQLWrapper,
  columns: RecordColumns,
  records: readonly Record<string, unknown>[],
): SQL {
  const list = sql.join(
    Object.keys(columns).map((name) => sql.identifier(name)),
    sql`, `,
  );
  return sql`insert into ${table} (${list}) select ${list} from ${jsonRecords(dialect, JSON.stringify(records), 'records', columns)}`;
}

/** What a caller may hear of the statements a database runs. */
export interface StatementHooks {
  /** The text of every statement run (the tests count queries with it). */
  onStatement?: (sql: string) => void;
  /** How long each statement took, in seconds (the /metrics database time). */
  onTimed?: (seconds: number) => void;
}

/** What each database does its own way, registered by the module that opens it (sqlite.ts, postgres.ts). */
export interface Driver {
  /** Writes outside the requests' transactions: migrations, and fixtures that tests and benchmarks write in bulk. */
  writer: Builder;
  /** Changes whenever what pages show is written, by this process or another (db/change-stamp.ts). */
  stamp(): Promise<string>;
  /** Applies the pending migrations of `folder` (the dialect's own by default); answers their names. */
  migrate(folder?: string): Promise<string[]>;
  /** See {@link withExclusive} in db/client.ts. */
  exclusive<T>(lock: ExclusiveLock, work: () => Promise<T>): Promise<T | undefined>;
}

/**
 * What one server does at a time, across every server of the database: applying the received
 * events of the code host connection `id` (code-hosts/processor.ts).
 */
export interface ExclusiveLock {
  name: 'code-host-events';
  id: number;
}

const drivers = new WeakMap<Db, Driver>();

export function registerDriver(db: Db, driver: Driver): void {
  drivers.set(db, driver);
}

export function driverOf(db: Db): Driver {
  const driver = drivers.get(db);
  if (!driver) throw new Error('Not a database opened by src/db/client.ts');
  return driver;
}
