/**
 * @module model/password-resets
 * "Forgot your password?": a link mailed to the account's e-mail, with a random token that works
 * once, for an hour. Only its SHA-256 is stored. Using it sets the password and ends every session.
 * Requests are counted per e-mail and per address, as failed sign-ins are, and the answer is the
 * same whether an account has the e-mail or not.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { passwordResetTokens, users, type User } from '../db/schema.js';
import type { MailMessage } from '../mail/mailer.js';
import { hasLocalPassword, newPasswordSchema, writePassword } from './users.js';
import { validate, type Outcome } from '../validation.js';
import { hashPassword } from '../auth/passwords.js';
import { addressGroup, Throttle, type CountedKey, type Reservation } from '../auth/throttle.js';

/** How long a mailed link works (Devise's reset_password_within in GitLab is longer; one hour is enough). */
export const RESET_LINK_LIFETIME_MS = 60 * 60 * 1000;

const MINUTE = 60 * 1000;

/** Reset requests allowed: few for one e-mail (no flooding of someone's inbox), more for one address. */
export const RESET_REQUEST_LIMITS = {
  email: { maxFailures: 5, windowMs: 60 * MINUTE },
  address: { maxFailures: 30, windowMs: 15 * MINUTE },
} as const;

/** Where the link leads: the reset form, with the token in its query (never logged: http/request-log.ts). */
export const RESET_FORM_PATH = '/users/password/edit';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Counts a reset request for `email` from `address`; refused once either has reached its limit. */
export function reserveResetRequest(db: Db, email: string, address: string, now = Date.now()): Promise<Reservation> {
  const keys: CountedKey[] = [
    { key: `password-reset:${email.toLowerCase()}`, limit: RESET_REQUEST_LIMITS.email },
    { key: `password-reset-address:${addressGroup(address)}`, limit: RESET_REQUEST_LIMITS.address },
  ];
  return new Throttle(db).reserve(keys, now);
}

/**
 * The mail for a reset requested for `email`, or null when no account may reset its password by
 * it: none has the e-mail, or it is blocked, or it signs in through a code host.
 *
 * @example
 * const mail = await passwordResetMail(db, 'ada@example.com', 'https://cascade.example.com')
 * if (mail) await mailer.send(mail) // the link: https://cascade.example.com/users/password/edit?reset_password_token=…
 */
export async function passwordResetMail(
  db: Queryable,
  email: string,
  publicOrigin: string,
  now = new Date(),
): Promise<MailMessage | null> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(sql`lower(${users.email}) = lower(${email})`, isNull(users.blockedAt)))
    .limit(1);
  if (!user || !hasLocalPassword(user)) return null;
  const token = randomBytes(32).toString('base64url');
  await db.transaction(async (tx) => {
    await tx.insert(passwordResetTokens).values({
      tokenHash: hashToken(token),
      userId: user.id,
      expiresAt: new Date(now.getTime() + RESET_LINK_LIFETIME_MS),
    });
  });
  const link = `${publicOrigin}${RESET_FORM_PATH}?${new URLSearchParams({ reset_password_token: token }).toString()}`;
  return {
    to: [user.email],
    subject: 'Reset password instructions',
    text: [
      `Hello, ${user.name}!`,
      '',
      `Someone, hopefully you, has requested to reset the password for your Cascade account (${user.username}) on ${publicOrigin}.`,
      '',
      'If you did not perform this request, you can safely ignore this email.',
      '',
      'Otherwise, open the link below to choose a new password. It works once, within one hour.',
      '',
      link,
    ].join('\n'),
  };
}

/** The user a reset token is for, while it is unused and unexpired and the user may still reset. */
export async function findPasswordReset(db: Queryable, token: string, now = new Date()): Promise<User | null> {
  if (!token) return null;
  const [found] = await db
    .select({ user: users })
    .from(passwordResetTokens)
    .innerJoin(users, eq(users.id, passwordResetTokens.userId))
    .where(and(eq(passwordResetTokens.tokenHash, hashToken(token)), gt(passwordResetTokens.expiresAt, now)))
    .limit(1);
  return found && !found.user.blockedAt && hasLocalPassword(found.user) ? found.user : null;
}

/**
 * Sets the password with a reset token: the token is used up (with every other of the user's)
 * and every session of the user ends. Null when the token does not work (any more).
 */
export async function resetPasswordWithToken(
  db: Queryable,
  token: string,
  input: unknown,
  now = new Date(),
): Promise<Outcome<User> | null> {
  const user = await findPasswordReset(db, token, now);
  if (!user) return null;
  const parsed = validate(newPasswordSchema, input);
  if (!parsed.ok) return parsed;
  const passwordHash = await hashPassword(parsed.value.new_password);
  // Deleting the token first, in the transaction, makes two uses at once set the password once.
  return db.transaction(async (tx) => {
    const used = await tx
      .delete(passwordResetTokens)
      .where(and(eq(passwordResetTokens.tokenHash, hashToken(token)), gt(passwordResetTokens.expiresAt, now)))
      .returning({ userId: passwordResetTokens.userId });
    if (used.length === 0) return null;
    await writePassword(tx, user.id, passwordHash);
    return { ok: true as const, value: { ...user, passwordHash } };
  });
}
