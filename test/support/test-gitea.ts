/**
 * @module test/support/test-gitea
 * A test Gitea or Forgejo: a real HTTP server on 127.0.0.1 answering the API v1 calls Cascade
 * makes, as Gitea's swagger (templates/swagger/v1_json.tmpl) and modules/structs describe them:
 * `page`/`limit` paging with X-Total-Count and Link, tokens with scopes refused as
 * routers/api/v1/api.go refuses them, organisations, teams and collaborators. It records
 * system webhooks and sends hooks with the headers of services/webhook/deliver.go (Forgejo adds
 * its own X-Forgejo-* ones).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { repositoryObject, userObject } from './host-payloads/gitea.js';
import {
  deliver,
  HostTree,
  linkHeader,
  offsetPage,
  startHostServer,
  type FailureRule,
  type HostRequest,
  type Reply,
  type SentHook,
  type TreeGroup,
  type TreeProject,
} from './test-host.js';

export type GiteaFlavour = 'gitea' | 'forgejo';

export const VERSIONS: Record<GiteaFlavour, string> = { gitea: '1.22.3', forgejo: '9.0.0+gitea-1.22.0' };

export interface GiteaToken {
  userId: number;
  /** Gitea's token scopes ("all", "read:admin", "write:repository", ...). */
  scopes: string[];
}

/** A team: derived from the tree's group memberships, or added by a test for some repositories only. */
export interface GiteaTeam {
  id: number;
  orgId: number;
  name: string;
  permission: 'read' | 'write' | 'admin' | 'owner';
  includesAllRepositories: boolean;
  repoIds: number[];
  memberIds: number[];
}

export interface GiteaHook {
  id: number;
  type: string;
  url: string;
  secret: string;
  contentType: string;
  events: string[];
  active: boolean;
  isSystemWebhook: boolean;
}

export interface TestGiteaOptions {
  flavour?: GiteaFlavour;
  tree?: HostTree;
}

export interface TestGitea {
  flavour: GiteaFlavour;
  url: string;
  tree: HostTree;
  /** The administrator's token, with every scope. */
  token: string;
  adminToken: string;
  nonAdminToken: string;
  /** The administrator's token with read:user and read:repository only. */
  narrowToken: string;
  tokens: Map<string, GiteaToken>;
  hooks: GiteaHook[];
  /** Adds a team that gives its members a role on some repositories only. */
  addTeam(team: Omit<GiteaTeam, 'id' | 'includesAllRepositories'>): GiteaTeam;
  requests: HostRequest[];
  fail(rule: FailureRule): void;
  /** Sends an event ("push", "repository", ...) to a system webhook, signed with its secret. */
  sendHook(
    hook: GiteaHook,
    event: string,
    payload: unknown,
    options?: { delivery?: string; secret?: string },
  ): Promise<SentHook>;
  close(): Promise<void>;
}

/** The role of a group membership as Gitea shows it: a team's permission. */
const TEAM_OF_LEVEL: [number, GiteaTeam['permission'], string][] = [
  [50, 'owner', 'Owners'],
  [40, 'admin', 'Admins'],
  [30, 'write', 'Developers'],
  [0, 'read', 'Readers'],
];

const permissionOfLevel = (level: number) => (level >= 40 ? 'admin' : level >= 30 ? 'write' : 'read');

/** Gitea's page size: `limit`, 30 by default and at most 50 (setting.API.DefaultPagingNum, MaxResponseItems). */
function pageOf(url: URL): { page: number; limit: number } {
  const limit = Number(url.searchParams.get('limit') ?? 30);
  const page = Number(url.searchParams.get('page') ?? 1);
  return { page: Math.max(1, page || 1), limit: Math.min(50, Math.max(1, limit || 30)) };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  body,
  headers,
});

/** modules/structs/repo_branch.go BranchProtection, as GET /repos/{owner}/{repo}/branch_protections lists it (unpaged). */
const branchProtectionJson = (rule: string) => ({
  branch_name: rule,
  rule_name: rule,
  priority: 0,
  enable_push: false,
  enable_push_whitelist: false,
  push_whitelist_usernames: [],
  push_whitelist_teams: [],
  push_whitelist_deploy_keys: false,
  enable_merge_whitelist: false,
  merge_whitelist_usernames: [],
  merge_whitelist_teams: [],
  enable_status_check: false,
  status_check_contexts: [],
  required_approvals: 0,
  block_on_rejected_reviews: false,
  block_on_outdated_branch: false,
  dismiss_stale_approvals: false,
  require_signed_commits: false,
  protected_file_patterns: '',
  unprotected_file_patterns: '',
  created_at: '2024-01-01T00:00:00Z',
  updated_at: '2024-01-01T00:00:00Z',
});

/** Which scope a route needs (routers/api/v1/api.go tokenRequiresScopes): its category, and whether it writes. */
function scopeOf(method: string, path: string): string {
  const category = path.startsWith('/admin')
    ? 'admin'
    : path.startsWith('/orgs') || path.startsWith('/teams')
      ? 'organization'
      : path.startsWith('/repos') || path.startsWith('/repositories')
        ? 'repository'
        : 'user';
  return `${method === 'GET' ? 'read' : 'write'}:${category}`;
}

const hasScope = (token: GiteaToken, needed: string) => {
  const [, category] = needed.split(':');
  return token.scopes.includes('all') || token.scopes.includes(needed) || token.scopes.includes(`write:${category}`);
};

/**
 * @example
 * const forgejo = await startTestGitea({ flavour: 'forgejo' })
 * const org = forgejo.tree.addGroup({ name: 'Platform' })
 */
export async function startTestGitea(options: TestGiteaOptions = {}): Promise<TestGitea> {
  const flavour = options.flavour ?? 'gitea';
  const tree = options.tree ?? new HostTree();
  const admin =
    [...tree.users.values()].find((user) => user.isAdmin) ??
    tree.addUser({ username: 'gitea_admin', name: 'Administrator', isAdmin: true });
  const regular = tree.addUser({ username: 'regular', name: 'Regular User' });
  const tokens = new Map<string, GiteaToken>([
    ['admin-token', { userId: admin.id, scopes: ['all'] }],
    ['user-token', { userId: regular.id, scopes: ['all'] }],
    ['narrow-token', { userId: admin.id, scopes: ['read:user', 'read:repository'] }],
  ]);
  const hooks: GiteaHook[] = [];
  const addedTeams: GiteaTeam[] = [];
  let nextHookId = 1;
  let nextTeamId = 1_000_000;
  let url = '';

  const orgs = () => [...tree.groups.values()].sort((a, b) => a.id - b.id);
  const orgByName = (name: string) => orgs().find((org) => org.path.toLowerCase() === name.toLowerCase());

  const orgJson = (org: TreeGroup) => ({
    id: org.id,
    name: org.path,
    full_name: org.name,
    email: '',
    avatar_url: `${url}/avatars/${org.id}`,
    description: org.description,
    website: '',
    location: '',
    visibility: 'public',
    repo_admin_change_team_access: true,
    username: org.path,
  });

  /** The teams of an organisation: one per role its members have (Owners always), then those a test added. */
  const teamsOf = (org: TreeGroup): GiteaTeam[] => {
    const members = [...(tree.groupMembers.get(org.id) ?? new Map<number, number>()).entries()].filter(
      ([, level]) => level > 5,
    );
    const derived = TEAM_OF_LEVEL.map(([floor, permission, name], index): GiteaTeam => ({
      id: org.id * 10 + index + 1,
      orgId: org.id,
      name,
      permission,
      includesAllRepositories: true,
      repoIds: [],
      memberIds: members
        .filter(([, level]) => level >= floor && (index === 0 || level < TEAM_OF_LEVEL[index - 1]![0]))
        .map(([userId]) => userId),
    })).filter((team) => team.permission === 'owner' || team.memberIds.length > 0);
    return [...derived, ...addedTeams.filter((team) => team.orgId === org.id)];
  };

  const findTeam = (id: number) =>
    orgs()
      .flatMap(teamsOf)
      .find((team) => team.id === id);

  const teamJson = (team: GiteaTeam) => ({
    id: team.id,
    name: team.name,
    description: '',
    organization: orgJson(tree.group(team.orgId)),
    includes_all_repositories: team.includesAllRepositories,
    permission: team.permission,
    units: ['repo.code', 'repo.issues', 'repo.pulls', 'repo.releases', 'repo.wiki'],
    units_map: Object.fromEntries(
      ['repo.code', 'repo.issues', 'repo.pulls', 'repo.releases', 'repo.wiki'].map((unit) => [
        unit,
        team.permission === 'owner' ? 'admin' : team.permission,
      ]),
    ),
    can_create_org_repo: team.permission === 'owner',
  });

  const repoJson = (project: TreeProject) => repositoryObject(tree, url, project);

  /** A repository by its owner's name and its own: an organisation's from its index, a user's by a search. */
  const repoByPath = (owner: string, name: string) => {
    const org = orgByName(owner);
    const same = (project: TreeProject) => project.path.toLowerCase() === name.toLowerCase();
    if (org) return tree.projectsIn(org.id).find(same);
    const user = [...tree.users.values()].find((candidate) => candidate.username.toLowerCase() === owner.toLowerCase());
    return [...tree.projects.values()].find(
      (project) => project.namespace.kind === 'user' && project.namespace.id === user?.id && same(project),
    );
  };

  /** A page of a listing with X-Total-Count and Link (next, prev, first, last), as Gitea's `SetLinkHeader`. */
  const paged = <T>(request: URL, all: readonly T[], toJson: (item: T) => unknown): Reply => {
    const { page, limit } = pageOf(request);
    const { items, last } = offsetPage(all, page, limit);
    const link = (to: number) => {
      const target = new URL(request.pathname + request.search, url);
      target.searchParams.set('page', String(to));
      return target.href;
    };
    return json(200, items.map(toJson), {
      'x-total-count': String(all.length),
      'access-control-expose-headers': 'X-Total-Count, Link',
      link: linkHeader({
        next: page < last ? link(page + 1) : null,
        last: page < last ? link(last) : null,
        first: page > 1 ? link(1) : null,
        prev: page > 1 ? link(page - 1) : null,
      }),
    });
  };

  const notFound = (request: URL) =>
    json(404, { errors: null, message: "The target couldn't be found.", url: `${url}${request.pathname}` });

  const hookJson = (hook: GiteaHook) => ({
    id: hook.id,
    type: hook.type,
    branch_filter: '*',
    config: { url: hook.url, content_type: hook.contentType },
    events: hook.events,
    authorization_header: '',
    active: hook.active,
    updated_at: '2024-01-01T00:00:00Z',
    created_at: '2024-01-01T00:00:00Z',
  });

  const server = await startHostServer(({ method, url: request, headers, body }) => {
    const path = request.pathname.replace(/^\/api\/v1/, '');
    if (path === request.pathname) return notFound(request);
    if (method === 'GET' && path === '/version') return json(200, { version: VERSIONS[flavour] });
    const secret = /^(?:token|Bearer) (.+)$/i.exec(headers.authorization ?? '')?.[1];
    const token = secret === undefined ? undefined : tokens.get(secret);
    if (!token) return json(401, { message: 'token is required', url: `${url}/api/swagger` });
    const needed = scopeOf(method, path);
    if (!hasScope(token, needed))
      return json(403, {
        message: `token does not have at least one of required scope(s), required=[${needed}], token scope=${token.scopes.join(',')}`,
        url: `${url}/api/swagger`,
      });
    const caller = tree.users.get(token.userId)!;
    if (path.startsWith('/admin') && !caller.isAdmin)
      return json(403, { message: 'user should be the site admin', url: `${url}/api/swagger` });
    let match: RegExpExecArray | null;

    if (method === 'GET' && path === '/user') return json(200, userObject(url, caller));
    if (method === 'GET' && (path === '/admin/orgs' || path === '/orgs')) return paged(request, orgs(), orgJson);
    if (method === 'GET' && path === '/repos/search') {
      const { page, limit } = pageOf(request);
      const ids = tree.projectIds();
      const data = ids.slice((page - 1) * limit, page * limit).map((id) => repoJson(tree.project(id)));
      return json(200, { ok: true, data }, { 'x-total-count': String(ids.length) });
    }
    if (method === 'GET' && path === '/admin/hooks') return paged(request, hooks, hookJson);
    if (method === 'POST' && path === '/admin/hooks') {
      const form = JSON.parse(body || '{}') as {
        type?: string;
        config?: Record<string, string>;
        events?: string[];
        active?: boolean;
        is_system_webhook?: boolean;
      };
      const types = flavour === 'forgejo' ? ['forgejo', 'gitea'] : ['gitea'];
      if (!form.type || ![...types, 'gogs', 'slack', 'discord'].includes(form.type))
        return json(422, { message: 'Invalid hook type', url: `${url}/api/swagger` });
      if (!form.config?.url || !form.config.content_type)
        return json(422, { message: 'Missing config option: url', url: `${url}/api/swagger` });
      const hook: GiteaHook = {
        id: nextHookId++,
        type: form.type,
        url: form.config.url,
        secret: form.config.secret ?? '',
        contentType: form.config.content_type,
        events: form.events ?? ['push'],
        active: form.active === true,
        isSystemWebhook: form.is_system_webhook === true,
      };
      hooks.push(hook);
      return json(201, hookJson(hook));
    }
    if (method === 'DELETE' && (match = /^\/admin\/hooks\/(\d+)$/.exec(path))) {
      const index = hooks.findIndex((hook) => hook.id === Number(match![1]));
      if (index < 0) return notFound(request);
      hooks.splice(index, 1);
      return { status: 204 };
    }
    if (method === 'GET' && (match = /^\/orgs\/([^/]+)$/.exec(path))) {
      const org = orgByName(decodeURIComponent(match[1]!));
      return org ? json(200, orgJson(org)) : notFound(request);
    }
    if (method === 'GET' && (match = /^\/orgs\/([^/]+)\/(repos|teams)$/.exec(path))) {
      const org = orgByName(decodeURIComponent(match[1]!));
      if (!org) return notFound(request);
      if (match[2] === 'teams') return paged(request, teamsOf(org), teamJson);
      return paged(request, tree.projectsIn(org.id), repoJson);
    }
    if (method === 'GET' && (match = /^\/teams\/(\d+)\/(members|repos)$/.exec(path))) {
      const team = findTeam(Number(match[1]));
      if (!team) return notFound(request);
      if (match[2] === 'members')
        return paged(
          request,
          team.memberIds.map((id) => tree.users.get(id)!),
          (user) => userObject(url, user),
        );
      const repos = team.includesAllRepositories
        ? tree.projectsIn(team.orgId)
        : team.repoIds.map((id) => tree.project(id));
      return paged(request, repos, repoJson);
    }
    if (method === 'GET' && (match = /^\/repositories\/(\d+)$/.exec(path))) {
      const project = tree.projects.get(Number(match[1]));
      return project ? json(200, repoJson(project)) : notFound(request);
    }
    if (
      method === 'GET' &&
      (match = /^\/repos\/([^/]+)\/([^/]+)\/(collaborators|teams)(?:\/([^/]+)\/permission)?$/.exec(path))
    ) {
      const project = repoByPath(decodeURIComponent(match[1]!), decodeURIComponent(match[2]!));
      if (!project) return notFound(request);
      const collaborators = [...(tree.projectMembers.get(project.id) ?? new Map<number, number>()).entries()].filter(
        ([, level]) => level > 5,
      );
      if (match[3] === 'teams') {
        if (project.namespace.kind !== 'group') return notFound(request);
        const teams = teamsOf(tree.group(project.namespace.id)).filter(
          (team) => team.includesAllRepositories || team.repoIds.includes(project.id),
        );
        return json(200, teams.map(teamJson));
      }
      if (match[4] !== undefined) {
        const user = [...tree.users.values()].find(
          (candidate) => candidate.username === decodeURIComponent(match![4]!),
        );
        const level = user ? collaborators.find(([id]) => id === user.id)?.[1] : undefined;
        if (!user || level === undefined) return notFound(request);
        return json(200, {
          permission: permissionOfLevel(level),
          role_name: permissionOfLevel(level),
          user: userObject(url, user),
        });
      }
      return paged(
        request,
        collaborators.map(([id]) => tree.users.get(id)!),
        (user) => userObject(url, user),
      );
    }
    if (method === 'GET' && (match = /^\/repos\/([^/]+)\/([^/]+)\/branch_protections$/.exec(path))) {
      const project = repoByPath(decodeURIComponent(match[1]!), decodeURIComponent(match[2]!));
      return project ? json(200, project.protectedBranches.map(branchProtectionJson)) : notFound(request);
    }
    if (method === 'GET' && path === '/users/search') {
      const uid = Number(request.searchParams.get('uid') ?? 0);
      const found = [...tree.users.values()].filter((user) => !uid || user.id === uid);
      return json(
        200,
        { ok: true, data: found.slice(0, pageOf(request).limit).map((user) => userObject(url, user)) },
        { 'x-total-count': String(found.length) },
      );
    }
    return notFound(request);
  });
  url = server.url;

  return {
    flavour,
    url,
    tree,
    token: 'admin-token',
    adminToken: 'admin-token',
    nonAdminToken: 'user-token',
    narrowToken: 'narrow-token',
    tokens,
    hooks,
    addTeam(team) {
      const made: GiteaTeam = { ...team, id: nextTeamId++, includesAllRepositories: false };
      addedTeams.push(made);
      return made;
    },
    requests: server.requests,
    fail: server.fail,
    sendHook(hook, event, payload, sendOptions = {}) {
      const body = JSON.stringify(payload);
      const delivery = sendOptions.delivery ?? randomUUID();
      const signature = createHmac('sha256', sendOptions.secret ?? hook.secret)
        .update(body)
        .digest('hex');
      const sha1 = createHmac('sha1', sendOptions.secret ?? hook.secret)
        .update(body)
        .digest('hex');
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'Go-http-client/1.1',
        'x-gitea-delivery': delivery,
        'x-gitea-event': event,
        'x-gitea-event-type': event,
        'x-gitea-signature': signature,
        'x-gogs-delivery': delivery,
        'x-gogs-event': event,
        'x-gogs-event-type': event,
        'x-gogs-signature': signature,
        'x-hub-signature': `sha1=${sha1}`,
        'x-hub-signature-256': `sha256=${signature}`,
        'x-github-delivery': delivery,
        'x-github-event': event,
        'x-github-event-type': event,
        ...(flavour === 'forgejo'
          ? {
              'x-forgejo-delivery': delivery,
              'x-forgejo-event': event,
              'x-forgejo-event-type': event,
              'x-forgejo-signature': signature,
            }
          : {}),
      };
      return deliver(hook.url, headers, body);
    },
    close: server.close,
  };
}
