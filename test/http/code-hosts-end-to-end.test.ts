/**
 * The code-host parts together, through the real app listening on 127.0.0.1 with the background
 * src/server.ts runs (imports, the processor, the reconciler), against the test GitLab and the
 * test Gitea/Forgejo: connecting through the form, the import, the hooks the hosts send to the
 * registered URL, the reconcile, a failure mid-import and its resumption, and a token without rights.
 */
import { createAdaptorServer } from '@hono/node-server';
import { and, eq } from 'drizzle-orm';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startCodeHostBackground } from '../../src/code-hosts/background.js';
import { hostClientFactory } from '../../src/code-hosts/clients.js';
import { loadConfig } from '../../src/config.js';
import { migrateDatabase, openDatabase, type Db } from '../../src/db/client.js';
import {
  auditEvents,
  codeHosts,
  groups,
  hostEvents,
  hostSyncRuns,
  integrationSettings,
  members,
  projects,
  users,
  type CodeHost,
} from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import {
  createTestApp,
  fieldErrorOf,
  flashOf,
  get,
  insertUser,
  post,
  sessionCookie,
  TEST_SECRET_KEY_BASE,
  textOf,
  type TestApp,
} from '../support/app.js';
import { createPostgresDatabase, openTestDatabase, postgresUrl, TEST_DIALECT } from '../support/database.js';
import { pushPayload, repositoryPayload } from '../support/host-payloads/gitea.js';
import {
  groupEvent,
  groupMemberEvent,
  projectEvent,
  projectMemberEvent,
  pushEvent,
} from '../support/host-payloads/gitlab.js';
import { projectIntegrations, slackForm } from '../support/integrations.js';
import { freePort, runCommand } from '../support/processes.js';
import { startTestGitea, type GiteaFlavour } from '../support/test-gitea.js';
import { startTestGitLab } from '../support/test-gitlab.js';
import { HostTree } from '../support/test-host.js';

/** Small pages, so that every listing takes several; short waits for Retry-After. */
const clients = hostClientFactory({ pageSize: 2, maxRetryWaitMs: 200, maxTries: 3, timeoutMs: 5000 });

interface Cascade extends TestApp {
  origin: string;
  /** root's session. */
  cookie: string;
  /** A form post from this site, as root. */
  submit(path: string, form: Record<string, string | string[]>): Promise<Response>;
  page(path: string): Promise<string>;
  /** Resolves once the import has finished and the first reconcile, which comes right after it. */
  imported(id: number): Promise<void>;
  /** Resolves once the connection has more than `after` runs and none going. */
  settled(id: number, after?: number): Promise<void>;
  /** Resolves once `done` says so (checked every 25 ms, for up to 10 s). */
  until(done: () => Promise<boolean>, what: string): Promise<void>;
  /** Resolves once no tree event of the connection is left `received`. */
  applied(id: number): Promise<void>;
}

/** The app on a fresh database, listening on a free port, with the code-host background; stopped at the test's end. */
async function startCascade(options: { db?: Db } = {}): Promise<Cascade> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const db = options.db ?? (await openTestDatabase());
  const logger = createLogger('warn', () => undefined);
  const background = startCodeHostBackground(db, {
    clients,
    secretKeyBase: TEST_SECRET_KEY_BASE,
    logger,
  });
  const t = await createTestApp({
    db,
    config: loadConfig({ SEED_DEMO: 'false', PUBLIC_URL: origin }),
    hostClients: clients,
    hostImports: background.imports,
    hostEventProcessor: background.processor,
  });
  const server = createAdaptorServer({ fetch: t.app.fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await background.stop();
  });
  const cookie = await sessionCookie(db, await insertUser(db, 'root', { isAdmin: true }));
  const submit = (path: string, form: Record<string, string | string[]>) => post(t.app, path, form, { cookie, origin });
  const until = async (done: () => Promise<boolean>, what: string) => {
    for (let tries = 0; tries < 400; tries++) {
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`Timed out waiting for ${what}`);
  };
  // The test hosts are on this machine: allowlisted through the Network settings form.
  const network = await submit('/admin/application_settings/network', {
    allow_local_requests: '0',
    outbound_allowlist: '127.0.0.1',
  });
  expect(network.status).toBe(303);
  return {
    ...t,
    origin,
    cookie,
    submit,
    until,
    page: async (path) => {
      const response = await get(t.app, path, { cookie });
      expect(response.status).toBe(200);
      return response.text();
    },
    imported: (id) =>
      until(async () => {
        const runs = await db.select().from(hostSyncRuns).where(eq(hostSyncRuns.codeHostId, id));
        const finished = (kind: string) => runs.some((run) => run.kind === kind && run.status === 'finished');
        return finished('import') && finished('reconcile') && runs.every((run) => run.status !== 'running');
      }, 'the import and the first reconcile'),
    settled: (id, after = 0) =>
      until(async () => {
        const runs = await db.select().from(hostSyncRuns).where(eq(hostSyncRuns.codeHostId, id));
        return runs.length > after && runs.every((run) => run.status !== 'running');
      }, 'the run'),
    applied: (id) =>
      until(async () => {
        const left = await db
          .select({ id: hostEvents.id, kind: hostEvents.kind })
          .from(hostEvents)
          .where(and(eq(hostEvents.codeHostId, id), eq(hostEvents.outcome, 'received')));
        return left.every((event) => ['push', 'tag_push'].includes(event.kind));
      }, 'the events to be applied'),
  };
}

const connectForm = (kind: string, url: string, token: string) => ({
  kind,
  url,
  token,
  oidc_client_id: '',
  oidc_client_secret: '',
  admins_are_admins: '0',
  reconcile_minutes: '60',
});

/** Connects through the form and returns the stored connection. */
async function connect(cascade: Cascade, kind: string, url: string, token: string): Promise<CodeHost> {
  const response = await cascade.submit('/admin/code_hosts', connectForm(kind, url, token));
  expect(response.status).toBe(303);
  const [host] = await cascade.db.select().from(codeHosts).where(eq(codeHosts.url, url));
  expect(response.headers.get('location')).toBe(`/admin/code_hosts/${host!.id}`);
  return host!;
}

/**
 * Three levels of groups with projects in several, members with every role from Guest to Owner
 * on groups and projects, and a blocked user.
 */
function nestedTree(): HostTree {
  const tree = new HostTree();
  const root = tree.addUser({ username: 'root', name: 'Administrator', isAdmin: true });
  const [guest, reporter, developer, maintainer, owner] = ['gwen', 'rita', 'dev', 'mia', 'olga'].map((username) =>
    tree.addUser({ username }),
  );
  const blocked = tree.addUser({ username: 'blocky', state: 'blocked' });
  const platform = tree.addGroup({ name: 'Platform' });
  const backend = tree.addGroup({ name: 'Backend', parentId: platform.id });
  const services = tree.addGroup({ name: 'Services', parentId: backend.id });
  const ops = tree.addGroup({ name: 'Ops' });
  tree.addProject({ name: 'Web', groupId: platform.id });
  const api = tree.addProject({ name: 'API', groupId: backend.id });
  tree.addProject({ name: 'Billing', groupId: services.id });
  tree.addProject({ name: 'Search', groupId: services.id });
  tree.addProject({ name: 'Infra', groupId: ops.id });
  tree.addProject({ name: 'Dotfiles', userId: root.id });
  tree.setMember({ groupId: platform.id }, owner!.id, 50);
  tree.setMember({ groupId: backend.id }, maintainer!.id, 40);
  tree.setMember({ groupId: services.id }, developer!.id, 30);
  tree.setMember({ groupId: ops.id }, reporter!.id, 20);
  tree.setMember({ groupId: ops.id }, blocked.id, 30);
  tree.setMember({ projectId: api.id }, guest!.id, 10);
  return tree;
}

const byHostId = <T extends { hostId: number | null }>(rows: T[], hostId: number) =>
  rows.find((row) => row.hostId === hostId);

describe('GitLab, end to end', () => {
  it('connects, imports the nested tree, and applies the system hooks it sends', async () => {
    const gitlab = await startTestGitLab({ tree: nestedTree() });
    onTestFinished(() => gitlab.close());
    const cascade = await startCascade();
    const { db, tree } = { db: cascade.db, tree: gitlab.tree };

    const host = await connect(cascade, 'gitlab', gitlab.url, gitlab.adminToken);
    expect(gitlab.hooks).toEqual([
      expect.objectContaining({ projectId: null, url: `${cascade.origin}/-/code_hosts/${host.id}/hook` }),
    ]);
    const hook = gitlab.hooks[0]!;
    await cascade.imported(host.id);
    const [run] = await db.select().from(hostSyncRuns).where(eq(hostSyncRuns.kind, 'import'));
    expect(run).toMatchObject({ status: 'finished', error: null });

    // The tree, keyed by the host's ids; the project in a user's namespace is left out.
    const imported = await db.select().from(groups);
    expect(imported.map((group) => [group.hostId, group.fullPath]).sort()).toEqual(
      [...tree.groups.values()].map((group) => [group.id, tree.groupFullPath(group.id)]).sort(),
    );
    const importedProjects = await db.select().from(projects);
    expect(importedProjects.map((project) => project.fullPath).sort()).toEqual([
      'ops/infra',
      'platform/backend/api',
      'platform/backend/services/billing',
      'platform/backend/services/search',
      'platform/web',
    ]);
    const services = [...tree.groups.values()].find((group) => group.path === 'services')!;
    expect(byHostId(imported, services.id)!.parentId).toBe(byHostId(imported, services.parentId!)!.id);
    const levels = (await db.select().from(members)).map((member) => member.accessLevel).sort();
    expect(levels).toEqual([10, 20, 30, 30, 40, 50]);
    const blocky = (await db.select().from(users).where(eq(users.username, 'blocky')))[0]!;
    expect(blocky.blockedAt).not.toBeNull();
    expect(blocky.hostId).toBe([...tree.users.values()].find((user) => user.username === 'blocky')!.id);

    const page = textOf(await cascade.page(`/admin/code_hosts/${host.id}`));
    expect(page).toContain('Imported 4 groups, 5 projects, 6 users, 6 memberships');
    expect(page).toContain('Reconcile: Finished (100%)');

    // Settings saved on a project before it is renamed are kept.
    const api = [...tree.projects.values()].find((project) => project.path === 'api')!;
    const saved = await cascade.submit(`${projectIntegrations('platform/backend/api')}/slack`, {
      ...slackForm(),
      inheritance: 'custom',
      _confirmed: '1',
    });
    expect(saved.status).toBe(303);
    const apiId = byHostId(importedProjects, api.id)!.id;
    const settingsOf = async (projectId: number) =>
      db.select().from(integrationSettings).where(eq(integrationSettings.projectId, projectId));
    expect(await settingsOf(apiId)).toHaveLength(1);

    const send = async (payload: Record<string, unknown>) => {
      const sent = await gitlab.sendHook(hook, payload);
      expect(sent.status, sent.answer).toBeLessThan(300);
      await cascade.applied(host.id);
      return sent;
    };

    tree.renameProject(api.id, { name: 'Public API', path: 'public-api' });
    await send(projectEvent(tree, 'project_rename', api, 'platform/backend/api'));
    const renamed = (await db.select().from(projects).where(eq(projects.id, apiId)))[0]!;
    expect(renamed).toMatchObject({ name: 'Public API', fullPath: 'platform/backend/public-api' });
    expect(await settingsOf(apiId)).toHaveLength(1);

    const ops = [...tree.groups.values()].find((group) => group.path === 'ops')!;
    tree.transferProject(api.id, ops.id);
    await send(projectEvent(tree, 'project_transfer', api, 'platform/backend/public-api'));
    expect((await db.select().from(projects).where(eq(projects.id, apiId)))[0]!).toMatchObject({
      fullPath: 'ops/public-api',
      groupId: byHostId(imported, ops.id)!.id,
    });
    expect(await settingsOf(apiId)).toHaveLength(1);

    const platform = [...tree.groups.values()].find((group) => group.path === 'platform')!;
    tree.renameGroup(platform.id, { name: 'Core', path: 'core' });
    await send(groupEvent(tree, 'group_rename', platform, { path: 'platform', fullPath: 'platform' }));
    expect((await db.select().from(projects)).map((project) => project.fullPath)).toContain('core/web');

    const newcomer = tree.addUser({ username: 'newcomer' });
    const memberOf = async (username: string) => {
      const [user] = await db.select().from(users).where(eq(users.username, username));
      return user ? db.select().from(members).where(eq(members.userId, user.id)) : [];
    };
    tree.setMember({ groupId: ops.id }, newcomer.id, 30);
    await send(groupMemberEvent('user_add_to_group', ops, newcomer, 30));
    expect((await memberOf('newcomer')).map((member) => member.accessLevel)).toEqual([30]);
    tree.setMember({ groupId: ops.id }, newcomer.id, 40);
    await send(groupMemberEvent('user_update_for_group', ops, newcomer, 40));
    expect((await memberOf('newcomer')).map((member) => member.accessLevel)).toEqual([40]);
    tree.setMember({ groupId: ops.id }, newcomer.id, null);
    await send(groupMemberEvent('user_remove_from_group', ops, newcomer, 40));
    expect(await memberOf('newcomer')).toEqual([]);
    tree.setMember({ projectId: api.id }, newcomer.id, 20);
    await send(projectMemberEvent(tree, 'user_add_to_team', api, newcomer, 20));
    expect(await memberOf('newcomer')).toEqual([expect.objectContaining({ projectId: apiId, accessLevel: 20 })]);

    const billing = [...tree.projects.values()].find((project) => project.path === 'billing')!;
    const billingId = byHostId(importedProjects, billing.id)!.id;
    await cascade.submit(`${projectIntegrations('core/backend/services/billing')}/slack`, {
      ...slackForm(),
      inheritance: 'custom',
      _confirmed: '1',
    });
    expect(await settingsOf(billingId)).toHaveLength(1);
    tree.deleteProject(billing.id);
    await send(projectEvent(tree, 'project_destroy', { ...billing }, undefined));
    expect(await db.select().from(projects).where(eq(projects.id, billingId))).toEqual([]);
    expect(await settingsOf(billingId)).toEqual([]);

    // A group and a project made on the host, then the group removed with its project.
    const tools = tree.addGroup({ name: 'Tools', parentId: ops.id });
    await send(groupEvent(tree, 'group_create', tools));
    const cli = tree.addProject({ name: 'CLI', groupId: tools.id });
    await send(projectEvent(tree, 'project_create', cli));
    const [cliRow] = await db.select().from(projects).where(eq(projects.hostId, cli.id));
    expect(cliRow).toMatchObject({ fullPath: 'ops/tools/cli', codeHostId: host.id });
    tree.deleteGroup(tools.id);
    await send(groupEvent(tree, 'group_destroy', tools));
    expect(await db.select().from(groups).where(eq(groups.hostId, tools.id))).toEqual([]);
    expect(await db.select().from(projects).where(eq(projects.id, cliRow!.id))).toEqual([]);

    const events = await db.select().from(hostEvents).where(eq(hostEvents.codeHostId, host.id)).orderBy(hostEvents.id);
    expect(events.map((event) => [event.kind, event.outcome])).toEqual([
      ['project_renamed', 'applied'],
      ['project_transferred', 'applied'],
      ['group_renamed', 'applied'],
      ['member_added', 'applied'],
      ['member_updated', 'applied'],
      ['member_removed', 'applied'],
      ['member_added', 'applied'],
      ['project_destroyed', 'applied'],
      ['group_created', 'applied'],
      ['project_created', 'applied'],
      ['group_destroyed', 'applied'],
    ]);
    const actors = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.actorName, `${host.name} (code host)`))
      .orderBy(auditEvents.id);
    expect(actors.map((event) => event.action)).toEqual([
      'code_host.imported',
      ...['project.moved', 'project.updated'], // the rename: its path, then its name
      'project.moved',
      ...['group.moved', 'group.updated'],
      ...['member.added', 'member.updated', 'member.removed', 'member.added'],
      'project.deleted',
      ...['group.imported', 'project.imported', 'group.deleted'],
    ]);
    const recent = textOf(await cascade.page(`/admin/code_hosts/${host.id}/events`));
    expect(recent).toMatch(/Project deleted System Hook Host project \d+ \S+ \S+ UTC Applied/);
    expect(recent).toMatch(/Project renamed System Hook ops\/public-api \S+ \S+ UTC Applied/);

    // A forged token: 401, nothing stored. The same delivery twice: stored once.
    const before = (await db.select().from(hostEvents)).length;
    const forged = await gitlab.sendHook(hook, projectEvent(tree, 'project_update', api), { token: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect(await db.select().from(hostEvents)).toHaveLength(before);
    const push = pushEvent(tree, gitlab.url, api, newcomer);
    const first = await gitlab.sendHook(hook, push, { uuid: 'delivery-1' });
    const again = await gitlab.sendHook(hook, push, { uuid: 'delivery-1' });
    expect([first.status, again.status]).toEqual([expect.any(Number), expect.any(Number)]);
    expect(first.status).toBeLessThan(300);
    expect(again.status).toBeLessThan(300);
    const pushes = await db.select().from(hostEvents).where(eq(hostEvents.deliveryId, 'delivery-1'));
    expect(pushes).toEqual([expect.objectContaining({ kind: 'push', projectId: apiId, outcome: 'received' })]);

    // A push for a project Cascade does not know (in a user's namespace).
    const dotfiles = [...tree.projects.values()].find((project) => project.path === 'dotfiles')!;
    await gitlab.sendHook(hook, pushEvent(tree, gitlab.url, dotfiles, newcomer), { uuid: 'delivery-2' });
    const [unknown] = await db.select().from(hostEvents).where(eq(hostEvents.deliveryId, 'delivery-2'));
    expect(unknown).toMatchObject({ outcome: 'unknown_project', projectId: null });
  });
});

/** Two organisations with repositories and teams, as a Gitea or Forgejo administrator would have them. */
function organisations(): HostTree {
  const tree = new HostTree();
  tree.addUser({ username: 'gitea_admin', name: 'Administrator', isAdmin: true });
  const [ada, bob] = ['ada', 'bob'].map((username) => tree.addUser({ username }));
  const platform = tree.addGroup({ name: 'Platform' });
  const ops = tree.addGroup({ name: 'Ops' });
  for (const name of ['API', 'Web', 'Docs']) tree.addProject({ name, groupId: platform.id });
  tree.addProject({ name: 'Infra', groupId: ops.id });
  tree.setMember({ groupId: platform.id }, ada!.id, 50);
  tree.setMember({ groupId: platform.id }, bob!.id, 30);
  tree.setMember({ groupId: ops.id }, bob!.id, 20);
  return tree;
}

describe.each<GiteaFlavour>(['gitea', 'forgejo'])('%s, end to end', (flavour) => {
  it('connects, imports, takes repository events by the system webhook, and follows renames and teams by reconcile', async () => {
    const gitea = await startTestGitea({ flavour, tree: organisations() });
    onTestFinished(() => gitea.close());
    const cascade = await startCascade();
    const { db } = cascade;
    const tree = gitea.tree;

    const host = await connect(cascade, flavour, gitea.url, gitea.adminToken);
    expect(gitea.hooks).toEqual([
      expect.objectContaining({ isSystemWebhook: true, url: `${cascade.origin}/-/code_hosts/${host.id}/hook` }),
    ]);
    const hook = gitea.hooks[0]!;
    await cascade.imported(host.id);
    expect((await db.select().from(hostSyncRuns).where(eq(hostSyncRuns.kind, 'import')))[0]).toMatchObject({
      status: 'finished',
    });
    expect((await db.select().from(projects)).map((project) => project.fullPath).sort()).toEqual([
      'ops/infra',
      'platform/api',
      'platform/docs',
      'platform/web',
    ]);
    expect((await db.select().from(members)).map((member) => member.accessLevel).sort()).toEqual([20, 30, 50]);

    const platform = [...tree.groups.values()].find((group) => group.path === 'platform')!;
    const sender = [...tree.users.values()].find((user) => user.isAdmin)!;
    const send = async (event: string, payload: unknown) => {
      const sent = await gitea.sendHook(hook, event, payload);
      expect(sent.status, sent.answer).toBeLessThan(300);
      await cascade.applied(host.id);
    };

    // A repository created and one deleted (with its settings), by the system webhook.
    const jobs = tree.addProject({ name: 'Jobs', groupId: platform.id });
    await send('repository', repositoryPayload(tree, gitea.url, 'created', jobs, sender));
    const [imported] = await db.select().from(projects).where(eq(projects.hostId, jobs.id));
    expect(imported).toMatchObject({ fullPath: 'platform/jobs', codeHostId: host.id });
    const docs = [...tree.projects.values()].find((project) => project.path === 'docs')!;
    const [docsRow] = await db.select().from(projects).where(eq(projects.hostId, docs.id));
    const saved = async (fullPath: string) =>
      expect(
        (
          await cascade.submit(`${projectIntegrations(fullPath)}/slack`, {
            ...slackForm(),
            inheritance: 'custom',
            _confirmed: '1',
          })
        ).status,
      ).toBe(303);
    await saved('platform/docs');
    const deletedPayload = repositoryPayload(tree, gitea.url, 'deleted', docs, sender);
    tree.deleteProject(docs.id);
    await send('repository', deletedPayload);
    expect(await db.select().from(projects).where(eq(projects.id, docsRow!.id))).toEqual([]);
    expect(await db.select().from(integrationSettings).where(eq(integrationSettings.projectId, docsRow!.id))).toEqual(
      [],
    );
    const outcomes = await db
      .select()
      .from(hostEvents)
      .where(eq(hostEvents.codeHostId, host.id))
      .orderBy(hostEvents.id);
    expect(outcomes.map((event) => [event.kind, event.outcome])).toEqual([
      ['project_created', 'applied'],
      ['project_destroyed', 'applied'],
    ]);

    // A forged signature: 401, nothing stored.
    const forged = await gitea.sendHook(hook, 'repository', deletedPayload, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect(await db.select().from(hostEvents)).toHaveLength(2);

    // A push for an imported repository, delivered twice: stored once, with its project.
    const push = pushPayload(tree, gitea.url, jobs, sender);
    for (let time = 0; time < 2; time++)
      expect((await gitea.sendHook(hook, 'push', push, { delivery: 'delivery-1' })).status).toBeLessThan(300);
    expect(await db.select().from(hostEvents).where(eq(hostEvents.deliveryId, 'delivery-1'))).toEqual([
      expect.objectContaining({ kind: 'push', projectId: imported!.id, outcome: 'received' }),
    ]);

    // Gitea sends no rename events: the reconcile follows them, settings kept.
    const api = [...tree.projects.values()].find((project) => project.path === 'api')!;
    const [apiRow] = await db.select().from(projects).where(eq(projects.hostId, api.id));
    await saved('platform/api');
    tree.renameGroup(platform.id, { name: 'Core', path: 'core' });
    tree.renameProject(api.id, { name: 'Public API', path: 'public-api' });
    const bob = [...tree.users.values()].find((user) => user.username === 'bob')!;
    tree.setMember({ groupId: platform.id }, bob.id, 40);
    const runs = (await db.select().from(hostSyncRuns)).length;
    const page = await cascade.page(`/admin/code_hosts/${host.id}`);
    expect(textOf(page)).toContain('Reconcile now');
    const reconcile = await cascade.submit(`/admin/code_hosts/${host.id}/sync`, {});
    expect(reconcile.status).toBe(303);
    await cascade.settled(host.id, runs);
    const [last] = (await db.select().from(hostSyncRuns).orderBy(hostSyncRuns.id)).slice(-1);
    expect(last).toMatchObject({ kind: 'reconcile', status: 'finished' });
    expect((await db.select().from(projects).where(eq(projects.id, apiRow!.id)))[0]).toMatchObject({
      // A Gitea repository's name is its path.
      name: 'public-api',
      fullPath: 'core/public-api',
    });
    expect(
      await db.select().from(integrationSettings).where(eq(integrationSettings.projectId, apiRow!.id)),
    ).toHaveLength(1);
    const [bobRow] = await db.select().from(users).where(eq(users.username, 'bob'));
    const [coreRow] = await db.select().from(groups).where(eq(groups.hostId, platform.id));
    expect(coreRow).toMatchObject({ fullPath: 'core', name: 'Core' });
    expect(
      await db
        .select({ accessLevel: members.accessLevel })
        .from(members)
        .where(and(eq(members.userId, bobRow!.id), eq(members.groupId, coreRow!.id))),
    ).toEqual([{ accessLevel: 40 }]);
  });
});

describe('an import that fails, and connecting with too few rights', () => {
  it('shows a failure mid-import on the page, resumes it without duplicates, and waits out a 429', async () => {
    const gitlab = await startTestGitLab({ tree: nestedTree() });
    onTestFinished(() => gitlab.close());
    const cascade = await startCascade();
    const { db } = cascade;
    gitlab.fail({ match: ({ path }) => path.startsWith('/api/v4/groups?'), status: 429, retryAfter: '0' });
    // The second page of projects (keyset: it carries id_after); a 500 is not retried.
    gitlab.fail({
      match: ({ path }) => path.startsWith('/api/v4/projects?') && path.includes('id_after='),
      status: 500,
    });

    const host = await connect(cascade, 'gitlab', gitlab.url, gitlab.adminToken);
    await cascade.settled(host.id);
    const [failed] = await db.select().from(hostSyncRuns);
    expect(failed).toMatchObject({ kind: 'import', status: 'failed', phase: 'projects' });
    expect(failed!.error).toMatch(/500/);
    expect(gitlab.requests.filter((request) => request.status === 429)).toHaveLength(1);
    const page = textOf(await cascade.page(`/admin/code_hosts/${host.id}`));
    expect(page).toContain('Import failed');
    expect(page).toContain(failed!.error!);
    expect(page).toContain('Import again');
    expect(await db.select().from(projects)).toHaveLength(2);

    const again = await cascade.submit(`/admin/code_hosts/${host.id}/sync`, {});
    expect(again.status).toBe(303);
    expect(flashOf(again)).toBe('The run has started.');
    // The import resumes in its own run: the same row, from its cursor.
    await cascade.until(
      async () =>
        (await db.select().from(hostSyncRuns).where(eq(hostSyncRuns.id, failed!.id)))[0]!.status === 'finished',
      'the resumed import',
    );
    const runs = await db.select().from(hostSyncRuns).where(eq(hostSyncRuns.kind, 'import'));
    expect(runs).toEqual([expect.objectContaining({ id: failed!.id, status: 'finished', error: null })]);
    const paths = (await db.select().from(projects)).map((project) => project.fullPath);
    expect(paths).toHaveLength(5);
    expect(new Set(paths).size).toBe(5);
    expect(await db.select().from(groups)).toHaveLength(4);
    expect(await db.select().from(members)).toHaveLength(6);
  });

  it.each([
    ['without administrator rights', 'nonAdminToken', 'administrator rights'],
    ['without the api scope', 'readApiToken', 'the api scope'],
  ] as const)('shows what a token %s lacks next to the field, and stores nothing', async (_, token, missing) => {
    const gitlab = await startTestGitLab({ tree: nestedTree() });
    onTestFinished(() => gitlab.close());
    const cascade = await startCascade();
    const response = await cascade.submit('/admin/code_hosts', connectForm('gitlab', gitlab.url, gitlab[token]));
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'token')).toContain(`The token lacks ${missing}`);
    expect(await cascade.db.select().from(codeHosts)).toEqual([]);
    expect(await cascade.db.select().from(hostSyncRuns)).toEqual([]);
    expect(gitlab.hooks).toEqual([]);
    expect(gitlab.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  });
});

/** A database the test and a child process both open: a SQLite file, or a PostgreSQL database of the test server. */
async function sharedDatabase(): Promise<{ db: Db; env: Record<string, string> }> {
  const path = join(mkdtempSync(join(tmpdir(), 'cascade-import-')), 'cascade.db');
  const url = TEST_DIALECT === 'postgres' ? postgresUrl(await createPostgresDatabase()) : undefined;
  const db = openDatabase({ url, path });
  onTestFinished(() => db.close());
  await migrateDatabase(db);
  const env: Record<string, string> = url ? { DATABASE_URL: url } : { DATABASE_PATH: path };
  return { db, env: { ...env, SECRET_KEY_BASE: TEST_SECRET_KEY_BASE } };
}

describe('npm run import', () => {
  it('imports a connection in a terminal, changes nothing the second time, and refuses an unknown id in one line', async () => {
    const gitlab = await startTestGitLab({ tree: nestedTree() });
    onTestFinished(() => gitlab.close());
    const shared = await sharedDatabase();
    // Connected through the form of an app with no background: the import is left to the command.
    const t = await createTestApp({ db: shared.db });
    const cookie = await sessionCookie(shared.db, await insertUser(shared.db, 'root', { isAdmin: true }));
    const submit = (path: string, form: Record<string, string>) => post(t.app, path, form, { cookie });
    expect(
      (
        await submit('/admin/application_settings/network', {
          allow_local_requests: '0',
          outbound_allowlist: '127.0.0.1',
        })
      ).status,
    ).toBe(303);
    expect((await submit('/admin/code_hosts', connectForm('gitlab', gitlab.url, gitlab.adminToken))).status).toBe(303);
    const [host] = await shared.db.select().from(codeHosts);

    const first = await runCommand('src/import.ts', [String(host!.id)], shared.env);
    expect(first.stderr).toContain(`Importing from ${host!.name} (GitLab, ${gitlab.url})`);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain('Imported 4 groups, 5 projects, 6 users and 6 memberships.');
    expect(await shared.db.select().from(projects)).toHaveLength(5);

    const second = await runCommand('src/import.ts', [String(host!.id)], shared.env);
    expect(second).toMatchObject({ code: 0 });
    expect(second.stdout).toContain(
      'Changed: 0 groups and 0 projects new, 0 groups and 0 projects updated, 0 members added, 0 changed, 0 removed.',
    );
    expect(await shared.db.select().from(projects)).toHaveLength(5);

    const wrong = await runCommand('src/import.ts', ['999'], shared.env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toEqual(['Import refused: no code host connection has the id 999.']);
  }, 120_000); // three runs of a command through tsx
});
