/**
 * @module auth/sessions
 * Server-side sessions: the browser holds a random token, the database only its SHA-256.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { perDatabase, type Db } from '../db/client.js';
import { sessions, users, type User } from '../db/schema.js';

export const SESSION_COOKIE = 'cascade_session';
export const SESSION_LIFETIME_MS = 14 * 24 * 60 * 60 * 1000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Starts a session and returns the token for the cookie.
 *
 * @example
 * const token = createSession(db, user.id)
 * findSessionUser(db, token)?.username // user.username
 */
export function createSession(db: Db, userId: number, now = new Date()): string {
  const token = randomBytes(32).toString('base64url');
  db.insert(sessions)
    .values({ tokenHash: hashToken(token), userId, expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS) })
    .run();
  return token;
}

/** The signed-in user for a token, or null if the session is unknown, expired or the user is blocked. */
const statements = perDatabase((db) => ({
  sessionUser: db
    .select({ user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, sql.placeholder('tokenHash')), gt(sessions.expiresAt, sql.placeholder('now')), isNull(users.blockedAt)))
    .prepare(),
}));

/** The signed-in user for a token, or null if the session is unknown, expired or the user is blocked. */
export function findSessionUser(db: Db, token: string, now = new Date()): User | null {
  const row = statements(db).sessionUser.get({ tokenHash: hashToken(token), now: now.getTime() });
  return row?.user ?? null;
}

export function deleteSession(db: Db, token: string): void {
  db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token))).run();
}
