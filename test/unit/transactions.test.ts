/**
 * The transactions of the data layer (src/db/database.ts), on each database: what another
 * request sees, turns, rollbacks and savepoints, and no writes outside one.
 */
import { describe, expect, it } from 'vitest';
import type { Queryable, Tx } from '../../src/db/client.js';
import { groups } from '../../src/db/schema.js';
import { openTestDatabase } from '../support/database.js';

describe('transactions', () => {
  const opened = () => openTestDatabase();
  const groupNames = async (db: Queryable) =>
    (await db.select({ name: groups.name }).from(groups)).map((row) => row.name);
  const insertGroup = async (tx: Tx, name: string) =>
    await tx.insert(groups).values({ name, path: name, fullPath: name, traversalIds: '' });
  /** Lets every other request that is ready run: what an await on the network does. */
  const otherRequestsRun = () => new Promise((resolve) => setTimeout(resolve, 5));

  it('shows no other request what a transaction wrote before it commits, and everything after', async () => {
    const db = await opened();
    let seenDuring: string[] | undefined;
    const writing = db.transaction(async (tx) => {
      await insertGroup(tx, 'platform');
      await otherRequestsRun();
      expect(await groupNames(tx)).toEqual(['platform']);
      return 'committed';
    });
    const reading = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      seenDuring = await groupNames(db);
    })();
    await Promise.all([writing, reading]);
    expect(seenDuring).toEqual([]);
    expect(await groupNames(db)).toEqual(['platform']);
  });

  it('runs concurrent transactions one after the other, never interleaved', async () => {
    const db = await opened();
    const steps: string[] = [];
    const transaction = (name: string) =>
      db.transaction(async (tx) => {
        steps.push(`${name} begins`);
        const before = (await groupNames(tx)).length;
        await otherRequestsRun();
        await insertGroup(tx, `${name}-${before}`);
        steps.push(`${name} ends`);
      });
    await Promise.all([transaction('a'), transaction('b'), transaction('c')]);
    // In turns (SQLite's in the order asked; PostgreSQL's in the order the lock is granted).
    const order = steps.filter((step) => step.endsWith('begins')).map((step) => step[0]!);
    expect(steps).toEqual(order.flatMap((name) => [`${name} begins`, `${name} ends`]));
    expect((await groupNames(db)).sort()).toEqual(order.map((name, index) => `${name}-${index}`).sort());
  });

  it('rolls back everything a transaction wrote when it throws, and the next one runs', async () => {
    const db = await opened();
    await expect(
      db.transaction(async (tx) => {
        await insertGroup(tx, 'platform');
        await otherRequestsRun();
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await groupNames(db)).toEqual([]);
    await db.transaction(async (tx) => insertGroup(tx, 'tools'));
    expect(await groupNames(db)).toEqual(['tools']);
  });

  it('rolls back only a nested transaction that throws, keeping the rest of the outer one', async () => {
    const db = await opened();
    await db.transaction(async (tx) => {
      await insertGroup(tx, 'platform');
      await expect(
        tx.transaction(async (nested) => {
          await insertGroup(nested, 'tools');
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
    });
    expect(await groupNames(db)).toEqual(['platform']);
  });

  it('refuses a write outside a transaction', async () => {
    const db = await opened();
    const written = db.insert(groups).values({ name: 'x', path: 'x', fullPath: 'x', traversalIds: '' });
    const error = await Promise.resolve(written).then(
      () => undefined,
      (failure: Error) => failure,
    );
    expect(error?.cause instanceof Error ? error.cause.message : error?.message).toMatch(/read-?only/);
  });
});

describe('statement times', () => {
  it('reports how long each statement took, for the database time of /metrics', async () => {
    const times: number[] = [];
    const db = await openTestDatabase({ onTimed: (seconds) => times.push(seconds) });
    times.length = 0;
    await db.select().from(groups);
    await db.transaction((tx) => tx.insert(groups).values({ name: 'x', path: 'x', fullPath: 'x', traversalIds: '' }));
    // The select, and the insert (with the transaction's own statements on PostgreSQL).
    expect(times.length).toBeGreaterThanOrEqual(2);
    expect(times.every((seconds) => seconds >= 0 && seconds < 5)).toBe(true);
  });
});
