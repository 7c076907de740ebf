/**
 * @module db/change-stamp
 * Whether the database changed since a moment, for one cheap query: the rows this connection
 * has changed so far, and SQLite's data_version, which moves when another connection commits.
 * Values computed from the database stay valid while the stamp stays the same.
 */
import { perDatabase, type Queryable } from './client.js';

// Two plain statements cost less than one that reads the pragma as a table.
const stampStatements = perDatabase((db: Queryable) => ({
  changes: db.$client.prepare('select total_changes()').pluck(),
  version: db.$client.prepare('pragma data_version').pluck(),
}));

/** Changes whenever anything is written to the database, by this process or another. */
export function databaseStamp(db: Queryable): string {
  const { changes, version } = stampStatements(db);
  return `${changes.get() as number}/${version.get() as number}`;
}

/**
 * A bounded map whose entries count only while the database stamp they were made at holds.
 *
 * @example
 * const pages = new KeptUntilChange<string>(1000)
 * pages.set('user 1 /groups/top', databaseStamp(db), html)
 * pages.get('user 1 /groups/top', databaseStamp(db)) // html, until anything is written
 */
export class KeptUntilChange<V> {
  private readonly entries = new Map<string, { stamp: string; value: V }>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, stamp: string): V | undefined {
    const entry = this.entries.get(key);
    return entry?.stamp === stamp ? entry.value : undefined;
  }

  set(key: string, stamp: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { stamp, value });
  }
}
