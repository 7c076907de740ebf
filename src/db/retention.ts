/**
 * @module db/retention
 * What is kept only for a while (received events, deliveries) is deleted by one hourly sweep, in
 * small batches of one transaction each, so that no delete holds a table for long or makes a
 * request wait. Each kind of row brings its rule: how many days, and which rows a batch takes.
 */
import type { Db, Tx } from './client.js';
import type { Logger } from '../logger.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often old rows are looked for. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const BATCH_SIZE = 1_000;

export interface RetentionRule {
  /** The rows' name in the log: "code host events". */
  what: string;
  days: number;
  /** Deletes at most `limit` of the rows older than `cutoff`; returns how many it deleted. */
  deleteBatch(tx: Tx, cutoff: Date, limit: number): Promise<number>;
}

/**
 * Deletes what `rule` keeps no longer, batch after batch; returns how many rows.
 *
 * @example
 * await pruneExpired(db, hostEventRetention(14)) // 3012
 */
export async function pruneExpired(db: Db, rule: RetentionRule, now = new Date(), batchSize = BATCH_SIZE) {
  const cutoff = new Date(now.getTime() - rule.days * DAY_MS);
  let deleted = 0;
  for (;;) {
    const batch = await db.transaction((tx) => rule.deleteBatch(tx, cutoff, batchSize));
    deleted += batch;
    if (batch < batchSize) return deleted;
  }
}

/**
 * Sweeps now and then every hour, the rules in turn; the returned function stops it.
 *
 * @example
 * const stop = startRetention(db, [deliveryRetention(14), hostEventRetention(14)], logger)
 */
export function startRetention(db: Db, rules: readonly RetentionRule[], logger: Logger): () => void {
  const sweep = async () => {
    for (const rule of rules) {
      try {
        const deleted = await pruneExpired(db, rule);
        if (deleted > 0) logger.info({ deleted }, `Deleted old ${rule.what}`);
      } catch (error) {
        logger.error({ err: error }, `Deleting old ${rule.what} failed`);
      }
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
