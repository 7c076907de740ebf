/**
 * A small instance with one user of every kind, for permission tests:
 * groups "top" > "top/sub" with project "top/sub/app", and a sibling group "other".
 */
import type { Db } from '../../src/db/client.js';
import type { CodeHost, Group, Member, PersonalAccessToken, Project, User } from '../../src/db/schema.js';
import { HostSecrets } from '../../src/code-hosts/secrets.js';
import { ROLES } from '../../src/auth/permissions.js';
import { codeHosts, members, users as usersTable } from '../../src/db/schema.js';
import { eq } from 'drizzle-orm';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { createPersonalAccessToken, daysAhead } from '../../src/auth/tokens.js';
import { insertUser, sessionCookie, TEST_SECRET_KEY_BASE } from './app.js';
import { writeConnection } from '../../src/db/client.js';
import { keepContents, openTestDatabase, type DatabaseContents } from './database.js';

export const ACTORS = [
  'anonymous',
  'nonMember',
  'reporter',
  'developer',
  'maintainer',
  'owner',
  'admin',
  'blocked',
] as const;
export type Actor = (typeof ACTORS)[number];

export interface World {
  top: Group;
  sub: Group;
  other: Group;
  project: Project;
  otherProject: Project;
  users: Record<Exclude<Actor, 'anonymous'>, User>;
  /** The membership rows of the actors who have one, e.g. to change or remove a member by id. */
  memberships: Record<'reporter' | 'developer' | 'maintainer' | 'owner' | 'blocked', Member>;
  cookies: Record<Actor, string | undefined>;
  /** A personal access token of the reporter (scope api), to revoke or list. */
  reporterToken: PersonalAccessToken;
  /** The world's database, for a row's setup that no page can do yet (e.g. adding a code host connection). */
  db: Db;
  /** A connected GitLab (Admin Area › Code hosts), its token sealed with the test apps' key; nothing imported. */
  codeHost: CodeHost;
}

/** The value of a successful outcome; throws (failing the test's setup) otherwise. */
export function must<T>(outcome: { ok: true; value: T } | { ok: false; errors: unknown }): T {
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  return outcome.value;
}

/**
 * Roles: reporter and developer in group "top/sub" (inherited by the project), maintainer of the
 * project only, owner of group "top", admin of the instance, blocked (a reporter of "top", blocked).
 */
export async function buildWorld(db: Db): Promise<World> {
  const top = must(await createGroup(db, { name: 'Top', path: 'top' }));
  const sub = must(await createGroup(db, { name: 'Sub', path: 'sub' }, top));
  const other = must(await createGroup(db, { name: 'Other', path: 'other' }));
  const project = must(await createProject(db, { name: 'App', path: 'app' }, sub));
  const otherProject = must(await createProject(db, { name: 'Elsewhere', path: 'elsewhere' }, other));
  const users = {
    nonMember: await insertUser(db, 'stranger'),
    reporter: await insertUser(db, 'reporter'),
    developer: await insertUser(db, 'developer'),
    maintainer: await insertUser(db, 'maintainer'),
    owner: await insertUser(db, 'owner'),
    admin: await insertUser(db, 'admin', { isAdmin: true }),
    blocked: await insertUser(db, 'blocked'),
  };
  const [reporter, developer, maintainer, owner, blocked] = await writeConnection(db)
    .insert(members)
    .values([
      { userId: users.reporter.id, groupId: sub.id, accessLevel: ROLES.reporter },
      { userId: users.developer.id, groupId: sub.id, accessLevel: ROLES.developer },
      { userId: users.maintainer.id, projectId: project.id, accessLevel: ROLES.maintainer },
      { userId: users.owner.id, groupId: top.id, accessLevel: ROLES.owner },
      { userId: users.blocked.id, groupId: top.id, accessLevel: ROLES.reporter },
    ])
    .returning();
  const memberships = {
    reporter: reporter!,
    developer: developer!,
    maintainer: maintainer!,
    owner: owner!,
    blocked: blocked!,
  };
  const cookies = Object.fromEntries(
    await Promise.all(Object.entries(users).map(async ([actor, user]) => [actor, await sessionCookie(db, user)])),
  ) as World['cookies'];
  cookies.anonymous = undefined;
  const reporterToken = must(
    await createPersonalAccessToken(db, users.reporter, {
      name: 'Reporter script',
      scopes: ['api'],
      expires_at: daysAhead(new Date(), 30),
    }),
  ).record;
  // Blocked after signing in: the session must stop working.
  await writeConnection(db)
    .update(usersTable)
    .set({ blockedAt: new Date() })
    .where(eq(usersTable.id, users.blocked.id));
  const url = 'https://gitlab.world.example';
  const secrets = new HostSecrets(TEST_SECRET_KEY_BASE);
  const [codeHost] = await writeConnection(db)
    .insert(codeHosts)
    .values({
      kind: 'gitlab',
      name: 'gitlab.world.example',
      url,
      token: secrets.seal(url, 'token', 'glpat-world-token'),
      hookSecret: secrets.seal(url, 'hookSecret', 'world-hook-secret'),
      systemHookId: 1,
      version: '17.5.1',
    })
    .returning();
  return {
    top,
    sub,
    other,
    project,
    otherProject,
    users,
    memberships,
    cookies,
    reporterToken,
    db,
    codeHost: codeHost!,
  };
}

let kept: Promise<{ contents: DatabaseContents; world: World }> | undefined;

/**
 * A fresh test database holding the world, and the world. The first test of a file builds it;
 * each other test gets a database copied from that one as it was built (SQLite: the file;
 * PostgreSQL: its rows), with the same ids, sessions and tokens, at a fraction of the cost of
 * building it again.
 *
 * @example
 * const { db, world } = await openWorld()
 * const { app } = await createTestApp({ db })
 */
export async function openWorld(): Promise<{ db: Db; world: World }> {
  if (!kept) {
    const db = await openTestDatabase();
    const world = await buildWorld(db);
    kept = keepContents(db).then((contents) => ({ contents, world: copyOf(world) }));
    kept.catch(() => (kept = undefined));
    await kept;
    return { db, world };
  }
  const { contents, world } = await kept;
  const db = await openTestDatabase({ from: contents });
  return { db, world: { ...copyOf(world), db } };
}

/** The world's rows, copied: a test may change its own. */
function copyOf(world: World): World {
  const { db, ...rows } = world;
  return { ...structuredClone(rows), db };
}
