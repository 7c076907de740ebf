/**
 * @module model/unique
 * Writes guarded by a unique index. A create (or move) path checks for a duplicate first, to
 * name every clashing field at once; the index has the last word when another request or
 * process writes the same value between that check and the write. The race then reads exactly
 * like a duplicate sent later.
 */
import type { FieldErrors, Outcome } from '../validation.js';

/** SQLite's (better-sqlite3) and PostgreSQL's (unique_violation) codes. */
const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505']);

/**
 * Whether the database refused a row because a unique index or primary key already holds its
 * value. Drizzle wraps the driver's error; its `cause` carries the driver's code.
 *
 * @example
 * isUniqueViolation(new SqliteError('UNIQUE constraint failed: users.username', 'SQLITE_CONSTRAINT_UNIQUE')) // true
 */
export function isUniqueViolation(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (UNIQUE_CODES.has((current as { code?: unknown }).code as string)) return true;
  }
  return false;
}

/**
 * Runs `write`; if a unique index refuses it, answers with `duplicates()`: the path's own
 * duplicate check, run again now that the other row is there. Any other error is thrown on.
 *
 * @example
 * await writeUnique(() => db.transaction(async (tx) => tx.insert(users).values(row).returning().get()), () => takenErrors(db, row))
 * // { ok: false, errors: { username: 'Username has already been taken' } } when another request won
 */
export async function writeUnique<T>(
  write: () => Promise<T>,
  duplicates: () => FieldErrors | Promise<FieldErrors>,
): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await write() };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const errors = await duplicates();
    if (Object.keys(errors).length === 0) throw error;
    return { ok: false, errors };
  }
}
