/**
 * Test support: every row of every table as text, so that a test can say "nothing changed"
 * without naming the tables a request might have touched.
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../src/db/client.js';

/** Written by every request that uses a token, whatever its answer: not a change a client made. */
const BOOKKEEPING_COLUMNS = new Set(['last_used_at']);

/**
 * Written by requests that are refused, by design: failed sign-ins count (auth/throttle.ts),
 * and on PostgreSQL every write raises the change counter (db/postgres.ts).
 */
const BOOKKEEPING_TABLES = new Set(['throttle_attempts', 'cascade_changes']);

const TABLES = {
  sqlite: sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`,
  postgres: sql`select tablename as name from pg_tables where schemaname = current_schema() order by tablename`,
};

/**
 * One line per row, `table: {...}`, in table and id order: two equal snapshots mean no row was
 * added, removed or changed.
 *
 * @example
 * const before = await databaseSnapshot(db)
 * await post(app, '/admin/users/7/make_admin', {}, { origin: 'https://evil.example' })
 * expect(await databaseSnapshot(db)).toBe(before)
 */
export async function databaseSnapshot(db: Db): Promise<string> {
  const tables = (await rows<{ name: string }>(db, TABLES[db.engine])).map((row) => row.name);
  const lines: string[] = [];
  for (const table of tables) {
    if (BOOKKEEPING_TABLES.has(table)) continue;
    for (const row of await rows<Record<string, unknown>>(db, sql.raw(`select * from "${table}" order by 1`))) {
      for (const column of BOOKKEEPING_COLUMNS) delete row[column];
      lines.push(`${table}: ${JSON.stringify(row)}`);
    }
  }
  return lines.join('\n');
}
