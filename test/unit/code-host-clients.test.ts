import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostClientFactory } from '../../src/code-hosts/clients.js';
import {
  HostRequestFailed,
  type HostClient,
  type HostGroup,
  type HostMembership,
  type HostPage,
  type HostProject,
} from '../../src/code-hosts/host.js';
import { EMPTY_ALLOWLIST, parseAllowlist, type Allowlist } from '../../src/outbound/addresses.js';
import type { OutboundPolicy } from '../../src/outbound/request.js';
import { pushEvent } from '../support/host-payloads/gitlab.js';
import { pushPayload } from '../support/host-payloads/gitea.js';
import { receiverForFile } from '../support/receiver.js';
import { startTestGitea, type TestGitea } from '../support/test-gitea.js';
import { startTestGitLab, type TestGitLab } from '../support/test-gitlab.js';
import type { HostTree } from '../support/test-host.js';
import { createHmac } from 'node:crypto';

const allowlist = parseAllowlist('127.0.0.1') as { ok: true; allowlist: Allowlist };
/** The Network settings of an instance whose code host is on this machine: 127.0.0.1 allowlisted. */
const ALLOWLISTED: OutboundPolicy = { allowLocalRequests: false, allowlist: allowlist.allowlist };
const BLOCKING: OutboundPolicy = { allowLocalRequests: false, allowlist: EMPTY_ALLOWLIST };

/** Small pages so that every listing spans several, and short waits for Retry-After. */
const factory = hostClientFactory({ pageSize: 2, maxRetryWaitMs: 50, maxTries: 3 });

/** Every item of a paged listing, and how many pages it took. */
async function all<T>(list: (cursor: string | null) => Promise<HostPage<T>>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: HostPage<T> = await list(cursor);
    items.push(...page.items);
    cursor = page.next;
    pages++;
  } while (cursor !== null && pages < 100);
  return { items, pages };
}

const roles = (memberships: HostMembership[]) =>
  Object.fromEntries(memberships.map(({ user, accessLevel }) => [user.username, accessLevel]));

/** Each group comes after its parent. */
function expectParentsFirst(groups: HostGroup[]) {
  const seen = new Set<number>();
  for (const group of groups) {
    if (group.parentHostId !== null) expect(seen, group.fullPath).toContain(group.parentHostId);
    seen.add(group.hostId);
  }
}

/**
 * A nested tree: platform > backend > (api, workers); tools; a subgroup moved under a group
 * made after it; a project in a user's own namespace.
 */
function nestedTree(tree: HostTree) {
  const alice = tree.addUser({ username: 'alice', name: 'Alice' });
  const bob = tree.addUser({ username: 'bob', name: 'Bob' });
  const carol = tree.addUser({ username: 'carol', name: 'Carol' });
  const moved = tree.addGroup({ name: 'Moved' });
  const platform = tree.addGroup({ name: 'Platform' });
  const backend = tree.addGroup({ name: 'Backend', parentId: platform.id });
  const tools = tree.addGroup({ name: 'Tools' });
  tree.transferGroup(moved.id, backend.id);
  const api = tree.addProject({ name: 'API', groupId: backend.id });
  const workers = tree.addProject({ name: 'Workers', groupId: backend.id });
  const site = tree.addProject({ name: 'Site', groupId: platform.id });
  const cli = tree.addProject({ name: 'CLI', groupId: tools.id });
  const deep = tree.addProject({ name: 'Deep', groupId: moved.id });
  const dotfiles = tree.addProject({ name: 'Dotfiles', userId: alice.id });
  tree.setMember({ groupId: platform.id }, alice.id, 50);
  tree.setMember({ groupId: platform.id }, bob.id, 30);
  tree.setMember({ groupId: platform.id }, carol.id, 5);
  tree.setMember({ projectId: api.id }, carol.id, 40);
  tree.setMember({ projectId: api.id }, bob.id, 20);
  return { alice, bob, carol, platform, backend, tools, moved, api, workers, site, cli, deep, dotfiles };
}

describe('the GitLab client against the test GitLab', () => {
  let gitlab: TestGitLab;
  let tree: ReturnType<typeof nestedTree>;
  let client: HostClient;

  beforeEach(async () => {
    gitlab = await startTestGitLab();
    tree = nestedTree(gitlab.tree);
    client = factory({ kind: 'gitlab', url: gitlab.url, token: gitlab.token }, ALLOWLISTED);
  });
  afterEach(() => gitlab.close());

  it('checks the version, the user and the scopes of an administrator token', async () => {
    expect(await client.check()).toEqual({ version: '17.5.1-ee', username: 'root', missing: [] });
    expect(gitlab.requests[0]!.headers['private-token']).toBe(gitlab.token);
  });

  it('names what a token lacks: administrator rights, the api scope', async () => {
    const regular = factory({ kind: 'gitlab', url: gitlab.url, token: gitlab.nonAdminToken }, ALLOWLISTED);
    expect((await regular.check()).missing).toEqual(['administrator rights']);
    const readApi = factory({ kind: 'gitlab', url: gitlab.url, token: gitlab.readApiToken }, ALLOWLISTED);
    expect((await readApi.check()).missing).toEqual(['the api scope (read_api cannot register hooks)']);
    gitlab.tokens.set('glpat-no-api', { userId: 1, scopes: ['read_user'] });
    const noApi = factory({ kind: 'gitlab', url: gitlab.url, token: 'glpat-no-api' }, ALLOWLISTED);
    expect((await noApi.check()).missing).toEqual(['the api scope']);
    await expect(readApi.registerSystemHook('http://cascade.test/hooks/1', 's')).rejects.toThrow(
      'The host answered POST /api/v4/hooks with HTTP 403: The request requires higher privileges than provided by the access token.',
    );
  });

  it('says a refused token is invalid or expired, without showing it', async () => {
    const wrong = factory({ kind: 'gitlab', url: gitlab.url, token: 'glpat-secret-wrong' }, ALLOWLISTED);
    const error = await wrong.check().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HostRequestFailed);
    expect((error as HostRequestFailed).message).toBe(
      'The host refused the token: it is invalid or expired (HTTP 401: 401 Unauthorized)',
    );
    expect((error as HostRequestFailed).status).toBe(401);
  });

  it('lists every group across offset pages, parents before children, even after a transfer', async () => {
    const { items } = await all((cursor) => client.groups(cursor));
    expect(items.map((group) => group.fullPath)).toEqual([
      'platform',
      'tools',
      'platform/backend',
      'platform/backend/moved',
    ]);
    expectParentsFirst(items);
    const pages = gitlab.requests.filter((request) => request.path.startsWith('/api/v4/groups?'));
    expect(pages.map((request) => new URL(request.path, gitlab.url).searchParams.get('page'))).toEqual(['1', '2']);
    expect(pages[0]!.path).toContain('all_available=true');
    expect((await client.groups(null)).total).toBe(4);
  });

  it('lists every group project by keyset pages, leaving out projects of users', async () => {
    const { items, pages } = await all((cursor) => client.projects(cursor));
    expect(items.map((project) => project.fullPath)).toEqual([
      'platform/backend/api',
      'platform/backend/workers',
      'platform/site',
      'tools/cli',
      'platform/backend/moved/deep',
    ]);
    expect(pages).toBe(3);
    const asked = gitlab.requests.filter((request) => request.path.startsWith('/api/v4/projects?'));
    expect(asked[0]!.path).toContain('pagination=keyset');
    expect(asked[1]!.path).toContain(`id_after=${tree.workers.id}`);
    expect(items[0]).toEqual<HostProject>({
      hostId: tree.api.id,
      groupHostId: tree.backend.id,
      name: 'API',
      path: 'api',
      fullPath: 'platform/backend/api',
      description: '',
      defaultBranch: 'main',
    });
  });

  it('resumes a listing that failed mid-way from its last cursor, without duplicates', async () => {
    const first = await client.projects(null);
    gitlab.fail({ match: ({ path }) => path.includes('id_after='), status: 500 });
    await expect(client.projects(first.next)).rejects.toThrow(HostRequestFailed);
    const rest = await all((cursor) => client.projects(cursor ?? first.next));
    const ids = [...first.items, ...rest.items].map((project) => project.hostId);
    expect(ids).toEqual([tree.api.id, tree.workers.id, tree.site.id, tree.cli.id, tree.deep.id]);
  });

  it('shows renames, transfers and deletions made on the host', async () => {
    gitlab.tree.renameGroup(tree.backend.id, { name: 'Services', path: 'services' });
    gitlab.tree.transferProject(tree.cli.id, tree.backend.id);
    gitlab.tree.deleteGroup(tree.moved.id);
    expect(await client.project(tree.cli.id)).toMatchObject({
      fullPath: 'platform/services/cli',
      groupHostId: tree.backend.id,
    });
    expect(await client.project(tree.deep.id)).toBeNull();
    expect((await all((cursor) => client.groups(cursor))).items.map((group) => group.fullPath)).toEqual([
      'platform',
      'tools',
      'platform/services',
    ]);
  });

  it('refuses a page cursor it did not make', async () => {
    await expect(client.groups('x')).rejects.toThrow('The page cursor is not valid');
  });

  it('follows a keyset cursor only to the host API, which the token is for', async () => {
    await expect(client.projects('http://127.0.0.2:9/api/v4/projects?id_after=1')).rejects.toThrow(
      'The page cursor does not point to the API of the host',
    );
    expect(gitlab.requests).toHaveLength(0);
  });

  it('lists the direct members of groups and projects, without minimal access', async () => {
    const groupMembers = await all((cursor) => client.groupMembers(tree.platform.id, cursor));
    expect(roles(groupMembers.items)).toEqual({ alice: 50, bob: 30 });
    expect(groupMembers.pages).toBe(2);
    expect(roles((await all((cursor) => client.groupMembers(tree.backend.id, cursor))).items)).toEqual({});
    expect(roles((await all((cursor) => client.projectMembers(tree.api.id, cursor))).items)).toEqual({
      carol: 40,
      bob: 20,
    });
  });

  it("lists a project's protected branches and wildcards across offset pages", async () => {
    tree.api.protectedBranches = ['main', 'release/*', 'hotfix-*'];
    const api = { hostId: tree.api.id, fullPath: 'platform/backend/api' };
    expect(await client.protectedBranches(api)).toEqual(['main', 'release/*', 'hotfix-*']);
    const asked = gitlab.requests.filter(({ path }) => path.includes(`/projects/${tree.api.id}/protected_branches`));
    expect(asked.map(({ path }) => new URL(path, gitlab.url).searchParams.get('page'))).toEqual(['1', '2']);
    expect(await client.protectedBranches({ hostId: tree.site.id, fullPath: 'platform/site' })).toEqual([]);
  });

  it('finds one group, project or user by id, and null for one the host does not have', async () => {
    expect(await client.group(tree.backend.id)).toMatchObject({
      fullPath: 'platform/backend',
      parentHostId: tree.platform.id,
    });
    expect(await client.project(tree.dotfiles.id)).toMatchObject({ fullPath: 'alice/dotfiles', groupHostId: null });
    expect(await client.user(tree.alice.id)).toMatchObject({
      username: 'alice',
      email: 'alice@example.com',
      blocked: false,
      isAdmin: false,
    });
    expect(await client.group(9999)).toBeNull();
    expect(await client.project(9999)).toBeNull();
    expect(await client.user(9999)).toBeNull();
  });

  it('waits out a 429 as its Retry-After says', async () => {
    gitlab.fail({ match: ({ path }) => path.startsWith('/api/v4/projects?'), status: 429, retryAfter: '1', times: 2 });
    const started = Date.now();
    expect((await client.projects(null)).items).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(gitlab.requests.filter((request) => request.path.startsWith('/api/v4/projects?'))).toHaveLength(3);
  });

  it('with the patience its caller gives, waits out a short Retry-After and fails at once on a longer one', async () => {
    const impatient = factory({ kind: 'gitlab', url: gitlab.url, token: gitlab.token }, ALLOWLISTED, {
      maxRetryWaitMs: 1000,
      failBeyondMaxRetryWait: true,
    });
    const userRequests = () => gitlab.requests.filter((request) => request.path.startsWith('/api/v4/users/'));
    gitlab.fail({ match: ({ path }) => path.startsWith('/api/v4/users/'), status: 429, retryAfter: '0' });
    expect(await impatient.user(9999)).toBeNull();
    expect(userRequests()).toHaveLength(2);
    gitlab.fail({ match: ({ path }) => path.startsWith('/api/v4/users/'), status: 429, retryAfter: '120' });
    await expect(impatient.user(9999)).rejects.toThrow('with HTTP 429');
    expect(userRequests()).toHaveLength(3);
  });

  it('throws a 500 as HostRequestFailed naming the status and the answer, and gives up on endless 429s', async () => {
    gitlab.fail({ match: ({ path }) => path.startsWith('/api/v4/groups/'), status: 500 });
    await expect(client.group(tree.platform.id)).rejects.toThrow(
      new HostRequestFailed(
        `The host answered GET /api/v4/groups/${tree.platform.id} with HTTP 500: 500 Internal Server Error`,
        500,
      ),
    );
    gitlab.fail({ match: () => true, status: 503, retryAfter: '0', times: 3 });
    await expect(client.check()).rejects.toThrow('The host was still busy after 3 tries (HTTP 503');
    gitlab.fail({ match: () => true, status: 503 });
    await expect(client.check()).rejects.toThrow('The host answered GET /api/v4/version with HTTP 503');
  });

  it('registers and removes the system hook and project hooks with the URL, secret and events', async () => {
    const hook = await client.registerSystemHook('http://cascade.test/hooks/1', 's3cret');
    expect(gitlab.hooks).toEqual([
      expect.objectContaining({
        id: hook.hostId,
        projectId: null,
        url: 'http://cascade.test/hooks/1',
        token: 's3cret',
        events: {
          push_events: true,
          tag_push_events: true,
          merge_requests_events: true,
          repository_update_events: true,
          enable_ssl_verification: true,
        },
      }),
    ]);
    const projectHook = await client.projectHooks!.register(tree.api.id, 'http://cascade.test/hooks/1', 's3cret');
    expect(gitlab.hooks[1]).toMatchObject({ projectId: tree.api.id, token: 's3cret' });
    expect(Object.keys(gitlab.hooks[1]!.events).sort()).toEqual([
      'confidential_issues_events',
      'confidential_note_events',
      'deployment_events',
      'enable_ssl_verification',
      'issues_events',
      'job_events',
      'merge_requests_events',
      'note_events',
      'pipeline_events',
      'push_events',
      'releases_events',
      'tag_push_events',
      'wiki_page_events',
    ]);
    await client.projectHooks!.remove(tree.api.id, projectHook.hostId);
    await client.removeSystemHook(hook.hostId);
    expect(gitlab.hooks).toEqual([]);
  });

  it('is refused by the outbound protection unless the Network allowlist allows the host', async () => {
    const blocked = factory({ kind: 'gitlab', url: gitlab.url, token: gitlab.token }, BLOCKING);
    await expect(blocked.check()).rejects.toThrow(
      'Requests to the local network are not allowed: 127.0.0.1 is a loopback address (GET /api/v4/version)',
    );
    expect(gitlab.requests).toHaveLength(0);
  });
});

describe.each(['gitea', 'forgejo'] as const)('the Gitea client against the test %s', (flavour) => {
  let gitea: TestGitea;
  let tree: ReturnType<typeof nestedTree>;
  let client: HostClient;

  beforeEach(async () => {
    gitea = await startTestGitea({ flavour });
    // Organisations are top-level: the nested tree's subgroups become organisations of their own.
    tree = nestedTree(gitea.tree);
    for (const group of gitea.tree.groups.values()) group.parentId = null;
    client = factory({ kind: flavour, url: gitea.url, token: gitea.token }, ALLOWLISTED);
  });
  afterEach(() => gitea.close());

  it('checks the version and the user of an administrator token', async () => {
    expect(await client.check()).toEqual({
      version: flavour === 'gitea' ? '1.22.3' : '9.0.0+gitea-1.22.0',
      username: 'gitea_admin',
      missing: [],
    });
    expect(gitea.requests[1]!.headers.authorization).toBe(`token ${gitea.token}`);
  });

  it('names what a token lacks: administrator rights, the admin scope', async () => {
    const regular = factory({ kind: flavour, url: gitea.url, token: gitea.nonAdminToken }, ALLOWLISTED);
    expect((await regular.check()).missing).toEqual(['administrator rights']);
    const narrow = factory({ kind: flavour, url: gitea.url, token: gitea.narrowToken }, ALLOWLISTED);
    expect((await narrow.check()).missing).toEqual([
      'the read:admin scope',
      'the write:admin scope',
      'the read:organization scope',
    ]);
    expect(gitea.hooks).toEqual([]);
    gitea.tokens.set('no-user', { userId: 1, scopes: ['read:admin'] });
    const noUser = factory({ kind: flavour, url: gitea.url, token: 'no-user' }, ALLOWLISTED);
    expect((await noUser.check()).missing).toEqual(['the read:user scope']);
    const admin = [...gitea.tree.users.values()].find((user) => user.isAdmin)!;
    gitea.tokens.set('admin-only', { userId: admin.id, scopes: ['write:admin', 'read:user'] });
    const adminOnly = factory({ kind: flavour, url: gitea.url, token: 'admin-only' }, ALLOWLISTED);
    expect((await adminOnly.check()).missing).toEqual(['the read:organization scope', 'the read:repository scope']);
  });

  it('lists every organisation across pages', async () => {
    const { items, pages } = await all((cursor) => client.groups(cursor));
    expect(items.map((group) => [group.fullPath, group.parentHostId])).toEqual([
      ['moved', null],
      ['platform', null],
      ['backend', null],
      ['tools', null],
    ]);
    expect(pages).toBe(2);
    expect(gitea.requests.at(-1)!.path).toMatch(/^\/api\/v1\/admin\/orgs\?page=2&limit=2$/);
  });

  it("lists every organisation's repositories across pages, leaving out users' repositories", async () => {
    const { items } = await all((cursor) => client.projects(cursor));
    expect(items.map((project) => [project.fullPath, project.groupHostId])).toEqual([
      ['moved/deep', tree.moved.id],
      ['platform/site', tree.platform.id],
      ['backend/api', tree.backend.id],
      ['backend/workers', tree.backend.id],
      ['tools/cli', tree.tools.id],
    ]);
  });

  it('maps teams to group roles and collaborators and repository teams to project roles', async () => {
    const readers = gitea.addTeam({
      orgId: tree.backend.id,
      name: 'API readers',
      permission: 'read',
      repoIds: [tree.api.id],
      memberIds: [tree.alice.id],
    });
    expect(readers.id).toBeGreaterThan(0);
    expect(roles((await client.groupMembers(tree.platform.id, null)).items)).toEqual({ alice: 50, bob: 30 });
    expect(roles((await client.groupMembers(tree.backend.id, null)).items)).toEqual({});
    expect(roles((await client.projectMembers(tree.api.id, null)).items)).toEqual({ carol: 40, bob: 20, alice: 20 });
  });

  it("lists a repository's branch protection rules by their rule names; none for a repository it does not have", async () => {
    tree.api.protectedBranches = ['main', 'release/*'];
    expect(await client.protectedBranches({ hostId: tree.api.id, fullPath: 'backend/api' })).toEqual([
      'main',
      'release/*',
    ]);
    expect(await client.protectedBranches({ hostId: tree.site.id, fullPath: 'platform/site' })).toEqual([]);
    expect(await client.protectedBranches({ hostId: 0, fullPath: 'backend/gone' })).toEqual([]);
  });

  it('resumes the listing of repositories from its cursor, and refuses one it did not make', async () => {
    const first = await client.projects(null);
    const rest = await all((cursor) => client.projects(cursor ?? first.next));
    expect([...first.items, ...rest.items]).toHaveLength(5);
    await expect(client.projects('{"orgPage":1}')).rejects.toThrow('The page cursor is not valid');
  });

  it('finds one organisation, repository or user by id, and null for one the host does not have', async () => {
    expect(await client.group(tree.tools.id)).toMatchObject({ fullPath: 'tools', name: 'Tools' });
    expect(await client.project(tree.api.id)).toMatchObject({ fullPath: 'backend/api', groupHostId: tree.backend.id });
    expect(await client.project(tree.dotfiles.id)).toMatchObject({ fullPath: 'alice/dotfiles', groupHostId: null });
    expect(await client.user(tree.bob.id)).toMatchObject({ username: 'bob', name: 'Bob', isAdmin: false });
    // What the sign-in asks when the host's administrators are Cascade's (code-hosts/sign-in.ts).
    const admin = [...gitea.tree.users.values()].find((user) => user.isAdmin)!;
    expect(await client.user(admin.id)).toMatchObject({ username: 'gitea_admin', isAdmin: true });
    expect(await client.group(9999)).toBeNull();
    expect(await client.project(9999)).toBeNull();
    expect(await client.user(9999)).toBeNull();
  });

  it('waits out a 429 whose Retry-After is an HTTP date, and throws a 500 with its message', async () => {
    gitea.fail({
      match: ({ path }) => path.startsWith('/api/v1/admin/orgs'),
      status: 429,
      retryAfter: new Date(Date.now() + 1000).toUTCString(),
    });
    expect((await client.groups(null)).items).toHaveLength(2);
    gitea.fail({
      match: ({ path }) => path.startsWith('/api/v1/admin/orgs'),
      status: 500,
      body: { message: 'database is locked' },
    });
    await expect(client.groups(null)).rejects.toThrow(
      'The host answered GET /api/v1/admin/orgs with HTTP 500: database is locked',
    );
  });

  it('registers and removes a system webhook of its kind with the URL, secret and events', async () => {
    const hook = await client.registerSystemHook('http://cascade.test/hooks/2', 's3cret');
    expect(gitea.hooks).toEqual([
      expect.objectContaining({
        id: hook.hostId,
        type: flavour,
        url: 'http://cascade.test/hooks/2',
        secret: 's3cret',
        contentType: 'json',
        active: true,
        isSystemWebhook: true,
      }),
    ]);
    expect(gitea.hooks[0]!.events).toEqual(
      expect.arrayContaining(['push', 'repository', 'create', 'delete', 'pull_request']),
    );
    expect(client.projectHooks).toBeNull();
    await client.removeSystemHook(hook.hostId);
    expect(gitea.hooks).toEqual([]);
  });

  it('is refused by the outbound protection unless the Network allowlist allows the host', async () => {
    const blocked = factory({ kind: flavour, url: gitea.url, token: gitea.token }, BLOCKING);
    await expect(blocked.check()).rejects.toThrow('Requests to the local network are not allowed');
  });
});

describe('the test hosts send hooks as the real ones do', () => {
  const receiver = receiverForFile();

  it('GitLab: the token, the event, its UUID as the idempotency key, the instance and the user agent', async () => {
    const gitlab = await startTestGitLab();
    try {
      const { api, alice } = nestedTree(gitlab.tree);
      const client = factory({ kind: 'gitlab', url: gitlab.url, token: gitlab.token }, ALLOWLISTED);
      await client.registerSystemHook(`${receiver().origin}/hooks/gitlab`, 'tok');
      const sent = await gitlab.sendHook(gitlab.hooks[0]!, pushEvent(gitlab.tree, gitlab.url, api, alice));
      expect(sent.status).toBe(200);
      const [received] = receiver().received;
      expect(received!.headers).toMatchObject({
        'x-gitlab-event': 'System Hook',
        'x-gitlab-token': 'tok',
        'x-gitlab-instance': gitlab.url,
        'user-agent': 'GitLab/17.5.1-ee',
      });
      expect(received!.headers['idempotency-key']).toBe(received!.headers['x-gitlab-event-uuid']);
      expect(JSON.parse(received!.body)).toMatchObject({
        event_name: 'push',
        project_id: api.id,
        project: { path_with_namespace: 'platform/backend/api' },
      });
    } finally {
      await gitlab.close();
    }
  });

  it("Forgejo: its own headers besides Gitea's, and the hex HMAC-SHA256 of the body", async () => {
    const forgejo = await startTestGitea({ flavour: 'forgejo' });
    try {
      const { api, alice } = nestedTree(forgejo.tree);
      const client = factory({ kind: 'forgejo', url: forgejo.url, token: forgejo.token }, ALLOWLISTED);
      await client.registerSystemHook(`${receiver().origin}/hooks/forgejo`, 'shh');
      await forgejo.sendHook(forgejo.hooks[0]!, 'push', pushPayload(forgejo.tree, forgejo.url, api, alice));
      const [received] = receiver().received;
      const signature = createHmac('sha256', 'shh').update(received!.body).digest('hex');
      expect(received!.headers).toMatchObject({
        'x-forgejo-event': 'push',
        'x-gitea-event': 'push',
        'x-github-event': 'push',
        'x-forgejo-signature': signature,
        'x-gitea-signature': signature,
        'x-hub-signature-256': `sha256=${signature}`,
      });
      expect(received!.headers['x-forgejo-delivery']).toBe(received!.headers['x-gitea-delivery']);
      expect(JSON.parse(received!.body)).toMatchObject({
        ref: 'refs/heads/main',
        repository: { id: api.id, full_name: 'backend/api' },
      });
    } finally {
      await forgejo.close();
    }
  });
});
