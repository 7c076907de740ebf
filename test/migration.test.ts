/**
 * Upgrading keeps every row: a database created by the first release (migration 0 only) and
 * filled with data is migrated to the latest schema, and everything is still there. Fixtures
 * are written against migration 0's tables only, so later migrations need no change here.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openSqlite, sqliteHandle, type Db } from '../src/db/client.js';
import { SQLITE_MIGRATIONS as MIGRATIONS_FOLDER } from '../src/db/sqlite.js';
import * as schema from '../src/db/schema.js';

type Row = Record<string, string | number | null>;

interface Journal {
  entries: { idx: number; tag: string }[];
}

const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as Journal;

/**
 * One or more rows for every table of migration 0, in an order that satisfies the foreign keys,
 * with every column set (nulls, unicode, quotes and newlines included).
 */
const MIGRATION_0_ROWS: Record<string, Row[]> = {
  users: [
    {
      id: 1,
      username: 'root',
      name: 'Administrator',
      email: 'root@example.com',
      password_hash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
      is_admin: 1,
      blocked_at: null,
      created_at: 1_700_000_000_000,
    },
    {
      id: 2,
      username: 'zoë.m',
      name: 'Zoë "Z" Müller',
      email: 'Zoe@Example.com',
      password_hash: 'scrypt$16384$8$1$b3RoZXI$b3RoZXI',
      is_admin: 0,
      blocked_at: 1_700_000_500_000,
      created_at: 1_700_000_100_000,
    },
  ],
  sessions: [
    { id: 1, token_hash: 'a'.repeat(64), user_id: 1, expires_at: 1_800_000_000_000, created_at: 1_700_000_200_000 },
  ],
  groups: [
    {
      id: 1,
      parent_id: null,
      name: 'Platform',
      path: 'platform',
      full_path: 'platform',
      traversal_ids: '/1/',
      description: "The platform team's groups.\nSecond line with 'quotes'.",
      created_at: 1_700_000_300_000,
    },
    {
      id: 2,
      parent_id: 1,
      name: 'Backend',
      path: 'backend',
      full_path: 'platform/backend',
      traversal_ids: '/1/2/',
      description: '',
      created_at: 1_700_000_310_000,
    },
  ],
  projects: [
    {
      id: 1,
      group_id: 2,
      name: 'API',
      path: 'api',
      full_path: 'platform/backend/api',
      description: 'Public API ✓',
      created_at: 1_700_000_400_000,
    },
  ],
  members: [
    { id: 1, user_id: 2, group_id: 1, project_id: null, access_level: 50, created_at: 1_700_000_410_000 },
    { id: 2, user_id: 2, group_id: null, project_id: 1, access_level: 40, created_at: 1_700_000_420_000 },
  ],
};

const temporaryFolders: string[] = [];

afterAll(() => {
  for (const folder of temporaryFolders) rmSync(folder, { recursive: true, force: true });
});

/** A migrations folder holding the migrations up to `last`, as the release of that migration shipped them. */
function migrationsFolderUpTo(last: number): string {
  const entries = journal.entries.filter((entry) => entry.idx <= last);
  if (!entries.some((entry) => entry.idx === last))
    throw new Error(`drizzle/meta/_journal.json has no migration ${last}`);
  const folder = mkdtempSync(join(tmpdir(), `cascade-migration-${last}-`));
  temporaryFolders.push(folder);
  mkdirSync(join(folder, 'meta'));
  for (const entry of entries)
    copyFileSync(join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`));
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }));
  return folder;
}

/** A migrations folder holding only the first migration, as the first release shipped it. */
const firstMigrationFolder = () => migrationsFolderUpTo(0);

/** The application's tables, without SQLite's and Drizzle's own bookkeeping. */
function tableNames(db: Db): string[] {
  return sqliteHandle(db)
    .prepare(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle_%' order by name",
    )
    .pluck()
    .all() as string[];
}

function columnNames(db: Db, table: string): string[] {
  return (sqliteHandle(db).pragma(`table_info("${table}")`) as { name: string }[]).map((column) => column.name);
}

function insertRows(db: Db, table: string, rows: Row[]): void {
  for (const row of rows) {
    const columns = Object.keys(row);
    sqliteHandle(db)
      .prepare(
        `insert into "${table}" (${columns.map((name) => `"${name}"`).join(', ')}) values (${columns.map((name) => `@${name}`).join(', ')})`,
      )
      .run(row);
  }
}

function selectRows(db: Db, table: string, columns: string[]): Row[] {
  return sqliteHandle(db)
    .prepare(`select ${columns.map((name) => `"${name}"`).join(', ')} from "${table}" order by id`)
    .all() as Row[];
}

/** Everything that defines the schema, and which migrations ran. */
function schemaSnapshot(db: Db) {
  return {
    objects: sqliteHandle(db)
      .prepare("select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%' order by type, name")
      .all(),
    migrations: sqliteHandle(db).prepare('select hash, created_at from __drizzle_migrations order by id').all(),
  };
}

const schemaTables = (Object.values(schema) as unknown[]).filter((value): value is SQLiteTable =>
  is(value, SQLiteTable),
);

/** A Slack settings row of `owner` (group_id and project_id) as the migrations before owner paths stored it. */
const settings = (id: number, owner: Row): Row => ({
  id,
  type: 'slack',
  ...owner,
  fields: '{}',
  events: '{}',
  updated_at: 1_700_000_500_000,
  created_at: 1_700_000_500_000,
});

describe('database migrations', () => {
  it('migrates a database created at the first migration, with rows in every table, to the latest with nothing lost', async () => {
    const db = openSqlite(':memory:');
    await migrateDatabase(db, firstMigrationFolder());

    // A table added to migration 0 without a fixture here would go unchecked: refuse that.
    expect(Object.keys(MIGRATION_0_ROWS).sort()).toEqual(tableNames(db));
    for (const [table, rows] of Object.entries(MIGRATION_0_ROWS)) {
      for (const row of rows)
        expect(Object.keys(row).sort(), `columns of the ${table} fixture`).toEqual(columnNames(db, table).sort());
      insertRows(db, table, rows);
    }

    await migrateDatabase(db);

    for (const [table, rows] of Object.entries(MIGRATION_0_ROWS)) {
      expect(selectRows(db, table, Object.keys(rows[0]!)), `rows of ${table}`).toEqual(rows);
    }
    expect(sqliteHandle(db).pragma('foreign_key_check')).toEqual([]);
    expect(sqliteHandle(db).pragma('integrity_check', { simple: true })).toBe('ok');
    expect(sqliteHandle(db).prepare('select count(*) from __drizzle_migrations').pluck().get()).toBe(
      journal.entries.length,
    );
    await db.close();
  });

  it('gives the settings rows of groups and projects that existed before owner paths their full paths, and keeps them in step', async () => {
    const db = openSqlite(':memory:');
    await migrateDatabase(db, migrationsFolderUpTo(4));
    for (const table of ['users', 'groups', 'projects'] as const) insertRows(db, table, MIGRATION_0_ROWS[table]!);
    insertRows(db, 'integration_settings', [
      settings(1, { group_id: null, project_id: null }),
      settings(2, { group_id: 2, project_id: null }),
      settings(3, { group_id: null, project_id: 1 }),
    ]);

    await migrateDatabase(db);

    const ownerPaths = () =>
      sqliteHandle(db).prepare('select id, owner_path from integration_settings order by id').all();
    expect(ownerPaths()).toEqual([
      { id: 1, owner_path: null },
      { id: 2, owner_path: 'platform/backend' },
      { id: 3, owner_path: 'platform/backend/api' },
    ]);
    sqliteHandle(db).prepare("update groups set full_path = 'platform/services' where id = 2").run();
    sqliteHandle(db).prepare("update projects set full_path = 'platform/services/api' where id = 1").run();
    insertRows(db, 'integration_settings', [{ ...settings(4, { group_id: 1, project_id: null }), type: 'jira' }]);
    expect(ownerPaths()).toEqual([
      { id: 1, owner_path: null },
      { id: 2, owner_path: 'platform/services' },
      { id: 3, owner_path: 'platform/services/api' },
      { id: 4, owner_path: 'platform' },
    ]);
    await db.close();
  });

  it('counts the projects of groups that existed before project counts, and keeps the counts in step', async () => {
    const db = openSqlite(':memory:');
    await migrateDatabase(db, migrationsFolderUpTo(6));
    for (const table of ['users', 'groups', 'projects'] as const) insertRows(db, table, MIGRATION_0_ROWS[table]!);

    await migrateDatabase(db);

    const counts = () => sqliteHandle(db).prepare('select id, project_count from groups order by id').all();
    expect(counts()).toEqual([
      { id: 1, project_count: 0 },
      { id: 2, project_count: 1 },
    ]);
    sqliteHandle(db).prepare('update projects set group_id = 1 where id = 1').run();
    expect(counts()).toEqual([
      { id: 1, project_count: 1 },
      { id: 2, project_count: 0 },
    ]);
    sqliteHandle(db).prepare('delete from projects where id = 1').run();
    expect(counts()).toEqual([
      { id: 1, project_count: 0 },
      { id: 2, project_count: 0 },
    ]);
    await db.close();
  });

  it('counts the custom settings below each level that existed before settings counts', async () => {
    const db = openSqlite(':memory:');
    await migrateDatabase(db, migrationsFolderUpTo(9));
    for (const table of ['users', 'groups', 'projects'] as const) insertRows(db, table, MIGRATION_0_ROWS[table]!);
    insertRows(db, 'integration_settings', [
      settings(1, { group_id: null, project_id: null }),
      settings(2, { group_id: 2, project_id: null }),
      settings(3, { group_id: null, project_id: 1 }),
    ]);

    await migrateDatabase(db);

    const counts = () =>
      sqliteHandle(db)
        .prepare('select scope_id, type, custom_projects, custom_groups from settings_counts order by scope_id')
        .all();
    // platform/backend (2) in platform (1); its project api (1) has settings, and so has backend.
    expect(counts()).toEqual([
      { scope_id: 0, type: 'slack', custom_projects: 1, custom_groups: 1 },
      { scope_id: 1, type: 'slack', custom_projects: 1, custom_groups: 1 },
      { scope_id: 2, type: 'slack', custom_projects: 1, custom_groups: 0 },
    ]);
    await db.close();
  });

  it('changes nothing when the database is already up to date', async () => {
    const db = openSqlite(':memory:');
    await migrateDatabase(db);
    insertRows(db, 'users', MIGRATION_0_ROWS.users!);
    const before = schemaSnapshot(db);

    await migrateDatabase(db);

    expect(schemaSnapshot(db)).toEqual(before);
    expect(selectRows(db, 'users', Object.keys(MIGRATION_0_ROWS.users![0]!))).toEqual(MIGRATION_0_ROWS.users);
    await db.close();
  });

  it('creates every table, column and index of src/db/schema.ts in a fresh database', async () => {
    const db = openSqlite(':memory:');
    await migrateDatabase(db);

    expect(tableNames(db)).toEqual(schemaTables.map((table) => getTableConfig(table).name).sort());
    const indexes = sqliteHandle(db)
      .prepare("select name from sqlite_master where type = 'index'")
      .pluck()
      .all() as string[];
    for (const table of schemaTables) {
      const config = getTableConfig(table);
      expect(columnNames(db, config.name).sort(), `columns of ${config.name}`).toEqual(
        config.columns.map((column) => column.name).sort(),
      );
      for (const index of config.indexes) expect(indexes, `indexes of ${config.name}`).toContain(index.config.name);
    }
    await db.close();
  });
});
