/**
 * Benchmark fixtures: a database with a tree of nested groups and any number of projects,
 * written with raw batched inserts in one transaction (the app's own functions would take
 * minutes for a million projects).
 */
import { hashPassword } from '../src/auth/passwords.js';
import { createSession, SESSION_COOKIE } from '../src/auth/sessions.js';
import { migrateDatabase, openDatabase, type Db } from '../src/db/client.js';

/** Shared by the in-process app and the server process, so both open the same sealed secrets. */
export const BENCH_SECRET_KEY_BASE = 'bench-secret-key-base-0123456789abcdef';

export interface BenchTree {
  db: Db;
  /** A leaf group's project, ten levels deep when `depth` is 10. */
  deepProjectPath: string;
  /** A project right under a top-level group. */
  shallowProjectPath: string;
  adminCookie: string;
}

/**
 * `fanout` top-level groups, each a chain of `depth` nested groups; projects are spread evenly
 * over the deepest groups, plus one project in the first top-level group.
 */
export async function buildTree(path: string, projectCount: number, { fanout = 10, depth = 3 } = {}): Promise<BenchTree> {
  const db = openDatabase(path);
  migrateDatabase(db);
  const sqlite = db.$client;
  const now = Date.now();
  const passwordHash = await hashPassword('bench-password');
  const adminId = Number(
    sqlite
      .prepare('insert into users (username, name, email, password_hash, is_admin, created_at) values (?, ?, ?, ?, 1, ?)')
      .run('root', 'Administrator', 'root@bench.local', passwordHash, now).lastInsertRowid,
  );
  const insertGroup = sqlite.prepare(
    'insert into groups (parent_id, name, path, full_path, traversal_ids, created_at) values (?, ?, ?, ?, ?, ?)',
  );
  const setTraversal = sqlite.prepare('update groups set traversal_ids = ? where id = ?');
  const insertProject = sqlite.prepare('insert into projects (group_id, name, path, full_path, created_at) values (?, ?, ?, ?, ?)');

  const leaves: { id: number; fullPath: string }[] = [];
  let shallowProjectPath = '';
  sqlite.transaction(() => {
    for (let top = 0; top < fanout; top++) {
      let parent: { id: number | null; fullPath: string; traversal: string } = { id: null, fullPath: '', traversal: '/' };
      for (let level = 0; level < depth; level++) {
        const segment = level === 0 ? `g${top}` : `l${level}`;
        const fullPath = parent.fullPath ? `${parent.fullPath}/${segment}` : segment;
        const id = Number(insertGroup.run(parent.id, segment, segment, fullPath, '', now).lastInsertRowid);
        const traversal = `${parent.traversal}${id}/`;
        setTraversal.run(traversal, id);
        parent = { id, fullPath, traversal };
        if (level === 0 && top === 0) {
          insertProject.run(id, 'shallow', 'shallow', `${fullPath}/shallow`, now);
          shallowProjectPath = `${fullPath}/shallow`;
        }
      }
      leaves.push({ id: parent.id!, fullPath: parent.fullPath });
    }
    for (let index = 1; index < projectCount; index++) {
      const leaf = leaves[index % leaves.length]!;
      insertProject.run(leaf.id, `p${index}`, `p${index}`, `${leaf.fullPath}/p${index}`, now);
    }
  })();
  sqlite.pragma('optimize');
  const deepProjectPath = `${leaves[1 % leaves.length]!.fullPath}/p1`;
  return { db, deepProjectPath, shallowProjectPath, adminCookie: `${SESSION_COOKIE}=${createSession(db, adminId)}` };
}
