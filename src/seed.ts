/**
 * @module seed
 * First start with an empty database: the root administrator and, unless SEED_DEMO=false,
 * a demo tree of groups, projects and users with integration settings at every level, so that
 * a newcomer sees inheritance, overrides, enforcement and the audit trail at once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { HostSecrets } from './code-hosts/secrets.js';
import type { Db, Queryable, Tx } from './db/client.js';
import {
  codeHosts,
  hostEvents,
  projects,
  users,
  type Group,
  type HostEvent,
  type Project,
  type User,
} from './db/schema.js';
import { PlanningBatch } from './delivery/dispatcher.js';
import { createPlanner } from './delivery/planner.js';
import { claimDue, DeliveryRequests, insertEventDeliveries, recordAttempts } from './delivery/queue.js';
import { nextStep, type AttemptResult } from './delivery/schedule.js';
import { generatePassword } from './auth/passwords.js';
import type { RoleName } from './auth/permissions.js';
import { findIntegrationType } from './integrations/index.js';
import { settingKeys } from './integrations/validate.js';
import { createGroup, groupLineage } from './model/groups.js';
import { addMember } from './model/members.js';
import { createProject, findProjectByFullPath } from './model/projects.js';
import { createUser } from './model/users.js';
import { setEnforcement } from './settings/enforcement.js';
import { groupOwner, INSTANCE_OWNER, projectOwner, settingsChain } from './settings/owners.js';
import { commitSettingsChange, prepareSettingsChange, type SettingsLevel } from './settings/service.js';
import { SettingsStore } from './settings/store.js';
import type { SettingsSubmission } from './settings/submission.js';
import type { Outcome } from './validation.js';

export interface SeededAccount {
  username: string;
  password: string;
  role: string;
}

function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`Seeding failed: ${JSON.stringify(outcome.errors)}`);
  return outcome.value;
}

export async function isEmpty(db: Queryable): Promise<boolean> {
  return ((await db.select({ n: count() }).from(users).limit(1))[0]?.n ?? 0) === 0;
}

/** Creates root; returns the accounts whose passwords must be shown once. */
export async function seedRoot(db: Queryable, initialRootPassword: string | undefined): Promise<SeededAccount[]> {
  const password = initialRootPassword ?? generatePassword();
  unwrap(
    await createUser(db, {
      name: 'Administrator',
      username: 'root',
      email: 'root@cascade.local',
      password,
      is_admin: '1',
    }),
  );
  return initialRootPassword ? [] : [{ username: 'root', password, role: 'Administrator' }];
}

const DEMO_TREE = {
  groups: [
    { path: 'platform', name: 'Platform', parent: null },
    { path: 'backend', name: 'Backend', parent: 'platform' },
    { path: 'services', name: 'Services', parent: 'platform/backend' },
    { path: 'payments', name: 'Payments', parent: 'platform/backend/services' },
    { path: 'frontend', name: 'Frontend', parent: 'platform' },
    { path: 'data', name: 'Data', parent: null },
    { path: 'analytics', name: 'Analytics', parent: 'data' },
  ],
  projects: [
    { path: 'infrastructure', name: 'Infrastructure', group: 'platform' },
    { path: 'api', name: 'API', group: 'platform/backend' },
    { path: 'auth-service', name: 'Auth service', group: 'platform/backend/services' },
    { path: 'notifications', name: 'Notifications', group: 'platform/backend/services' },
    { path: 'billing', name: 'Billing', group: 'platform/backend/services/payments' },
    { path: 'checkout', name: 'Checkout', group: 'platform/backend/services/payments' },
    { path: 'web', name: 'Web', group: 'platform/frontend' },
    { path: 'design-system', name: 'Design system', group: 'platform/frontend' },
    { path: 'warehouse', name: 'Warehouse', group: 'data' },
    { path: 'dashboards', name: 'Dashboards', group: 'data/analytics' },
  ],
  users: [
    { username: 'olivia', name: 'Olivia Owner', member: { group: 'platform', role: 'owner' } },
    { username: 'max', name: 'Max Maintainer', member: { group: 'platform/backend', role: 'maintainer' } },
    { username: 'dev', name: 'Dana Developer', member: { group: 'platform/backend/services', role: 'developer' } },
    { username: 'riley', name: 'Riley Reporter', member: { group: 'data', role: 'reporter' } },
    { username: 'pat', name: 'Pat Project-Maintainer', member: { project: 'data/warehouse', role: 'maintainer' } },
  ],
} as const;

/** The demo tree: groups four levels deep, ten projects, one user of each role, and settings at every level (see {@link DEMO_SETTINGS}). */
export async function seedDemo(tx: Tx, secretKeyBase: string): Promise<SeededAccount[]> {
  const db: Queryable = tx;
  const groupsByPath = new Map<string, Group>();
  for (const spec of DEMO_TREE.groups) {
    const parent = spec.parent ? groupsByPath.get(spec.parent) : undefined;
    const group = unwrap(await createGroup(db, { name: spec.name, path: spec.path }, parent));
    groupsByPath.set(group.fullPath, group);
  }
  const projectIds = new Map<string, number>();
  for (const spec of DEMO_TREE.projects) {
    const project = unwrap(
      await createProject(db, { name: spec.name, path: spec.path }, groupsByPath.get(spec.group)!),
    );
    projectIds.set(project.fullPath, project.id);
  }
  const accounts: SeededAccount[] = [];
  for (const spec of DEMO_TREE.users) {
    const password = generatePassword();
    const user: User = unwrap(
      await createUser(db, {
        name: spec.name,
        username: spec.username,
        email: `${spec.username}@cascade.local`,
        password,
      }),
    );
    const member = spec.member as { group?: string; project?: string; role: RoleName };
    const source = member.group
      ? { groupId: groupsByPath.get(member.group)!.id }
      : { projectId: projectIds.get(member.project!)! };
    unwrap(await addMember(db, source, { username: user.username, role: member.role }));
    accounts.push({ username: spec.username, password, role: `${member.role} of ${member.group ?? member.project}` });
  }
  await seedDemoSettings(tx, new SettingsStore(tx, secretKeyBase), groupsByPath);
  return accounts;
}

/** A demo Slack webhook: a well-formed URL that reaches no workspace (Slack answers it "no_team"). */
const DEMO_WEBHOOK = 'https://hooks.slack.com/services/T00000000/B00000000/cascadedemo0000000000000';

/**
 * What the demo sets where, each saved by the user who would: an instance default, a group that
 * overrides it, a project with custom settings, one that inherits all but one field, and a value
 * the instance enforces with its reason. `inherited` lists the keys a level takes from above
 * (per-field inheritance); the others are its own.
 */
const DEMO_SETTINGS: {
  at: string | null;
  type: string;
  by: string;
  values: Record<string, string>;
  inherited?: string[];
}[] = [
  {
    at: null,
    type: 'slack',
    by: 'root',
    values: {
      active: '1',
      webhook: DEMO_WEBHOOK,
      username: 'Cascade',
      channel: '#engineering',
      notify_only_broken_pipelines: '1',
      branches_to_be_notified: 'default_and_protected',
      push_events: '1',
      merge_requests_events: '1',
      pipeline_events: '1',
      deployment_events: '1',
    },
  },
  {
    at: null,
    type: 'pipelines-email',
    by: 'root',
    values: { active: '0', recipients: 'release-managers@cascade.local', notify_only_broken_pipelines: '1' },
  },
  {
    at: 'platform/backend',
    type: 'slack',
    by: 'olivia',
    values: {
      active: '1',
      webhook: `${DEMO_WEBHOOK.slice(0, -7)}backend`,
      username: 'Backend CI',
      channel: '#backend',
      pipeline_channel: '#backend-ci',
      notify_only_broken_pipelines: '1',
      branches_to_be_notified: 'all',
      push_events: '0',
      merge_requests_events: '1',
      pipeline_events: '1',
      issues_events: '1',
    },
  },
  {
    at: 'data',
    type: 'pipelines-email',
    by: 'root',
    values: { active: '1', recipients: 'data-team@cascade.local', notify_only_broken_pipelines: '1' },
  },
  {
    at: 'data/warehouse',
    type: 'slack',
    by: 'pat',
    values: {
      active: '1',
      webhook: `${DEMO_WEBHOOK.slice(0, -9)}warehouse`,
      username: 'Warehouse',
      channel: '#data-warehouse',
      notify_only_broken_pipelines: '0',
      branches_to_be_notified: 'default',
      push_events: '1',
      pipeline_events: '1',
    },
  },
  {
    at: 'platform/frontend/web',
    type: 'slack',
    by: 'olivia',
    values: { channel: '#web' },
    inherited: ['*'],
  },
];

/** The instance enforces which branches notify, after the levels below saved their own. */
const DEMO_ENFORCEMENT = {
  type: 'slack',
  keys: ['branches_to_be_notified'],
  reason: 'Feature branches stay quiet: only the default and protected branches notify.',
};

/** Saves {@link DEMO_SETTINGS} and {@link DEMO_ENFORCEMENT} as the pages would, each with its audit event. */
async function seedDemoSettings(tx: Tx, store: SettingsStore, groupsByPath: Map<string, Group>): Promise<void> {
  const actors = new Map<string, User>();
  const actor = async (username: string) => {
    if (!actors.has(username))
      actors.set(username, (await tx.select().from(users).where(eq(users.username, username)).limit(1))[0]!);
    return actors.get(username)!;
  };
  for (const spec of DEMO_SETTINGS) {
    const type = findIntegrationType(spec.type)!;
    const at = await demoLevel(tx, spec.at, groupsByPath);
    // `*`: every key but the level's own values, as the per-field boxes of the form send them.
    const inherited = spec.inherited?.includes('*')
      ? settingKeys(type, at.level)
          .map(({ key }) => key)
          .filter((key) => !(key in spec.values))
      : (spec.inherited ?? []);
    const submission: SettingsSubmission = { mode: 'custom', values: spec.values, inherited, expectedVersion: 0 };
    const prepared = await prepareSettingsChange(store, at, type, submission);
    if (!prepared.ok)
      throw new Error(
        `Seeding ${spec.type} at ${spec.at ?? 'the instance'} failed: ${JSON.stringify(prepared.errors)}`,
      );
    await commitSettingsChange(store, at, type, prepared.change, await actor(spec.by));
  }
  const type = findIntegrationType(DEMO_ENFORCEMENT.type)!;
  const own = await store.findOwn(INSTANCE_OWNER, type.slug);
  await setEnforcement(
    store,
    INSTANCE_OWNER,
    type,
    { keys: DEMO_ENFORCEMENT.keys, reason: DEMO_ENFORCEMENT.reason },
    own?.version,
    await actor('root'),
  );
}

/** The settings level of a demo path: a group's, a project's (its group's path and its own), or the instance's (null). */
async function demoLevel(db: Queryable, path: string | null, groupsByPath: Map<string, Group>): Promise<SettingsLevel> {
  if (path === null) return { level: 'instance', owner: INSTANCE_OWNER, chain: [INSTANCE_OWNER] };
  const group = groupsByPath.get(path);
  if (group) {
    const owner = groupOwner(group, await groupLineage(db, group));
    return { level: 'group', owner, chain: settingsChain(owner, await groupLineage(db, group)) };
  }
  const parent = groupsByPath.get(path.slice(0, path.lastIndexOf('/')))!;
  const lineage = await groupLineage(db, parent);
  const project = (await findProjectByFullPath(db, path))!;
  const owner = projectOwner(project, lineage);
  return { level: 'project', owner, chain: settingsChain(owner, lineage) };
}

/** The demo's code host: paused, so that Cascade never calls it; the events below are its. */
const DEMO_HOST_URL = 'https://gitlab.example.com';

/**
 * The events the demo's code host "sent", each as GitLab sends it (doc/user/project/integrations/
 * webhook_events.md), trimmed to what Cascade reads, and how the receiving end answered its
 * deliveries: Slack's "ok", or its refusal of a webhook whose token is wrong.
 */
const DEMO_EVENTS: {
  project: string;
  hostEvent: string;
  kind: 'push' | 'pipeline' | 'merge_request';
  minutesAgo: number;
  body: (project: Record<string, unknown>) => Record<string, unknown>;
  answer: { status: number; body: string };
}[] = [
  {
    project: 'platform/frontend/web',
    hostEvent: 'Push Hook',
    kind: 'push',
    minutesAgo: 42,
    body: (project) => ({
      object_kind: 'push',
      ref: 'refs/heads/main',
      before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
      after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      user_name: 'Olivia Owner',
      user_username: 'olivia',
      project,
      commits: [
        {
          id: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
          message: 'Show the release notes on the landing page',
          url: `${String(project.web_url)}/-/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7`,
          author: { name: 'Olivia Owner', email: 'olivia@cascade.local' },
        },
      ],
      total_commits_count: 1,
    }),
    answer: { status: 200, body: 'ok' },
  },
  {
    project: 'platform/backend/api',
    hostEvent: 'Pipeline Hook',
    kind: 'pipeline',
    minutesAgo: 25,
    body: (project) => ({
      object_kind: 'pipeline',
      object_attributes: {
        id: 31,
        ref: 'main',
        tag: false,
        sha: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
        status: 'failed',
        detailed_status: 'failed',
        source: 'push',
        duration: 263,
        finished_at: new Date(Date.now() - 25 * 60_000).toISOString(),
        url: `${String(project.web_url)}/-/pipelines/31`,
      },
      user: { name: 'Max Maintainer', username: 'max' },
      project,
      commit: {
        id: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
        message: 'Validate the invoice currency',
        url: `${String(project.web_url)}/-/commit/bcbb5ec396a2c0f828686f14fac9b80b780504f2`,
        author: { name: 'Max Maintainer', email: 'max@cascade.local' },
      },
      builds: [],
    }),
    answer: { status: 200, body: 'ok' },
  },
  {
    project: 'data/warehouse',
    hostEvent: 'Push Hook',
    kind: 'push',
    minutesAgo: 9,
    body: (project) => ({
      object_kind: 'push',
      ref: 'refs/heads/main',
      before: '0b4bc9a49b562e85de7cc9e834518ea6828729b9',
      after: 'a8a7d1f2c9e3b4d5e6f708192a3b4c5d6e7f8091',
      user_name: 'Pat Project-Maintainer',
      user_username: 'pat',
      project,
      commits: [
        {
          id: 'a8a7d1f2c9e3b4d5e6f708192a3b4c5d6e7f8091',
          message: 'Load the nightly orders partition',
          url: `${String(project.web_url)}/-/commit/a8a7d1f2c9e3b4d5e6f708192a3b4c5d6e7f8091`,
          author: { name: 'Pat Project-Maintainer', email: 'pat@cascade.local' },
        },
      ],
      total_commits_count: 1,
    }),
    answer: { status: 403, body: 'invalid_token' },
  },
];

/** A project as GitLab's hooks describe it, on the demo's code host. */
const hookProject = (project: Project, hostId: number) => ({
  id: hostId,
  name: project.name,
  namespace: project.fullPath.split('/').slice(0, -1).join(' / '),
  path_with_namespace: project.fullPath,
  web_url: `${DEMO_HOST_URL}/${project.fullPath}`,
  default_branch: 'main',
});

/**
 * A few recent deliveries for the demo, made as the server makes them: a paused code host whose
 * events ({@link DEMO_EVENTS}) are planned with the settings the demo saved, then leased and
 * recorded with the answers given there, so that Recent deliveries, a failing project and
 * Recent events show what they look like. Nothing is sent anywhere. Runs once, after the seed.
 */
export async function seedDemoDeliveries(db: Db, secretKeyBase: string, now = new Date()): Promise<void> {
  const secrets = new HostSecrets(secretKeyBase);
  const events: HostEvent[] = await db.transaction(async (tx) => {
    const [host] = await tx
      .insert(codeHosts)
      .values({
        kind: 'gitlab',
        name: `${new URL(DEMO_HOST_URL).host} (demo)`,
        url: DEMO_HOST_URL,
        token: secrets.seal(DEMO_HOST_URL, 'token', randomBytes(16).toString('hex')),
        hookSecret: secrets.seal(DEMO_HOST_URL, 'hookSecret', randomBytes(16).toString('hex')),
        version: '17.6.0-ee',
        tokenUsername: 'root',
        pausedAt: now,
      })
      .returning();
    const stored: HostEvent[] = [];
    for (const [index, spec] of DEMO_EVENTS.entries()) {
      const project = (await findProjectByFullPath(tx, spec.project))!;
      // GitLab's branch filters need the default branch, which a project learns from its host.
      await tx.update(projects).set({ defaultBranch: 'main' }).where(eq(projects.id, project.id));
      const receivedAt = new Date(now.getTime() - spec.minutesAgo * 60_000);
      const [event] = await tx
        .insert(hostEvents)
        .values({
          codeHostId: host!.id,
          deliveryId: randomUUID(),
          hostEvent: spec.hostEvent,
          kind: spec.kind,
          hostProjectId: 100 + index,
          projectId: project.id,
          payload: JSON.stringify(spec.body(hookProject(project, 100 + index))),
          outcome: 'dispatched',
          receivedAt,
          processedAt: receivedAt,
        })
        .returning();
      stored.push(event!);
    }
    return stored;
  });
  const planner = createPlanner(db, secretKeyBase);
  const batch = new PlanningBatch();
  const requests = new DeliveryRequests(secretKeyBase);
  const planned = await Promise.all(
    events.map(async (event) => ({
      event: { id: event.id, projectId: event.projectId! },
      planned: (await planner(event, batch)).deliveries(null),
      at: event.receivedAt,
    })),
  );
  await db.transaction(async (tx) => {
    for (const { event, planned: deliveries, at } of planned)
      await insertEventDeliveries(tx, [{ event, planned: deliveries }], requests, at);
  });
  const leased = await claimDue(db, { now, leaseMs: 60_000, limit: 100, hostLimit: 100, busyHosts: new Map() });
  await recordAttempts(
    db,
    leased.map((lease) => {
      const spec = DEMO_EVENTS[events.findIndex((event) => event.id === lease.delivery.hostEventId)]!;
      const at = new Date(lease.delivery.createdAt.getTime() + 1000);
      const result: AttemptResult = { ok: true, ...spec.answer, headers: {}, durationMs: 180 };
      return { leased: lease, at, result, step: nextStep(result, 1, [], at) };
    }),
  );
}
