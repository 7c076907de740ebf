/**
 * @module model/members
 * Who has which role in a group or a project.
 */
import { and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../db/client.js';
import { members, users, type Member, type User } from '../db/schema.js';
import { GROUP_ROLES, PROJECT_ROLES, ROLES, type RoleName } from '../auth/permissions.js';
import { hostMembershipRefusal } from './managed.js';
import { writeUnique } from './unique.js';
import { isStoredId, text, validate, type Outcome } from '../validation.js';

export type MemberSource = { groupId: number } | { projectId: number };

const roleSchema = (allowed: readonly RoleName[]) =>
  z.enum(allowed as [RoleName, ...RoleName[]], { error: `Role must be one of ${allowed.join(', ')}` });

export const rolesFor = (source: MemberSource) => ('groupId' in source ? GROUP_ROLES : PROJECT_ROLES);

export const newMemberSchema = (source: MemberSource) =>
  z.object({
    username: text('Username').trim().min(1, 'Username is required').max(64, 'Username is too long'),
    role: roleSchema(rolesFor(source)),
  });

export const changeRoleSchema = (source: MemberSource) => z.object({ role: roleSchema(rolesFor(source)) });

const sourceFilter = (source: MemberSource) =>
  'groupId' in source ? eq(members.groupId, source.groupId) : eq(members.projectId, source.projectId);

export async function listMembers(db: Queryable, source: MemberSource): Promise<{ member: Member; user: User }[]> {
  return await db
    .select({ member: members, user: users })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(sourceFilter(source))
    .orderBy(asc(users.username));
}

export async function findMember(db: Queryable, source: MemberSource, memberId: number): Promise<Member | undefined> {
  if (!isStoredId(memberId)) return undefined;
  return (
    await db
      .select()
      .from(members)
      .where(and(sourceFilter(source), eq(members.id, memberId)))
      .limit(1)
  )[0];
}

/**
 * Adds a user by username with a role.
 *
 * @example
 * await addMember(db, { groupId: platform.id }, { username: 'ada', role: 'owner' })
 */
export async function addMember(db: Queryable, source: MemberSource, input: unknown): Promise<Outcome<Member>> {
  const parsed = validate(newMemberSchema(source), input);
  if (!parsed.ok) return parsed;
  const user = (
    await db
      .select()
      .from(users)
      .where(sql`lower(${users.username}) = lower(${parsed.value.username})`)
      .limit(1)
  )[0];
  if (!user) return { ok: false, errors: { username: 'No user with that username' } };
  const alreadyMember = () => ({ username: `${user.username} is already a member` });
  const existing = (
    await db
      .select()
      .from(members)
      .where(and(sourceFilter(source), eq(members.userId, user.id)))
      .limit(1)
  )[0];
  if (existing) return { ok: false, errors: alreadyMember() };
  return writeUnique(
    () =>
      db.transaction(
        async (tx) =>
          (
            await tx
              .insert(members)
              .values({ ...source, userId: user.id, accessLevel: ROLES[parsed.value.role] })
              .returning()
          )[0]!,
      ),
    alreadyMember,
  );
}

/** The refusal of a change to a membership imported from a code host, as the form's error. */
async function importedMembershipErrors(db: Queryable, member: Member): Promise<Outcome<never> | undefined> {
  if (member.codeHostId === null) return undefined;
  const user = (await db.select({ username: users.username }).from(users).where(eq(users.id, member.userId)))[0];
  const refusal = await hostMembershipRefusal(db, member, user?.username ?? 'this user');
  return refusal ? { ok: false, errors: { _form: refusal } } : undefined;
}

/**
 * Changes a member's role; a membership imported from a code host is refused (the host changes it).
 *
 * @example
 * await changeMemberRole(db, { groupId: platform.id }, member, { role: 'maintainer' })
 */
export async function changeMemberRole(
  db: Queryable,
  source: MemberSource,
  member: Member,
  input: unknown,
): Promise<Outcome<Member>> {
  const refused = await importedMembershipErrors(db, member);
  if (refused) return refused;
  const parsed = validate(changeRoleSchema(source), input);
  if (!parsed.ok) return parsed;
  const updated = await db.transaction(
    async (tx) =>
      (
        await tx
          .update(members)
          .set({ accessLevel: ROLES[parsed.value.role] })
          .where(eq(members.id, member.id))
          .returning()
      )[0]!,
  );
  return { ok: true, value: updated };
}

/** Removes a membership given in Cascade; one imported from a code host is refused (the host removes it). */
export async function removeMember(db: Queryable, member: Member): Promise<Outcome<null>> {
  const refused = await importedMembershipErrors(db, member);
  if (refused) return refused;
  await db.transaction(async (tx) => {
    await tx.delete(members).where(eq(members.id, member.id));
  });
  return { ok: true, value: null };
}

/** The user's own membership of the group or project (not one inherited from a group above). */
export async function findMemberOfUser(
  db: Queryable,
  source: MemberSource,
  userId: number,
): Promise<Member | undefined> {
  return (
    await db
      .select()
      .from(members)
      .where(and(sourceFilter(source), eq(members.userId, userId)))
      .limit(1)
  )[0];
}

/**
 * Everyone with a role in a group or project, directly or from a group above (`groupIds`: the
 * group's lineage, or the project's group's), each once with their highest role, by username.
 *
 * @example
 * await effectiveMembers(db, traversalIdList(sub.traversalIds), { projectId: app.id })
 */
export async function effectiveMembers(
  db: Queryable,
  groupIds: readonly number[],
  project?: { projectId: number },
): Promise<{ member: Member; user: User }[]> {
  const rows = await db
    .select({ member: members, user: users })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(or(inArray(members.groupId, [...groupIds]), project ? eq(members.projectId, project.projectId) : undefined))
    .orderBy(asc(users.username), desc(members.accessLevel));
  return rows.filter((row, index) => index === 0 || rows[index - 1]!.user.id !== row.user.id);
}
