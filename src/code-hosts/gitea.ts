/**
 * @module code-hosts/gitea
 * The client of a Gitea or Forgejo instance (Forgejo's API is Gitea's), through API v1 with an
 * administrator's token (`Authorization: token ...`). Shapes and paging as Gitea's swagger
 * (templates/swagger/v1_json.tmpl) and modules/structs describe them: `page` (from 1) and
 * `limit`, with X-Total-Count and a Link header. Organisations are the groups, their
 * repositories the projects; teams and collaborators give the roles.
 */
import type { OutboundPolicy } from '../outbound/request.js';
import { cursorNumber, header, HostHttp, type HostHttpOptions } from './host-http.js';
import {
  HostRequestFailed,
  type HostCheck,
  type HostClient,
  type HostGroup,
  type HostKind,
  type HostMembership,
  type HostPage,
  type HostProject,
  type HostTarget,
  type HostUser,
  type RegisteredHook,
} from './host.js';

/** modules/structs/org.go Organization. */
interface GiteaOrg {
  id: number;
  name: string;
  full_name: string;
  description: string;
}

/** modules/structs/user.go User. */
interface GiteaUser {
  id: number;
  login: string;
  full_name: string;
  email: string;
  is_admin: boolean;
  active?: boolean;
  prohibit_login?: boolean;
}

/** modules/structs/repo.go Repository. */
interface GiteaRepo {
  id: number;
  owner: GiteaUser;
  name: string;
  full_name: string;
  description: string;
  empty: boolean;
  default_branch: string;
}

/** modules/structs/repo_branch.go BranchProtection: `rule_name` since 1.19, `branch_name` before. */
interface GiteaBranchProtection {
  rule_name?: string;
  branch_name?: string;
}

/** modules/structs/org_team.go Team. */
interface GiteaTeam {
  id: number;
  name: string;
  includes_all_repositories: boolean;
  permission: 'none' | 'read' | 'write' | 'admin' | 'owner';
  units_map?: Record<string, string>;
}

/** Gitea's permissions in GitLab's access levels, as host.ts says. */
const ACCESS_LEVELS: Record<string, number> = { read: 20, write: 30, admin: 40, owner: 50 };

/** A team's role: its permission, or for a team with per-unit rights, its right on the code. */
function teamLevel(team: GiteaTeam): number {
  const permission = team.permission === 'none' ? (team.units_map?.['repo.code'] ?? 'none') : team.permission;
  return ACCESS_LEVELS[permission] ?? 0;
}

const toUser = (user: GiteaUser): HostUser => ({
  hostId: user.id,
  username: user.login,
  name: user.full_name || user.login,
  email: user.email || null,
  isAdmin: user.is_admin === true,
  blocked: user.active === false || user.prohibit_login === true,
});

const toGroup = (org: GiteaOrg): HostGroup => ({
  hostId: org.id,
  parentHostId: null,
  name: org.full_name || org.name,
  path: org.name,
  fullPath: org.name,
  description: org.description ?? '',
});

const toProject = (repo: GiteaRepo, inOrg: boolean): HostProject => ({
  hostId: repo.id,
  groupHostId: inOrg ? repo.owner.id : null,
  name: repo.name,
  path: repo.name,
  fullPath: repo.full_name,
  description: repo.description ?? '',
  defaultBranch: repo.empty ? null : repo.default_branch || null,
});

/**
 * Every event a repository sends (modules/webhook/type.go HookEventType; Gitea's API takes the
 * list, with no "everything" of its own): the tree's events ("repository", "create", "delete")
 * and the content events.
 */
const HOOK_EVENTS = [
  'create',
  'delete',
  'fork',
  'push',
  'issues',
  'issue_assign',
  'issue_label',
  'issue_milestone',
  'issue_comment',
  'pull_request',
  'pull_request_assign',
  'pull_request_label',
  'pull_request_milestone',
  'pull_request_comment',
  'pull_request_review_approved',
  'pull_request_review_rejected',
  'pull_request_review_comment',
  'pull_request_sync',
  'pull_request_review_request',
  'wiki',
  'repository',
  'release',
];

/** Keeps each user's highest role. */
function highest(memberships: HostMembership[]): HostMembership[] {
  const best = new Map<number, HostMembership>();
  for (const membership of memberships) {
    const known = best.get(membership.user.hostId);
    if (membership.accessLevel > 0 && (!known || known.accessLevel < membership.accessLevel))
      best.set(membership.user.hostId, membership);
  }
  return [...best.values()];
}

/**
 * A request for each scope Cascade needs (routers/api/v1/api.go): read:admin (organisations),
 * write:admin (the system webhook), read:organization (teams), read:repository
 * (collaborators), read:user (users). None of them changes anything.
 */
const SCOPE_PROBES: ['GET' | 'POST', string, unknown][] = [
  ['GET', '/admin/orgs', undefined],
  ['POST', '/admin/hooks', {}],
  ['GET', '/orgs', undefined],
  ['GET', '/repos/search', undefined],
  ['GET', '/users/search', undefined],
];

/** Where the listing of repositories is: the page of organisations, the organisation on it, the page of its repositories. */
interface RepoCursor {
  orgPage: number;
  org: number;
  repoPage: number;
}

/** "1.0.1" -> where the listing of repositories is; anything this client did not make is refused. */
function repoCursor(cursor: string): RepoCursor {
  const [orgPage, org, repoPage] = cursor.split('.').map(cursorNumber) as [number, number, number];
  if (cursor.split('.').length !== 3 || orgPage < 1 || repoPage < 1)
    throw new HostRequestFailed('The page cursor is not valid');
  return { orgPage, org, repoPage };
}

const repoCursorText = ({ orgPage, org, repoPage }: RepoCursor) => `${orgPage}.${org}.${repoPage}`;

/** The scope a Gitea answer says a token lacks: "token does not have at least one of required scope(s), required=[read:admin], ...". */
function missingScope(error: unknown): string | null {
  if (!(error instanceof HostRequestFailed) || error.status !== 403) return null;
  const scope = /required scope\(s\)[^[]*\[([^\]]+)\]/.exec(error.message);
  return scope ? scope[1]! : null;
}

/** Gitea answers at most 50 items a page (MAX_RESPONSE_ITEMS). */
const MAX_PAGE_SIZE = 50;

export class GiteaClient implements HostClient {
  private readonly http: HostHttp;
  private readonly pageSize: number;
  readonly projectHooks = null;
  /** The page of organisations the listing of repositories is in, asked again only when it moves on. */
  private orgPageOfProjects: { page: number; orgs: GiteaOrg[] } | null = null;

  constructor(
    readonly kind: Extract<HostKind, 'gitea' | 'forgejo'>,
    target: HostTarget,
    policy: OutboundPolicy,
    options: HostHttpOptions = {},
  ) {
    this.http = new HostHttp(`${target.url}/api/v1`, { authorization: `token ${target.token}` }, policy, options);
    this.pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  }

  async check(): Promise<HostCheck> {
    const { version } = (await this.http.get('/version')).json as { version: string };
    let user: GiteaUser;
    try {
      user = (await this.http.get('/user')).json as GiteaUser;
    } catch (error) {
      const scope = missingScope(error);
      if (!scope) throw error;
      return { version, username: '', missing: [`the ${scope} scope`] };
    }
    if (user.is_admin !== true) return { version, username: user.login, missing: ['administrator rights'] };
    // Gitea shows a token's scopes only by refusing what they do not cover, before it reads the
    // request: an empty hook is refused for its scope, or else as invalid (422), never made.
    const missing: string[] = [];
    for (const [method, path, body] of SCOPE_PROBES) {
      try {
        await this.http.request(method, this.http.url(path, method === 'GET' ? { limit: 1 } : {}), body, [422]);
      } catch (error) {
        const scope = missingScope(error);
        if (!scope) throw error;
        missing.push(`the ${scope} scope`);
      }
    }
    return { version, username: user.login, missing };
  }

  private async orgPage(page: number): Promise<{ orgs: GiteaOrg[]; total: number | null }> {
    const answer = await this.http.get('/admin/orgs', { page, limit: this.pageSize });
    const total = header(answer.headers, 'x-total-count');
    return { orgs: answer.json as GiteaOrg[], total: total ? Number(total) : null };
  }

  async groups(cursor: string | null): Promise<HostPage<HostGroup>> {
    const page = cursor === null ? 1 : cursorNumber(cursor);
    const { orgs, total } = await this.orgPage(page);
    const more = total === null ? orgs.length === this.pageSize : page * this.pageSize < total;
    return { items: orgs.map(toGroup), next: more && orgs.length > 0 ? String(page + 1) : null, total };
  }

  /**
   * Every organisation's repositories, organisation by organisation: Gitea's repository search
   * does not say whether an owner is a user or an organisation, so users' repositories are
   * left out by never listing them.
   */
  async projects(cursor: string | null): Promise<HostPage<HostProject>> {
    let at = cursor === null ? { orgPage: 1, org: 0, repoPage: 1 } : repoCursor(cursor);
    for (;;) {
      if (this.orgPageOfProjects?.page !== at.orgPage)
        this.orgPageOfProjects = { page: at.orgPage, orgs: (await this.orgPage(at.orgPage)).orgs };
      const { orgs } = this.orgPageOfProjects;
      const org = orgs[at.org];
      if (!org) {
        if (orgs.length < this.pageSize || orgs.length === 0) return { items: [], next: null, total: null };
        at = { orgPage: at.orgPage + 1, org: 0, repoPage: 1 };
        continue;
      }
      const answer = await this.http.get(`/orgs/${encodeURIComponent(org.name)}/repos`, {
        page: at.repoPage,
        limit: this.pageSize,
      });
      const repos = answer.json as GiteaRepo[];
      const total = Number(header(answer.headers, 'x-total-count') ?? Number.NaN);
      const moreRepos = Number.isNaN(total) ? repos.length === this.pageSize : at.repoPage * this.pageSize < total;
      const next: RepoCursor = moreRepos
        ? { ...at, repoPage: at.repoPage + 1 }
        : { orgPage: at.orgPage, org: at.org + 1, repoPage: 1 };
      if (repos.length === 0) {
        at = next;
        continue;
      }
      return { items: repos.map((repo) => toProject(repo, true)), next: repoCursorText(next), total: null };
    }
  }

  /** Every item of a paged listing. */
  private async everyPage<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const answer = await this.http.get(path, { page, limit: this.pageSize });
      const batch = answer.json as T[];
      items.push(...batch);
      const total = Number(header(answer.headers, 'x-total-count') ?? Number.NaN);
      const done = Number.isNaN(total) ? batch.length < this.pageSize : items.length >= total;
      if (done || batch.length === 0) return items;
    }
  }

  private async teamMembers(team: GiteaTeam): Promise<HostMembership[]> {
    const level = teamLevel(team);
    const users = await this.everyPage<GiteaUser>(`/teams/${team.id}/members`);
    return users.map((user) => ({ user: toUser(user), accessLevel: level }));
  }

  /** The roles of an organisation: its teams that reach all its repositories (the owners team among them). One page. */
  async groupMembers(groupHostId: number): Promise<HostPage<HostMembership>> {
    const org = await this.findOrg(groupHostId);
    if (!org) return { items: [], next: null, total: 0 };
    const teams = await this.everyPage<GiteaTeam>(`/orgs/${encodeURIComponent(org.name)}/teams`);
    const memberships: HostMembership[] = [];
    for (const team of teams.filter((team) => team.includes_all_repositories || team.permission === 'owner'))
      memberships.push(...(await this.teamMembers(team)));
    const items = highest(memberships);
    return { items, next: null, total: items.length };
  }

  /** The roles of a repository: its collaborators and the teams given it alone. One page. */
  async projectMembers(projectHostId: number): Promise<HostPage<HostMembership>> {
    const repo = (await this.http.find(`/repositories/${projectHostId}`)) as GiteaRepo | null;
    if (!repo) return { items: [], next: null, total: 0 };
    const base = `/repos/${encodeURIComponent(repo.owner.login)}/${encodeURIComponent(repo.name)}`;
    const memberships: HostMembership[] = [];
    for (const user of await this.everyPage<GiteaUser>(`${base}/collaborators`)) {
      const { permission } = (await this.http.get(`${base}/collaborators/${encodeURIComponent(user.login)}/permission`))
        .json as { permission: string };
      memberships.push({ user: toUser(user), accessLevel: ACCESS_LEVELS[permission] ?? 0 });
    }
    // A repository of a user has no teams (Gitea answers 404).
    const teams = ((await this.http.find(`${base}/teams`)) as GiteaTeam[] | null) ?? [];
    for (const team of teams.filter((team) => !team.includes_all_repositories && team.permission !== 'owner'))
      memberships.push(...(await this.teamMembers(team)));
    const items = highest(memberships);
    return { items, next: null, total: items.length };
  }

  /** GET /repos/{owner}/{repo}/branch_protections: every rule in one answer (the listing takes no page). */
  async protectedBranches(project: { fullPath: string }): Promise<string[]> {
    const [owner = '', name = ''] = project.fullPath.split('/');
    const rules = (await this.http.find(
      `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/branch_protections`,
    )) as GiteaBranchProtection[] | null;
    return (rules ?? []).map((rule) => rule.rule_name || rule.branch_name || '').filter(Boolean);
  }

  /** Gitea looks organisations up by name only: the one with this id, from the listing. */
  private async findOrg(hostId: number): Promise<GiteaOrg | null> {
    for (let page = 1; ; page++) {
      const { orgs } = await this.orgPage(page);
      const org = orgs.find((candidate) => candidate.id === hostId);
      if (org) return org;
      if (orgs.length < this.pageSize) return null;
    }
  }

  async group(hostId: number): Promise<HostGroup | null> {
    const org = await this.findOrg(hostId);
    return org && toGroup(org);
  }

  async project(hostId: number): Promise<HostProject | null> {
    const repo = (await this.http.find(`/repositories/${hostId}`)) as GiteaRepo | null;
    if (!repo) return null;
    const org = await this.http.find(`/orgs/${encodeURIComponent(repo.owner.login)}`);
    return toProject(repo, org !== null);
  }

  async user(hostId: number): Promise<HostUser | null> {
    const { data } = (await this.http.get('/users/search', { uid: hostId, limit: 1 })).json as { data: GiteaUser[] };
    const user = data.find((candidate) => candidate.id === hostId);
    return user ? toUser(user) : null;
  }

  /** modules/structs/hook.go CreateHookOption, as POST /admin/hooks takes it. */
  async registerSystemHook(url: string, secret: string): Promise<RegisteredHook> {
    const hook = (
      await this.http.request('POST', this.http.url('/admin/hooks'), {
        // Forgejo has a hook type of its own; both send Gitea's payloads.
        type: this.kind,
        config: { url, content_type: 'json', secret },
        events: HOOK_EVENTS,
        active: true,
        is_system_webhook: true,
      })
    ).json as { id: number };
    return { hostId: hook.id };
  }

  async removeSystemHook(hostId: number): Promise<void> {
    await this.http.request('DELETE', this.http.url(`/admin/hooks/${hostId}`), undefined, [404]);
  }
}
