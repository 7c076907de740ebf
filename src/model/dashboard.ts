/**
 * @module model/dashboard
 * What a user sees on the home page: the groups and projects they are a member of.
 */
import { asc, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { groups, members, projects, type Group, type Project, type User } from '../db/schema.js';

export interface Membership<T> {
  item: T;
  accessLevel: number;
}

export async function userMemberships(
  db: Queryable,
  user: User,
): Promise<{ groups: Membership<Group>[]; projects: Membership<Project>[] }> {
  const groupRows = await db
    .select({ item: groups, accessLevel: members.accessLevel })
    .from(members)
    .innerJoin(groups, eq(groups.id, members.groupId))
    .where(eq(members.userId, user.id))
    .orderBy(asc(groups.fullPath));
  const projectRows = await db
    .select({ item: projects, accessLevel: members.accessLevel })
    .from(members)
    .innerJoin(projects, eq(projects.id, members.projectId))
    .where(eq(members.userId, user.id))
    .orderBy(asc(projects.fullPath));
  return { groups: groupRows, projects: projectRows };
}

export async function topLevelGroups(db: Queryable): Promise<Group[]> {
  return await db.select().from(groups).where(isNull(groups.parentId)).orderBy(asc(groups.name));
}
