/**
 * @module code-hosts/gitlab
 * The client of a GitLab instance (CE or EE), through its REST API v4 with a personal access
 * token of an administrator (`PRIVATE-TOKEN`). Shapes and paging as GitLab documents them:
 * doc/api/rest/index.md (Pagination: offset with X-Next-Page and X-Total, keyset with a `Link`
 * rel=next for /projects), doc/api/groups.md, projects.md, members.md, users.md,
 * protected_branches.md, personal_access_tokens.md, system_hooks.md and project_webhooks.md.
 */
import type { OutboundPolicy } from '../outbound/request.js';
import { cursorNumber, header, HostHttp, nextLink, type HostAnswer, type HostHttpOptions } from './host-http.js';
import {
  HostRequestFailed,
  type HostCheck,
  type HostClient,
  type HostGroup,
  type HostMembership,
  type HostPage,
  type HostProject,
  type HostUser,
  type HostTarget,
  type RegisteredHook,
} from './host.js';

/** doc/api/groups.md "Details of a group", the fields Cascade reads. */
interface GitLabGroup {
  id: number;
  name: string;
  path: string;
  full_path: string;
  description: string | null;
  parent_id: number | null;
}

/** doc/api/projects.md "Get a single project", the fields Cascade reads. */
interface GitLabProject {
  id: number;
  name: string;
  path: string;
  path_with_namespace: string;
  description: string | null;
  default_branch: string | null;
  namespace: { id: number; kind: 'group' | 'user' };
}

/** doc/api/users.md and members.md: a user, or a member with its access level. */
interface GitLabUser {
  id: number;
  username: string;
  name: string;
  state: string;
  email?: string | null;
  public_email?: string | null;
  is_admin?: boolean;
  access_level?: number;
}

/** GitLab's minimal access: no role in Cascade. */
const MINIMAL_ACCESS = 5;

/** The events of a project hook: everything system hooks do not carry (doc/api/project_webhooks.md). */
const PROJECT_HOOK_EVENTS = {
  push_events: true,
  tag_push_events: true,
  issues_events: true,
  confidential_issues_events: true,
  note_events: true,
  confidential_note_events: true,
  merge_requests_events: true,
  pipeline_events: true,
  job_events: true,
  wiki_page_events: true,
  deployment_events: true,
  releases_events: true,
  enable_ssl_verification: true,
} as const;

const toGroup = (group: GitLabGroup): HostGroup => ({
  hostId: group.id,
  parentHostId: group.parent_id ?? null,
  name: group.name,
  path: group.path,
  fullPath: group.full_path,
  description: group.description ?? '',
});

const toProject = (project: GitLabProject): HostProject => ({
  hostId: project.id,
  groupHostId: project.namespace.kind === 'group' ? project.namespace.id : null,
  name: project.name,
  path: project.path,
  fullPath: project.path_with_namespace,
  description: project.description ?? '',
  defaultBranch: project.default_branch ?? null,
});

const toUser = (user: GitLabUser): HostUser => ({
  hostId: user.id,
  username: user.username,
  name: user.name,
  email: user.email || null,
  isAdmin: user.is_admin === true,
  blocked: user.state !== 'active',
});

/** Sorts groups so that each comes after its parent (a transfer can put a parent after its child by id). */
function parentsFirst(groups: HostGroup[]): HostGroup[] {
  const byId = new Map(groups.map((group) => [group.hostId, group]));
  const depth = new Map<number, number>();
  const depthOf = (group: HostGroup): number => {
    const known = depth.get(group.hostId);
    if (known !== undefined) return known;
    const parent = group.parentHostId === null ? undefined : byId.get(group.parentHostId);
    depth.set(group.hostId, 0);
    const value = parent ? depthOf(parent) + 1 : 0;
    depth.set(group.hostId, value);
    return value;
  };
  return [...groups].sort((a, b) => depthOf(a) - depthOf(b) || a.hostId - b.hostId);
}

export class GitLabClient implements HostClient {
  readonly kind = 'gitlab' as const;
  private readonly http: HostHttp;
  private readonly pageSize: number;
  /** Every group, parents first: GitLab lists groups by offset pages in no such order. */
  private allGroups: Promise<HostGroup[]> | null = null;

  constructor(target: HostTarget, policy: OutboundPolicy, options: HostHttpOptions = {}) {
    this.http = new HostHttp(`${target.url}/api/v4`, { 'private-token': target.token }, policy, options);
    this.pageSize = options.pageSize ?? 100;
  }

  async check(): Promise<HostCheck> {
    const { version } = (await this.http.get('/version')).json as { version: string };
    const user = (await this.http.get('/user')).json as GitLabUser;
    const missing: string[] = [];
    if (user.is_admin !== true) missing.push('administrator rights');
    // Only personal, group and project access tokens can describe themselves (GitLab 15.5 and later).
    const token = (await this.http.find('/personal_access_tokens/self')) as { scopes?: string[] } | null;
    const scopes = token?.scopes;
    if (scopes && !scopes.includes('api'))
      missing.push(scopes.includes('read_api') ? 'the api scope (read_api cannot register hooks)' : 'the api scope');
    return { version, username: user.username, missing };
  }

  /** Every page of an offset-paged listing (X-Next-Page), in the host's order. */
  private async everyPage<T>(path: string, query: Record<string, string | number | boolean>): Promise<T[]> {
    const items: T[] = [];
    for (let page: string | undefined = '1'; page;) {
      const answer: HostAnswer = await this.http.get(path, { ...query, per_page: this.pageSize, page });
      items.push(...(answer.json as T[]));
      page = header(answer.headers, 'x-next-page') || undefined;
    }
    return items;
  }

  async groups(cursor: string | null): Promise<HostPage<HostGroup>> {
    this.allGroups ??= this.everyPage<GitLabGroup>('/groups', {
      all_available: true,
      order_by: 'id',
      sort: 'asc',
    }).then((groups) => parentsFirst(groups.map(toGroup)));
    const all = await this.allGroups.catch((error: unknown) => {
      this.allGroups = null;
      throw error;
    });
    const start = cursor === null ? 0 : cursorNumber(cursor);
    const end = start + this.pageSize;
    return { items: all.slice(start, end), next: end < all.length ? String(end) : null, total: all.length };
  }

  /** The cursor is GitLab's next link; it is followed only to the host's own API, which the token is for. */
  async projects(cursor: string | null): Promise<HostPage<HostProject>> {
    if (cursor !== null && !this.http.isOwnUrl(cursor))
      throw new HostRequestFailed('The page cursor does not point to the API of the host');
    const answer = await this.http.request(
      'GET',
      cursor ??
        this.http.url('/projects', { pagination: 'keyset', order_by: 'id', sort: 'asc', per_page: this.pageSize }),
    );
    const items = (answer.json as GitLabProject[])
      .filter((project) => project.namespace.kind === 'group')
      .map(toProject);
    return { items, next: nextLink(header(answer.headers, 'link')), total: null };
  }

  private async members(path: string, cursor: string | null): Promise<HostPage<HostMembership>> {
    const answer = await this.http.get(path, { per_page: this.pageSize, page: cursor ?? '1' });
    const items = (answer.json as GitLabUser[])
      .filter((member) => (member.access_level ?? 0) > MINIMAL_ACCESS)
      .map((member) => ({ user: toUser(member), accessLevel: member.access_level! }));
    const total = header(answer.headers, 'x-total');
    return { items, next: header(answer.headers, 'x-next-page') || null, total: total ? Number(total) : null };
  }

  groupMembers(groupHostId: number, cursor: string | null) {
    return this.members(`/groups/${groupHostId}/members`, cursor);
  }

  projectMembers(projectHostId: number, cursor: string | null) {
    return this.members(`/projects/${projectHostId}/members`, cursor);
  }

  /** doc/api/protected_branches.md "List protected branches": names and wildcards, offset-paged. */
  async protectedBranches(project: { hostId: number }): Promise<string[]> {
    const rules = await this.everyPage<{ name: string }>(`/projects/${project.hostId}/protected_branches`, {});
    return rules.map((rule) => rule.name);
  }

  async group(hostId: number): Promise<HostGroup | null> {
    const group = (await this.http.find(`/groups/${hostId}?with_projects=false`)) as GitLabGroup | null;
    return group && toGroup(group);
  }

  async project(hostId: number): Promise<HostProject | null> {
    const project = (await this.http.find(`/projects/${hostId}`)) as GitLabProject | null;
    return project && toProject(project);
  }

  async user(hostId: number): Promise<HostUser | null> {
    const user = (await this.http.find(`/users/${hostId}`)) as GitLabUser | null;
    return user && toUser(user);
  }

  /** doc/api/system_hooks.md "Add new system hook": the tree's events and the content events system hooks carry. */
  async registerSystemHook(url: string, secret: string): Promise<RegisteredHook> {
    const hook = (
      await this.http.request('POST', this.http.url('/hooks'), {
        url,
        token: secret,
        push_events: true,
        tag_push_events: true,
        merge_requests_events: true,
        repository_update_events: true,
        enable_ssl_verification: true,
      })
    ).json as { id: number };
    return { hostId: hook.id };
  }

  async removeSystemHook(hostId: number): Promise<void> {
    await this.http.request('DELETE', this.http.url(`/hooks/${hostId}`), undefined, [404]);
  }

  readonly projectHooks = {
    register: async (projectHostId: number, url: string, secret: string): Promise<RegisteredHook> => {
      const hook = (
        await this.http.request('POST', this.http.url(`/projects/${projectHostId}/hooks`), {
          url,
          token: secret,
          ...PROJECT_HOOK_EVENTS,
        })
      ).json as { id: number };
      return { hostId: hook.id };
    },
    remove: async (projectHostId: number, hookId: number): Promise<void> => {
      await this.http.request('DELETE', this.http.url(`/projects/${projectHostId}/hooks/${hookId}`), undefined, [404]);
    },
    /** doc/api/project_webhooks.md "Get a project webhook": 404 when the hook or the project is gone. */
    exists: async (projectHostId: number, hookId: number): Promise<boolean> =>
      (await this.http.find(`/projects/${projectHostId}/hooks/${hookId}`)) !== null,
  };
}
