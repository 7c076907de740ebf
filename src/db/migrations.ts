/**
 * @module db/migrations
 * Which migrations of a folder are still to apply, by name, so that start-up can log them:
 * drizzle applies those of its journal made after the last one the database records.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export class MigrationError extends Error {}

interface Journal {
  entries: { tag: string; when: number }[];
}

/**
 * The names of the migrations in `folder` made after `lastApplied` (the `created_at` of the
 * database's newest applied migration; null for a database that has none).
 *
 * @example
 * pendingMigrations('drizzle/sqlite', null) // ['0000_foundation', '0001_integration_settings', ...]
 */
export function pendingMigrations(folder: string, lastApplied: number | null): string[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as Journal;
  return journal.entries.filter((entry) => lastApplied === null || entry.when > lastApplied).map((entry) => entry.tag);
}
