import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DatabaseFileError,
  migrateDatabase,
  openDatabase,
  writeConnection,
  type Queryable,
  type Tx,
} from '../../src/db/client.js';
import { groups } from '../../src/db/schema.js';

describe('opening the database file', () => {
  // Node 20's recursive mkdir never returns there: start-up hung at full CPU instead of saying why.
  it('says at once that a folder cannot be created where the file system refuses it, under /proc', () => {
    expect(() => openDatabase('/proc/cascade-test/cascade.db')).toThrow(DatabaseFileError);
    expect(() => openDatabase('/proc/cascade-test/cascade.db')).toThrow(
      'its folder /proc/cascade-test cannot be created (the file system has no such folder)',
    );
  });
});

describe('transactions', () => {
  const opened = () => {
    const db = openDatabase(':memory:');
    migrateDatabase(db);
    return db;
  };
  const groupNames = async (db: Queryable) =>
    (await db
      .select({ name: groups.name })
      .from(groups))
      .map((row) => row.name);
  const insertGroup = async (tx: Tx, name: string) =>
    (await tx.insert(groups).values({ name, path: name, fullPath: name, traversalIds: '' }));
  /** Lets every other request that is ready run: what an await on the network does. */
  const otherRequestsRun = () => new Promise((resolve) => setTimeout(resolve, 5));

  it('shows no other request what a transaction wrote before it commits, and everything after', async () => {
    const db = opened();
    let seenDuring: string[] | undefined;
    const writing = db.transaction(async (tx) => {
      insertGroup(tx, 'platform');
      await otherRequestsRun();
      expect(await groupNames(tx)).toEqual(['platform']);
      return 'committed';
    });
    const reading = await (async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      seenDuring = groupNames(db);
    })();
    await Promise.all([writing, reading]);
    expect(seenDuring).toEqual([]);
    expect(await groupNames(db)).toEqual(['platform']);
    db.close();
  });

  it('runs concurrent transactions one after the other, never interleaved', async () => {
    const db = opened();
    const steps: string[] = [];
    const transaction = (name: string) =>
      db.transaction(async (tx) => {
        steps.push(`${name} begins`);
        const before = (await groupNames(tx)).length;
        await otherRequestsRun();
        insertGroup(tx, `${name}-${before}`);
        steps.push(`${name} ends`);
      });
    await Promise.all([transaction('a'), transaction('b'), transaction('c')]);
    expect(steps).toEqual(['a begins', 'a ends', 'b begins', 'b ends', 'c begins', 'c ends']);
    expect((await groupNames(db)).sort()).toEqual(['a-0', 'b-1', 'c-2']);
    db.close();
  });

  it('rolls back everything a transaction wrote when it throws, and the next one runs', async () => {
    const db = opened();
    await expect(
      db.transaction(async (tx) => {
        insertGroup(tx, 'platform');
        await otherRequestsRun();
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await groupNames(db)).toEqual([]);
    await db.transaction(async (tx) => insertGroup(tx, 'tools'));
    expect(await groupNames(db)).toEqual(['tools']);
    db.close();
  });

  it('rolls back only a nested transaction that throws, keeping the rest of the outer one', async () => {
    const db = opened();
    await db.transaction(async (tx) => {
      insertGroup(tx, 'platform');
      await expect(
        tx.transaction(async (nested) => {
          insertGroup(nested, 'tools');
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
    });
    expect(await groupNames(db)).toEqual(['platform']);
    db.close();
  });

  it('refuses a write outside a transaction', () => {
    const db = opened();
    expect(async () => (await db.insert(groups).values({ name: 'x', path: 'x', fullPath: 'x', traversalIds: '' }))).toThrow(
      /readonly/,
    );
    db.close();
  });

  it('keeps a private database in a temporary file, removed when it is closed', () => {
    const db = opened();
    const file = writeConnection(db).$client.name;
    expect(existsSync(file)).toBe(true);
    db.close();
    expect(existsSync(file)).toBe(false);
  });
});
