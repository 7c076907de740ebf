/**
 * @module code-hosts/retention
 * Received events are kept for a while (HOST_EVENTS_RETENTION_DAYS, 14 by default) for Recent
 * events and for delivery, then deleted by the retention sweep (db/retention.ts). An event whose
 * deliveries are still kept stays with them: Recent deliveries shows it, and their own
 * retention (DELIVERY_RETENTION_DAYS) decides.
 */
import { and, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { pruneExpired, type RetentionRule } from '../db/retention.js';
import { hostEvents } from '../db/schema.js';

export function hostEventRetention(days: number): RetentionRule {
  return {
    what: 'code host events',
    days,
    async deleteBatch(tx, cutoff, limit) {
      const ids = await tx
        .select({ id: hostEvents.id })
        .from(hostEvents)
        .where(
          and(
            lt(hostEvents.receivedAt, cutoff),
            sql`not exists (select 1 from deliveries d where d.host_event_id = ${hostEvents.id})`,
          ),
        )
        .limit(limit);
      if (ids.length > 0)
        await tx.delete(hostEvents).where(
          inArray(
            hostEvents.id,
            ids.map((row) => row.id),
          ),
        );
      return ids.length;
    },
  };
}

/**
 * Deletes the events received before `now` minus `days` that no delivery still holds; returns how many.
 *
 * @example
 * await deleteOldHostEvents(db, 14) // 3012
 */
export function deleteOldHostEvents(db: Db, days: number, now = new Date(), batchSize?: number): Promise<number> {
  return pruneExpired(db, hostEventRetention(days), now, batchSize);
}
