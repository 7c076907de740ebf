/**
 * @module db/backup
 * A consistent copy of a live SQLite database, with SQLite's online backup, while Cascade keeps
 * serving: the copy is read in one read transaction on a connection of its own, so a write
 * between two steps neither shows in the copy nor makes it start over.
 */
import { chmodSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';

export interface BackupOptions {
  /** Pages copied per step; the server writes between steps. */
  pagesPerStep?: number;
  /** Hears the share copied so far, from 0 to 1. */
  onProgress?: (fraction: number) => void;
}

export interface BackupResult {
  bytes: number;
  /** The rows of each table in the copy, counted in the transaction it was read in. */
  rows: Record<string, number>;
}

/** 4 MB with SQLite's default page size: a step takes a few milliseconds. */
const PAGES_PER_STEP = 1024;

/**
 * Copies the database at `source` to `target` (replacing it, mode 0600), through a temporary
 * file beside it, so that `target` is either the old file or the whole copy.
 *
 * @example
 * const { bytes, rows } = await backupSqlite('data/cascade.db', '/backups/cascade.db')
 */
export async function backupSqlite(
  source: string,
  target: string,
  { pagesPerStep = PAGES_PER_STEP, onProgress }: BackupOptions = {},
): Promise<BackupResult> {
  const database = new Database(source, { readonly: true, fileMustExist: true });
  const partial = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  try {
    // The counts start the read transaction that every backup step then reads in.
    database.exec('begin');
    const rows = countRows(database);
    await database.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.(1 - remainingPages / totalPages);
        return pagesPerStep;
      },
    });
    database.exec('commit');
    // Password hashes, sessions and sealed secrets: for the owner's eyes only, as the key file.
    chmodSync(partial, 0o600);
    renameSync(partial, target);
    onProgress?.(1);
    return { bytes: statSync(target).size, rows };
  } finally {
    database.close();
    rmSync(partial, { force: true });
  }
}

function countRows(database: Database.Database): Record<string, number> {
  const tables = database
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
    .pluck()
    .all() as string[];
  const count = (table: string) =>
    database
      .prepare(`select count(*) from "${table.replaceAll('"', '""')}"`)
      .pluck()
      .get() as number;
  return Object.fromEntries(tables.map((table) => [table, count(table)]));
}
