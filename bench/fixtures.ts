/**
 * Benchmark fixtures: a database with a tree of nested groups and any number of projects,
 * written with raw batched inserts in one transaction (the app's own functions would take
 * minutes for a million projects).
 */
import { hashPassword } from '../src/auth/passwords.js';
import { createSession, SESSION_COOKIE } from '../src/auth/sessions.js';
import { migrateDatabase, openDatabase, writeConnection, type Db } from '../src/db/client.js';

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

/**
 * Projects are spread evenly over the deepest group of each chain; the first top-level group
 * also has one project of its own, and a separate top-level group "small" has 10.
 */
export async function buildTree(
  path: string,
  projectCount: number,
  { fanout = 10, depth = 10, customProjects = 0 }: TreeShape = {},
): Promise<BenchTree> {
  const db = openDatabase(path);
  migrateDatabase(db);
  const sqlite = writeConnection(db).$client;
  const now = Date.now();
  const adminId = Number(
    sqlite
      .prepare(
        'insert into users (username, name, email, password_hash, is_admin, created_at) values (?, ?, ?, ?, 1, ?)',
      )
      .run('root', 'Administrator', 'root@bench.local', await hashPassword('bench-password'), now).lastInsertRowid,
  );
  const insertGroup = sqlite.prepare(
    'insert into groups (parent_id, name, path, full_path, traversal_ids, created_at) values (?, ?, ?, ?, ?, ?)',
  );
  const setTraversal = sqlite.prepare('update groups set traversal_ids = ? where id = ?');
  const insertProject = sqlite.prepare(
    'insert into projects (group_id, name, path, full_path, created_at) values (?, ?, ?, ?, ?)',
  );
  const insertCustom = sqlite.prepare(
    "insert into integration_settings (type, project_id, active, fields, events, updated_at, created_at) values ('slack', ?, 1, ?, '{}', ?, ?)",
  );

  const addGroup = (parent: { id: number | null; fullPath: string; traversal: string }, segment: string) => {
    const fullPath = parent.fullPath ? `${parent.fullPath}/${segment}` : segment;
    const id = Number(insertGroup.run(parent.id, segment, segment, fullPath, '', now).lastInsertRowid);
    const traversal = `${parent.traversal}${id}/`;
    setTraversal.run(traversal, id);
    return { id, fullPath, traversal };
  };
  const root = { id: null, fullPath: '', traversal: '/' };

  const leaves: { id: number; fullPath: string }[] = [];
  const customPaths: string[] = [];
  sqlite.transaction(() => {
    for (let top = 0; top < fanout; top++) {
      let group = addGroup(root, `g${top}`);
      if (top === 0) insertProject.run(group.id, 'shallow', 'shallow', `${group.fullPath}/shallow`, now);
      for (let level = 1; level < depth; level++) group = addGroup(group, `l${level}`);
      leaves.push(group);
    }
    const small = addGroup(root, 'small');
    for (let index = 0; index < 10; index++)
      insertProject.run(small.id, `s${index}`, `s${index}`, `small/s${index}`, now);
    const customLeaf = leaves[2 % leaves.length]!;
    for (let index = 1; index < projectCount; index++) {
      const leaf = leaves[index % leaves.length]!;
      const name = `p${index}`;
      const id = Number(insertProject.run(leaf.id, name, name, `${leaf.fullPath}/${name}`, now).lastInsertRowid);
      if (leaf === customLeaf && customPaths.length < customProjects) {
        insertCustom.run(id, JSON.stringify({ username: `bot-${index}` }), now, now);
        customPaths.push(`${leaf.fullPath}/${name}`);
      }
    }
  })();
  sqlite.pragma('optimize');
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  customPaths.sort();
  return {
    db,
    deepProjectPath: `${leaves[1 % leaves.length]!.fullPath}/p1`,
    shallowProjectPath: 'g0/shallow',
    bigGroupPath: 'g0',
    smallGroupPath: 'small',
    middleOverridePath: customPaths[Math.floor(customPaths.length / 2)] ?? '',
    adminCookie: `${SESSION_COOKIE}=${await createSession(db, adminId)}`,
  };
}
