/**
 * @module code-hosts/host
 * What Cascade reads from a connected code host and registers on it, whatever its kind: the
 * contract between the host clients (gitlab.ts, gitea.ts), the import and reconcile that keep
 * Cascade's tree in step (sync.ts), and the receiver of the host's hooks (receiver.ts).
 * Everything is keyed by the host's own ids, never by paths: a rename or a transfer on the host
 * keeps its settings in Cascade.
 */
import type { CodeHost } from '../db/schema.js';
import type { OutboundPolicy } from '../outbound/request.js';

export const HOST_KINDS = ['gitlab', 'gitea', 'forgejo'] as const;
export type HostKind = (typeof HOST_KINDS)[number];

export const HOST_KIND_LABELS: Record<HostKind, string> = { gitlab: 'GitLab', gitea: 'Gitea', forgejo: 'Forgejo' };

/** A GitLab group or subgroup, or a Gitea/Forgejo organisation (always top-level). */
export interface HostGroup {
  hostId: number;
  /** The parent group's host id; null for a top-level group. */
  parentHostId: number | null;
  name: string;
  path: string;
  /** "platform/backend", as the host shows it. */
  fullPath: string;
  description: string;
}

/** A GitLab project or a Gitea/Forgejo repository. */
export interface HostProject {
  hostId: number;
  /**
   * The host id of the group it is in; null for a project in a user's own namespace, which
   * Cascade does not import (it has no group to inherit from).
   */
  groupHostId: number | null;
  name: string;
  path: string;
  fullPath: string;
  description: string;
  /** Null for an empty repository. */
  defaultBranch: string | null;
}

export interface HostUser {
  hostId: number;
  username: string;
  name: string;
  /** Null when the host does not show it to the token (GitLab shows e-mails to administrators only). */
  email: string | null;
  isAdmin: boolean;
  blocked: boolean;
}

/**
 * A user's role on a group or project, in GitLab's access levels: 10 Guest, 15 Planner,
 * 20 Reporter, 30 Developer, 40 Maintainer, 50 Owner. Gitea's and Forgejo's permissions are
 * mapped by the client: read 20, write 30, admin 40, the owners team 50. Minimal access (5)
 * gives no role and is not listed.
 */
export interface HostMembership {
  user: HostUser;
  accessLevel: number;
}

/**
 * One page of a listing and where the next one starts. `next` is opaque to everyone but the
 * client that made it (a page number, or GitLab's keyset link); null after the last page.
 */
export interface HostPage<T> {
  items: T[];
  next: string | null;
  /** The number of items in the whole listing, when the host says it (X-Total, X-Total-Count). */
  total: number | null;
}

/** What connecting found out about the host and the token. */
export interface HostCheck {
  /** "17.5.1-ee", "1.22.3", "9.0.0+gitea-1.22.0". */
  version: string;
  /** The user the token belongs to. */
  username: string;
  /**
   * What the token lacks, named as the host names it ("administrator rights", "the api scope",
   * "the read:admin scope"); empty when it has everything Cascade needs.
   */
  missing: string[];
}

/** A hook Cascade registered on the host. */
export interface RegisteredHook {
  hostId: number;
}

/**
 * Why a request to the host did not give what was asked, in words for the administrator
 * (never a token). `status` is the host's HTTP status when it answered.
 */
export class HostRequestFailed extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HostRequestFailed';
  }
}

/**
 * A code host's API, as Cascade uses it. Each method pages with the host's own pagination
 * (GitLab's keyset where offered), waits out a 429 as its Retry-After says (a bounded number of
 * times), and throws {@link HostRequestFailed} for anything else that is not an answer.
 */
export interface HostClient {
  readonly kind: HostKind;
  /** Checks the token, its rights and the host's version. */
  check(): Promise<HostCheck>;
  /** Every group, parents before their children. */
  groups(cursor: string | null): Promise<HostPage<HostGroup>>;
  /** Every project in a group (projects in users' own namespaces are left out). */
  projects(cursor: string | null): Promise<HostPage<HostProject>>;
  /** The members the group itself has (not those it inherits). */
  groupMembers(groupHostId: number, cursor: string | null): Promise<HostPage<HostMembership>>;
  /** The members the project itself has (not those of its groups). */
  projectMembers(projectHostId: number, cursor: string | null): Promise<HostPage<HostMembership>>;
  /**
   * The branches a project protects: names, or patterns in the host's syntax (GitLab's
   * wildcards, `release/*`; Gitea's globs). `fullPath` names it where the host takes no id.
   */
  protectedBranches(project: { hostId: number; fullPath: string }): Promise<string[]>;
  /** One group, project or user as it is now; null when the host has none with that id. */
  group(hostId: number): Promise<HostGroup | null>;
  project(hostId: number): Promise<HostProject | null>;
  user(hostId: number): Promise<HostUser | null>;
  /** The system hook that tells Cascade of changes to the tree and (Gitea, Forgejo) of every repository event. */
  registerSystemHook(url: string, secret: string): Promise<RegisteredHook>;
  removeSystemHook(hostId: number): Promise<void>;
  /**
   * GitLab only (system hooks carry push, tag push and merge requests, nothing else): a hook on
   * one project for all its content events. Null on hosts whose system hook carries everything.
   */
  readonly projectHooks: {
    register(projectHostId: number, url: string, secret: string): Promise<RegisteredHook>;
    remove(projectHostId: number, hookId: number): Promise<void>;
    /** Whether the project still has the hook (a project's maintainer may have deleted it). */
    exists(projectHostId: number, hookId: number): Promise<boolean>;
  } | null;
}

/** What a single-object sync could not take over (a path collision, a taken username), in words for the administrator. */
export class HostSyncProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostSyncProblem';
  }
}

/**
 * Brings one object of Cascade's tree in step with the host, fetching it as it is now: what the
 * receiver does with a hook about the tree, and what the reconcile does for every object. A
 * project or group the host no longer has is removed with its settings; one Cascade did not
 * know is imported.
 */
export interface HostSync {
  group(hostId: number): Promise<void>;
  project(hostId: number): Promise<void>;
  groupMembers(groupHostId: number): Promise<void>;
  projectMembers(projectHostId: number): Promise<void>;
  /** The whole tree (the periodic reconcile). */
  reconcile(): Promise<void>;
}

/** Where a client talks to, and with which token (opened from the connection's sealed one). */
export interface HostTarget {
  kind: HostKind;
  /** The host's base URL, e.g. "https://gitlab.example.com" (no trailing slash). */
  url: string;
  token: string;
}

/** How long a client's calls may wait on the host (host-http.ts); a caller may set its own. */
export interface HostPatience {
  /** The longest wait for one Retry-After. Default 60 seconds. */
  maxRetryWaitMs?: number;
  /** Requests made for one call, retries included. Default 5. */
  maxTries?: number;
  /** One request's time limit. Default 30 seconds. */
  timeoutMs?: number;
  /**
   * A Retry-After that asks for longer than `maxRetryWaitMs` fails the call at once, instead of
   * being waited out for that long (for calls a person waits on).
   */
  failBeyondMaxRetryWait?: boolean;
}

/**
 * Makes the client of a host; every request goes through the outbound protection with the
 * Network settings given (src/outbound/request.ts), and waits on the host as `patience` says
 * (by default as long as an import may). Tests give the app a factory of their own.
 */
export type HostClientFactory = (target: HostTarget, policy: OutboundPolicy, patience?: HostPatience) => HostClient;

/** Runs a connection's import (or, once imported, its reconcile) without holding up the request. */
export interface HostImports {
  start(connection: CodeHost): void;
}
