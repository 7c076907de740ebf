/**
 * Benchmark fixtures: a database with a tree of nested groups and any number of projects, the
 * same rows with the same ids on SQLite and PostgreSQL. Both are written in bulk (the app's own
 * functions would take minutes for a million projects): on SQLite with prepared inserts in one
 * transaction, on PostgreSQL server-side with `insert ... select generate_series(...)`.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { hashPassword } from '../src/auth/passwords.js';
import { createSession, SESSION_COOKIE } from '../src/auth/sessions.js';
import { migrateDatabase, openPostgres, openSqlite, type Db } from '../src/db/client.js';

/** Shared by the in-process app and the server process, so both open the same sealed secrets. */
export const BENCH_SECRET_KEY_BASE = 'bench-secret-key-base-0123456789abcdef';

export interface BenchTree {
  db: Db;
  /** A project in the deepest group: its chain has `depth` groups. */
  deepProjectPath: string;
  /** A project right in a top-level group. */
  shallowProjectPath: string;
  /** The first top-level group, with a tenth of the projects below it. */
  bigGroupPath: string;
  /** A top-level group with 10 projects. */
  smallGroupPath: string;
  /** Where the middle page of the overrides list starts (keyset). */
  middleOverridePath: string;
  adminCookie: string;
}

export interface TreeShape {
  /** Top-level groups, each a chain of `depth` nested groups. */
  fanout?: number;
  depth?: number;
  /** Projects of the third tree that get custom Slack settings. */
  customProjects?: number;
}

/** Where a benchmark database is: a `postgres://` URL, or the path of a SQLite file. */
export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//.test(location);

interface GroupRow {
  id: number;
  parent_id: number | null;
  path: string;
  full_path: string;
  traversal_ids: string;
}

const ADMIN_ID = 1;
/** Project ids: 1 is g0/shallow, 2 to 11 are small/s0 to s9, and project p<i> has id i + 11. */
const FIRST_NUMBERED_ID = 11;

/**
 * The groups of the tree, with their ids: `fanout` chains of `depth` groups (g<t>/l1/.../l<depth-1>),
 * then "small". The deepest group of chain t (a leaf) has id (t + 1) × depth.
 */
function groupRows(fanout: number, depth: number): { groups: GroupRow[]; leaves: GroupRow[]; small: GroupRow } {
  const groups: GroupRow[] = [];
  const leaves: GroupRow[] = [];
  const add = (parent: GroupRow | undefined, segment: string) => {
    const id = groups.length + 1;
    const group = {
      id,
      parent_id: parent?.id ?? null,
      path: segment,
      full_path: parent ? `${parent.full_path}/${segment}` : segment,
      traversal_ids: `${parent?.traversal_ids ?? '/'}${id}/`,
    };
    groups.push(group);
    return group;
  };
  for (let top = 0; top < fanout; top++) {
    let group = add(undefined, `g${top}`);
    for (let level = 1; level < depth; level++) group = add(group, `l${level}`);
    leaves.push(group);
  }
  return { groups, leaves, small: add(undefined, 'small') };
}

/** Project p<i> (1 ≤ i < projectCount) is in leaf i mod fanout; the first `customProjects` of leaf 2 have custom Slack settings. */
function customIndexes(projectCount: number, fanout: number, customProjects: number): number[] {
  const indexes: number[] = [];
  for (let index = 2 % fanout || fanout; index < projectCount && indexes.length < customProjects; index += fanout)
    if (index >= 1) indexes.push(index);
  return indexes;
}

/**
 * Builds the tree in a fresh database at `location` (a SQLite file's path or a PostgreSQL URL
 * of an empty database). Projects are spread evenly over the deepest group of each chain; the
 * first top-level group also has one project of its own, and a separate top-level group "small" has 10.
 */
export async function buildTree(
  location: string,
  projectCount: number,
  { fanout = 10, depth = 10, customProjects = 0 }: TreeShape = {},
): Promise<BenchTree> {
  const db = isPostgresUrl(location) ? openPostgres(location) : openSqlite(location);
  await migrateDatabase(db);
  const tree = groupRows(fanout, depth);
  const custom = customIndexes(projectCount, fanout, customProjects);
  const fill = isPostgresUrl(location) ? fillPostgres : fillSqlite;
  await fill(location, {
    ...tree,
    custom,
    projectCount,
    fanout,
    depth,
    passwordHash: await hashPassword('bench-password'),
  });
  const leafPath = (index: number) => tree.leaves[index % fanout]!.full_path;
  const customPaths = custom.map((index) => `${leafPath(index)}/p${index}`).sort();
  return {
    db,
    deepProjectPath: `${leafPath(1)}/p1`,
    shallowProjectPath: 'g0/shallow',
    bigGroupPath: 'g0',
    smallGroupPath: 'small',
    middleOverridePath: customPaths[Math.floor(customPaths.length / 2)] ?? '',
    adminCookie: `${SESSION_COOKIE}=${await createSession(db, ADMIN_ID)}`,
  };
}

interface Fill {
  groups: GroupRow[];
  leaves: GroupRow[];
  small: GroupRow;
  custom: number[];
  projectCount: number;
  fanout: number;
  depth: number;
  passwordHash: string;
}

/** SQLite: prepared inserts in one transaction, on a handle of the file's own (the app's connections stay as they are). */
function fillSqlite(path: string, { groups, leaves, small, custom, projectCount, passwordHash }: Fill): Promise<void> {
  const sqlite = new Database(path);
  const now = Date.now();
  const insertGroup = sqlite.prepare(
    'insert into groups (id, parent_id, name, path, full_path, traversal_ids, created_at) values (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertProject = sqlite.prepare(
    'insert into projects (id, group_id, name, path, full_path, created_at) values (?, ?, ?, ?, ?, ?)',
  );
  const insertCustom = sqlite.prepare(
    "insert into integration_settings (type, project_id, active, fields, events, updated_at, created_at) values ('slack', ?, 1, ?, '{}', ?, ?)",
  );
  try {
    sqlite.transaction(() => {
      sqlite
        .prepare(
          'insert into users (id, username, name, email, password_hash, is_admin, created_at) values (?, ?, ?, ?, ?, 1, ?)',
        )
        .run(ADMIN_ID, 'root', 'Administrator', 'root@bench.local', passwordHash, now);
      for (const group of groups)
        insertGroup.run(group.id, group.parent_id, group.path, group.path, group.full_path, group.traversal_ids, now);
      insertProject.run(1, groups[0]!.id, 'shallow', 'shallow', 'g0/shallow', now);
      for (let index = 0; index < 10; index++)
        insertProject.run(2 + index, small.id, `s${index}`, `s${index}`, `small/s${index}`, now);
      for (let index = 1; index < projectCount; index++) {
        const leaf = leaves[index % leaves.length]!;
        const name = `p${index}`;
        insertProject.run(index + FIRST_NUMBERED_ID, leaf.id, name, name, `${leaf.full_path}/${name}`, now);
      }
      for (const index of custom)
        insertCustom.run(index + FIRST_NUMBERED_ID, JSON.stringify({ username: `bot-${index}` }), now, now);
    })();
    sqlite.pragma('optimize');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    sqlite.close();
  }
  return Promise.resolve();
}

/**
 * PostgreSQL: the projects are made by the server (generate_series) in one transaction, then
 * the identity sequences are moved past the explicit ids, and the tables vacuumed and analyzed
 * as autovacuum would leave them on a database in use.
 */
async function fillPostgres(
  url: string,
  { groups, small, custom, projectCount, fanout, depth, passwordHash }: Fill,
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const now = Date.now();
  try {
    // Committed at once, so that the vacuum below may mark every page all-visible (index-only scans).
    await client.query('set synchronous_commit = on');
    await client.query('begin');
    await client.query(
      "insert into users (id, username, name, email, password_hash, is_admin, created_at) values ($1, 'root', 'Administrator', 'root@bench.local', $2, true, $3)",
      [ADMIN_ID, passwordHash, now],
    );
    await client.query(
      `insert into groups (id, parent_id, name, path, full_path, traversal_ids, created_at)
       select id, parent_id, path, path, full_path, traversal_ids, $2
       from json_to_recordset($1::json) as g(id int, parent_id int, path text, full_path text, traversal_ids text)`,
      [JSON.stringify(groups), now],
    );
    await client.query(
      `insert into projects (id, group_id, name, path, full_path, created_at)
       values (1, 1, 'shallow', 'shallow', 'g0/shallow', $1)`,
      [now],
    );
    await client.query(
      `insert into projects (id, group_id, name, path, full_path, created_at)
       select 2 + i, $1, 's' || i, 's' || i, 'small/s' || i, $2 from generate_series(0, 9) i`,
      [small.id, now],
    );
    // The leaf of chain t has id (t + 1) × depth (groupRows).
    await client.query(
      `insert into projects (id, group_id, name, path, full_path, created_at)
       select i + $1, leaf.id, 'p' || i, 'p' || i, leaf.full_path || '/p' || i, $5
       from generate_series(1, $2::int - 1) i join groups leaf on leaf.id = (i % $3 + 1) * $4`,
      [FIRST_NUMBERED_ID, projectCount, fanout, depth, now],
    );
    await client.query(
      `insert into integration_settings (type, project_id, active, fields, events, updated_at, created_at)
       select 'slack', i + $1, true, '{"username":"bot-' || i || '"}', '{}', $3, $3 from unnest($2::int[]) i`,
      [FIRST_NUMBERED_ID, custom, now],
    );
    for (const table of ['users', 'groups', 'projects', 'integration_settings'])
      await client.query(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
    await client.query('commit');
    await client.query('vacuum analyze');
  } finally {
    await client.end();
  }
}
