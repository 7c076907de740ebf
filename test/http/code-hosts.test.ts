/**
 * Admin Area › Code hosts through HTTP, against an in-memory host (FakeHostClient): connecting
 * with every refusal (422, nothing stored), changing, pausing, removing with its confirmation,
 * the import's progress region, and no secret in any page.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  HostRequestFailed,
  type HostClientFactory,
  type HostImports,
  type HostTarget,
} from '../../src/code-hosts/host.js';
import { HostSecrets } from '../../src/code-hosts/secrets.js';
import {
  auditEvents,
  codeHosts,
  groups,
  hostEvents,
  hostSyncRuns,
  members,
  projects,
  users,
  type CodeHost,
} from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import {
  createTestApp,
  fieldErrorOf,
  flashOf,
  get,
  insertUser,
  ORIGIN,
  post,
  sessionCookie,
  textOf,
  type TestApp,
} from '../support/app.js';
import { FakeHostClient, sampleTree, type FakeHostOptions } from '../support/fake-host-client.js';
import { openTestDatabase } from '../support/database.js';
import { allowLoopbackRequests } from '../support/integrations.js';
import { GITLAB_VERSION, startTestGitLab } from '../support/test-gitlab.js';
import { must } from '../support/world.js';

const SECRET_KEY_BASE = 'test-secret-key-base-that-is-long-enough-0123456789';
const TOKEN = 'glpat-the-administrators-token-0001';
const NEW_TOKEN = 'glpat-a-newer-token-0002';
const APP_SECRET = 'gloas-the-application-secret-0003';
const URL_ = 'https://gitlab.example.com';

interface Harness extends TestApp {
  admin: string;
  /** Every client the app made, newest last, and the targets it was made for. */
  clients: FakeHostClient[];
  targets: HostTarget[];
  started: CodeHost[];
  /** The stand-in import's writes, to wait for before reading its run. */
  runs: Promise<void>[];
}

/** An app whose host clients are fakes; `options` shapes each one (its check, a failing request). */
async function harness(options: FakeHostOptions = {}): Promise<Harness> {
  const clients: FakeHostClient[] = [];
  const targets: HostTarget[] = [];
  const started: CodeHost[] = [];
  const runs: Promise<void>[] = [];
  const hostClients: HostClientFactory = (target) => {
    const client = new FakeHostClient(sampleTree(), { kind: target.kind, ...options });
    clients.push(client);
    targets.push(target);
    return client;
  };
  const db = await openTestDatabase();
  // A stand-in for the import: a run that has just started, with its totals known.
  const hostImports: HostImports = {
    start: (connection) => {
      started.push(connection);
      const run = db.transaction(async (tx) => {
        await tx.insert(hostSyncRuns).values({
          codeHostId: connection.id,
          kind: 'import',
          status: 'running',
          phase: 'groups',
          counts: JSON.stringify({ groups: 1, groupsTotal: 3, projects: 0, projectsTotal: 3 }),
          startedAt: new Date(),
          updatedAt: new Date(),
        });
      });
      runs.push(run);
    },
  };
  const t = await createTestApp({ db, hostClients, hostImports });
  const root = await insertUser(t.db, 'root', { isAdmin: true });
  return { ...t, admin: await sessionCookie(t.db, root), clients, targets, started, runs };
}

const connectForm = (extra: Record<string, string> = {}) => ({
  kind: 'gitlab',
  url: `${URL_}/`,
  token: TOKEN,
  oidc_client_id: '',
  oidc_client_secret: '',
  admins_are_admins: '0',
  reconcile_minutes: '60',
  ...extra,
});

async function connect(h: Harness, extra: Record<string, string> = {}) {
  const response = await post(h.app, '/admin/code_hosts', connectForm(extra), { cookie: h.admin });
  return { response, html: response.status === 422 ? await response.text() : '' };
}

async function connected(h: Harness, extra: Record<string, string> = {}): Promise<CodeHost> {
  const { response } = await connect(h, extra);
  expect(response.status).toBe(303);
  await Promise.all(h.runs);
  return (await h.db.select().from(codeHosts))[0]!;
}

const storedHosts = async (h: Harness) => h.db.select().from(codeHosts);
const auditActions = async (h: Harness) =>
  (await h.db.select({ action: auditEvents.action }).from(auditEvents)).map((row) => row.action);

describe('connecting a code host', () => {
  it('checks the host, registers the system hook with the receiver URL and a fresh secret, stores the connection sealed, starts the import and audits it', async () => {
    const h = await harness({ check: { version: '17.5.1-ee', username: 'root' } });
    const { response } = await connect(h, { oidc_client_id: 'app-id-1', oidc_client_secret: APP_SECRET });
    expect(response.status).toBe(303);
    const [host] = await storedHosts(h);
    expect(response.headers.get('location')).toBe(`/admin/code_hosts/${host!.id}`);
    expect(flashOf(response)).toBe('Connected to gitlab.example.com. The import has started.');
    expect(host).toMatchObject({
      kind: 'gitlab',
      name: 'gitlab.example.com',
      url: URL_,
      version: '17.5.1-ee',
      tokenUsername: 'root',
      reconcileMinutes: 60,
      adminsAreAdmins: false,
      oidcClientId: 'app-id-1',
      systemHookId: 1,
    });
    expect(h.targets).toEqual([{ kind: 'gitlab', url: URL_, token: TOKEN }]);
    const hook = h.clients[0]!.hooks.get(1)!;
    expect(hook.url).toBe(`http://localhost:3000/-/code_hosts/${host!.id}/hook`);
    expect(hook.secret).toMatch(/^[0-9a-f]{64}$/);
    const secrets = new HostSecrets(SECRET_KEY_BASE);
    expect(host!.token).not.toContain(TOKEN);
    expect(secrets.open(host!, 'token')).toBe(TOKEN);
    expect(secrets.open(host!, 'hookSecret')).toBe(hook.secret);
    expect(secrets.open(host!, 'oidcClientSecret')).toBe(APP_SECRET);
    expect(h.started.map((started) => started.id)).toEqual([host!.id]);
    const [event] = await h.db.select().from(auditEvents);
    expect(event).toMatchObject({ action: 'code_host.connected', actorName: 'root' });
    expect(event!.changes).toContain('gitlab.example.com');
    for (const secret of [TOKEN, APP_SECRET, hook.secret]) expect(event!.changes).not.toContain(secret);
  });

  it.each([
    ['no URL', { url: '' }, 'url', 'URL is required'],
    [
      'not a URL',
      { url: 'gitlab.example.com' },
      'url',
      'URL must be a full address, such as https://gitlab.example.com',
    ],
    ['another scheme', { url: 'ftp://gitlab.example.com' }, 'url', 'URL must start with https:// or http://'],
    [
      'credentials in the URL',
      { url: 'https://root:pw@gitlab.example.com' },
      'url',
      'URL must not contain a user name or password: give the token below',
    ],
    [
      'a query',
      { url: 'https://gitlab.example.com/?x=1' },
      'url',
      'URL must not contain a query (?) or a fragment (#)',
    ],
    [
      'a fragment',
      { url: 'https://gitlab.example.com/#top' },
      'url',
      'URL must not contain a query (?) or a fragment (#)',
    ],
    ['no token', { token: '' }, 'token', 'Access token is required'],
    ['an unknown kind', { kind: 'bitbucket' }, 'kind', 'Kind must be GitLab, Gitea or Forgejo'],
    [
      'a too short interval',
      { reconcile_minutes: '1' },
      'reconcile_minutes',
      'Reconcile interval must be at least 5 minutes',
    ],
    [
      'an application secret without its ID',
      { oidc_client_secret: APP_SECRET },
      'oidc_client_id',
      'Application ID is required with an Application secret',
    ],
  ])(
    'refuses %s next to the field, with 422 and nothing stored or asked of the host',
    async (_case, extra, field, message) => {
      const h = await harness();
      const { response, html } = await connect(h, extra);
      expect(response.status).toBe(422);
      expect(fieldErrorOf(html, field)).toBe(message);
      expect(await storedHosts(h)).toEqual([]);
      expect(h.clients).toEqual([]);
    },
  );

  it('refuses a host on the local network unless the Network settings allow it, and links to them', async () => {
    const h = await harness();
    const local = { url: 'http://localhost:8929' };
    const refused = await connect(h, local);
    expect(refused.response.status).toBe(422);
    expect(fieldErrorOf(refused.html, 'url')).toBe(
      'This host is on the local network: the Network settings (Admin Area › Settings › Network) must allow it before Cascade can connect',
    );
    expect(refused.html).toContain('<a href="/admin/application_settings/network">Network settings</a>');
    expect(await storedHosts(h)).toEqual([]);
    expect(h.clients).toEqual([]);

    const saved = await post(
      h.app,
      '/admin/application_settings/network',
      { allow_local_requests: '0', outbound_allowlist: 'localhost' },
      { cookie: h.admin },
    );
    expect(saved.status).toBe(303);
    const allowed = await connect(h, local);
    expect(allowed.response.status).toBe(303);
    expect((await storedHosts(h)).map((host) => host.url)).toEqual(['http://localhost:8929']);
  });

  it('refuses a token the host does not accept, next to the token', async () => {
    const h = await harness({
      beforeRequest: (request) => {
        if (request === 'check') throw new HostRequestFailed('401 Unauthorized', 401);
      },
    });
    const { response, html } = await connect(h);
    expect(response.status).toBe(422);
    expect(fieldErrorOf(html, 'token')).toBe(
      'The host refused this access token: it is not valid, or it has expired or been revoked',
    );
    expect(html).not.toContain(TOKEN);
    expect(await storedHosts(h)).toEqual([]);
  });

  it('names what the token lacks', async () => {
    const h = await harness({ check: { missing: ['administrator rights', 'the api scope'] } });
    const { response, html } = await connect(h);
    expect(response.status).toBe(422);
    expect(fieldErrorOf(html, 'token')).toBe(
      'The token lacks administrator rights and the api scope. GitLab needs a personal access token of an administrator, with the api scope.',
    );
    expect(await storedHosts(h)).toEqual([]);
    expect(h.clients[0]!.requests).toEqual(['check']);
  });

  it('says when the host cannot be reached, next to the URL', async () => {
    const h = await harness({
      beforeRequest: () => {
        throw new HostRequestFailed('the connection was refused');
      },
    });
    const { response, html } = await connect(h);
    expect(response.status).toBe(422);
    expect(fieldErrorOf(html, 'url')).toBe('Cascade could not reach the host: the connection was refused');
    expect(await storedHosts(h)).toEqual([]);
  });

  it('stores nothing when the host does not take the system hook, and says why', async () => {
    const h = await harness({
      beforeRequest: (request) => {
        if (request === 'registerSystemHook') throw new HostRequestFailed('403 Forbidden', 403);
      },
    });
    const { response, html } = await connect(h);
    expect(response.status).toBe(422);
    expect(textOf(html)).toContain("The host did not register Cascade's system hook: 403 Forbidden");
    expect(await storedHosts(h)).toEqual([]);
    expect(await auditActions(h)).toEqual([]);
    expect(h.started).toEqual([]);
  });

  it('refuses a second connection to the same host, whatever the case and trailing slash', async () => {
    const h = await harness();
    await connected(h);
    const { response, html } = await connect(h, { url: 'https://GitLab.example.com//' });
    expect(response.status).toBe(422);
    expect(fieldErrorOf(html, 'url')).toBe('A connection to this host already exists');
    expect(await storedHosts(h)).toHaveLength(1);
    expect(h.clients).toHaveLength(1);
  });

  it('connects through the real GitLab client by default, and registers the system hook on the host', async () => {
    const gitlab = await startTestGitLab();
    onTestFinished(() => gitlab.close());
    const t = await createTestApp();
    const root = await insertUser(t.db, 'root', { isAdmin: true });
    const cookie = await sessionCookie(t.db, root);
    expect((await allowLoopbackRequests(t.app, cookie)).status).toBe(303);

    const response = await post(t.app, '/admin/code_hosts', connectForm({ url: gitlab.url, token: gitlab.token }), {
      cookie,
    });

    expect(response.status).toBe(303);
    const [host] = await t.db.select().from(codeHosts);
    expect(host).toMatchObject({ url: gitlab.url, version: GITLAB_VERSION, tokenUsername: 'root' });
    expect(gitlab.hooks).toEqual([
      expect.objectContaining({ url: `${ORIGIN}/-/code_hosts/${host!.id}/hook`, id: host!.systemHookId }),
    ]);
  });
});

describe('changing a connection', () => {
  const editForm = (host: CodeHost, extra: Record<string, string> = {}) => ({
    url: host.url,
    token: '',
    oidc_client_id: '',
    oidc_client_secret: '',
    admins_are_admins: '1',
    reconcile_minutes: '30',
    ...extra,
  });

  it('keeps the stored token when the field is left blank, without asking the host', async () => {
    const h = await harness();
    const host = await connected(h);
    const page = await (await get(h.app, `/admin/code_hosts/${host.id}/edit`, { cookie: h.admin })).text();
    expect(page).toContain('value="https://gitlab.example.com"');
    const response = await post(h.app, `/admin/code_hosts/${host.id}`, editForm(host), { cookie: h.admin });
    expect(response.status).toBe(303);
    const [after] = await storedHosts(h);
    expect(after).toMatchObject({ adminsAreAdmins: true, reconcileMinutes: 30, systemHookId: host.systemHookId });
    expect(new HostSecrets(SECRET_KEY_BASE).open(after!, 'token')).toBe(TOKEN);
    expect(h.clients).toHaveLength(1);
    expect(await auditActions(h)).toEqual(['code_host.connected', 'code_host.updated']);
  });

  it('checks a new token before keeping it', async () => {
    const h = await harness();
    const host = await connected(h);
    const response = await post(h.app, `/admin/code_hosts/${host.id}`, editForm(host, { token: NEW_TOKEN }), {
      cookie: h.admin,
    });
    expect(response.status).toBe(303);
    expect(h.targets.at(-1)).toEqual({ kind: 'gitlab', url: URL_, token: NEW_TOKEN });
    expect(new HostSecrets(SECRET_KEY_BASE).open((await storedHosts(h))[0]!, 'token')).toBe(NEW_TOKEN);
  });

  it('needs the token again for a new URL, then moves the system hook to the new host', async () => {
    const h = await harness();
    const host = await connected(h);
    const moved = 'https://code.example.org';
    const refused = await post(h.app, `/admin/code_hosts/${host.id}`, editForm(host, { url: moved }), {
      cookie: h.admin,
    });
    expect(refused.status).toBe(422);
    expect(fieldErrorOf(await refused.text(), 'token')).toBe('Access token is required again when the URL changes');
    expect((await storedHosts(h))[0]!.url).toBe(URL_);

    const response = await post(
      h.app,
      `/admin/code_hosts/${host.id}`,
      editForm(host, { url: moved, token: NEW_TOKEN }),
      { cookie: h.admin },
    );
    expect(response.status).toBe(303);
    const [after] = await storedHosts(h);
    expect(after).toMatchObject({ url: moved, name: 'code.example.org' });
    const [, newHost, oldHost] = h.clients;
    expect(h.targets.slice(1)).toEqual([
      { kind: 'gitlab', url: moved, token: NEW_TOKEN },
      { kind: 'gitlab', url: URL_, token: TOKEN },
    ]);
    expect(newHost!.hooks.get(1)!.url).toBe(`http://localhost:3000/-/code_hosts/${host.id}/hook`);
    expect(oldHost!.requests).toEqual([`removeSystemHook:${host.systemHookId}`]);
    const secrets = new HostSecrets(SECRET_KEY_BASE);
    expect(secrets.open(after!, 'hookSecret')).toBe(newHost!.hooks.get(1)!.secret);
    expect(secrets.open(after!, 'token')).toBe(NEW_TOKEN);
  });
});

describe('changing a connection to a taken URL', () => {
  it('refuses a URL another connection has, and asks no host', async () => {
    const h = await harness();
    const first = await connected(h);
    await connected(h, { url: 'https://code.example.org', kind: 'gitea' });
    const response = await post(
      h.app,
      `/admin/code_hosts/${first.id}`,
      { url: 'https://code.example.org/', token: NEW_TOKEN, reconcile_minutes: '60' },
      { cookie: h.admin },
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'url')).toBe('A connection to this host already exists');
    expect(h.clients).toHaveLength(2);
    expect((await storedHosts(h)).find((host) => host.id === first.id)!.url).toBe(URL_);
  });
});

describe('pausing and resuming', () => {
  it('pauses and resumes the connection, each audited', async () => {
    const h = await harness();
    const host = await connected(h);
    const paused = await post(h.app, `/admin/code_hosts/${host.id}/pause`, {}, { cookie: h.admin });
    expect(paused.status).toBe(303);
    expect((await storedHosts(h))[0]!.pausedAt).toBeInstanceOf(Date);
    const list = textOf(await (await get(h.app, '/admin/code_hosts', { cookie: h.admin })).text());
    expect(list).toContain('Paused');
    const refused = await post(h.app, `/admin/code_hosts/${host.id}/sync`, {}, { cookie: h.admin });
    expect(flashOf(refused)).toBe('gitlab.example.com is paused: resume it first.');
    const resumed = await post(h.app, `/admin/code_hosts/${host.id}/resume`, {}, { cookie: h.admin });
    expect(resumed.status).toBe(303);
    expect((await storedHosts(h))[0]!.pausedAt).toBeNull();
    expect(await auditActions(h)).toEqual(['code_host.connected', 'code_host.paused', 'code_host.resumed']);
  });
});

describe('removing a connection', () => {
  it("asks first, saying what stays, then removes its hooks and keeps what it imported as Cascade's own", async () => {
    const h = await harness();
    const host = await connected(h);
    const person = await insertUser(h.db, 'alice', { codeHostId: host.id, hostId: 1 });
    const group = must(await createGroup(h.db, { name: 'Platform', path: 'platform' }));
    const project = must(await createProject(h.db, { name: 'Api', path: 'api' }, group));
    await h.db.transaction(async (tx) => {
      await tx.update(groups).set({ codeHostId: host.id, hostId: 10 }).where(eq(groups.id, group.id));
      await tx
        .update(projects)
        .set({ codeHostId: host.id, hostId: 100, hostHookId: 7 })
        .where(eq(projects.id, project.id));
      await tx.insert(members).values({ userId: person.id, groupId: group.id, accessLevel: 50, codeHostId: host.id });
      await tx.insert(hostEvents).values({
        codeHostId: host.id,
        deliveryId: 'd-1',
        hostEvent: 'Push Hook',
        kind: 'push',
        payload: '{}',
        receivedAt: new Date(),
      });
    });

    const asked = await post(h.app, `/admin/code_hosts/${host.id}/remove`, {}, { cookie: h.admin });
    expect(asked.status).toBe(200);
    const question = textOf(await asked.text());
    expect(question).toContain('Remove the connection to gitlab.example.com?');
    expect(question).toContain('and its hooks on 1 project');
    expect(question).toContain(
      'The 1 group, 1 project and 1 user it imported stay in Cascade as ordinary groups, projects and users, with their integration settings. Imported users keep their 1 membership but cannot sign in until an administrator gives them a password.',
    );
    expect(question).toContain("The connection's 1 received event and 1 import and reconcile run are deleted.");
    expect(await storedHosts(h)).toHaveLength(1);

    const removed = await post(h.app, `/admin/code_hosts/${host.id}/remove`, { _confirmed: '1' }, { cookie: h.admin });
    expect(removed.status).toBe(303);
    expect(removed.headers.get('location')).toBe('/admin/code_hosts');
    expect(flashOf(removed)).toBe('The connection to gitlab.example.com was removed.');
    const client = h.clients.at(-1)!;
    expect(client.requests).toEqual([`removeSystemHook:${host.systemHookId}`, 'removeProjectHook:100']);
    expect(await storedHosts(h)).toEqual([]);
    expect(await h.db.select().from(hostEvents)).toEqual([]);
    expect(await h.db.select().from(hostSyncRuns)).toEqual([]);
    const [keptUser] = await h.db.select().from(users).where(eq(users.id, person.id));
    expect(keptUser).toMatchObject({ codeHostId: null, hostId: null });
    expect((await h.db.select().from(groups).where(eq(groups.id, group.id)))[0]).toMatchObject({
      codeHostId: null,
      hostId: null,
      fullPath: 'platform',
    });
    expect((await h.db.select().from(projects).where(eq(projects.id, project.id)))[0]).toMatchObject({
      codeHostId: null,
      hostId: null,
      hostHookId: null,
    });
    expect((await h.db.select().from(members).where(eq(members.userId, person.id)))[0]).toMatchObject({
      accessLevel: 50,
      codeHostId: null,
    });
    expect(await auditActions(h)).toEqual(['code_host.connected', 'code_host.removed']);
  });

  it('still removes the connection when the host does not let its hook go, and says so', async () => {
    const h = await harness({
      beforeRequest: (request) => {
        if (request.startsWith('removeSystemHook')) throw new HostRequestFailed('404 Not Found', 404);
      },
    });
    const host = await connected(h);
    const removed = await post(h.app, `/admin/code_hosts/${host.id}/remove`, { _confirmed: '1' }, { cookie: h.admin });
    expect(flashOf(removed)).toBe(
      'The connection to gitlab.example.com was removed. Cascade could not remove its system hook from gitlab.example.com: remove it there.',
    );
    expect(await storedHosts(h)).toEqual([]);
  });
});

describe('the pages', () => {
  it('list the connections with kind, version, status and counts, or explain what a connection does', async () => {
    const h = await harness();
    const empty = textOf(await (await get(h.app, '/admin/code_hosts', { cookie: h.admin })).text());
    expect(empty).toContain('No code host is connected. Connecting a GitLab, Gitea or Forgejo instance imports');
    const nav = await (await get(h.app, '/admin', { cookie: h.admin })).text();
    expect(nav).toContain('<a href="/admin/code_hosts">Code hosts</a>');
    await connected(h);
    const list = textOf(await (await get(h.app, '/admin/code_hosts', { cookie: h.admin })).text());
    expect(list).toContain('gitlab.example.com GitLab · https://gitlab.example.com 17.5.1 Importing 16%');
    expect(list).toContain('0 groups, 0 projects, 0 users');
  });

  it("show the run's progress, refreshing while it runs (htmx every 2 s, a reload without JavaScript) and no more once it ends", async () => {
    const h = await harness();
    const host = await connected(h);
    const page = await (await get(h.app, `/admin/code_hosts/${host.id}`, { cookie: h.admin })).text();
    expect(page).toContain('<noscript><meta http-equiv="refresh" content="3"/></noscript>');
    expect(page).toContain(
      `<section id="sync-progress" class="card" aria-labelledby="sync-progress-title" aria-live="polite" hx-get="/admin/code_hosts/${host.id}/progress" hx-trigger="every 2s" hx-swap="outerHTML">`,
    );
    expect(textOf(page)).toContain('Import: Running (16%)');
    // While the run goes on, only its region changes.
    expect(await (await get(h.app, `/admin/code_hosts/${host.id}/progress`, { cookie: h.admin })).text()).not.toContain(
      'code-host-summary',
    );
    expect(textOf(page)).toContain('Step groups Groups 1 of 3 Projects 0 of 3');
    expect(page).toContain(`href="/admin/code_hosts/${host.id}/events"`);

    await h.db.transaction(async (tx) => {
      await tx
        .update(hostSyncRuns)
        .set({
          status: 'finished',
          counts: JSON.stringify({ groups: 3, groupsTotal: 3, projects: 2, projectsTotal: 3 }),
          problems: JSON.stringify(['The project "ops/infra" was not imported: Cascade has a project at that path']),
          finishedAt: new Date(),
        })
        .where(eq(hostSyncRuns.codeHostId, host.id));
    });
    const fragment = await (await get(h.app, `/admin/code_hosts/${host.id}/progress`, { cookie: h.admin })).text();
    expect(fragment).toMatch(/^<section id="sync-progress"/);
    expect(fragment).not.toContain('hx-trigger');
    expect(textOf(fragment)).toContain('Import: Finished (100%)');
    expect(textOf(fragment)).toContain('The project "ops/infra" was not imported: Cascade has a project at that path');
    // Once it has ended, the connection's state and actions too, out of band: the page opened while it ran shows them.
    const summaryAt = fragment.indexOf('<div id="code-host-summary" hx-swap-oob="outerHTML">');
    expect(summaryAt).toBeGreaterThan(0);
    expect(textOf(fragment.slice(summaryAt))).toContain('Active Recent events');
    const after = await (await get(h.app, `/admin/code_hosts/${host.id}`, { cookie: h.admin })).text();
    expect(after).not.toContain('http-equiv="refresh"');
    expect(after).toContain(fragment.slice(0, summaryAt));
    expect(after).toContain(fragment.slice(summaryAt).replace(' hx-swap-oob="outerHTML"', ''));
  });

  it('show why a run failed', async () => {
    const h = await harness();
    const host = await connected(h);
    await h.db.transaction(async (tx) => {
      await tx
        .update(hostSyncRuns)
        .set({ status: 'failed', error: 'The host answered 500 on page 3 of projects', finishedAt: new Date() })
        .where(eq(hostSyncRuns.codeHostId, host.id));
    });
    const fragment = textOf(
      await (await get(h.app, `/admin/code_hosts/${host.id}/progress`, { cookie: h.admin })).text(),
    );
    expect(fragment).toContain('Import: Failed');
    expect(fragment).toContain('The host answered 500 on page 3 of projects');
    const list = textOf(await (await get(h.app, '/admin/code_hosts', { cookie: h.admin })).text());
    expect(list).toContain('Import failed');
  });

  it('never show the token, the hook secret or the application secret', async () => {
    const h = await harness();
    const host = await connected(h, { oidc_client_id: 'app-id-1', oidc_client_secret: APP_SECRET });
    const stored = (await storedHosts(h))[0]!;
    const hookSecret = h.clients[0]!.hooks.get(1)!.secret;
    const refused = await post(
      h.app,
      `/admin/code_hosts/${host.id}`,
      {
        url: 'https://elsewhere.example',
        token: NEW_TOKEN,
        oidc_client_id: 'app-id-1',
        oidc_client_secret: APP_SECRET,
        reconcile_minutes: '0',
      },
      { cookie: h.admin },
    );
    expect(refused.status).toBe(422);
    const pages = [
      await refused.text(),
      ...(await Promise.all(
        ['', `/${host.id}`, `/${host.id}/edit`, `/${host.id}/progress`, '/new'].map(async (path) =>
          (await get(h.app, `/admin/code_hosts${path}`, { cookie: h.admin })).text(),
        ),
      )),
      await (await post(h.app, `/admin/code_hosts/${host.id}/remove`, {}, { cookie: h.admin })).text(),
    ];
    for (const html of pages) {
      for (const secret of [
        TOKEN,
        NEW_TOKEN,
        APP_SECRET,
        hookSecret,
        stored.token,
        stored.hookSecret,
        stored.oidcClientSecret!,
      ])
        expect(html).not.toContain(secret);
    }
  });

  it('are not found for anyone but administrators', async () => {
    const h = await harness();
    const host = await connected(h);
    const user = await sessionCookie(h.db, await insertUser(h.db, 'someone'));
    for (const path of ['', '/new', `/${host.id}`, `/${host.id}/edit`, `/${host.id}/progress`])
      expect((await get(h.app, `/admin/code_hosts${path}`, { cookie: user })).status).toBe(404);
    for (const path of ['', `/${host.id}`, `/${host.id}/pause`, `/${host.id}/remove`])
      expect((await post(h.app, `/admin/code_hosts${path}`, { _confirmed: '1' }, { cookie: user })).status).toBe(404);
    expect(await storedHosts(h)).toHaveLength(1);
    expect((await get(h.app, '/admin/code_hosts/999', { cookie: h.admin })).status).toBe(404);
  });
});
