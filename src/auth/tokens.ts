/**
 * @module auth/tokens
 * Personal access tokens for the API, as in GitLab: a name, scopes and an expiry date; the token
 * is shown once when created and only its SHA-256 is stored. A token works through its expiry
 * day (UTC) while it is not revoked and its user is not blocked.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { perDatabase, type Queryable } from '../db/client.js';
import { personalAccessTokens, users, type PersonalAccessToken, type User } from '../db/schema.js';
import { isCalendarDay, isStoredId, text, validate, type Outcome } from '../validation.js';

export const TOKEN_SCOPES = ['api', 'read_api', 'sudo'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<TokenScope, string> = {
  api: 'Read and write access to the API: change integration settings where your role allows it.',
  read_api: 'Read-only access to the API.',
  sudo: "Act as any user with the Sudo header (administrators only), with that user's permissions.",
};

/**
 * The scopes `user` may give a token: `sudo` only for administrators, as in GitLab.
 *
 * @example
 * offeredScopes({ isAdmin: false }) // ['api', 'read_api']
 */
export function offeredScopes(user: Pick<User, 'isAdmin'>): readonly TokenScope[] {
  return user.isAdmin ? TOKEN_SCOPES : TOKEN_SCOPES.filter((scope) => scope !== 'sudo');
}

/** "api, read_api or sudo" */
const scopeChoice = (scopes: readonly string[]) =>
  scopes.length > 1 ? `${scopes.slice(0, -1).join(', ')} or ${scopes[scopes.length - 1]}` : scopes.join('');

export const DEFAULT_LIFETIME_DAYS = 30;
export const MAX_LIFETIME_DAYS = 365;

/** GitLab's prefix, so that secret scanners recognise a leaked token. */
const TOKEN_PREFIX = 'glpat-';

/** `last_used_at` is written at most this often: every write ends the page cache's kept pages. */
const LAST_USED_GRANULARITY_MS = 10 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

/** "2026-11-23": the UTC day of a moment, as expiry dates are stored. */
export const utcDay = (moment: Date) => moment.toISOString().slice(0, 10);

export const daysAhead = (moment: Date, days: number) => utcDay(new Date(moment.getTime() + days * DAY_MS));

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const isTokenScope = (scope: string): scope is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(scope);

/** A checkbox group submits nothing, one value or several; each must be one of `offered`. */
const scopeList = (offered: readonly TokenScope[]) =>
  z.preprocess(
    (value) => (value === undefined ? [] : [value].flat()),
    z
      .array(z.string())
      .min(1, 'Select at least one scope')
      .refine(
        (scopes) => scopes.every((scope) => (offered as readonly string[]).includes(scope)),
        `Scopes can be ${scopeChoice(offered)}`,
      )
      .transform((scopes) => [...new Set(scopes)] as TokenScope[]),
  );

/**
 * The form (and API) rules for a new token, relative to `today`, with the scopes its user may
 * give it (see {@link offeredScopes}).
 *
 * @example
 * newTokenSchema('2026-11-23').safeParse({ name: 'CI', scopes: 'api', expires_at: '2026-12-23' }).success // true
 */
export function newTokenSchema(today: string, offered: readonly TokenScope[] = offeredScopes({ isAdmin: false })) {
  const latest = daysAhead(new Date(`${today}T00:00:00Z`), MAX_LIFETIME_DAYS);
  return z.object({
    name: text('Name').trim().min(1, 'Name is required').max(255, 'Name is too long (maximum is 255 characters)'),
    scopes: scopeList(offered),
    expires_at: text('Expiration date')
      .trim()
      .refine(isCalendarDay, 'Expiration date must be a date (YYYY-MM-DD)')
      .refine((day) => day > today, 'Expiration date must be in the future')
      .refine(
        (day) => day <= latest,
        `Expiration date must be at most ${MAX_LIFETIME_DAYS} days ahead (${latest} at the latest)`,
      ),
  });
}

export interface CreatedToken {
  /** The token itself: shown once, never stored. */
  token: string;
  record: PersonalAccessToken;
}

/**
 * Validates the new-token form and creates the token; only an administrator may give it `sudo`.
 *
 * @example
 * const created = await createPersonalAccessToken(db, user, { name: 'CI', scopes: ['api'], expires_at: '2026-12-23' })
 * if (created.ok) console.log(created.value.token) // "glpat-..."
 */
export async function createPersonalAccessToken(
  db: Queryable,
  user: User,
  input: unknown,
  now = new Date(),
): Promise<Outcome<CreatedToken>> {
  const parsed = validate(newTokenSchema(utcDay(now), offeredScopes(user)), input);
  if (!parsed.ok) return parsed;
  const { name, scopes, expires_at } = parsed.value;
  const token = `${TOKEN_PREFIX}${randomBytes(20).toString('base64url')}`;
  const record = await db.transaction(
    async (tx) =>
      (
        await tx
          .insert(personalAccessTokens)
          .values({
            userId: user.id,
            name,
            scopes: JSON.stringify(scopes),
            tokenHash: hashToken(token),
            expiresAt: expires_at,
            createdAt: now,
          })
          .returning()
      )[0]!,
  );
  return { ok: true, value: { token, record } };
}

export function tokenScopes(token: PersonalAccessToken): TokenScope[] {
  return (JSON.parse(token.scopes) as string[]).filter(isTokenScope);
}

/**
 * Why an API request may not act as another user with the Sudo header (GitLab's `sudo!`): the
 * token's user is not an administrator, or the token lacks the `sudo` scope; null when it may.
 * Checked on every request, so a token stops working for Sudo when its user stops being an
 * administrator.
 *
 * @example
 * sudoRefusal(adminUser, adminTokenWithApiOnly) // 'missing_scope'
 */
export function sudoRefusal(user: User, token: PersonalAccessToken): 'not_admin' | 'missing_scope' | null {
  if (!user.isAdmin) return 'not_admin';
  return tokenScopes(token).includes('sudo') ? null : 'missing_scope';
}

export type TokenStatus = 'active' | 'expired' | 'revoked';

export function tokenStatus(token: PersonalAccessToken, now = new Date()): TokenStatus {
  if (token.revokedAt) return 'revoked';
  return token.expiresAt < utcDay(now) ? 'expired' : 'active';
}

/** A user's tokens, newest first. */
export async function userTokens(db: Queryable, userId: number): Promise<PersonalAccessToken[]> {
  return await db
    .select()
    .from(personalAccessTokens)
    .where(eq(personalAccessTokens.userId, userId))
    .orderBy(desc(personalAccessTokens.id));
}

export interface OwnedToken {
  token: PersonalAccessToken;
  owner: Pick<User, 'id' | 'username' | 'name'>;
}

/** Every user's tokens for the Admin Area, newest first. */
export async function allTokens(
  db: Queryable,
  page: number,
  perPage: number,
): Promise<{ tokens: OwnedToken[]; total: number }> {
  const total = (await db.select({ n: count() }).from(personalAccessTokens).limit(1))[0]?.n ?? 0;
  const tokens = await db
    .select({ token: personalAccessTokens, owner: { id: users.id, username: users.username, name: users.name } })
    .from(personalAccessTokens)
    .innerJoin(users, eq(users.id, personalAccessTokens.userId))
    .orderBy(desc(personalAccessTokens.id))
    .limit(perPage)
    .offset((page - 1) * perPage);
  return { tokens, total };
}

export async function findToken(db: Queryable, id: number): Promise<PersonalAccessToken | undefined> {
  if (!isStoredId(id)) return undefined;
  return (await db.select().from(personalAccessTokens).where(eq(personalAccessTokens.id, id)).limit(1))[0];
}

/** Revokes a token; false if it was revoked already. */
export async function revokeToken(db: Queryable, id: number, now = new Date()): Promise<boolean> {
  const revoked = await db.transaction((tx) =>
    tx
      .update(personalAccessTokens)
      .set({ revokedAt: now })
      .where(and(eq(personalAccessTokens.id, id), isNull(personalAccessTokens.revokedAt)))
      .returning({ id: personalAccessTokens.id }),
  );
  return revoked.length > 0;
}

/** Why a token that does not authenticate is refused; GitLab tells its clients an expired or revoked one. */
export type TokenRefusal = 'unknown' | 'expired' | 'revoked';

/**
 * Why {@link authenticateToken} refused a token: revoked, past its expiry day, or anything else
 * (unknown, or its user blocked).
 *
 * @example
 * await tokenRefusal(db, 'glpat-revoked...') // 'revoked'
 */
export async function tokenRefusal(db: Queryable, secret: string, now = new Date()): Promise<TokenRefusal> {
  const token = secret.startsWith(TOKEN_PREFIX)
    ? (
        await db
          .select()
          .from(personalAccessTokens)
          .where(eq(personalAccessTokens.tokenHash, hashToken(secret)))
          .limit(1)
      )[0]
    : undefined;
  if (token?.revokedAt) return 'revoked';
  if (token && token.expiresAt < utcDay(now)) return 'expired';
  return 'unknown';
}

const statements = perDatabase((db) => ({
  byHash: db
    .select({ token: personalAccessTokens, user: users })
    .from(personalAccessTokens)
    .innerJoin(users, eq(users.id, personalAccessTokens.userId))
    .where(
      and(
        eq(personalAccessTokens.tokenHash, sql.placeholder('tokenHash')),
        isNull(personalAccessTokens.revokedAt),
        isNull(users.blockedAt),
        sql`${personalAccessTokens.expiresAt} >= ${sql.placeholder('today')}`,
      ),
    )
    .prepare(),
  touch: db
    .update(personalAccessTokens)
    .set({ lastUsedAt: sql`${sql.placeholder('now')}` })
    .where(eq(personalAccessTokens.id, sql.placeholder('id')))
    .prepare(),
}));

/**
 * The user and token an API request authenticates with, or null for an unknown, revoked or
 * expired token or a blocked user. Notes the use, at most every ten minutes.
 *
 * @example
 * (await authenticateToken(db, request.headers.get('private-token') ?? ''))?.user.username
 */
export async function authenticateToken(
  db: Queryable,
  secret: string,
  now = new Date(),
): Promise<{ user: User; token: PersonalAccessToken } | null> {
  if (!secret.startsWith(TOKEN_PREFIX)) return null;
  const found = (await statements(db).byHash.execute({ tokenHash: hashToken(secret), today: utcDay(now) }))[0];
  if (!found) return null;
  const lastUsed = found.token.lastUsedAt?.getTime() ?? 0;
  if (now.getTime() - lastUsed >= LAST_USED_GRANULARITY_MS) {
    await db.transaction(async (tx) => {
      await statements(tx).touch.execute({ id: found.token.id, now: now.getTime() });
    });
    found.token.lastUsedAt = now;
  }
  return found;
}
