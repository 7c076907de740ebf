/**
 * Retention of deliveries (DELIVERY_RETENTION_DAYS): the sweep deletes finished deliveries older
 * than the limit with their attempts, in batches; a pending one stays, and the events deliveries
 * still hold stay with them.
 */
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { deleteOldHostEvents } from '../../src/code-hosts/retention.js';
import { writeConnection } from '../../src/db/client.js';
import { deliveries, deliveryAttempts, hostEvents } from '../../src/db/schema.js';
import { deleteOldDeliveries } from '../../src/delivery/retention.js';
import { openTestDatabase } from '../support/database.js';
import { deliveryWorld, planned, queueDeliveries, storedDeliveries } from '../support/deliveries.js';

const DAY_MS = 24 * 60 * 60 * 1000;

async function setUp() {
  const db = await openTestDatabase();
  const world = await deliveryWorld(db);
  const now = new Date();
  const items = [1, 2, 3, 4].map((n) => planned(`https://chat.example.com/hook/${n}`));
  const [old, older, oldPending, recent] = await queueDeliveries(db, world, items, now);
  const write = writeConnection(db);
  const age = (id: number, days: number, state: 'delivered' | 'failed' | 'pending') =>
    write
      .update(deliveries)
      .set({ createdAt: new Date(now.getTime() - days * DAY_MS), state })
      .where(eq(deliveries.id, id));
  await age(old!.id, 15, 'delivered');
  await age(older!.id, 20, 'failed');
  await age(oldPending!.id, 30, 'pending');
  await age(recent!.id, 13, 'delivered');
  await write.insert(deliveryAttempts).values({ deliveryId: old!.id, attemptedAt: now, status: 200, durationMs: 5 });
  return { db, world, now, old: old!, older: older!, oldPending: oldPending!, recent: recent! };
}

describe('the retention of deliveries', () => {
  it('deletes finished deliveries older than the limit, with their attempts, in batches; a pending one stays', async () => {
    const { db, now, old, oldPending, recent } = await setUp();
    expect(await deleteOldDeliveries(db, 14, now, 1)).toBe(2);
    expect((await storedDeliveries(db)).map((d) => d.id)).toEqual([oldPending.id, recent.id]);
    expect(await db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, old.id))).toEqual([]);
  });

  it('keeps an old event while a delivery of it is kept, and deletes it after', async () => {
    const { db, world, now } = await setUp();
    const unused = await world.receive();
    await writeConnection(db)
      .update(hostEvents)
      .set({ receivedAt: new Date(now.getTime() - 20 * DAY_MS) })
      .where(inArray(hostEvents.id, [unused.id, (await storedDeliveries(db))[0]!.hostEventId]));
    expect(await deleteOldHostEvents(db, 14, now)).toBe(1);
    expect((await db.select().from(hostEvents)).map((event) => event.id)).not.toContain(unused.id);

    await writeConnection(db).update(deliveries).set({ state: 'delivered' });
    await deleteOldDeliveries(db, 1, new Date(now.getTime() + 40 * DAY_MS));
    expect(await deleteOldHostEvents(db, 14, now)).toBe(1);
    expect(await db.select().from(hostEvents)).toEqual([]);
  });
});
