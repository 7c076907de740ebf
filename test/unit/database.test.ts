/**
 * The SQL helpers of the data layer (src/db/database.ts) that differ between the databases, on
 * each of them.
 */
import { describe, expect, it } from 'vitest';
import { execute, insertRecords } from '../../src/db/client.js';
import { groups } from '../../src/db/schema.js';
import { openTestDatabase } from '../support/database.js';

describe('insertRecords', () => {
  it('writes every record of the JSON array, more than a statement could take as parameters, with its nulls, texts and epoch times', async () => {
    const db = await openTestDatabase();
    const records = Array.from({ length: 1200 }, (_, i) => ({
      name: `Group ${i}`,
      path: `group-${i}`,
      full_path: `group-${i}`,
      traversal_ids: '',
      description: i === 0 ? 'it\'s "quoted", ünïcode' : '',
      host_id: i === 1 ? null : i,
      created_at: 1_700_000_000_000 + i,
    }));
    await db.transaction(async (tx) => {
      await execute(
        tx,
        insertRecords(
          tx.engine,
          groups,
          {
            name: 'text',
            path: 'text',
            full_path: 'text',
            traversal_ids: 'text',
            description: 'text',
            host_id: 'integer',
            created_at: 'bigint',
          },
          records,
        ),
      );
    });
    const saved = await db.select().from(groups).orderBy(groups.id);
    expect(saved).toHaveLength(1200);
    expect(saved[0]).toMatchObject({ name: 'Group 0', description: 'it\'s "quoted", ünïcode', hostId: 0 });
    expect(saved[1]!.hostId).toBeNull();
    expect(saved[1199]).toMatchObject({ fullPath: 'group-1199', createdAt: new Date(1_700_000_000_000 + 1199) });
  });
});
