/**
 * An in-memory code host behind the {@link HostClient} contract, for tests of what Cascade does
 * with a host's tree (import, reconcile, the connection's pages) without HTTP. The protocol
 * itself is tested against the test GitLab and Gitea servers of test/support/.
 */
import type { Db } from '../../src/db/client.js';
import { codeHosts, type CodeHost } from '../../src/db/schema.js';
import { HostSecrets } from '../../src/code-hosts/secrets.js';
import {
  HostRequestFailed,
  type HostCheck,
  type HostClient,
  type HostGroup,
  type HostKind,
  type HostMembership,
  type HostPage,
  type HostProject,
  type HostUser,
} from '../../src/code-hosts/host.js';

export interface FakeTree {
  groups: HostGroup[];
  projects: HostProject[];
  users: HostUser[];
  /** Memberships by "group:<hostId>" or "project:<hostId>". */
  members: Map<string, { userHostId: number; accessLevel: number }[]>;
  /** The protected branch rules of projects, by the project's host id; none when left out. */
  protectedBranches?: Map<number, string[]>;
}

export interface FakeHostOptions {
  kind?: HostKind;
  check?: Partial<HostCheck>;
  /** Items per page of every listing. */
  pageSize?: number;
  /** Called before each request with its name; throw from it to make that request fail. */
  beforeRequest?: (request: string) => void;
}

/**
 * @example
 * const host = new FakeHostClient(emptyTree())
 * host.tree.groups.push({ hostId: 1, parentHostId: null, name: 'Platform', path: 'platform', fullPath: 'platform', description: '' })
 */
export class FakeHostClient implements HostClient {
  readonly kind: HostKind;
  readonly hooks = new Map<number, { url: string; secret: string; projectHostId: number | null }>();
  /** Every request, in order: "groups", "projects", "groupMembers:3", "project:12", ... */
  readonly requests: string[] = [];
  private nextHookId = 1;

  constructor(
    readonly tree: FakeTree,
    private readonly options: FakeHostOptions = {},
  ) {
    this.kind = options.kind ?? 'gitlab';
  }

  private request(name: string): void {
    this.requests.push(name);
    this.options.beforeRequest?.(name);
  }

  private page<T>(all: readonly T[], cursor: string | null): HostPage<T> {
    const size = this.options.pageSize ?? 20;
    const start = cursor === null ? 0 : Number(cursor);
    if (!Number.isInteger(start) || start < 0) throw new HostRequestFailed('The host refused the page cursor', 400);
    const end = start + size;
    return { items: all.slice(start, end), next: end < all.length ? String(end) : null, total: all.length };
  }

  private memberships(key: string): HostMembership[] {
    return (this.tree.members.get(key) ?? []).map(({ userHostId, accessLevel }) => ({
      user: this.tree.users.find((user) => user.hostId === userHostId)!,
      accessLevel,
    }));
  }

  async check(): Promise<HostCheck> {
    this.request('check');
    return { version: '17.5.1', username: 'root', missing: [], ...this.options.check };
  }

  async groups(cursor: string | null) {
    this.request('groups');
    const depth = (group: HostGroup) => group.fullPath.split('/').length;
    return this.page(
      [...this.tree.groups].sort((a, b) => depth(a) - depth(b) || a.hostId - b.hostId),
      cursor,
    );
  }

  async projects(cursor: string | null) {
    this.request('projects');
    return this.page(
      this.tree.projects.filter((project) => project.groupHostId !== null).sort((a, b) => a.hostId - b.hostId),
      cursor,
    );
  }

  async groupMembers(groupHostId: number, cursor: string | null) {
    this.request(`groupMembers:${groupHostId}`);
    return this.page(this.memberships(`group:${groupHostId}`), cursor);
  }

  async projectMembers(projectHostId: number, cursor: string | null) {
    this.request(`projectMembers:${projectHostId}`);
    return this.page(this.memberships(`project:${projectHostId}`), cursor);
  }

  async protectedBranches(project: { hostId: number }) {
    this.request(`protectedBranches:${project.hostId}`);
    return this.tree.protectedBranches?.get(project.hostId) ?? [];
  }

  async group(hostId: number) {
    this.request(`group:${hostId}`);
    return this.tree.groups.find((group) => group.hostId === hostId) ?? null;
  }

  async project(hostId: number) {
    this.request(`project:${hostId}`);
    return this.tree.projects.find((project) => project.hostId === hostId) ?? null;
  }

  async user(hostId: number) {
    this.request(`user:${hostId}`);
    return this.tree.users.find((user) => user.hostId === hostId) ?? null;
  }

  async registerSystemHook(url: string, secret: string) {
    this.request('registerSystemHook');
    const hostId = this.nextHookId++;
    this.hooks.set(hostId, { url, secret, projectHostId: null });
    return { hostId };
  }

  async removeSystemHook(hostId: number) {
    this.request(`removeSystemHook:${hostId}`);
    this.hooks.delete(hostId);
  }

  get projectHooks() {
    if (this.kind !== 'gitlab') return null;
    return {
      register: async (projectHostId: number, url: string, secret: string) => {
        this.request(`registerProjectHook:${projectHostId}`);
        const hostId = this.nextHookId++;
        this.hooks.set(hostId, { url, secret, projectHostId });
        return { hostId };
      },
      remove: async (projectHostId: number, hookId: number) => {
        this.request(`removeProjectHook:${projectHostId}`);
        this.hooks.delete(hookId);
      },
      exists: async (projectHostId: number, hookId: number) => {
        this.request(`projectHook:${projectHostId}`);
        return this.hooks.get(hookId)?.projectHostId === projectHostId;
      },
    };
  }
}

export const emptyTree = (): FakeTree => ({ groups: [], projects: [], users: [], members: new Map() });

/**
 * A small nested tree: platform > backend > api (project), platform > web (project), and ops
 * (top-level, project infra); alice owns platform, bob maintains api, carol reports on infra.
 */
export function sampleTree(): FakeTree {
  const group = (hostId: number, parentHostId: number | null, path: string, fullPath: string): HostGroup => ({
    hostId,
    parentHostId,
    name: path[0]!.toUpperCase() + path.slice(1),
    path,
    fullPath,
    description: '',
  });
  const project = (hostId: number, groupHostId: number, path: string, fullPath: string): HostProject => ({
    hostId,
    groupHostId,
    name: path,
    path,
    fullPath,
    description: '',
    defaultBranch: 'main',
  });
  const user = (hostId: number, username: string): HostUser => ({
    hostId,
    username,
    name: username[0]!.toUpperCase() + username.slice(1),
    email: `${username}@example.com`,
    isAdmin: false,
    blocked: false,
  });
  return {
    groups: [
      group(10, null, 'platform', 'platform'),
      group(11, 10, 'backend', 'platform/backend'),
      group(20, null, 'ops', 'ops'),
    ],
    projects: [
      project(100, 11, 'api', 'platform/backend/api'),
      project(101, 10, 'web', 'platform/web'),
      project(200, 20, 'infra', 'ops/infra'),
    ],
    users: [user(1, 'alice'), user(2, 'bob'), user(3, 'carol')],
    members: new Map([
      ['group:10', [{ userHostId: 1, accessLevel: 50 }]],
      ['project:100', [{ userHostId: 2, accessLevel: 40 }]],
      ['project:200', [{ userHostId: 3, accessLevel: 20 }]],
    ]),
  };
}

/** The secret key base of the test app (test/support/app.ts), which opens the connections' secrets. */
export const TEST_SECRET_KEY_BASE = 'test-secret-key-base-that-is-long-enough-0123456789';

/**
 * A connection row as connecting writes it, its token and hook secret sealed with
 * {@link TEST_SECRET_KEY_BASE}: "gitlab.example.com" unless `extra` says otherwise.
 *
 * @example
 * const connection = await insertConnection(db, { pausedAt: new Date() })
 */
export async function insertConnection(db: Db, extra: Partial<typeof codeHosts.$inferInsert> = {}): Promise<CodeHost> {
  const url = extra.url ?? 'https://gitlab.example.com';
  const secrets = new HostSecrets(TEST_SECRET_KEY_BASE);
  return db.transaction(
    async (tx) =>
      (
        await tx
          .insert(codeHosts)
          .values({
            kind: 'gitlab',
            name: new URL(url).hostname,
            url,
            token: secrets.seal(url, 'token', 'glpat-test'),
            hookSecret: secrets.seal(url, 'hookSecret', 'hook-secret'),
            ...extra,
          })
          .returning()
      )[0]!,
  );
}
