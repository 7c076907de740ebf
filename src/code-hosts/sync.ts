/**
 * @module code-hosts/sync
 * The runs that keep Cascade's tree in step with a connected code host: the import (resumable:
 * its cursor is saved with each page's rows, in one transaction), the reconcile (the whole tree
 * again, then what the host no longer has is removed), the single-object syncs the receiver's
 * hooks ask for, and the scheduler that reconciles each connection as often as it says.
 */
import { and, count, desc, eq, gt, isNull } from 'drizzle-orm';
import { recordAuditEvent, INSTANCE_LEVEL, type AuditChange } from '../audit/trail.js';
import type { Db, Tx } from '../db/client.js';
import {
  codeHosts,
  hostSyncRuns,
  projects,
  users,
  type CodeHost,
  type Group,
  type HostSyncRun,
  type Project,
} from '../db/schema.js';
import type { Logger } from '../logger.js';
import { saveProtectedBranches } from '../model/protected-branches.js';
import { connectionClient } from './clients.js';
import {
  HostRequestFailed,
  HostSyncProblem,
  type HostClient,
  type HostClientFactory,
  type HostGroup,
  type HostMembership,
  type HostPage,
  type HostProject,
  type HostSync,
} from './host.js';
import { receiverUrlFor } from './connections.js';
import { CHANGE_LABELS, Mirror, type ChangeCount } from './mirror.js';
import { HostSecrets } from './secrets.js';

/** How many members listings a run asks the host for at once. */
export const MEMBER_FETCHES = 16;
/** How many projects' hooks a run registers, then records in one transaction. */
const HOOKS_BATCH = 100;

/**
 * Where a run is: the listing it takes pages of (each saved with its groups' or projects'
 * members), or the host id of the last project whose hook it saved (projects are walked in
 * host-id order, which the `(code_host_id, host_id)` index serves without sorting them all for
 * each batch).
 */
type RunCursor =
  { phase: 'groups' | 'projects'; next: string | null } | { phase: 'hooks'; afterHostId: number } | { phase: 'done' };

/** What is fetched with each group or project: its members, and the protected branches a reconcile reads. */
interface Details {
  memberships: HostMembership[];
  protectedBranches: string[] | null;
}

/** What a run has counted: done and (when the host says) total, and the changes it made. */
export type RunCounts = Partial<
  Record<'groups' | 'groupsTotal' | 'projects' | 'projectsTotal' | 'users' | 'members' | ChangeCount, number>
>;

export interface SyncOptions {
  /** Called after each page is saved, with the run as it is now. */
  onProgress?: (run: HostSyncRun) => void;
  /**
   * Where the host is to send project hooks (GitLab): Cascade's public origin, and the key that
   * opens the connection's hook secret. Without it no project hook is registered or checked.
   */
  receiver?: { publicOrigin: string; secretKeyBase: string };
}

/** A project hook as Cascade registers it: the receiver's URL and the connection's hook secret. */
interface ProjectHookTarget {
  hooks: NonNullable<HostClient['projectHooks']>;
  url: string;
  secret: string;
}

/**
 * The project hooks a run keeps on the host, or null where there are none to keep (a host whose
 * system hook carries every event, no receiver given, or a hook secret that does not open).
 */
function projectHookTarget(connection: CodeHost, client: HostClient, options: SyncOptions): ProjectHookTarget | null {
  if (!client.projectHooks || !options.receiver) return null;
  const secret = new HostSecrets(options.receiver.secretKeyBase).open(connection, 'hookSecret');
  if (!secret) return null;
  return { hooks: client.projectHooks, url: receiverUrlFor(options.receiver.publicOrigin)(connection.id), secret };
}

/** Removes the hooks of projects a committed transaction removed; one the host no longer has is no loss. */
async function removeHooks(target: ProjectHookTarget | null, mirror: Mirror): Promise<void> {
  const removed = mirror.removedHooks.splice(0);
  if (!target) return;
  await mapAtOnce(removed, MEMBER_FETCHES, ({ projectHostId, hookId }) =>
    target.hooks.remove(projectHostId, hookId).catch(() => {}),
  );
}

/** A run that was not started, and why (e.g. the connection is paused). */
export class HostSyncRefused extends Error {}

const parseCursor = (run: HostSyncRun): RunCursor =>
  run.cursor ? (JSON.parse(run.cursor) as RunCursor) : { phase: 'groups', next: null };

async function currentConnection(db: Db, id: number): Promise<CodeHost | undefined> {
  return (await db.select().from(codeHosts).where(eq(codeHosts.id, id)).limit(1))[0];
}

/** The run to go on with: an import that did not finish resumes; otherwise a new one starts. */
async function startRun(db: Db, connection: CodeHost, kind: HostSyncRun['kind']): Promise<HostSyncRun> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const last = (
      await tx
        .select()
        .from(hostSyncRuns)
        .where(and(eq(hostSyncRuns.codeHostId, connection.id), eq(hostSyncRuns.kind, kind)))
        .orderBy(desc(hostSyncRuns.id))
        .limit(1)
    )[0];
    if (kind === 'import' && last && last.status !== 'finished') {
      return (
        await tx
          .update(hostSyncRuns)
          .set({ status: 'running', error: null, updatedAt: now })
          .where(eq(hostSyncRuns.id, last.id))
          .returning()
      )[0]!;
    }
    return (
      await tx
        .insert(hostSyncRuns)
        .values({ codeHostId: connection.id, kind, status: 'running', phase: 'groups', startedAt: now, updatedAt: now })
        .returning()
    )[0]!;
  });
}

async function saveRun(tx: Tx, run: HostSyncRun, cursor: RunCursor, counts: RunCounts, mirror: Mirror) {
  return (
    await tx
      .update(hostSyncRuns)
      .set({
        phase: cursor.phase,
        cursor: JSON.stringify(cursor),
        counts: JSON.stringify({ ...counts, ...mirror.changes }),
        problems: JSON.stringify(mirror.problems),
        updatedAt: new Date(),
      })
      .where(eq(hostSyncRuns.id, run.id))
      .returning()
  )[0]!;
}

/** Every page of a listing, for what is applied at once (one group's or project's members). */
async function allPages<T>(take: (cursor: string | null) => Promise<HostPage<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page = await take(cursor);
    items.push(...page.items);
    cursor = page.next;
  } while (cursor !== null);
  return items;
}

/** `work` on each item, at most `limit` at a time; the answers in the items' order. */
async function mapAtOnce<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const answers: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      answers[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return answers;
}

/** At most `limit` pieces of work at once, the others started in the order they asked. */
class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    // The slot is handed over by the work that frees it: `running` stays as it is.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** What the host's objects seen by a reconcile are, so that the others can be removed. */
interface Seen {
  groups: Set<number>;
  projects: Set<number>;
}

/**
 * Takes the host's tree page by page from where `run` is, saving each page's rows, the cursor and
 * the counts in one transaction: a failure loses at most the page it was on.
 */
async function walk(
  db: Db,
  connection: CodeHost,
  client: HostClient,
  mirror: Mirror,
  start: HostSyncRun,
  options: SyncOptions,
  seen?: Seen,
): Promise<{ run: HostSyncRun; counts: RunCounts }> {
  let run = start;
  let cursor = parseCursor(run);
  let counts = JSON.parse(run.counts) as RunCounts;
  const commit = async (next: RunCursor, nextCounts: RunCounts, work: (tx: Tx) => Promise<void>) => {
    run = await db.transaction((tx) =>
      mirror.inTransaction(tx, async () => {
        await work(tx);
        return saveRun(tx, run, next, nextCounts, mirror);
      }),
    );
    cursor = next;
    counts = nextCounts;
    options.onProgress?.(run);
  };

  // One set of fetch slots for every page: the next page's fetches queue behind this one's and
  // take the slots its last ones free, so the host is asked for as many at once while a page ends
  // and while it is written.
  const slots = new Slots(MEMBER_FETCHES);
  /** A page of a listing, and the fetch of what is saved with each of its groups or projects. */
  const withDetails = async <T extends HostGroup | HostProject>(
    listing: 'groups' | 'projects',
    page: HostPage<T>,
  ): Promise<{ page: HostPage<T>; details: Promise<Details[]> }> => {
    const details = Promise.all(
      page.items.map((item) =>
        slots.run(async () => ({
          memberships: await allPages((next) =>
            listing === 'groups' ? client.groupMembers(item.hostId, next) : client.projectMembers(item.hostId, next),
          ),
          // Read by the reconcile only, so the import asks one thing per project; the reconcile follows it at once.
          protectedBranches: seen && listing === 'projects' ? await client.protectedBranches(item) : null,
        })),
      ),
    );
    // A failure of a page not yet awaited is met when it is, not before.
    details.catch(() => {});
    return { page, details };
  };
  /**
   * Takes the pages of a listing from where the run is, each saved by `save` (which answers what
   * Cascade holds of each item, undefined where it skipped one) with the members of what it
   * holds, in one transaction; then the run goes on to `after`. The next page is fetched, and
   * its members, while one is written.
   */
  const takeListing = async <T extends HostGroup | HostProject>(
    listing: 'groups' | 'projects',
    take: (next: string | null) => Promise<HostPage<T>>,
    save: (tx: Tx, items: T[]) => Promise<(Group | Project | undefined)[]>,
    after: RunCursor,
  ) => {
    const ask = (next: string | null) => take(next).then((page) => withDetails(listing, page));
    let asked = cursor.phase === listing ? ask(cursor.next) : null;
    while (cursor.phase === listing) {
      const { page, details } = await asked!;
      asked = page.next ? ask(page.next) : null;
      asked?.catch(() => {});
      const fetched = await details;
      const next: RunCursor = page.next ? { phase: listing, next: page.next } : after;
      const nextCounts: RunCounts = { ...counts, ...(page.total === null ? {} : { [`${listing}Total`]: page.total }) };
      await commit(next, nextCounts, async (tx) => {
        const saved = await save(tx, page.items);
        nextCounts[listing] = (counts[listing] ?? 0) + saved.filter(Boolean).length;
        const entries = saved.flatMap((source, index) => (source ? [{ source, ...fetched[index]! }] : []));
        const usersImported = mirror.changes.usersImported;
        nextCounts.members = (counts.members ?? 0) + (await mirror.setMembersOfMany(tx, entries));
        // The connection's users only change in number when a page imports some.
        if (counts.users === undefined || mirror.changes.usersImported !== usersImported)
          nextCounts.users = await countUsers(tx, connection);
        const now = new Date();
        for (const { source, protectedBranches } of entries)
          if (protectedBranches) await saveProtectedBranches(tx, source.id, protectedBranches, now);
      });
    }
  };

  await takeListing(
    'groups',
    (next) => client.groups(next),
    async (tx, items) => {
      const saved: (Group | undefined)[] = [];
      for (const group of items) {
        seen?.groups.add(group.hostId);
        saved.push(await mirror.upsertGroup(tx, group));
      }
      return saved;
    },
    { phase: 'projects', next: null },
  );
  await takeListing(
    'projects',
    (next) => client.projects(next),
    (tx, items) => {
      for (const project of items) seen?.projects.add(project.hostId);
      return mirror.upsertProjects(tx, items);
    },
    { phase: 'hooks', afterHostId: 0 },
  );
  const target = projectHookTarget(connection, client, options);
  while (cursor.phase === 'hooks') {
    const batch = target ? await projectsAfter(db, connection, cursor.afterHostId) : [];
    if (batch.length === 0) {
      await commit({ phase: 'done' }, counts, async () => {});
      continue;
    }
    // An import registers the hooks projects lack; a reconcile also replaces those the host lost.
    const registered = await mapAtOnce(batch, MEMBER_FETCHES, async (project) => {
      if (project.hostHookId !== null && (!seen || (await target!.hooks.exists(project.hostId!, project.hostHookId))))
        return null;
      return { project, hookId: (await target!.hooks.register(project.hostId!, target!.url, target!.secret)).hostId };
    });
    await commit({ phase: 'hooks', afterHostId: batch.at(-1)!.hostId! }, counts, async (tx) => {
      for (const each of registered) if (each) await mirror.recordHook(tx, each.project, each.hookId);
    });
  }
  return { run, counts };
}

/** The next batch of the connection's projects, in host-id order, after `afterHostId`. */
function projectsAfter(db: Db, connection: CodeHost, afterHostId: number): Promise<Project[]> {
  return db
    .select()
    .from(projects)
    .where(and(eq(projects.codeHostId, connection.id), gt(projects.hostId, afterHostId)))
    .orderBy(projects.codeHostId, projects.hostId)
    .limit(HOOKS_BATCH);
}

async function countUsers(tx: Tx, connection: CodeHost): Promise<number> {
  return (await tx.select({ n: count() }).from(users).where(eq(users.codeHostId, connection.id)))[0]?.n ?? 0;
}

/** Why a run stopped, for the administrator: the host's answer, or that Cascade failed (its log says more). */
function failureMessage(error: unknown): string {
  if (error instanceof HostRequestFailed) return error.message;
  return `Cascade stopped on an error of its own: ${error instanceof Error ? error.message : String(error)}`;
}

/** Runs `kind` for a connection: refuses a paused one, records a failure in the run and throws it on. */
async function run(
  db: Db,
  connection: CodeHost,
  client: HostClient,
  kind: HostSyncRun['kind'],
  options: SyncOptions,
): Promise<HostSyncRun> {
  const current = await currentConnection(db, connection.id);
  if (!current) throw new HostSyncRefused(`The connection ${connection.name} no longer exists`);
  if (current.pausedAt) throw new HostSyncRefused(`The connection ${current.name} is paused: resume it first`);
  const started = await startRun(db, current, kind);
  const mirror = new Mirror(current, kind === 'import' ? 'summary' : 'each');
  const saved = JSON.parse(started.counts) as RunCounts;
  for (const key of Object.keys(CHANGE_LABELS) as ChangeCount[]) if (saved[key]) mirror.changes[key] = saved[key];
  mirror.problems.push(...(JSON.parse(started.problems) as string[]));
  try {
    const seen: Seen | undefined = kind === 'reconcile' ? { groups: new Set(), projects: new Set() } : undefined;
    const walked = await walk(db, current, client, mirror, started, options, seen);
    const finished = await db.transaction((tx) =>
      mirror.inTransaction(tx, async () => {
        if (seen) await mirror.removeUnseen(tx, seen);
        const now = new Date();
        if (kind === 'import') await recordImport(tx, current, mirror);
        else await tx.update(codeHosts).set({ lastReconciledAt: now }).where(eq(codeHosts.id, current.id));
        return (
          await tx
            .update(hostSyncRuns)
            .set({
              status: 'finished',
              phase: 'done',
              cursor: null,
              counts: JSON.stringify({ ...walked.counts, ...mirror.changes }),
              problems: JSON.stringify(mirror.problems),
              updatedAt: now,
              finishedAt: now,
            })
            .where(eq(hostSyncRuns.id, started.id))
            .returning()
        )[0]!;
      }),
    );
    await removeHooks(projectHookTarget(current, client, options), mirror);
    return finished;
  } catch (error) {
    await db.transaction(async (tx) => {
      await tx
        .update(hostSyncRuns)
        .set({ status: 'failed', error: failureMessage(error), updatedAt: new Date() })
        .where(eq(hostSyncRuns.id, started.id));
    });
    throw error;
  }
}

/** The one audit event of an import: what it changed, in counts; none when it changed nothing. */
async function recordImport(tx: Tx, connection: CodeHost, mirror: Mirror): Promise<void> {
  const changes: AuditChange[] = (Object.keys(CHANGE_LABELS) as ChangeCount[])
    .filter((key) => (mirror.changes[key] ?? 0) > 0)
    .map((key) => ({ key, label: CHANGE_LABELS[key], before: null, after: String(mirror.changes[key]) }));
  if (changes.length === 0) return;
  await recordAuditEvent(tx, {
    actor: { id: null, username: mirror.actor.username },
    action: 'code_host.imported',
    owner: INSTANCE_LEVEL,
    changes,
  });
}

/**
 * Imports the host's groups, then projects, each page with its groups' or projects' members,
 * resuming an import that did not finish; importing again changes nothing the host did not change.
 *
 * @example
 * const run = await runImport(db, connection, client, { onProgress: (run) => console.log(run.counts) })
 * run.status // 'finished'
 */
export function runImport(db: Db, connection: CodeHost, client: HostClient, options: SyncOptions = {}) {
  return run(db, connection, client, 'import', options);
}

/**
 * Walks the whole tree as an import does, auditing each change, then removes the projects and
 * groups (with their settings) the host no longer has; renames and transfers the hooks missed
 * are moves on the way.
 */
export function runReconcile(db: Db, connection: CodeHost, client: HostClient, options: SyncOptions = {}) {
  return run(db, connection, client, 'reconcile', options);
}

/**
 * The sync of one object, as the receiver asks for it on a hook: fetched from the host as it is
 * now and applied (gone from the host: removed here). Throws {@link HostSyncProblem} with what
 * could not be taken over.
 *
 * @example
 * await createHostSync(db, connection, client).project(12)
 */
export function createHostSync(db: Db, connection: CodeHost, client: HostClient, options: SyncOptions = {}): HostSync {
  const target = projectHookTarget(connection, client, options);
  const apply = async (work: (tx: Tx, mirror: Mirror) => Promise<void>) => {
    const mirror = new Mirror(connection, 'each');
    await db.transaction((tx) => mirror.inTransaction(tx, () => work(tx, mirror)));
    await removeHooks(target, mirror);
    if (mirror.problems.length > 0) throw new HostSyncProblem(mirror.problems.join('; '));
  };
  const sync: HostSync = {
    async group(hostId) {
      const host = await client.group(hostId);
      if (host?.parentHostId != null) {
        const parent = await db.transaction((tx) => new Mirror(connection, 'each').groupOf(tx, host.parentHostId!));
        if (!parent) await sync.group(host.parentHostId);
      }
      await apply(async (tx, mirror) => {
        if (host) await mirror.upsertGroup(tx, host);
        else {
          const known = await mirror.groupOf(tx, hostId);
          if (known) await mirror.removeGroup(tx, known);
        }
      });
    },
    async project(hostId) {
      const host = await client.project(hostId);
      if (host?.groupHostId != null) {
        const group = await db.transaction((tx) => new Mirror(connection, 'each').groupOf(tx, host.groupHostId!));
        if (!group) await sync.group(host.groupHostId);
      }
      const rules = host?.groupHostId != null ? await client.protectedBranches(host) : [];
      let unhooked: Project | undefined;
      await apply(async (tx, mirror) => {
        // Gone, or moved to a user's own namespace, which Cascade does not import.
        if (host?.groupHostId != null) {
          const project = await mirror.upsertProject(tx, host);
          if (project) await saveProtectedBranches(tx, project.id, rules, new Date());
          if (project?.hostHookId === null) unhooked = project;
        } else {
          const known = await mirror.projectOf(tx, hostId);
          if (known) await mirror.removeProject(tx, known);
        }
      });
      if (unhooked && target) {
        const hook = await target.hooks.register(hostId, target.url, target.secret);
        await apply((tx, mirror) => mirror.recordHook(tx, unhooked!, hook.hostId));
      }
    },
    async groupMembers(groupHostId) {
      const memberships = await allPages((page) => client.groupMembers(groupHostId, page));
      await apply(async (tx, mirror) => {
        const group = await mirror.groupOf(tx, groupHostId);
        if (group) await mirror.setMembers(tx, group, memberships);
      });
    },
    async projectMembers(projectHostId) {
      const memberships = await allPages((page) => client.projectMembers(projectHostId, page));
      await apply(async (tx, mirror) => {
        const project = await mirror.projectOf(tx, projectHostId);
        if (project) await mirror.setMembers(tx, project, memberships);
      });
    },
    async reconcile() {
      await runReconcile(db, connection, client, options);
    },
  };
  return sync;
}

export interface ReconcilerOptions {
  clients: HostClientFactory;
  secretKeyBase: string;
  /** Cascade's public origin, for the project hooks a reconcile registers; none without it. */
  publicOrigin?: string;
  logger?: Logger;
  /** How often connections are checked; a minute by default. */
  intervalMs?: number;
}

export interface Reconciler {
  /** Reconciles every connection that is due, one at a time (what each interval does). */
  tick(): Promise<void>;
  /** Stops checking and waits for a reconcile in progress to end. */
  stop(): Promise<void>;
}

/** Whether the connection has finished an import: before that there is nothing to reconcile. */
export async function hasImported(db: Db, connection: CodeHost): Promise<boolean> {
  const finished = await db
    .select({ id: hostSyncRuns.id })
    .from(hostSyncRuns)
    .where(
      and(
        eq(hostSyncRuns.codeHostId, connection.id),
        eq(hostSyncRuns.kind, 'import'),
        eq(hostSyncRuns.status, 'finished'),
      ),
    )
    .limit(1);
  return finished.length > 0;
}

const isDue = (connection: CodeHost, now: number) =>
  connection.lastReconciledAt === null ||
  connection.lastReconciledAt.getTime() + connection.reconcileMinutes * 60_000 <= now;

/**
 * Every interval, reconciles each active connection whose last reconcile is older than its
 * `reconcileMinutes`; a connection never reconciled is due as soon as its import has finished.
 *
 * @example
 * const reconciler = startReconciler(db, { clients: createHostClient, secretKeyBase, logger })
 * await reconciler.stop() // on shutdown
 */
export function startReconciler(db: Db, options: ReconcilerOptions): Reconciler {
  const secrets = new HostSecrets(options.secretKeyBase);
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const reconcileDue = async () => {
    const active = await db.select().from(codeHosts).where(isNull(codeHosts.pausedAt)).orderBy(codeHosts.id);
    for (const connection of active) {
      if (stopped) return;
      if (!isDue(connection, Date.now()) || !(await hasImported(db, connection))) continue;
      let client: HostClient;
      try {
        client = await connectionClient(db, connection, options.clients, secrets);
      } catch (error) {
        options.logger?.warn({ codeHost: connection.name, err: error }, 'The reconcile of the code host cannot start');
        continue;
      }
      try {
        const receiver =
          options.publicOrigin === undefined
            ? undefined
            : { publicOrigin: options.publicOrigin, secretKeyBase: options.secretKeyBase };
        const done = await runReconcile(db, connection, client, { receiver });
        options.logger?.info(
          { codeHost: connection.name, counts: JSON.parse(done.counts) },
          'Reconciled the code host',
        );
      } catch (error) {
        options.logger?.warn({ codeHost: connection.name, err: error }, 'The reconcile of the code host failed');
      }
    }
  };
  const tick = () => {
    // One at a time: a tick that comes while one runs waits for it.
    running = running
      .then(() => (stopped ? undefined : reconcileDue()))
      .catch((error: unknown) => {
        options.logger?.error({ err: error }, 'The reconciler failed');
      });
    return running;
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 60_000);
  timer.unref();
  void tick();
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
