/**
 * @module code-hosts/mirror
 * Applies what a code host has (groups, projects, users, memberships) to Cascade's tables, each
 * object found by its connection and the host's id, never by its path: a rename or transfer on
 * the host is a move here (model/moves), so paths below, the audit trail's owners and settings
 * follow. Every function writes in the transaction it is given, on either database. What Cascade
 * may not take over (a path one of its own groups or projects has, a username a local user has)
 * is a problem reported, never overwritten.
 */
import { and, eq, inArray, isNotNull, sql, type SQLWrapper } from 'drizzle-orm';
import { recordAuditEvent, type AuditAction, type AuditChange, type AuditedLevel } from '../audit/trail.js';
import { ROLE_LABELS, roleName } from '../auth/permissions.js';
import { UNUSABLE_PASSWORD_HASH } from '../auth/passwords.js';
import { execute, inJsonArray, insertRecords, rows, type RecordColumns, type Tx } from '../db/client.js';
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
  projectHooksRegistered: 'Project hooks registered',
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
  /** The project hooks of the projects removed, for the run to remove from the host once committed. */
  readonly removedHooks: { projectHostId: number; hookId: number }[] = [];
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
    const removedHooks = this.removedHooks.length;
    try {
      return await work(tx);
    } catch (error) {
      for (const key of Object.keys(this.changes) as ChangeCount[]) {
        if (changes[key] === undefined) delete this.changes[key];
        else this.changes[key] = changes[key];
      }
      this.problems.length = problems;
      this.removedHooks.length = removedHooks;
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
    return (await this.upsertProjects(tx, [host]))[0];
  }

  /**
   * {@link upsertProject} for a page of projects, in a few statements: their groups and Cascade's
   * copies looked up at once, the new ones checked for collisions and inserted in one statement.
   * Answers each project, or undefined where it was skipped, in the order given.
   */
  async upsertProjects(tx: Tx, hosts: readonly HostProject[]): Promise<(Project | undefined)[]> {
    const inGroups = hosts.filter((host) => host.groupHostId !== null);
    const groupsByHostId = await this.byHostId(tx, groups, unique(inGroups.map((host) => host.groupHostId!)));
    const existing = await this.byHostId(tx, projects, unique(inGroups.map((host) => host.hostId)));
    const results = new Map<number, Project | undefined>();
    const fresh: { host: HostProject; group: Group; fullPath: string }[] = [];
    for (const host of inGroups) {
      const group = groupsByHostId.get(host.groupHostId!);
      const known = existing.get(host.hostId);
      if (!group) this.problems.push(`${host.fullPath} was not imported: its group is not in Cascade`);
      else if (known) results.set(host.hostId, await this.updateProject(tx, host, group, known));
      else fresh.push({ host, group, fullPath: `${group.fullPath}/${host.path}` });
    }
    const taken = await takenPaths(
      tx,
      fresh.map(({ fullPath }) => fullPath),
    );
    const creatable = fresh.filter(({ fullPath }) => {
      if (!taken.has(fullPath.toLowerCase())) return true;
      this.collision(fullPath, 'project');
      return false;
    });
    const createdAt = new Date();
    const values: Omit<Project, 'id'>[] = creatable.map(({ host, group, fullPath }) => ({
      groupId: group.id,
      name: host.name,
      path: host.path,
      fullPath,
      description: host.description,
      defaultBranch: host.defaultBranch,
      codeHostId: this.connection.id,
      hostId: host.hostId,
      hostHookId: null,
      createdAt,
    }));
    const ids = new Map<number, number>();
    if (values.length > 0) {
      const records = values.map(projectRecord);
      const inserted = await rows<{ id: number; host_id: number }>(
        tx,
        sql`${insertRecords(tx.engine, projects, PROJECT_COLUMNS, records)} returning id, host_id`,
      );
      for (const row of inserted) ids.set(row.host_id, row.id);
    }
    for (const value of values) {
      const project: Project = { id: ids.get(value.hostId!)!, ...value };
      results.set(project.hostId!, project);
      this.count('projectsImported');
      await this.record(tx, 'project.imported', projectLevel(project));
    }
    return hosts.map((host) => results.get(host.hostId));
  }

  /** The connection's groups or projects with these host ids, by host id, in one query. */
  private async byHostId<T extends typeof groups | typeof projects>(
    tx: Tx,
    table: T,
    hostIds: readonly number[],
  ): Promise<Map<number, T['$inferSelect']>> {
    if (hostIds.length === 0) return new Map();
    const rows = (await tx
      .select()
      .from(table as typeof groups)
      .where(and(eq(table.codeHostId, this.connection.id), inIds(tx, table.hostId, hostIds)))) as T['$inferSelect'][];
    return new Map(rows.map((row) => [row.hostId!, row]));
  }

  /** Brings Cascade's copy of a project in step with the host's: a move, then its name, description and branch. */
  private async updateProject(tx: Tx, host: HostProject, group: Group, existing: Project): Promise<Project> {
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

  /**
   * Creates or updates the user the host has (they sign in through the host: no usable password);
   * undefined when a local user has the username or e-mail (a problem says so).
   */
  async upsertUser(tx: Tx, host: HostUser): Promise<User | undefined> {
    return (await this.upsertUsers(tx, [host])).get(host.hostId);
  }

  /**
   * {@link upsertUser} for many users in a few statements: Cascade's copies and the users whose
   * username or e-mail they would take looked up at once, the new ones inserted in one statement.
   * Answers the users Cascade holds, by host id.
   */
  async upsertUsers(tx: Tx, hosts: readonly HostUser[]): Promise<Map<number, User>> {
    const byHostId = new Map(hosts.map((host) => [host.hostId, host]));
    const held = new Map<number, User>();
    const existing = new Map<number, User>();
    if (byHostId.size > 0) {
      const rows = await tx
        .select()
        .from(users)
        .where(and(eq(users.codeHostId, this.connection.id), inIds(tx, users.hostId, [...byHostId.keys()])));
      for (const row of rows) existing.set(row.hostId!, row);
    }
    const wanted = [...byHostId.values()].map((host) => {
      const known = existing.get(host.hostId);
      return { host, known, email: host.email ?? known?.email ?? this.placeholderEmail(host) };
    });
    // Who else has the usernames and e-mails that users take or change to; a user who keeps
    // both clashes with nobody new (after the first batches of an import, nearly everyone).
    const changing = wanted.filter(
      ({ host, known, email }) => !known || known.username !== host.username || known.email !== email,
    );
    const others = await usersNamed(
      tx,
      changing.map(({ host }) => host.username.toLowerCase()),
      changing.map(({ email }) => email.toLowerCase()),
    );
    // What this batch takes, so that two of the host's users cannot both take one username or e-mail.
    const claimed = new Map<string, number>();
    const fresh: (typeof users.$inferInsert)[] = [];
    for (const { host, known, email } of wanted) {
      const keys = [`u:${host.username.toLowerCase()}`, `e:${email.toLowerCase()}`];
      const clash =
        keys.find((key) => (others.get(key) ?? known?.id) !== known?.id) ??
        keys.find((key) => (claimed.get(key) ?? host.hostId) !== host.hostId);
      if (clash) {
        const what = clash.startsWith('u:') ? 'username' : 'e-mail';
        this.problems.push(
          `The user ${host.username} was not ${known ? 'updated' : 'imported'}: another user in Cascade has the ${what}`,
        );
        if (known) held.set(host.hostId, known);
        continue;
      }
      for (const key of keys) claimed.set(key, host.hostId);
      const blockedAt = host.blocked ? (known?.blockedAt ?? new Date()) : null;
      if (!known) {
        fresh.push({
          username: host.username,
          name: host.name,
          email,
          passwordHash: UNUSABLE_PASSWORD_HASH,
          blockedAt,
          codeHostId: this.connection.id,
          hostId: host.hostId,
        });
        continue;
      }
      if (
        known.username === host.username &&
        known.name === host.name &&
        known.email === email &&
        (known.blockedAt === null) === (blockedAt === null)
      ) {
        held.set(host.hostId, known);
        continue;
      }
      const user = (
        await tx
          .update(users)
          .set({ username: host.username, name: host.name, email, blockedAt })
          .where(eq(users.id, known.id))
          .returning()
      )[0]!;
      // Blocking ends the user's sessions, as blocking in the Admin Area does.
      if (blockedAt && !known.blockedAt) await tx.delete(sessions).where(eq(sessions.userId, user.id));
      this.count('usersUpdated');
      held.set(host.hostId, user);
    }
    for (const batch of chunks(fresh, 500)) {
      if (batch.length === 0) continue;
      for (const user of await tx.insert(users).values(batch).returning()) {
        this.count('usersImported');
        held.set(user.hostId!, user);
      }
    }
    return held;
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
    return this.setMembersOfMany(tx, [{ source, memberships }]);
  }

  /**
   * {@link setMembers} for many groups and projects at once, in a few statements: the users
   * upserted together, the current memberships read in one query, the new ones inserted in one.
   */
  async setMembersOfMany(
    tx: Tx,
    entries: readonly { source: Group | Project; memberships: readonly HostMembership[] }[],
  ): Promise<number> {
    const granted = entries.map(({ source, memberships }) => ({
      source,
      memberships: memberships.filter((membership) => roleName(membership.accessLevel) !== null),
    }));
    const held = await this.upsertUsers(
      tx,
      granted.flatMap(({ memberships }) => memberships.map((membership) => membership.user)),
    );
    const groupIds = granted.filter(({ source }) => isGroup(source)).map(({ source }) => source.id);
    const projectIds = granted.filter(({ source }) => !isGroup(source)).map(({ source }) => source.id);
    const current = new Map<string, { member: typeof members.$inferSelect; username: string }[]>();
    for (const [column, ids, kind] of [
      [members.groupId, groupIds, 'group'],
      [members.projectId, projectIds, 'project'],
    ] as const) {
      if (ids.length === 0) continue;
      const rows = await tx
        .select({ member: members, username: users.username })
        .from(members)
        .innerJoin(users, eq(users.id, members.userId))
        .where(inIds(tx, column, ids));
      for (const row of rows) {
        const key = `${kind}:${kind === 'group' ? row.member.groupId : row.member.projectId}`;
        current.set(key, [...(current.get(key) ?? []), row]);
      }
    }
    const added: MemberRecord[] = [];
    const now = Date.now();
    const gone: number[] = [];
    let count = 0;
    for (const { source, memberships } of granted) {
      const group = isGroup(source);
      const level = group ? groupLevel(source) : projectLevel(source);
      const rows = current.get(`${group ? 'group' : 'project'}:${source.id}`) ?? [];
      const kept = new Set<number>();
      for (const membership of memberships) {
        const user = held.get(membership.user.hostId);
        if (!user) continue;
        kept.add(user.id);
        const row = rows.find(({ member }) => member.userId === user.id)?.member;
        // A role given in Cascade stays as it was given.
        if (row && row.codeHostId !== this.connection.id) continue;
        count++;
        if (!row) {
          added.push({
            user_id: user.id,
            group_id: group ? source.id : null,
            project_id: group ? null : source.id,
            access_level: membership.accessLevel,
            code_host_id: this.connection.id,
            created_at: now,
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
      for (const { member, username } of rows) {
        if (member.codeHostId !== this.connection.id || kept.has(member.userId)) continue;
        gone.push(member.id);
        this.count('membersRemoved');
        await this.record(tx, 'member.removed', level, memberChanges(username, member.accessLevel, null));
      }
    }
    if (added.length > 0) await execute(tx, insertRecords(tx.engine, members, MEMBER_COLUMNS, added));
    for (const batch of chunks(gone, 500))
      if (batch.length > 0) await tx.delete(members).where(inArray(members.id, batch));
    return count;
  }

  /** Records the project hook registered on the host for `project`. */
  async recordHook(tx: Tx, project: Project, hookId: number): Promise<void> {
    await tx.update(projects).set({ hostHookId: hookId }).where(eq(projects.id, project.id));
    this.count('projectHooksRegistered');
  }

  /** Removes the project (with its settings) that the host no longer has. */
  async removeProject(tx: Tx, project: Project): Promise<void> {
    if (project.hostHookId !== null)
      this.removedHooks.push({ projectHostId: project.hostId!, hookId: project.hostHookId });
    await deleteProject(tx, project, this.actor);
    this.count('projectsRemoved');
  }

  /** Removes the group, what is below it, and their settings, once the host no longer has it. */
  async removeGroup(tx: Tx, group: Group): Promise<void> {
    const hooked = await tx
      .select({ projectHostId: projects.hostId, hookId: projects.hostHookId })
      .from(projects)
      .innerJoin(groups, eq(groups.id, projects.groupId))
      .where(and(sql`${groups.traversalIds} like ${`${group.traversalIds}%`}`, isNotNull(projects.hostHookId)));
    for (const { projectHostId, hookId } of hooked)
      this.removedHooks.push({ projectHostId: projectHostId!, hookId: hookId! });
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

const isGroup = (source: Group | Project): source is Group => 'traversalIds' in source;

/** The columns of the memberships a mirror adds, written in one statement (see `insertRecords`). */
const MEMBER_COLUMNS = {
  user_id: 'integer',
  group_id: 'integer',
  project_id: 'integer',
  access_level: 'integer',
  code_host_id: 'integer',
  created_at: 'bigint',
} satisfies RecordColumns;

type MemberRecord = Record<keyof typeof MEMBER_COLUMNS, number | null>;

/** The columns of the projects a mirror imports, written in one statement (see `insertRecords`). */
const PROJECT_COLUMNS = {
  group_id: 'integer',
  name: 'text',
  path: 'text',
  full_path: 'text',
  description: 'text',
  default_branch: 'text',
  code_host_id: 'integer',
  host_id: 'integer',
  created_at: 'bigint',
} satisfies RecordColumns;

const projectRecord = (project: Omit<Project, 'id'>): Record<keyof typeof PROJECT_COLUMNS, unknown> => ({
  group_id: project.groupId,
  name: project.name,
  path: project.path,
  full_path: project.fullPath,
  description: project.description,
  default_branch: project.defaultBranch,
  code_host_id: project.codeHostId,
  host_id: project.hostId,
  created_at: project.createdAt.getTime(),
});

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

/** `values` in runs of `size`: a statement's parameters stay within both databases' limits. */
function chunks<T>(values: readonly T[], size: number): T[][] {
  const runs: T[][] = [];
  for (let start = 0; start < values.length; start += size) runs.push(values.slice(start, start + size));
  return runs;
}

/**
 * `column in (ids)`, the ids given as one JSON parameter: the statement's text is the same
 * whatever their number, and PostgreSQL looks each one up in an index even before it has
 * statistics of the table (an import fills tables faster than autovacuum analyses them).
 */
const inIds = (tx: Tx, column: SQLWrapper, ids: readonly number[]) =>
  inJsonArray(tx.engine, column, JSON.stringify(ids), 'integer');

/** `lower(column) in (values)`, as {@link inIds} does for ids; `values` are lowercased already. */
const inLowercased = (tx: Tx, column: SQLWrapper, values: readonly string[]) =>
  inJsonArray(tx.engine, sql`lower(${column})`, JSON.stringify(values), 'text');

/** Which of these full paths (lowercased) a group or project of Cascade has, in one query. */
async function takenPaths(tx: Tx, fullPaths: readonly string[]): Promise<Set<string>> {
  if (fullPaths.length === 0) return new Set();
  const lowercased = unique(fullPaths.map((path) => path.toLowerCase()));
  const [first, second] = [groups, projects].map((table) =>
    tx
      .select({ fullPath: table.fullPath })
      .from(table)
      .where(inLowercased(tx, table.fullPath, lowercased)),
  );
  const rows = await first!.unionAll(second!);
  return new Set(rows.map((row) => row.fullPath.toLowerCase()));
}

/**
 * The users who have these usernames or e-mails (lowercased), keyed "u:<username>" and
 * "e:<e-mail>", each with the user's id.
 */
async function usersNamed(
  tx: Tx,
  usernames: readonly string[],
  emails: readonly string[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const [column, values, prefix] of [
    [users.username, usernames, 'u:'],
    [users.email, emails, 'e:'],
  ] as const) {
    if (values.length === 0) continue;
    const rows = await tx
      .select({ id: users.id, value: column })
      .from(users)
      .where(inLowercased(tx, column, unique(values)));
    for (const row of rows) found.set(`${prefix}${row.value.toLowerCase()}`, row.id);
  }
  return found;
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
