/**
 * Test support: every row of every table as text, so that a test can say "nothing changed"
 * without naming the tables a request might have touched.
 */
import { writeConnection, type Db } from '../../src/db/client.js';

/** Written by every request that uses a token, whatever its answer: not a change a client made. */
const BOOKKEEPING_COLUMNS = new Set(['last_used_at']);

/** Attempts the throttles count, a failed or refused one too: not a change a client made either. */
const BOOKKEEPING_TABLES = new Set(['throttle_attempts']);

/**
 * One line per row, `table: {...}`, in table and rowid order: two equal snapshots mean no row
 * was added, removed or changed.
 *
 * @example
 * const before = databaseSnapshot(db)
 * await post(app, '/admin/users/7/make_admin', {}, { origin: 'https://evil.example' })
 * expect(databaseSnapshot(db)).toBe(before)
 */
export function databaseSnapshot(db: Db): string {
  // The writing connection also sees what a test harness has not committed (test/http/fuzz.test.ts).
  const sqlite = writeConnection(db).$client;
  const tables = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
    .pluck()
    .all() as string[];
  const lines: string[] = [];
  for (const table of tables.filter((name) => !BOOKKEEPING_TABLES.has(name))) {
    for (const row of sqlite.prepare(`select * from "${table}" order by rowid`).all() as Record<string, unknown>[]) {
      for (const column of BOOKKEEPING_COLUMNS) delete row[column];
      lines.push(`${table}: ${JSON.stringify(row)}`);
    }
  }
  return lines.join('\n');
}
