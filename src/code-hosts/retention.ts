/**
 * @module code-hosts/retention
 * Received events are kept for a while (HOST_EVENTS_RETENTION_DAYS, 14 by default) for Recent
 * events and for delivery, then deleted: in batches, so that no delete holds the table for long.
 */
import { inArray, lt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { hostEvents } from '../db/schema.js';
import type { Logger } from '../logger.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often the old events are looked for. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deletes the events received before `now` minus `days`; returns how many.
 *
 * @example
 * await deleteOldHostEvents(db, 14) // 3012
 */
export async function deleteOldHostEvents(db: Db, days: number, now = new Date(), batchSize = 1_000): Promise<number> {
  const cutoff = new Date(now.getTime() - days * DAY_MS);
  let deleted = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const ids = await tx
        .select({ id: hostEvents.id })
        .from(hostEvents)
        .where(lt(hostEvents.receivedAt, cutoff))
        .limit(batchSize);
      if (ids.length > 0)
        await tx.delete(hostEvents).where(
          inArray(
            hostEvents.id,
            ids.map((row) => row.id),
          ),
        );
      return ids.length;
    });
    deleted += batch;
    if (batch < batchSize) return deleted;
  }
}

/** Sweeps now and then every hour; the returned function stops it. */
export function startHostEventRetention(db: Db, days: number, logger: Logger): () => void {
  const sweep = () => {
    deleteOldHostEvents(db, days).then(
      (deleted) => {
        if (deleted > 0) logger.info({ deleted }, 'Deleted old code host events');
      },
      (error: unknown) => logger.error({ err: error }, 'Deleting old code host events failed'),
    );
  };
  sweep();
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
