/**
 * @module auth/sessions
 * Server-side sessions: the browser holds a random token, the database only its SHA-256.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { KeptUntilChange } from '../db/change-stamp.js';
import { databaseStamp, perDatabase, type Db, type Queryable, type Tx } from '../db/client.js';
import { sessions, users, type User } from '../db/schema.js';

export const SESSION_COOKIE = 'cascade_session';
export const SESSION_LIFETIME_MS = 14 * 24 * 60 * 60 * 1000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Starts a session and returns the token for the cookie.
 *
 * @example
 * const token = await createSession(db, user.id)
 * (await findSessionUser(db, token))?.username // user.username
 */
export async function createSession(db: Queryable, userId: number, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.transaction(async (tx) => {
    await tx
      .insert(sessions)
      .values({ tokenHash: hashToken(token), userId, expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS) });
  });
  return token;
}

const statements = perDatabase((db) => ({
  sessionUser: db
    .select({ user: users, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, sql.placeholder('tokenHash')), isNull(users.blockedAt)))
    .prepare(),
}));

/** Recent lookups: a session only changes through a database write, which ends their use. */
const recentLookups = perDatabase(() => new KeptUntilChange<{ user: User; expiresAt: Date } | null>(1_000));

/**
 * The signed-in user for a token, or null if the session is unknown, expired or the user is
 * blocked. `stamp` (db/change-stamp.ts) lets repeated requests skip the query.
 */
export async function findSessionUser(db: Db, token: string, now = new Date(), given?: string): Promise<User | null> {
  const stamp = given ?? (await databaseStamp(db));
  const tokenHash = hashToken(token);
  let found = recentLookups(db).get(tokenHash, stamp);
  if (found === undefined) {
    found = (await statements(db).sessionUser.execute({ tokenHash }))[0] ?? null;
    recentLookups(db).set(tokenHash, stamp, found);
  }
  return found && found.expiresAt > now ? found.user : null;
}

export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)));
  });
}

/**
 * Ends every session of a user, but the one of `keepToken` (the browser that changed the password).
 *
 * @example
 * await db.transaction((tx) => endSessions(tx, user.id, currentToken))
 */
export async function endSessions(tx: Tx, userId: number, keepToken?: string): Promise<void> {
  const kept = keepToken === undefined ? undefined : ne(sessions.tokenHash, hashToken(keepToken));
  await tx.delete(sessions).where(and(eq(sessions.userId, userId), kept));
}
