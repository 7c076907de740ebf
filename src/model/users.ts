/**
 * @module model/users
 * Accounts: creating, editing and deleting them, passwords, administrator access, blocking.
 */
import { and, asc, count, eq, isNull, like, ne, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { booleanField } from '../boolean.js';
import { MIN_PASSWORD_LENGTH } from '../config.js';
import type { Queryable, Tx } from '../db/client.js';
import { members, passwordResetTokens, personalAccessTokens, sessions, users, type User } from '../db/schema.js';
import { hashPassword, UNUSABLE_PASSWORD_HASH, verifyPassword } from '../auth/passwords.js';
import { endSessions } from '../auth/sessions.js';
import { writeUnique } from './unique.js';
import { isStoredId, text, validate, type FieldErrors, type Outcome } from '../validation.js';

/** The one rule for every password chosen in Cascade: on creation, change, reset. */
function passwordRule(label: string) {
  return text(label)
    .min(MIN_PASSWORD_LENGTH, `${label} is too short (minimum is ${MIN_PASSWORD_LENGTH} characters)`)
    .max(128, `${label} is too long (maximum is 128 characters)`);
}

export const newUserSchema = z.object({
  name: text('Name').trim().min(1, 'Name is required').max(255, 'Name is too long (maximum is 255 characters)'),
  username: text('Username')
    .trim()
    .min(2, 'Username is too short (minimum is 2 characters)')
    .max(64, 'Username is too long (maximum is 64 characters)')
    .regex(/^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/, "Username can contain only letters, digits, '_', '-' and '.'"),
  email: text('Email').trim().max(254, 'Email is too long').pipe(z.email('Email is invalid')),
  password: passwordRule('Password'),
  is_admin: booleanField('Administrator must be yes or no').default(false),
});

export type NewUser = z.infer<typeof newUserSchema>;

/** Why an administrator may not block themselves or take away their own administrator access, in the Admin Area and the API. */
export const SELF_LOCKOUT_MESSAGE = 'You cannot change your own administrator access or block yourself.';

export async function findUserById(db: Queryable, id: number): Promise<User | undefined> {
  if (!isStoredId(id)) return undefined;
  return (await db.select().from(users).where(eq(users.id, id)).limit(1))[0];
}

export async function findUserByUsername(db: Queryable, username: string): Promise<User | undefined> {
  return (
    await db
      .select()
      .from(users)
      .where(sql`lower(${users.username}) = lower(${username})`)
      .limit(1)
  )[0];
}

/**
 * Validates the new-user form and creates the account.
 *
 * @example
 * const result = await createUser(db, { name: 'Ada', username: 'ada', email: 'ada@example.com', password: 's3cret-pass' })
 * if (!result.ok) console.log(result.errors.username) // e.g. 'Username has already been taken'
 */
export async function createUser(db: Queryable, input: unknown): Promise<Outcome<User>> {
  const parsed = validate(newUserSchema, input);
  if (!parsed.ok) return parsed;
  const { name, username, email, password, is_admin } = parsed.value;
  const taken = await takenErrors(db, username, email);
  if (Object.keys(taken).length > 0) return { ok: false, errors: taken };
  const passwordHash = await hashPassword(password);
  return writeUnique(
    () =>
      db.transaction(
        async (tx) =>
          (await tx.insert(users).values({ name, username, email, passwordHash, isAdmin: is_admin }).returning())[0]!,
      ),
    () => takenErrors(db, username, email),
  );
}

/** What may change on an account: any field of a new one. */
export const userChangesSchema = newUserSchema.partial().extend({
  // A union, as an optional field would still run the yes/no check on a value that is not sent.
  is_admin: z.union([z.undefined(), booleanField('Administrator must be yes or no')]).optional(),
});

/**
 * Changes any of an account's name, username, email, password and administrator access; a
 * username or email another account has is refused as on creation. A new password ends every
 * session of the user, as every password change does.
 *
 * @example
 * await updateUser(db, ada, { name: 'Ada Lovelace', is_admin: true })
 */
export async function updateUser(db: Queryable, user: User, input: unknown): Promise<Outcome<User>> {
  const parsed = validate(userChangesSchema, input);
  if (!parsed.ok) return parsed;
  const { name, username, email, password, is_admin } = parsed.value;
  const taken = await takenErrors(db, username ?? '', email ?? '', user.id);
  if (Object.keys(taken).length > 0) return { ok: false, errors: taken };
  const changes = {
    ...(name === undefined ? {} : { name }),
    ...(username === undefined ? {} : { username }),
    ...(email === undefined ? {} : { email }),
    ...(password === undefined ? {} : { passwordHash: await hashPassword(password) }),
    ...(is_admin === undefined ? {} : { isAdmin: is_admin }),
  };
  if (Object.keys(changes).length === 0) return { ok: true, value: user };
  return writeUnique(
    () =>
      db.transaction(async (tx) => {
        const updated = (await tx.update(users).set(changes).where(eq(users.id, user.id)).returning())[0]!;
        if (changes.passwordHash) await writePassword(tx, user.id, changes.passwordHash);
        return updated;
      }),
    async () => await takenErrors(db, username ?? '', email ?? '', user.id),
  );
}

/** The username and email another account (than `exceptId`) has already, compared without case. */
async function takenErrors(db: Queryable, username: string, email: string, exceptId = 0): Promise<FieldErrors> {
  const clash = await db
    .select({ username: users.username, email: users.email })
    .from(users)
    .where(
      and(
        ne(users.id, exceptId),
        or(sql`lower(${users.username}) = lower(${username})`, sql`lower(${users.email}) = lower(${email})`),
      ),
    );
  const errors: FieldErrors = {};
  if (username && clash.some((u) => u.username.toLowerCase() === username.toLowerCase()))
    errors.username = 'Username has already been taken';
  if (email && clash.some((u) => u.email.toLowerCase() === email.toLowerCase()))
    errors.email = 'Email has already been taken';
  return errors;
}

export interface UserListQuery {
  search: string;
  page: number;
  perPage: number;
}

export async function listUsers(db: Queryable, query: UserListQuery): Promise<{ users: User[]; total: number }> {
  const pattern = `%${query.search}%`;
  const filter = query.search
    ? or(like(users.username, pattern), like(users.name, pattern), like(users.email, pattern))
    : undefined;
  const total = (await db.select({ n: count() }).from(users).where(filter).limit(1))[0]?.n ?? 0;
  const rows = await db
    .select()
    .from(users)
    .where(filter)
    .orderBy(asc(users.username))
    .limit(query.perPage)
    .offset((query.page - 1) * query.perPage);
  return { users: rows, total };
}

export async function setAdministrator(db: Queryable, userId: number, isAdmin: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(users).set({ isAdmin }).where(eq(users.id, userId));
  });
}

/** Blocking ends every session of the user at once. */
export async function setBlocked(db: Queryable, userId: number, blocked: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ blockedAt: blocked ? new Date() : null })
      .where(eq(users.id, userId));
    if (blocked) await tx.delete(sessions).where(eq(sessions.userId, userId));
  });
}

export async function countUsers(db: Queryable): Promise<{ total: number; admins: number; blocked: number }> {
  const row = (
    await db
      .select({
        total: count(),
        admins: sql<number>`count(case when ${users.isAdmin} then 1 end)`,
        blocked: sql<number>`count(${users.blockedAt})`,
      })
      .from(users)
      .limit(1)
  )[0];
  return { total: row?.total ?? 0, admins: row?.admins ?? 0, blocked: row?.blocked ?? 0 };
}

/** A new password typed twice: an administrator's reset, a reset by mail, and a change of one's own. */
export const newPasswordSchema = z
  .object({ new_password: passwordRule('New password'), password_confirmation: text('Password confirmation') })
  .refine((form) => form.new_password === form.password_confirmation, {
    path: ['password_confirmation'],
    message: "Password confirmation doesn't match New password",
  });

/** GitLab's answer to a wrong current password. */
export const INVALID_CURRENT_PASSWORD = 'You must provide a valid current password';

/**
 * Whether the user signs in with a password kept here: not one imported from a code host (they
 * sign in through it), nor one whose connection was removed since (no password was ever set).
 */
export const hasLocalPassword = (user: User): boolean =>
  user.codeHostId === null && user.passwordHash !== UNUSABLE_PASSWORD_HASH;

/**
 * Sets a user's password in `tx`: every session ends but `keepToken`'s, and every reset link
 * mailed before stops working.
 */
export async function writePassword(tx: Tx, userId: number, passwordHash: string, keepToken?: string): Promise<void> {
  await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
  await endSessions(tx, userId, keepToken);
  await tx.delete(passwordResetTokens).where(eq(passwordResetTokens.userId, userId));
}

/**
 * User settings › Password: the current password, then the new one twice. Every other session
 * of the user ends; the one of `currentToken` stays. `verifyPassword` may throw PasswordChecksBusy.
 *
 * @example
 * const result = await changeOwnPassword(db, ada, { current_password, new_password, password_confirmation }, token)
 * if (!result.ok) result.errors.current_password // 'You must provide a valid current password'
 */
export async function changeOwnPassword(
  db: Queryable,
  user: User,
  input: Record<string, unknown>,
  currentToken: string,
): Promise<Outcome<User>> {
  const parsed = validate(newPasswordSchema, input);
  const current = typeof input.current_password === 'string' ? input.current_password.slice(0, 1024) : '';
  const matches = current !== '' && (await verifyPassword(current, user.passwordHash));
  if (parsed.ok && matches) {
    const passwordHash = await hashPassword(parsed.value.new_password);
    await db.transaction((tx) => writePassword(tx, user.id, passwordHash, currentToken));
    return { ok: true, value: { ...user, passwordHash } };
  }
  const errors = parsed.ok ? {} : parsed.errors;
  if (!matches) errors.current_password = current ? INVALID_CURRENT_PASSWORD : 'Current password is required';
  return { ok: false, errors };
}

/** Admin Area › Users › Edit: the administrator sets a new password; every session of the user ends. */
export async function resetPassword(db: Queryable, user: User, input: unknown): Promise<Outcome<User>> {
  const parsed = validate(newPasswordSchema, input);
  if (!parsed.ok) return parsed;
  const passwordHash = await hashPassword(parsed.value.new_password);
  await db.transaction((tx) => writePassword(tx, user.id, passwordHash));
  return { ok: true, value: { ...user, passwordHash } };
}

const accountSchema = newUserSchema.pick({ name: true, email: true });

/** Admin Area › Users › Edit: name and e-mail, both required; an e-mail another account has is refused. */
export async function editAccount(db: Queryable, user: User, input: unknown): Promise<Outcome<User>> {
  const parsed = validate(accountSchema, input);
  if (!parsed.ok) return parsed;
  return updateUser(db, user, parsed.value);
}

/** What deleting a user takes with it, for the confirmation to state. */
export interface DeletionImpact {
  groupMemberships: number;
  projectMemberships: number;
  /** Tokens that still work (neither revoked nor expired). */
  activeTokens: number;
}

export async function deletionImpact(db: Queryable, user: User, now = new Date()): Promise<DeletionImpact> {
  const [memberships] = await db
    .select({
      groups: sql<number>`count(${members.groupId})`,
      projects: sql<number>`count(${members.projectId})`,
    })
    .from(members)
    .where(eq(members.userId, user.id));
  const [tokens] = await db
    .select({ n: count() })
    .from(personalAccessTokens)
    .where(
      and(
        eq(personalAccessTokens.userId, user.id),
        isNull(personalAccessTokens.revokedAt),
        sql`${personalAccessTokens.expiresAt} >= ${now.toISOString().slice(0, 10)}`,
      ),
    );
  return {
    groupMemberships: Number(memberships?.groups ?? 0),
    projectMemberships: Number(memberships?.projects ?? 0),
    activeTokens: tokens?.n ?? 0,
  };
}

/** Why `actor` may not delete `user`, or null when they may. */
export async function deletionRefusal(db: Queryable, actor: User, user: User): Promise<string | null> {
  if (user.id === actor.id) return 'You cannot delete your own account.';
  if (user.codeHostId !== null)
    return `${user.username} was imported from a code host, which would import them again: block them here, or remove them on the code host.`;
  if (user.isAdmin && !user.blockedAt) {
    const [others] = await db
      .select({ n: count() })
      .from(users)
      .where(and(eq(users.isAdmin, true), isNull(users.blockedAt), ne(users.id, user.id)));
    if ((others?.n ?? 0) === 0)
      return `${user.username} is the last administrator: make another user an administrator first.`;
  }
  return null;
}

/**
 * Deletes the account: its sessions, memberships, personal access tokens and reset links go with
 * it (their foreign keys cascade); its audit events stay, under the name they were recorded with.
 */
export async function deleteUser(db: Queryable, userId: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(users).where(eq(users.id, userId));
  });
}

/** Notes a successful sign-in (GitLab's last_sign_in_at). */
export async function recordSignIn(db: Queryable, userId: number, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(users).set({ lastSignInAt: now }).where(eq(users.id, userId));
  });
}

/**
 * Whether the instance is new: root's first password was generated (no INITIAL_ROOT_PASSWORD)
 * and printed on the server's console, and root has not signed in yet.
 */
export async function awaitsRootsFirstSignIn(db: Queryable, rootPasswordFromEnv: boolean): Promise<boolean> {
  if (rootPasswordFromEnv) return false;
  const [root] = await db
    .select({ lastSignInAt: users.lastSignInAt })
    .from(users)
    .where(and(eq(users.username, 'root'), eq(users.isAdmin, true)))
    .limit(1);
  return root !== undefined && root.lastSignInAt === null;
}
