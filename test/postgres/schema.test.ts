/**
 * What PostgreSQL's migrations add beyond the tables (drizzle/postgres/0001_triggers.sql): the
 * change counter behind every server's caches, raised by a trigger on each table.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { databaseStamp, rows } from '../../src/db/client.js';
import { groups } from '../../src/db/schema.js';
import { openTestDatabase } from '../support/database.js';

/** Tables no page reads, or the counter itself. */
const UNCOUNTED = ['cascade_changes', 'throttle_attempts'];

describe('the change counter', () => {
  it('has its trigger on every table that pages read', async () => {
    const db = await openTestDatabase();
    const tables = await rows<{ name: string; triggered: boolean }>(
      db,
      sql`select t.tablename as name,
                 exists (select 1 from pg_trigger g where g.tgrelid = (quote_ident(t.tablename))::regclass
                           and g.tgname = t.tablename || '_changed') as triggered
            from pg_tables t where t.schemaname = current_schema() order by 1`,
    );
    expect(tables.length).toBeGreaterThan(8);
    for (const table of tables) expect(table.triggered, table.name).toBe(!UNCOUNTED.includes(table.name));
  });

  it('moves when a transaction commits a write, and not before', async () => {
    const db = await openTestDatabase();
    const before = await databaseStamp(db);
    let during = '';
    await db.transaction(async (tx) => {
      await tx.insert(groups).values({ name: 'Platform', path: 'platform', fullPath: 'platform', traversalIds: '/' });
      during = await databaseStamp(db);
    });
    expect(during).toBe(before);
    expect(await databaseStamp(db)).not.toBe(before);
  });
});
