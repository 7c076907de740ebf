/**
 * The change counter behind every server's kept pages and sessions (src/db/schema.ts,
 * cascadeChanges): raised by a trigger on each table pages show, on SQLite and PostgreSQL alike,
 * and left alone by hook events and deliveries, which change many times a second.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { databaseStamp, rows, type Db } from '../../src/db/client.js';
import { groups, hostEvents } from '../../src/db/schema.js';
import { insertConnection } from '../support/code-host-events.js';
import { openTestDatabase } from '../support/database.js';

/** The counter itself, and the tables no kept page shows. */
const UNCOUNTED = [
  'cascade_changes',
  'throttle_attempts',
  'host_events',
  'deliveries',
  'delivery_attempts',
  // Read by the delivery planner only; no page shows them.
  'protected_branches',
  'pipeline_statuses',
  // Written only with the settings rows, projects and groups it counts, which raise the counter.
  'settings_counts',
];

/** Every table, and whether each of its writes (insert, update, delete) raises the counter. */
async function triggered(db: Db): Promise<Record<string, boolean>> {
  if (db.engine === 'postgres') {
    const found = await rows<{ name: string; triggered: boolean }>(
      db,
      sql`select t.tablename as name,
                 exists (select 1 from pg_trigger g where g.tgrelid = (quote_ident(t.tablename))::regclass
                           and g.tgname = t.tablename || '_changed') as triggered
            from pg_tables t where t.schemaname = current_schema() and t.tablename <> '__drizzle_migrations'`,
    );
    return Object.fromEntries(found.map(({ name, triggered }) => [name, triggered]));
  }
  const tables = await rows<{ name: string }>(
    db,
    sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> '__drizzle_migrations'`,
  );
  const triggers = new Set(
    (await rows<{ name: string }>(db, sql`select name from sqlite_master where type = 'trigger'`)).map(
      ({ name }) => name,
    ),
  );
  return Object.fromEntries(
    tables.map(({ name }) => [
      name,
      ['insert', 'update', 'delete'].every((op) => triggers.has(`${name}_changed_${op}`)),
    ]),
  );
}

describe('the change counter', () => {
  it('has its trigger on every table that pages show, and on no other', async () => {
    const db = await openTestDatabase();
    const tables = await triggered(db);
    expect(Object.keys(tables).length).toBeGreaterThan(12);
    for (const [name, has] of Object.entries(tables)) expect(has, name).toBe(!UNCOUNTED.includes(name));
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

  it('stays while hook events are stored', async () => {
    const db = await openTestDatabase();
    const connection = await insertConnection(db, 'gitlab');
    const before = await databaseStamp(db);
    await db.transaction(async (tx) => {
      await tx.insert(hostEvents).values({
        codeHostId: connection.id,
        deliveryId: randomUUID(),
        hostEvent: 'Push Hook',
        kind: 'push',
        payload: '{}',
        receivedAt: new Date(),
      });
    });
    expect(await databaseStamp(db)).toBe(before);
  });
});
