/**
 * @module test/support/test-gitlab
 * A test GitLab: a real HTTP server on 127.0.0.1 answering the REST API v4 calls Cascade makes,
 * as GitLab's documentation shows them (doc/api/rest/index.md for authentication, errors and
 * pagination; groups.md, projects.md, members.md, users.md, protected_branches.md,
 * personal_access_tokens.md, system_hooks.md, project_webhooks.md), over a tree the test changes. It records hook
 * registrations and sends hooks with GitLab's headers (doc/user/project/integrations/webhooks.md).
 */
import { randomUUID } from 'node:crypto';
import {
  deliver,
  HostTree,
  linkHeader,
  offsetPage,
  startHostServer,
  type FailureRule,
  type HostRequest,
  type Members,
  type Reply,
  type SentHook,
  type TreeGroup,
  type TreeProject,
  type TreeUser,
} from './test-host.js';

export const GITLAB_VERSION = '17.5.1-ee';

export interface GitLabToken {
  userId: number;
  scopes: string[];
}

/** A hook registered on the test GitLab: a system hook, or a project's (`projectId`). */
export interface GitLabHook {
  id: number;
  projectId: number | null;
  url: string;
  token: string | undefined;
  /** The `*_events` and `enable_ssl_verification` flags it was registered with. */
  events: Record<string, boolean>;
  /** X-Gitlab-Webhook-UUID. */
  uuid: string;
}

export interface TestGitLabOptions {
  /** The tree to serve; a new empty one (with the administrator `root`) by default. */
  tree?: HostTree;
}

export interface TestGitLab {
  url: string;
  tree: HostTree;
  /** root's token, with the `api` scope. */
  token: string;
  adminToken: string;
  /** A regular user's token, with the `api` scope. */
  nonAdminToken: string;
  /** root's token with `read_api` only. */
  readApiToken: string;
  tokens: Map<string, GitLabToken>;
  hooks: GitLabHook[];
  requests: HostRequest[];
  fail(rule: FailureRule): void;
  /**
   * Sends a hook's payload to a registered hook's URL with the headers GitLab sends: the system
   * hook's "System Hook" event, or a project hook's (`event`, e.g. "Push Hook").
   */
  sendHook(
    hook: GitLabHook,
    payload: unknown,
    options?: { event?: string; uuid?: string; token?: string },
  ): Promise<SentHook>;
  close(): Promise<void>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  body,
  headers,
});
const notFound = (what: string) => json(404, { message: `404 ${what} Not Found` });

/** doc/api/protected_branches.md "List protected branches": one rule, Maintainers allowed to push and merge. */
const protectedBranchJson = ({ id, name }: { id: number; name: string }) => {
  const maintainers = [{ id, access_level: 40, access_level_description: 'Maintainers' }];
  return {
    id,
    name,
    push_access_levels: maintainers,
    merge_access_levels: maintainers,
    allow_force_push: false,
    code_owner_approval_required: false,
  };
};

/** GitLab's page size: 20 by default, at most 100 (doc/api/rest/index.md "Pagination"). */
function perPage(url: URL): number {
  const asked = Number(url.searchParams.get('per_page') ?? 20);
  return Math.min(100, Math.max(1, Number.isFinite(asked) ? asked : 20));
}

/**
 * @example
 * const gitlab = await startTestGitLab()
 * const platform = gitlab.tree.addGroup({ name: 'Platform' })
 * const client = new GitLabClient({ kind: 'gitlab', url: gitlab.url, token: gitlab.token }, policy)
 */
export async function startTestGitLab(options: TestGitLabOptions = {}): Promise<TestGitLab> {
  const tree = options.tree ?? new HostTree();
  const root =
    [...tree.users.values()].find((user) => user.isAdmin) ??
    tree.addUser({ username: 'root', name: 'Administrator', isAdmin: true });
  const regular = tree.addUser({ username: 'regular', name: 'Regular User' });
  const tokens = new Map<string, GitLabToken>([
    ['glpat-admin-token', { userId: root.id, scopes: ['api'] }],
    ['glpat-user-token', { userId: regular.id, scopes: ['api'] }],
    ['glpat-read-api-token', { userId: root.id, scopes: ['read_api'] }],
  ]);
  const hooks: GitLabHook[] = [];
  let nextHookId = 1;
  let url = '';

  const userJson = (user: TreeUser, asAdmin: boolean) => ({
    id: user.id,
    username: user.username,
    name: user.name,
    state: user.state,
    locked: false,
    avatar_url: null,
    web_url: `${url}/${user.username}`,
    ...(asAdmin ? { email: user.email, is_admin: user.isAdmin } : {}),
  });

  const groupJson = (group: TreeGroup) => ({
    id: group.id,
    web_url: `${url}/groups/${tree.groupFullPath(group.id)}`,
    name: group.name,
    path: group.path,
    description: group.description,
    visibility: 'private',
    full_name: fullName(group),
    full_path: tree.groupFullPath(group.id),
    created_at: '2012-07-21T07:30:54.000Z',
    parent_id: group.parentId,
  });

  const fullName = (group: TreeGroup): string =>
    group.parentId === null ? group.name : `${fullName(tree.group(group.parentId))} / ${group.name}`;

  const namespaceJson = (project: TreeProject) => {
    if (project.namespace.kind === 'group') {
      const group = tree.group(project.namespace.id);
      return {
        id: group.id,
        name: group.name,
        path: group.path,
        kind: 'group',
        full_path: tree.groupFullPath(group.id),
        parent_id: group.parentId,
      };
    }
    const user = tree.users.get(project.namespace.id)!;
    return {
      id: user.id,
      name: user.name,
      path: user.username,
      kind: 'user',
      full_path: user.username,
      parent_id: null,
    };
  };

  const projectJson = (project: TreeProject) => ({
    id: project.id,
    description: project.description,
    name: project.name,
    name_with_namespace: `${project.namespace.kind === 'group' ? fullName(tree.group(project.namespace.id)) : tree.users.get(project.namespace.id)!.name} / ${project.name}`,
    path: project.path,
    path_with_namespace: tree.projectFullPath(project),
    created_at: '2012-07-21T07:30:54.000Z',
    default_branch: project.defaultBranch,
    web_url: `${url}/${tree.projectFullPath(project)}`,
    namespace: namespaceJson(project),
    empty_repo: project.defaultBranch === null,
    archived: false,
    visibility: 'private',
  });

  /** Offset pagination headers: X-Page, X-Per-Page, X-Total, X-Total-Pages, X-Next-Page, X-Prev-Page and Link. */
  const offsetReply = <T>(request: URL, all: readonly T[], toJson: (item: T) => unknown): Reply => {
    const size = perPage(request);
    const page = Math.max(1, Number(request.searchParams.get('page') ?? 1));
    const { items, last } = offsetPage(all, page, size);
    const link = (to: number) => {
      const target = new URL(request.pathname + request.search, url);
      target.searchParams.set('page', String(to));
      return target.href;
    };
    return json(200, items.map(toJson), {
      'x-page': String(page),
      'x-per-page': String(size),
      'x-total': String(all.length),
      'x-total-pages': String(last),
      'x-next-page': page < last ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      link: linkHeader({
        prev: page > 1 ? link(page - 1) : null,
        next: page < last ? link(page + 1) : null,
        first: link(1),
        last: link(last),
      }),
    });
  };

  const membersReply = (request: URL, members: Members | undefined): Reply => {
    const listed = [...(members ?? new Map<number, number>()).entries()].map(([userId, accessLevel]) => ({
      user: tree.users.get(userId)!,
      accessLevel,
    }));
    return offsetReply(request, listed, ({ user, accessLevel }) => ({
      ...userJson(user, false),
      access_level: accessLevel,
      created_at: '2012-09-22T14:13:35Z',
      expires_at: null,
      membership_state: 'active',
    }));
  };

  /** Keyset pagination of /projects (doc/api/rest/index.md "Keyset-based pagination"): `id_after` in the next link. */
  const keysetProjects = (request: URL): Reply => {
    if (request.searchParams.get('order_by') !== 'id')
      return json(405, {
        message: '405 Method Not Allowed',
        error: 'Keyset pagination is not supported for this order',
      });
    if (request.searchParams.get('sort') === 'desc')
      return json(405, { error: 'Only ascending order in this test GitLab' });
    const size = perPage(request);
    const ids = tree.projectIdsAfter(Number(request.searchParams.get('id_after') ?? 0), size);
    const headers: Record<string, string> = {};
    if (ids.length === size && tree.projectIdsAfter(ids.at(-1)!, 1).length > 0) {
      const next = new URL(request.pathname + request.search, url);
      next.searchParams.set('id_after', String(ids.at(-1)));
      headers.link = linkHeader({ next: next.href });
    }
    return json(
      200,
      ids.map((id) => projectJson(tree.project(id))),
      headers,
    );
  };

  const hookJson = (hook: GitLabHook) => ({
    id: hook.id,
    url: hook.url,
    ...(hook.projectId === null ? {} : { project_id: hook.projectId }),
    created_at: '2012-10-12T17:04:47Z',
    ...hook.events,
  });

  const registerHook = (projectId: number | null, body: string): Reply => {
    const form = JSON.parse(body || '{}') as Record<string, unknown>;
    if (typeof form.url !== 'string' || form.url === '') return json(400, { error: 'url is missing' });
    const events = Object.fromEntries(
      Object.entries(form).filter(
        ([name, value]) =>
          (name.endsWith('_events') || name === 'enable_ssl_verification') && typeof value === 'boolean',
      ),
    ) as Record<string, boolean>;
    const hook: GitLabHook = {
      id: nextHookId++,
      projectId,
      url: form.url,
      token: form.token as string | undefined,
      events,
      uuid: randomUUID(),
    };
    hooks.push(hook);
    return json(201, hookJson(hook));
  };

  const removeHook = (projectId: number | null, hookId: number): Reply => {
    const index = hooks.findIndex((hook) => hook.id === hookId && hook.projectId === projectId);
    if (index < 0) return json(404, { message: '404 Not found' });
    hooks.splice(index, 1);
    return { status: 204 };
  };

  const server = await startHostServer(({ method, url: request, headers, body }) => {
    const path = request.pathname.replace(/^\/api\/v4/, '');
    if (path === request.pathname) return json(404, { error: '404 Not Found' });
    const bearer = /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];
    const secret = (headers['private-token'] as string | undefined) ?? bearer;
    const token = secret === undefined ? undefined : tokens.get(secret);
    if (!token) return json(401, { message: '401 Unauthorized' });
    const caller = tree.users.get(token.userId)!;
    if (caller.state === 'blocked') return json(403, { message: '403 Forbidden - Your account has been blocked.' });
    if (method !== 'GET' && !token.scopes.includes('api'))
      return json(403, {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
        scope: 'api',
      });
    const admin = caller.isAdmin;
    const adminOnly = () => json(403, { message: '403 Forbidden' });
    let match: RegExpExecArray | null;

    if (method === 'GET' && path === '/version')
      return json(200, { version: GITLAB_VERSION, revision: '6a0a9a2b1d8', kas: { enabled: false } });
    if (method === 'GET' && path === '/user') return json(200, { ...userJson(caller, true), is_admin: caller.isAdmin });
    if (method === 'GET' && path === '/personal_access_tokens/self')
      return json(200, {
        id: [...tokens.keys()].indexOf(secret!) + 1,
        name: 'Cascade',
        revoked: false,
        created_at: '2024-01-01T00:00:00.000Z',
        description: '',
        scopes: token.scopes,
        user_id: caller.id,
        last_used_at: null,
        active: true,
        expires_at: null,
      });
    if (method === 'GET' && path === '/groups') {
      const order = request.searchParams.get('order_by') ?? 'name';
      const key = (group: TreeGroup) => (order === 'id' ? group.id : order === 'path' ? group.path : group.name);
      const groups = [...tree.groups.values()].sort((a, b) =>
        key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id,
      );
      if (request.searchParams.get('sort') === 'desc') groups.reverse();
      return offsetReply(request, groups, groupJson);
    }
    if (method === 'GET' && (match = /^\/groups\/(\d+)$/.exec(path))) {
      const group = tree.groups.get(Number(match[1]));
      return group ? json(200, groupJson(group)) : notFound('Group');
    }
    if (method === 'GET' && (match = /^\/groups\/(\d+)\/members$/.exec(path))) {
      const id = Number(match[1]);
      return tree.groups.has(id) ? membersReply(request, tree.groupMembers.get(id)) : notFound('Group');
    }
    if (method === 'GET' && path === '/projects') {
      if (request.searchParams.get('pagination') === 'keyset') return keysetProjects(request);
      return offsetReply(
        request,
        tree.projectIds().map((id) => tree.project(id)),
        projectJson,
      );
    }
    if (method === 'GET' && (match = /^\/projects\/(\d+)$/.exec(path))) {
      const project = tree.projects.get(Number(match[1]));
      return project ? json(200, projectJson(project)) : notFound('Project');
    }
    if (method === 'GET' && (match = /^\/projects\/(\d+)\/members$/.exec(path))) {
      const id = Number(match[1]);
      return tree.projects.has(id) ? membersReply(request, tree.projectMembers.get(id)) : notFound('Project');
    }
    if (method === 'GET' && (match = /^\/projects\/(\d+)\/protected_branches$/.exec(path))) {
      const project = tree.projects.get(Number(match[1]));
      return project
        ? offsetReply(
            request,
            project.protectedBranches.map((name, index) => ({ id: index + 1, name })),
            protectedBranchJson,
          )
        : notFound('Project');
    }
    if (method === 'GET' && (match = /^\/users\/(\d+)$/.exec(path))) {
      const user = tree.users.get(Number(match[1]));
      return user ? json(200, userJson(user, admin)) : notFound('User');
    }
    if (path === '/hooks' && method === 'GET')
      return admin ? json(200, hooks.filter((hook) => hook.projectId === null).map(hookJson)) : adminOnly();
    if (path === '/hooks' && method === 'POST') return admin ? registerHook(null, body) : adminOnly();
    if (method === 'DELETE' && (match = /^\/hooks\/(\d+)$/.exec(path)))
      return admin ? removeHook(null, Number(match[1])) : adminOnly();
    if (method === 'POST' && (match = /^\/projects\/(\d+)\/hooks$/.exec(path))) {
      const id = Number(match[1]);
      if (!tree.projects.has(id)) return notFound('Project');
      return admin || (tree.projectMembers.get(id)?.get(caller.id) ?? 0) >= 40 ? registerHook(id, body) : adminOnly();
    }
    if (method === 'GET' && (match = /^\/projects\/(\d+)\/hooks\/(\d+)$/.exec(path))) {
      const [projectId, hookId] = [Number(match[1]), Number(match[2])];
      if (!tree.projects.has(projectId)) return notFound('Project');
      const hook = hooks.find((each) => each.id === hookId && each.projectId === projectId);
      return hook ? json(200, hookJson(hook)) : notFound('Hook');
    }
    if (method === 'DELETE' && (match = /^\/projects\/(\d+)\/hooks\/(\d+)$/.exec(path))) {
      if (!tree.projects.has(Number(match[1]))) return notFound('Project');
      return admin ? removeHook(Number(match[1]), Number(match[2])) : adminOnly();
    }
    return json(404, { error: '404 Not Found' });
  });
  url = server.url;

  return {
    url,
    tree,
    token: 'glpat-admin-token',
    adminToken: 'glpat-admin-token',
    nonAdminToken: 'glpat-user-token',
    readApiToken: 'glpat-read-api-token',
    tokens,
    hooks,
    requests: server.requests,
    fail: server.fail,
    sendHook(hook, payload, sendOptions = {}) {
      const uuid = sendOptions.uuid ?? randomUUID();
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': `GitLab/${GITLAB_VERSION}`,
        'x-gitlab-event': sendOptions.event ?? 'System Hook',
        'x-gitlab-webhook-uuid': hook.uuid,
        'x-gitlab-instance': url,
        'x-gitlab-event-uuid': uuid,
        'idempotency-key': uuid,
      };
      const token = sendOptions.token ?? hook.token;
      if (token !== undefined) headers['x-gitlab-token'] = token;
      return deliver(hook.url, headers, JSON.stringify(payload));
    },
    close: server.close,
  };
}
