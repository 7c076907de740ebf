/**
 * @module db/health-check
 * Whether the database answers at all: the question a load balancer asks through /-/health.
 */
import { sql } from 'drizzle-orm';
import { rows, type Db } from './client.js';

/**
 * Resolves when the database answers a trivial query; rejects with its error when it cannot.
 *
 * @example
 * await checkDatabase(db) // throws once db.close() has been called
 */
export async function checkDatabase(db: Db): Promise<void> {
  await rows(db, sql`select 1 as one`);
}
