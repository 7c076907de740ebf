import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DatabaseFileError, openSqlite, sqliteHandle } from '../../src/db/client.js';

describe('opening the database file', () => {
  // Node 20's recursive mkdir never returns there: start-up hung at full CPU instead of saying why.
  it('says at once that a folder cannot be created where the file system refuses it, under /proc', () => {
    expect(() => openSqlite('/proc/cascade-test/cascade.db')).toThrow(DatabaseFileError);
    expect(() => openSqlite('/proc/cascade-test/cascade.db')).toThrow(
      'its folder /proc/cascade-test cannot be created (the file system has no such folder)',
    );
  });
});

describe('a private database', () => {
  it('keeps a private database in a temporary file, removed when it is closed', async () => {
    const db = openSqlite(':memory:');
    const file = sqliteHandle(db).name;
    expect(existsSync(file)).toBe(true);
    await db.close();
    expect(existsSync(file)).toBe(false);
  });
});
