/**
 * @module delivery/retention
 * Deliveries are kept DELIVERY_RETENTION_DAYS (14 by default) for Recent deliveries, then
 * deleted with their attempts by the retention sweep (db/retention.ts). A delivery still
 * pending is kept however old it is: deleting it would lose it.
 */
import { and, inArray, lt, ne } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { pruneExpired, type RetentionRule } from '../db/retention.js';
import { deliveries } from '../db/schema.js';

export function deliveryRetention(days: number): RetentionRule {
  return {
    what: 'deliveries',
    days,
    async deleteBatch(tx, cutoff, limit) {
      const ids = await tx
        .select({ id: deliveries.id })
        .from(deliveries)
        .where(and(lt(deliveries.createdAt, cutoff), ne(deliveries.state, 'pending')))
        .limit(limit);
      if (ids.length > 0)
        await tx.delete(deliveries).where(
          inArray(
            deliveries.id,
            ids.map((row) => row.id),
          ),
        );
      return ids.length;
    },
  };
}

/**
 * Deletes the finished deliveries created before `now` minus `days`; returns how many.
 *
 * @example
 * await deleteOldDeliveries(db, 14) // 120
 */
export function deleteOldDeliveries(db: Db, days: number, now = new Date(), batchSize?: number): Promise<number> {
  return pruneExpired(db, deliveryRetention(days), now, batchSize);
}
