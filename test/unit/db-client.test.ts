import { describe, expect, it } from 'vitest';
import { DatabaseFileError, openDatabase } from '../../src/db/client.js';

describe('opening the database file', () => {
  // Node 20's recursive mkdir never returns there: start-up hung at full CPU instead of saying why.
  it('says at once that a folder cannot be created where the file system refuses it, under /proc', () => {
    expect(() => openDatabase('/proc/cascade-test/cascade.db')).toThrow(DatabaseFileError);
    expect(() => openDatabase('/proc/cascade-test/cascade.db')).toThrow(
      'its folder /proc/cascade-test cannot be created (the file system has no such folder)',
    );
  });
});
