/** Which database errors count as "already taken": only a unique index or primary key refusing a row. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { writeUnique, isUniqueViolation } from '../../src/model/unique.js';

const db = new Database(':memory:');
db.exec(`create table t (id integer primary key, name text not null unique, size integer check (size > 0))`);
db.prepare(`insert into t (id, name, size) values (1, 'a', 1)`).run();

const errorOf = (sql: string) => {
  try {
    db.prepare(sql).run();
  } catch (error) {
    return error;
  }
  throw new Error(`no error from ${sql}`);
};

describe('isUniqueViolation', () => {
  it('recognizes a taken unique value and a taken primary key, also wrapped as Drizzle wraps them', () => {
    const unique = errorOf(`insert into t (id, name, size) values (2, 'a', 1)`);
    expect(isUniqueViolation(unique)).toBe(true);
    expect(isUniqueViolation(errorOf(`insert into t (id, name, size) values (1, 'b', 1)`))).toBe(true);
    expect(isUniqueViolation(new Error('Failed query', { cause: unique }))).toBe(true);
  });

  it('leaves every other error alone: missing values, failed checks, anything else', () => {
    expect(isUniqueViolation(errorOf(`insert into t (id, name, size) values (3, null, 1)`))).toBe(false);
    expect(isUniqueViolation(errorOf(`insert into t (id, name, size) values (4, 'c', 0)`))).toBe(false);
    expect(isUniqueViolation(new Error('UNIQUE constraint failed'))).toBe(false);
    expect(isUniqueViolation('SQLITE_CONSTRAINT_UNIQUE')).toBe(false);
  });
});

describe('writeUnique', () => {
  it("answers a refused insert with the duplicate check's errors, and throws every other error on", async () => {
    const taken = () => ({ name: 'Name has already been taken' });
    const insert = (sql: string) => async () => db.prepare(sql).run();
    expect(await writeUnique(insert(`insert into t (id, name, size) values (5, 'a', 1)`), taken)).toEqual({
      ok: false,
      errors: taken(),
    });
    await expect(writeUnique(insert(`insert into t (id, name, size) values (6, 'd', 0)`), taken)).rejects.toThrow(
      /CHECK/,
    );
  });

  it('throws the refusal on when the duplicate check finds nothing to name', async () => {
    await expect(
      writeUnique(
        async () => db.prepare(`insert into t (id, name, size) values (7, 'a', 1)`).run(),
        () => ({}),
      ),
    ).rejects.toThrow(/UNIQUE/);
  });
});
