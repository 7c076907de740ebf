/**
 * @module db/change-stamp
 * Values computed from the database stay valid while its change stamp (`databaseStamp` in
 * db/client.ts: the change counter of src/db/schema.ts) stays the same. Hook events and
 * deliveries do not move it: what shows them is never kept.
 */

/**
 * A bounded map whose entries count only while the database stamp they were made at holds.
 *
 * @example
 * const pages = new KeptUntilChange<string>(1000)
 * pages.set('user 1 /groups/top', await databaseStamp(db), html)
 * pages.get('user 1 /groups/top', await databaseStamp(db)) // html, until anything is written
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
