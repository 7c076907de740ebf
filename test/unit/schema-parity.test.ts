/**
 * The two schemas declare the same database: src/db/schema.ts (SQLite, which the queries use on
 * both) and src/db/schema.pg.ts (PostgreSQL's migrations). Same tables, columns (name, null or
 * not, key, database default), indexes (name, unique, columns, condition), foreign keys and
 * checks, so that a query written once means the same on both.
 */
import { getTableName, is, SQL, type Column } from 'drizzle-orm';
import { getTableConfig as pgConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pg from '../../src/db/schema.pg.js';
import * as sqlite from '../../src/db/schema.js';

/** The SQL of a condition or expression, with column references by name, the same on both. */
function text(value: unknown): string {
  if (value === undefined) return '';
  if (is(value, SQL)) return value.queryChunks.map(text).join('');
  // A column, or PostgreSQL's indexed column.
  if (typeof value === 'object' && value !== null && 'name' in value) return `"${(value as Column).name}"`;
  if (typeof value === 'object' && value !== null && 'value' in value)
    return (value as { value: string[] }).value.join('');
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

type Config = ReturnType<typeof sqliteConfig> | ReturnType<typeof pgConfig>;

function describeTable(config: Config) {
  return {
    columns: config.columns
      .map((column) => ({
        name: column.name,
        notNull: column.notNull,
        primary: column.primary,
        default: column.default === undefined ? null : String(text(column.default)),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    indexes: config.indexes
      .map(({ config: index }) => ({
        name: index.name,
        unique: index.unique,
        columns: index.columns.map(text),
        where: text(index.where),
      }))
      .sort((a, b) => a.name!.localeCompare(b.name!)),
    foreignKeys: config.foreignKeys
      .map((key) => {
        const reference = key.reference();
        return {
          columns: reference.columns.map((column) => column.name),
          table: getTableName(reference.foreignTable),
          foreignColumns: reference.foreignColumns.map((column) => column.name),
          onDelete: key.onDelete ?? 'no action',
        };
      })
      .sort((a, b) => a.columns.join().localeCompare(b.columns.join())),
    checks: config.checks.map((check) => ({ name: check.name, value: text(check.value) })),
  };
}

const sqliteTables = Object.values(sqlite)
  .filter((value) => is(value, SQLiteTable))
  .map(sqliteConfig);
const pgTables = Object.values(pg)
  .filter((value) => is(value, PgTable))
  .map(pgConfig);

describe('the SQLite and PostgreSQL schemas', () => {
  it('declare the same tables', () => {
    expect(pgTables.map((table) => table.name).sort()).toEqual(sqliteTables.map((table) => table.name).sort());
  });

  for (const table of sqliteTables) {
    it(`declare ${table.name} alike: columns, indexes, foreign keys and checks`, () => {
      const other = pgTables.find((candidate) => candidate.name === table.name);
      expect(other, table.name).toBeDefined();
      expect(describeTable(other!)).toEqual(describeTable(table));
    });
  }
});
