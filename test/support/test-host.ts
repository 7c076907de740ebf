/**
 * @module test/support/test-host
 * What the test GitLab (test-gitlab.ts) and the test Gitea/Forgejo (test-gitea.ts) share: the
 * in-memory tree of groups, projects, users and memberships a test changes as a host's users
 * would, and the HTTP plumbing: a real server on 127.0.0.1, a log of requests, failures a test
 * asks for, and the sending of hooks. The tree is held in compact maps so that 100,000
 * projects are served fast; projects are kept in id order for keyset paging.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TreeGroup {
  id: number;
  name: string;
  path: string;
  parentId: number | null;
  description: string;
}

export interface TreeProject {
  id: number;
  name: string;
  path: string;
  /** A group's project, or one in a user's own namespace. */
  namespace: { kind: 'group' | 'user'; id: number };
  description: string;
  defaultBranch: string | null;
  /** Its protected branch rules: names or patterns (`release/*`), in the host's syntax. */
  protectedBranches: string[];
}

export interface TreeUser {
  id: number;
  username: string;
  name: string;
  email: string;
  isAdmin: boolean;
  state: 'active' | 'blocked';
}

/** A role in GitLab's access levels (10-50, 5 minimal access); the test Gitea maps them to its permissions. */
export type Members = Map<number, number>;

/**
 * The host's tree. Ids come from one sequence, as Gitea's users and organisations share one.
 *
 * @example
 * const tree = new HostTree()
 * const platform = tree.addGroup({ name: 'Platform' })
 * tree.addProject({ name: 'API', groupId: platform.id })
 */
export class HostTree {
  readonly groups = new Map<number, TreeGroup>();
  readonly projects = new Map<number, TreeProject>();
  readonly users = new Map<number, TreeUser>();
  readonly groupMembers = new Map<number, Members>();
  readonly projectMembers = new Map<number, Members>();
  private nextId = 1;
  private projectOrder: number[] | null = null;
  private projectsByGroup: Map<number, TreeProject[]> | null = null;

  newId(): number {
    return this.nextId++;
  }

  addUser(user: Partial<TreeUser> & { username: string }): TreeUser {
    const made: TreeUser = {
      id: this.newId(),
      name: user.username,
      email: `${user.username}@example.com`,
      isAdmin: false,
      state: 'active',
      ...user,
    };
    this.users.set(made.id, made);
    return made;
  }

  addGroup(group: Partial<TreeGroup> & { name: string }): TreeGroup {
    const made: TreeGroup = {
      id: this.newId(),
      path: slug(group.name),
      parentId: null,
      description: '',
      ...group,
    };
    this.groups.set(made.id, made);
    return made;
  }

  /** A project in a group (`groupId`) or in a user's namespace (`userId`). */
  addProject(
    project: Partial<Omit<TreeProject, 'namespace'>> & { name: string; groupId?: number; userId?: number },
  ): TreeProject {
    const { groupId, userId, ...rest } = project;
    const made: TreeProject = {
      id: this.newId(),
      path: slug(project.name),
      description: '',
      defaultBranch: 'main',
      protectedBranches: [],
      ...rest,
      namespace: groupId === undefined ? { kind: 'user', id: userId! } : { kind: 'group', id: groupId },
    };
    this.projects.set(made.id, made);
    this.projectsChanged();
    return made;
  }

  /**
   * Many projects at once, spread over the given groups in turn: what the benchmark imports.
   *
   * @example
   * tree.addProjects(100_000, groupIds)
   */
  addProjects(count: number, groupIds: readonly number[]): void {
    for (let index = 0; index < count; index++) {
      const id = this.newId();
      this.projects.set(id, {
        id,
        name: `Project ${id}`,
        path: `project-${id}`,
        namespace: { kind: 'group', id: groupIds[index % groupIds.length]! },
        description: '',
        defaultBranch: 'main',
        protectedBranches: [],
      });
    }
    this.projectsChanged();
  }

  renameGroup(id: number, change: { name?: string; path?: string }): TreeGroup {
    return Object.assign(this.group(id), change);
  }

  transferGroup(id: number, parentId: number | null): TreeGroup {
    return Object.assign(this.group(id), { parentId });
  }

  /** Removes a group with its subgroups, their projects and memberships. */
  deleteGroup(id: number): void {
    for (const child of [...this.groups.values()].filter((group) => group.parentId === id)) this.deleteGroup(child.id);
    for (const project of [...this.projects.values()])
      if (project.namespace.kind === 'group' && project.namespace.id === id) this.deleteProject(project.id);
    this.groups.delete(id);
    this.groupMembers.delete(id);
  }

  renameProject(id: number, change: { name?: string; path?: string; description?: string }): TreeProject {
    return Object.assign(this.project(id), change);
  }

  transferProject(id: number, groupId: number): TreeProject {
    this.projectsChanged();
    return Object.assign(this.project(id), { namespace: { kind: 'group', id: groupId } });
  }

  deleteProject(id: number): void {
    this.projects.delete(id);
    this.projectMembers.delete(id);
    this.projectsChanged();
  }

  /** Adds or changes a membership; `accessLevel` null removes it. */
  setMember(on: { groupId: number } | { projectId: number }, userId: number, accessLevel: number | null): void {
    const [all, id] = 'groupId' in on ? [this.groupMembers, on.groupId] : [this.projectMembers, on.projectId];
    const members = all.get(id) ?? new Map<number, number>();
    if (accessLevel === null) members.delete(userId);
    else members.set(userId, accessLevel);
    all.set(id, members);
  }

  group(id: number): TreeGroup {
    const group = this.groups.get(id);
    if (!group) throw new Error(`The test host has no group ${id}`);
    return group;
  }

  project(id: number): TreeProject {
    const project = this.projects.get(id);
    if (!project) throw new Error(`The test host has no project ${id}`);
    return project;
  }

  groupFullPath(id: number): string {
    const group = this.group(id);
    return group.parentId === null ? group.path : `${this.groupFullPath(group.parentId)}/${group.path}`;
  }

  /** The path of a project's namespace: its group's full path, or its user's username. */
  namespacePath(project: TreeProject): string {
    return project.namespace.kind === 'group'
      ? this.groupFullPath(project.namespace.id)
      : this.users.get(project.namespace.id)!.username;
  }

  projectFullPath(project: TreeProject): string {
    return `${this.namespacePath(project)}/${project.path}`;
  }

  /** Forgets the indexes of projects; the mutators call it (change projects through them). */
  private projectsChanged(): void {
    this.projectOrder = null;
    this.projectsByGroup = null;
  }

  /** The projects of a group, in id order (kept until the projects change). */
  projectsIn(groupId: number): TreeProject[] {
    if (!this.projectsByGroup) {
      this.projectsByGroup = new Map();
      for (const id of this.projectIds()) {
        const project = this.projects.get(id)!;
        if (project.namespace.kind !== 'group') continue;
        const list = this.projectsByGroup.get(project.namespace.id) ?? [];
        list.push(project);
        this.projectsByGroup.set(project.namespace.id, list);
      }
    }
    return this.projectsByGroup.get(groupId) ?? [];
  }

  /** Project ids in ascending order (kept until the projects change). */
  projectIds(): number[] {
    this.projectOrder ??= [...this.projects.keys()].sort((a, b) => a - b);
    return this.projectOrder;
  }

  /** The first project ids after `afterId`, in order: keyset paging. */
  projectIdsAfter(afterId: number, limit: number): number[] {
    const ids = this.projectIds();
    let low = 0;
    let high = ids.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (ids[middle]! <= afterId) low = middle + 1;
      else high = middle;
    }
    return ids.slice(low, low + limit);
  }
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** A request the test host got. */
export interface HostRequest {
  method: string;
  /** The path with its query, e.g. "/api/v4/groups?page=2". */
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

/** A failure a test asks for: the next `times` requests matching `match` get it (once by default). */
export interface FailureRule {
  match: (request: { method: string; path: string }) => boolean;
  status: number;
  /** Sent as the Retry-After header: seconds, or an HTTP date. */
  retryAfter?: string;
  body?: unknown;
  times?: number;
}

/** What a route answers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Route = (request: { method: string; url: URL; headers: IncomingMessage['headers']; body: string }) => Reply;

export interface TestHostServer {
  url: string;
  requests: HostRequest[];
  /** Makes matching requests fail as the rule says. */
  fail: (rule: FailureRule) => void;
  close: () => Promise<void>;
}

/** Starts a host's HTTP server on 127.0.0.1 answering through `route`. */
export async function startHostServer(route: Route): Promise<TestHostServer> {
  const requests: HostRequest[] = [];
  const failures: (FailureRule & { left: number })[] = [];
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const method = incoming.method ?? 'GET';
      const path = incoming.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      const failure = failures.find((rule) => rule.left > 0 && rule.match({ method, path }));
      let reply: Reply;
      if (failure) {
        failure.left--;
        reply = {
          status: failure.status,
          body: failure.body ?? {
            message: `${failure.status} ${failure.status === 429 ? 'Too Many Requests' : 'Internal Server Error'}`,
          },
          headers: failure.retryAfter === undefined ? {} : { 'retry-after': failure.retryAfter },
        };
      } else {
        try {
          reply = route({ method, url: new URL(path, 'http://127.0.0.1'), headers: incoming.headers, body });
        } catch (error) {
          reply = { status: 500, body: { message: `500 Internal Server Error: ${(error as Error).message}` } };
        }
      }
      requests.push({ method, path, headers: incoming.headers, body, status: reply.status });
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      response.writeHead(reply.status, {
        ...(text ? { 'content-type': 'application/json' } : {}),
        ...reply.headers,
      });
      response.end(text);
    });
  });
  const { port } = await new Promise<AddressInfo>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail: (rule) => failures.push({ ...rule, left: rule.times ?? 1 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An offset page of a listing: `page` from 1, as both hosts count. */
export function offsetPage<T>(all: readonly T[], page: number, perPage: number): { items: T[]; last: number } {
  const last = Math.max(1, Math.ceil(all.length / perPage));
  return { items: all.slice((page - 1) * perPage, page * perPage), last };
}

/** A Link header (RFC 8288) of the given relations. */
export function linkHeader(links: Record<string, string | null>): string {
  return Object.entries(links)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([rel, url]) => `<${url}>; rel="${rel}"`)
    .join(', ');
}

/** A hook delivery the test host made, and how the receiver answered. */
export interface SentHook {
  url: string;
  headers: Record<string, string>;
  body: string;
  status: number;
  answer: string;
}

/** POSTs a hook's body with its headers and reports the answer. */
export async function deliver(url: string, headers: Record<string, string>, body: string): Promise<SentHook> {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { url, headers, body, status: response.status, answer: await response.text() };
}
