/**
 * @module code-hosts/mirror
 * Applies what a code host has (groups, projects, users, memberships) to Cascade's tables, each
 * object found by its connection and the host's id, never by its path: a rename or transfer on
 * the host is a move here (model/moves), so paths below, the audit trail's owners and settings
 * follow. Every function writes in the transaction it is given, on either database. What Cascade
 * may not take over (a path one of its own groups or projects has, a username a local user has)
 * is a problem reported, never overwritten.
 */
import { and, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { recordAuditEvent, type AuditAction, type AuditChange, type AuditedLevel } from '../audit/trail.js';
import { ROLE_LABELS, roleName } from '../auth/permissions.js';
import { UNUSABLE_PASSWORD_HASH } from '../auth/passwords.js';
import type { Tx } from '../db/client.js';
import {
  groups,
  members,
  projects,
  sessions,
  users,
  type CodeHost,
  type Group,
  type Project,
  type User,
} from '../db/schema.js';
import { fullPathTaken } from '../model/groups.js';
import type { TreeEditor } from '../model/managed.js';
import { moveGroup, moveProject } from '../model/moves.js';
import { deleteGroup, deleteProject } from '../model/tree.js';
import { isReservedTopLevelPath } from '../validation.js';
import type { HostGroup, HostMembership, HostProject, HostUser } from './host.js';

/** What the mirror needs of a connection. */
export type Connection = Pick<CodeHost, 'id' | 'name' | 'url'>;

/** The connection as the audit trail and the tree's refusals know it (model/managed). */
export const connectionActor = (connection: Connection): TreeEditor => ({
  id: null,
  username: `${connection.name} (code host)`,
  connectionId: connection.id,
});

/** What a run counts of the changes it made; an import audits these in one event. */
export const CHANGE_LABELS = {
  groupsImported: 'Groups imported',
  groupsUpdated: 'Groups updated',
  groupsRemoved: 'Groups removed',
  projectsImported: 'Projects imported',
  projectsUpdated: 'Projects updated',
  projectsRemoved: 'Projects removed',
  usersImported: 'Users imported',
  usersUpdated: 'Users updated',
  membersAdded: 'Members added',
  membersUpdated: 'Member roles changed',
  membersRemoved: 'Members removed',
} as const;

export type ChangeCount = keyof typeof CHANGE_LABELS;

/**
 * How changes are audited: `each` object as it changes (hooks, reconciles), or `summary`, the
 * counts only, for the one `code_host.imported` event of an import.
 */
export type AuditMode = 'each' | 'summary';

/**
 * One pass of applying host objects: the connection, how to audit, and what it changed and
 * could not take over, for the run to save.
 *
 * @example
 * const mirror = new Mirror(connection, 'each')
 * await db.transaction((tx) => mirror.upsertGroup(tx, hostGroup))
 * mirror.problems // ['platform is a group Cascade already has: ...']
 */
export class Mirror {
  readonly changes: Partial<Record<ChangeCount, number>> = {};
  readonly problems: string[] = [];
  readonly actor: TreeEditor;

  constructor(
    readonly connection: Connection,
    readonly audit: AuditMode,
  ) {
    this.actor = connectionActor(connection);
  }

  private count(change: ChangeCount): void {
    this.changes[change] = (this.changes[change] ?? 0) + 1;
  }

  private async record(tx: Tx, action: AuditAction, owner: AuditedLevel, changes: AuditChange[] = []): Promise<void> {
    if (this.audit === 'each')
      await recordAuditEvent(tx, { actor: { id: null, username: this.actor.username }, action, owner, changes });
  }

  /** Problems and change counts of a transaction that rolled back are forgotten with it. */
  async inTransaction<T>(tx: Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
    const changes = { ...this.changes };
    const problems = this.problems.length;
    try {
      return await work(tx);
    } catch (error) {
      for (const key of Object.keys(this.changes) as ChangeCount[]) {
        if (changes[key] === undefined) delete this.changes[key];
        else this.changes[key] = changes[key];
      }
      this.problems.length = problems;
      throw error;
    }
  }

  async groupOf(tx: Tx, hostId: number): Promise<Group | undefined> {
    return (
      await tx
        .select()
        .from(groups)
        .where(and(eq(groups.codeHostId, this.connection.id), eq(groups.hostId, hostId)))
        .limit(1)
    )[0];
  }

  async projectOf(tx: Tx, hostId: number): Promise<Project | undefined> {
    return (
      await tx
        .select()
        .from(projects)
        .where(and(eq(projects.codeHostId, this.connection.id), eq(projects.hostId, hostId)))
        .limit(1)
    )[0];
  }

  private collision(fullPath: string, what: string): void {
    this.problems.push(
      `${fullPath} is already a group or project in Cascade that is not ${this.connection.name}'s: the host's ${what} was not imported`,
    );
  }

  /**
   * Creates the group under its parent, or brings its name, path, place and description in step;
   * answers the group, or undefined when it was skipped (a problem says why).
   */
  async upsertGroup(tx: Tx, host: HostGroup): Promise<Group | undefined> {
    const parent = host.parentHostId === null ? null : await this.groupOf(tx, host.parentHostId);
    if (parent === undefined) {
      this.problems.push(`${host.fullPath} was not imported: its parent group is not in Cascade`);
      return undefined;
    }
    const existing = await this.groupOf(tx, host.hostId);
    if (!existing) return this.createGroup(tx, host, parent);
    let current = existing;
    if ((parent?.id ?? null) !== existing.parentId || host.path !== existing.path) {
      const moved = await moveGroup(tx, existing, parent, this.actor, host.path);
      if (!moved.ok) {
        this.problems.push(
          `${existing.fullPath} could not follow the host to ${host.fullPath}: ${moved.errors.parent_id}`,
        );
        return existing;
      }
      current = moved.value;
      this.count('groupsUpdated');
    }
    const changes = described(current, host);
    if (changes.length === 0) return current;
    const updated = (
      await tx
        .update(groups)
        .set({ name: host.name, description: host.description })
        .where(eq(groups.id, current.id))
        .returning()
    )[0]!;
    if (current === existing) this.count('groupsUpdated');
    await this.record(tx, 'group.updated', groupLevel(updated), changes);
    return updated;
  }

  private async createGroup(tx: Tx, host: HostGroup, parent: Group | null): Promise<Group | undefined> {
    const fullPath = parent ? `${parent.fullPath}/${host.path}` : host.path;
    if (!parent && isReservedTopLevelPath(host.path)) {
      this.problems.push(`${fullPath} was not imported: the path is reserved for Cascade's own pages`);
      return undefined;
    }
    if (await fullPathTaken(tx, fullPath)) {
      this.collision(fullPath, 'group (and what is in it)');
      return undefined;
    }
    const inserted = (
      await tx
        .insert(groups)
        .values({
          name: host.name,
          path: host.path,
          description: host.description,
          fullPath,
          parentId: parent?.id ?? null,
          traversalIds: '',
          codeHostId: this.connection.id,
          hostId: host.hostId,
        })
        .returning()
    )[0]!;
    const traversalIds = `${parent?.traversalIds ?? '/'}${inserted.id}/`;
    const group = (await tx.update(groups).set({ traversalIds }).where(eq(groups.id, inserted.id)).returning())[0]!;
    this.count('groupsImported');
    await this.record(tx, 'group.imported', groupLevel(group));
    return group;
  }

  /** Creates the project in its group, or brings it in step; undefined when it was skipped. */
  async upsertProject(tx: Tx, host: HostProject): Promise<Project | undefined> {
    if (host.groupHostId === null) return undefined;
    const group = await this.groupOf(tx, host.groupHostId);
    if (!group) {
      this.problems.push(`${host.fullPath} was not imported: its group is not in Cascade`);
      return undefined;
    }
    const existing = await this.projectOf(tx, host.hostId);
    if (!existing) return this.createProject(tx, host, group);
    let current = existing;
    if (group.id !== existing.groupId || host.path !== existing.path) {
      const moved = await moveProject(tx, existing, group, this.actor, host.path);
      if (!moved.ok) {
        this.problems.push(
          `${existing.fullPath} could not follow the host to ${host.fullPath}: ${moved.errors.group_id}`,
        );
        return existing;
      }
      current = moved.value;
      this.count('projectsUpdated');
    }
    const changes = described(current, host);
    if (current.defaultBranch !== host.defaultBranch)
      changes.push({
        key: 'default_branch',
        label: 'Default branch',
        before: current.defaultBranch,
        after: host.defaultBranch,
      });
    if (changes.length === 0) return current;
    const updated = (
      await tx
        .update(projects)
        .set({ name: host.name, description: host.description, defaultBranch: host.defaultBranch })
        .where(eq(projects.id, current.id))
        .returning()
    )[0]!;
    if (current === existing) this.count('projectsUpdated');
    await this.record(tx, 'project.updated', projectLevel(updated), changes);
    return updated;
  }

  private async createProject(tx: Tx, host: HostProject, group: Group): Promise<Project | undefined> {
    const fullPath = `${group.fullPath}/${host.path}`;
    if (await fullPathTaken(tx, fullPath)) {
      this.collision(fullPath, 'project');
      return undefined;
    }
    const project = (
      await tx
        .insert(projects)
        .values({
          groupId: group.id,
          name: host.name,
          path: host.path,
          fullPath,
          description: host.description,
          defaultBranch: host.defaultBranch,
          codeHostId: this.connection.id,
          hostId: host.hostId,
        })
        .returning()
    )[0]!;
    this.count('projectsImported');
    await this.record(tx, 'project.imported', projectLevel(project));
    return project;
  }

  /**
   * Creates or updates the user the host has (they sign in through the host: no usable password);
   * undefined when a local user has the username or e-mail (a problem says so).
   */
  async upsertUser(tx: Tx, host: HostUser): Promise<User | undefined> {
    const existing = (
      await tx
        .select()
        .from(users)
        .where(and(eq(users.codeHostId, this.connection.id), eq(users.hostId, host.hostId)))
        .limit(1)
    )[0];
    const email = host.email ?? existing?.email ?? this.placeholderEmail(host);
    const clash = (
      await tx
        .select({ username: users.username, email: users.email })
        .from(users)
        .where(
          and(
            existing ? ne(users.id, existing.id) : undefined,
            or(sql`lower(${users.username}) = lower(${host.username})`, sql`lower(${users.email}) = lower(${email})`),
          ),
        )
        .limit(1)
    )[0];
    if (clash) {
      const what = clash.username.toLowerCase() === host.username.toLowerCase() ? 'username' : 'e-mail';
      this.problems.push(
        `The user ${host.username} was not ${existing ? 'updated' : 'imported'}: another user in Cascade has the ${what}`,
      );
      return existing;
    }
    const blockedAt = host.blocked ? (existing?.blockedAt ?? new Date()) : null;
    if (!existing) {
      const user = (
        await tx
          .insert(users)
          .values({
            username: host.username,
            name: host.name,
            email,
            passwordHash: UNUSABLE_PASSWORD_HASH,
            blockedAt,
            codeHostId: this.connection.id,
            hostId: host.hostId,
          })
          .returning()
      )[0]!;
      this.count('usersImported');
      return user;
    }
    if (
      existing.username === host.username &&
      existing.name === host.name &&
      existing.email === email &&
      (existing.blockedAt === null) === (blockedAt === null)
    )
      return existing;
    const user = (
      await tx
        .update(users)
        .set({ username: host.username, name: host.name, email, blockedAt })
        .where(eq(users.id, existing.id))
        .returning()
    )[0]!;
    // Blocking ends the user's sessions, as blocking in the Admin Area does.
    if (blockedAt && !existing.blockedAt) await tx.delete(sessions).where(eq(sessions.userId, user.id));
    this.count('usersUpdated');
    return user;
  }

  /** An address for a user whose e-mail the host does not show: unique, and never deliverable. */
  private placeholderEmail(host: HostUser): string {
    return `${host.username}+${host.hostId}@${new URL(this.connection.url).hostname}.invalid`;
  }

  /**
   * Makes the host's memberships of a group or project exactly `memberships`: adds, changes and
   * removes those this connection manages, and leaves those given in Cascade alone. Answers how
   * many of the host's memberships Cascade holds.
   */
  async setMembers(tx: Tx, source: Group | Project, memberships: readonly HostMembership[]): Promise<number> {
    const isGroup = 'traversalIds' in source;
    const level = isGroup ? groupLevel(source) : projectLevel(source);
    const bySource = isGroup ? eq(members.groupId, source.id) : eq(members.projectId, source.id);
    const current = await tx
      .select({ member: members, username: users.username })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(bySource);
    const kept = new Set<number>();
    let held = 0;
    for (const membership of memberships) {
      if (roleName(membership.accessLevel) === null) continue;
      const user = await this.upsertUser(tx, membership.user);
      if (!user) continue;
      kept.add(user.id);
      const row = current.find(({ member }) => member.userId === user.id)?.member;
      // A role given in Cascade stays as it was given.
      if (row && row.codeHostId !== this.connection.id) continue;
      held++;
      if (!row) {
        await tx.insert(members).values({
          userId: user.id,
          ...(isGroup ? { groupId: source.id } : { projectId: source.id }),
          accessLevel: membership.accessLevel,
          codeHostId: this.connection.id,
        });
        this.count('membersAdded');
        await this.record(tx, 'member.added', level, memberChanges(user.username, null, membership.accessLevel));
      } else if (row.accessLevel !== membership.accessLevel) {
        await tx.update(members).set({ accessLevel: membership.accessLevel }).where(eq(members.id, row.id));
        this.count('membersUpdated');
        await this.record(
          tx,
          'member.updated',
          level,
          memberChanges(user.username, row.accessLevel, membership.accessLevel),
        );
      }
    }
    const gone = current.filter(({ member }) => member.codeHostId === this.connection.id && !kept.has(member.userId));
    if (gone.length > 0) {
      await tx.delete(members).where(
        inArray(
          members.id,
          gone.map(({ member }) => member.id),
        ),
      );
      for (const { member, username } of gone) {
        this.count('membersRemoved');
        await this.record(tx, 'member.removed', level, memberChanges(username, member.accessLevel, null));
      }
    }
    return held;
  }

  /** Removes the project (with its settings) that the host no longer has. */
  async removeProject(tx: Tx, project: Project): Promise<void> {
    await deleteProject(tx, project, this.actor);
    this.count('projectsRemoved');
  }

  /** Removes the group, what is below it, and their settings, once the host no longer has it. */
  async removeGroup(tx: Tx, group: Group): Promise<void> {
    await deleteGroup(tx, group, this.actor);
    this.count('groupsRemoved');
  }

  /** The connection's groups and projects whose host ids are not in `seen`: what the host no longer has. */
  async removeUnseen(tx: Tx, seen: { groups: ReadonlySet<number>; projects: ReadonlySet<number> }): Promise<void> {
    const ownProjects = await tx.select().from(projects).where(eq(projects.codeHostId, this.connection.id));
    for (const project of ownProjects) if (!seen.projects.has(project.hostId!)) await this.removeProject(tx, project);
    const ownGroups = await tx
      .select()
      .from(groups)
      .where(eq(groups.codeHostId, this.connection.id))
      .orderBy(sql`length(${groups.traversalIds})`);
    const removed = new Set<number>();
    for (const group of ownGroups) {
      if (seen.groups.has(group.hostId!)) continue;
      // A subgroup went with the group above it.
      if (group.traversalIds.split('/').some((id) => removed.has(Number(id)))) continue;
      await this.removeGroup(tx, group);
      removed.add(group.id);
    }
  }
}

/** The name and description changes from Cascade's copy to the host's, for the audit trail. */
function described(current: Group | Project, host: HostGroup | HostProject): AuditChange[] {
  const changes: AuditChange[] = [];
  if (current.name !== host.name) changes.push({ key: 'name', label: 'Name', before: current.name, after: host.name });
  if (current.description !== host.description)
    changes.push({ key: 'description', label: 'Description', before: current.description, after: host.description });
  return changes;
}

const groupLevel = (group: Group): AuditedLevel => ({
  level: 'group',
  id: group.id,
  name: group.fullPath,
  path: group.fullPath,
});

const projectLevel = (project: Project): AuditedLevel => ({
  level: 'project',
  id: project.id,
  name: project.fullPath,
  path: project.fullPath,
});

const roleLabel = (accessLevel: number | null) => {
  const name = accessLevel === null ? null : roleName(accessLevel);
  return name ? ROLE_LABELS[name] : null;
};

function memberChanges(username: string, before: number | null, after: number | null): AuditChange[] {
  return [
    {
      key: 'username',
      label: 'Member',
      before: before === null ? null : username,
      after: after === null ? null : username,
    },
    { key: 'role', label: 'Role', before: roleLabel(before), after: roleLabel(after) },
  ];
}
