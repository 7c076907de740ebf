/**
 * @module model/users
 * Accounts: creating them, administrator access, blocking.
 */
import { and, asc, count, eq, like, ne, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { booleanField } from '../boolean.js';
import { MIN_PASSWORD_LENGTH } from '../config.js';
import type { Queryable } from '../db/client.js';
import { sessions, users, type User } from '../db/schema.js';
import { hashPassword } from '../auth/passwords.js';
import { writeUnique } from './unique.js';
import { isStoredId, text, validate, type FieldErrors, type Outcome } from '../validation.js';

export const newUserSchema = z.object({
  name: text('Name').trim().min(1, 'Name is required').max(255, 'Name is too long (maximum is 255 characters)'),
  username: text('Username')
    .trim()
    .min(2, 'Username is too short (minimum is 2 characters)')
    .max(64, 'Username is too long (maximum is 64 characters)')
    .regex(/^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/, "Username can contain only letters, digits, '_', '-' and '.'"),
  email: text('Email').trim().max(254, 'Email is too long').pipe(z.email('Email is invalid')),
  password: text('Password')
    .min(MIN_PASSWORD_LENGTH, `Password is too short (minimum is ${MIN_PASSWORD_LENGTH} characters)`)
    .max(128, 'Password is too long (maximum is 128 characters)'),
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
 * username or email another account has is refused as on creation.
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
      db.transaction(async (tx) => (await tx.update(users).set(changes).where(eq(users.id, user.id)).returning())[0]!),
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
