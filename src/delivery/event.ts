/**
 * @module delivery/event
 * A stored content event (push, issue, merge request, ...) as one model for every host: what
 * GitLab's chat messages (app/models/integrations/chat_message/*.rb) and the other integrations
 * read from a hook, named as GitLab names it. GitLab payloads are read as
 * doc/user/project/integrations/webhook_events.md documents them; Gitea's and Forgejo's
 * (modules/structs/hook.go) are mapped onto GitLab's words: `opened` -> `open`, a closed and
 * merged pull request -> `merge`, label names -> titles, `html_url` for links.
 * Pure: no database, no HTTP.
 */
import { CONTENT_EVENT_KINDS, normaliseEvent, type ContentEventKind } from '../code-hosts/events.js';
import type { HostKind } from '../code-hosts/host.js';

export interface DeliveryProject {
  /** The host's id of the project (GitLab's project id, Gitea's repository id). */
  hostId: number;
  name: string;
  /**
   * GitLab's `full_name` ("Mike / Diaspora"), which chat messages name the project by: the
   * namespace's name the hook carries (only the nearest one of a subgroup) or Gitea's owner.
   */
  fullName: string;
  pathWithNamespace: string;
  webUrl: string;
  avatarUrl: string | null;
  /** The default branch as the hook tells it: GitLab closes issues by pushes and merges to it only. */
  defaultBranch: string | null;
}

/** Who caused the event; a job hook carries no username, an API pipeline no user at all. */
export interface DeliveryUser {
  name: string | null;
  username: string | null;
  avatarUrl: string | null;
  /** What the hook says of their address (GitLab may send "[REDACTED]"); null when it says nothing. */
  email: string | null;
}

export interface DeliveryCommit {
  id: string;
  message: string;
  /** The first line of the message. */
  title: string;
  url: string | null;
  authorName: string | null;
  /** The paths the commit added, modified and removed, as a push hook lists them; empty elsewhere. */
  added: string[];
  modified: string[];
  removed: string[];
}

export interface PushDetails {
  /** The full ref: `refs/heads/master`, `refs/tags/v1.0.0`. */
  ref: string;
  /** The branch or tag name: `master`, `v1.0.0`. */
  refName: string;
  refType: 'branch' | 'tag';
  before: string;
  after: string;
  /** The ref did not exist before (GitLab's `new_branch?`: `before` is all zeros). */
  created: boolean;
  /** The ref was deleted (`after` is all zeros). */
  removed: boolean;
  /** At most the newest 20 on GitLab; `totalCommits` counts them all. */
  commits: DeliveryCommit[];
  totalCommits: number;
  compareUrl: string | null;
}

/** GitLab's `object_attributes.action` of an issue. */
export type IssueAction = 'open' | 'close' | 'reopen' | 'update';

export interface IssueDetails {
  iid: number;
  title: string;
  url: string | null;
  action: IssueAction;
  /** `opened` or `closed`. */
  state: string;
  description: string;
  labels: string[];
  confidential: boolean;
  /** GitLab's work item type (`Issue`, `Incident`); null when the host has none. */
  type: string | null;
}

/** GitLab's `object_attributes.action` of a merge request. */
export type MergeRequestAction =
  'open' | 'close' | 'reopen' | 'update' | 'approved' | 'unapproved' | 'approval' | 'unapproval' | 'merge';

export interface MergeRequestDetails {
  iid: number;
  title: string;
  url: string | null;
  action: MergeRequestAction;
  /** `opened`, `closed`, `merged` or `locked`. */
  state: string;
  description: string;
  labels: string[];
  sourceBranch: string | null;
  targetBranch: string | null;
  /** The source branch's last commit (GitLab's `diff_head_sha`); null when the payload has none. */
  headSha: string | null;
}

/** What a comment is on, with what GitLab's note message shows of it. */
export type Noteable =
  | { type: 'Issue'; iid: number; title: string; url: string | null; labels: string[] }
  | { type: 'MergeRequest'; iid: number; title: string; url: string | null; labels: string[] }
  | { type: 'Commit'; id: string; message: string; url: string | null }
  | { type: 'Snippet'; id: number; title: string; url: string | null };

export interface NoteDetails {
  text: string;
  url: string | null;
  /** GitLab sends `create` and `update`; Gitea also tells of a deleted comment. */
  action: 'create' | 'update' | 'delete';
  on: Noteable;
}

export interface DeliveryBuild {
  id: number;
  name: string;
  stage: string | null;
  status: string;
}

export interface PipelineDetails {
  id: number;
  /** GitLab's statuses: created, pending, running, success, failed, canceled, skipped, manual, ... */
  status: string;
  /** GitLab's `detailed_status` ("passed with warnings"); null when the payload has none. */
  detailedStatus: string | null;
  /** The branch or tag name. */
  ref: string;
  tag: boolean;
  source: string | null;
  name: string | null;
  durationSeconds: number | null;
  finishedAt: string | null;
  url: string | null;
  commit: DeliveryCommit | null;
  /** The merge request of a merge request pipeline. */
  mergeRequest: { iid: number; url: string | null; sourceBranch: string | null } | null;
  /** Every job of the pipeline, as the hook lists them (retries included). */
  builds: DeliveryBuild[];
}

export interface JobDetails {
  id: number;
  name: string;
  stage: string | null;
  status: string;
  ref: string;
  tag: boolean;
  sha: string | null;
  pipelineId: number | null;
  durationSeconds: number | null;
  failureReason: string | null;
  url: string | null;
}

export interface WikiPageDetails {
  title: string;
  url: string | null;
  action: 'create' | 'update' | 'delete';
  /** The commit message of the change. */
  message: string | null;
}

export interface DeploymentDetails {
  status: string;
  environment: string;
  environmentUrl: string | null;
  deployableId: number | null;
  deployableUrl: string | null;
  shortSha: string | null;
  commitUrl: string | null;
  commitTitle: string | null;
  userUrl: string | null;
  /** GitLab's documented payload carries none; then no branch rule applies. */
  ref: string | null;
}

export interface ReleaseDetails {
  name: string;
  tag: string;
  url: string | null;
  action: 'create' | 'update' | 'delete';
  description: string;
}

interface Common {
  host: HostKind;
  project: DeliveryProject;
  user: DeliveryUser;
  /** The payload as the host sent it: GitLab's hook data, which Datadog and Jenkins are sent as is. */
  hookData: Readonly<Payload>;
}

/** One content event of any host, in GitLab's words. */
export type DeliveryEvent =
  | (Common & { kind: 'push' | 'tag_push'; push: PushDetails })
  | (Common & { kind: 'issue' | 'confidential_issue'; issue: IssueDetails })
  | (Common & { kind: 'merge_request'; mergeRequest: MergeRequestDetails })
  | (Common & { kind: 'note' | 'confidential_note'; note: NoteDetails })
  | (Common & { kind: 'pipeline'; pipeline: PipelineDetails })
  | (Common & { kind: 'job'; job: JobDetails })
  | (Common & { kind: 'wiki_page'; wikiPage: WikiPageDetails })
  | (Common & { kind: 'deployment'; deployment: DeploymentDetails })
  | (Common & { kind: 'release'; release: ReleaseDetails });

type Payload = Record<string, unknown>;

/** A payload without a field the model needs: the event is kept as failed with this reason. */
class UnreadablePayload extends Error {}

const isObject = (value: unknown): value is Payload =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const objectAt = (body: Payload, key: string): Payload => (isObject(body[key]) ? body[key] : {});
const optionalObject = (body: Payload, key: string): Payload | null => (isObject(body[key]) ? body[key] : null);
const listAt = (body: Payload, key: string): Payload[] =>
  Array.isArray(body[key]) ? (body[key] as unknown[]).filter(isObject) : [];
const textOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const numberOrNull = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
const textList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
const changedPaths = (commit: Payload) => ({
  added: textList(commit.added),
  modified: textList(commit.modified),
  removed: textList(commit.removed),
});

function requiredText(body: Payload, key: string, where: string): string {
  const value = body[key];
  if (typeof value !== 'string') throw new UnreadablePayload(`The event has no ${where}${key}.`);
  return value;
}

function requiredNumber(body: Payload, key: string, where: string): number {
  const value = numberOrNull(body[key]);
  if (value === null) throw new UnreadablePayload(`The event has no ${where}${key}.`);
  return value;
}

const firstLine = (message: string) => message.split('\n', 1)[0] ?? '';
/** Git's null object id (SHA-1 or SHA-256): the ref did not exist on that side of the push. */
const isBlankSha = (sha: string) => /^0+$/.test(sha);
const refNameOf = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, '');
const labelTitles = (labels: Payload[], key: 'title' | 'name') =>
  labels.map((label) => label[key]).filter((title): title is string => typeof title === 'string');

function secondsBetween(start: unknown, end: unknown): number | null {
  const from = typeof start === 'string' ? Date.parse(start) : NaN;
  const to = typeof end === 'string' ? Date.parse(end) : NaN;
  return Number.isNaN(from) || Number.isNaN(to) ? null : Math.round((to - from) / 1000);
}

// GitLab (doc/user/project/integrations/webhook_events.md)

const fullNameOf = (namespace: string | null, name: string) => (namespace ? `${namespace} / ${name}` : name);

function gitlabProject(body: Payload): DeliveryProject {
  const project = objectAt(body, 'project');
  const name = requiredText(project, 'name', 'project.');
  return {
    hostId: requiredNumber(project, 'id', 'project.'),
    name,
    fullName: fullNameOf(textOrNull(project.namespace), name),
    pathWithNamespace: requiredText(project, 'path_with_namespace', 'project.'),
    webUrl: requiredText(project, 'web_url', 'project.'),
    avatarUrl: textOrNull(project.avatar_url),
    defaultBranch: textOrNull(project.default_branch),
  };
}

/** Push hooks name the user in `user_*` fields, every other hook in a `user` object. */
function gitlabUser(body: Payload): DeliveryUser {
  const user = optionalObject(body, 'user');
  if (user) {
    return {
      name: textOrNull(user.name),
      username: textOrNull(user.username),
      avatarUrl: textOrNull(user.avatar_url),
      email: textOrNull(user.email),
    };
  }
  return {
    name: textOrNull(body.user_name),
    username: textOrNull(body.user_username),
    avatarUrl: textOrNull(body.user_avatar),
    email: textOrNull(body.user_email),
  };
}

function gitlabCommit(commit: Payload): DeliveryCommit {
  const message = typeof commit.message === 'string' ? commit.message : '';
  return {
    id: requiredText(commit, 'id', 'commit.'),
    message,
    title: textOrNull(commit.title) ?? firstLine(message),
    url: textOrNull(commit.url),
    authorName: textOrNull(objectAt(commit, 'author').name),
    ...changedPaths(commit),
  };
}

/** What a push says on every host: the ref, what it pointed at before and after, and its commits. */
function pushOf(
  body: Payload,
  commits: DeliveryCommit[],
  totalCommits: unknown,
  compareUrl: (before: string, after: string) => string | null,
): PushDetails {
  const ref = requiredText(body, 'ref', '');
  const before = requiredText(body, 'before', '');
  const after = requiredText(body, 'after', '');
  return {
    ref,
    refName: refNameOf(ref),
    refType: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    before,
    after,
    created: isBlankSha(before),
    removed: isBlankSha(after),
    commits,
    totalCommits: numberOrNull(totalCommits) ?? commits.length,
    compareUrl: compareUrl(before, after),
  };
}

function gitlabPush(body: Payload, project: DeliveryProject): PushDetails {
  return pushOf(
    body,
    listAt(body, 'commits').map(gitlabCommit),
    body.total_commits_count,
    (before, after) => `${project.webUrl}/-/compare/${before}...${after}`,
  );
}

/** The top-level `labels` first, as GitLab's `notify_label?` reads them. */
function gitlabLabels(body: Payload, attributes: Payload): string[] {
  return labelTitles(Array.isArray(body.labels) ? listAt(body, 'labels') : listAt(attributes, 'labels'), 'title');
}

const ISSUE_ACTIONS = new Set<string>(['open', 'close', 'reopen', 'update']);
const MERGE_REQUEST_ACTIONS = new Set<string>([
  'open',
  'close',
  'reopen',
  'update',
  'approved',
  'unapproved',
  'approval',
  'unapproval',
  'merge',
]);

function oneOf<T extends string>(allowed: Set<string>, value: unknown, what: string): T {
  if (typeof value !== 'string' || !allowed.has(value)) {
    throw new UnreadablePayload(`Unknown ${what} action: ${String(value)}.`);
  }
  return value as T;
}

function gitlabIssue(body: Payload, confidential: boolean): IssueDetails {
  const attributes = objectAt(body, 'object_attributes');
  return {
    iid: requiredNumber(attributes, 'iid', 'object_attributes.'),
    title: requiredText(attributes, 'title', 'object_attributes.'),
    url: textOrNull(attributes.url),
    action: oneOf<IssueAction>(ISSUE_ACTIONS, attributes.action, 'issue'),
    state: requiredText(attributes, 'state', 'object_attributes.'),
    description: typeof attributes.description === 'string' ? attributes.description : '',
    labels: gitlabLabels(body, attributes),
    confidential: confidential || attributes.confidential === true,
    type: textOrNull(attributes.type),
  };
}

function gitlabMergeRequest(body: Payload): MergeRequestDetails {
  const attributes = objectAt(body, 'object_attributes');
  return {
    iid: requiredNumber(attributes, 'iid', 'object_attributes.'),
    title: requiredText(attributes, 'title', 'object_attributes.'),
    url: textOrNull(attributes.url),
    action: oneOf<MergeRequestAction>(MERGE_REQUEST_ACTIONS, attributes.action, 'merge request'),
    state: requiredText(attributes, 'state', 'object_attributes.'),
    description: typeof attributes.description === 'string' ? attributes.description : '',
    labels: gitlabLabels(body, attributes),
    sourceBranch: textOrNull(attributes.source_branch),
    targetBranch: textOrNull(attributes.target_branch),
    headSha: textOrNull(objectAt(attributes, 'last_commit').id),
  };
}

function gitlabNoteable(body: Payload, type: unknown): Noteable {
  switch (type) {
    case 'Issue':
    case 'MergeRequest': {
      const target = objectAt(body, type === 'Issue' ? 'issue' : 'merge_request');
      const where = type === 'Issue' ? 'issue.' : 'merge_request.';
      return {
        type,
        iid: requiredNumber(target, 'iid', where),
        title: requiredText(target, 'title', where),
        url: textOrNull(target.url),
        labels: labelTitles(listAt(target, 'labels'), 'title'),
      };
    }
    case 'Commit': {
      const commit = gitlabCommit(objectAt(body, 'commit'));
      return { type, id: commit.id, message: commit.message, url: commit.url };
    }
    case 'Snippet': {
      const snippet = objectAt(body, 'snippet');
      return {
        type,
        id: requiredNumber(snippet, 'id', 'snippet.'),
        title: requiredText(snippet, 'title', 'snippet.'),
        url: textOrNull(snippet.url),
      };
    }
    default:
      throw new UnreadablePayload(`Unknown noteable_type: ${String(type)}.`);
  }
}

function gitlabNote(body: Payload): NoteDetails {
  const attributes = objectAt(body, 'object_attributes');
  return {
    text: requiredText(attributes, 'note', 'object_attributes.'),
    url: textOrNull(attributes.url),
    // Before GitLab 16.11 notes had no action: every one was a new comment.
    action: attributes.action === 'update' ? 'update' : 'create',
    on: gitlabNoteable(body, attributes.noteable_type),
  };
}

function gitlabBuild(build: Payload): DeliveryBuild {
  return {
    id: requiredNumber(build, 'id', 'builds[].'),
    name: requiredText(build, 'name', 'builds[].'),
    stage: textOrNull(build.stage),
    status: requiredText(build, 'status', 'builds[].'),
  };
}

function gitlabPipeline(body: Payload): PipelineDetails {
  const attributes = objectAt(body, 'object_attributes');
  const commit = optionalObject(body, 'commit');
  const mergeRequest = optionalObject(body, 'merge_request');
  return {
    id: requiredNumber(attributes, 'id', 'object_attributes.'),
    status: requiredText(attributes, 'status', 'object_attributes.'),
    detailedStatus: textOrNull(attributes.detailed_status),
    ref: requiredText(attributes, 'ref', 'object_attributes.'),
    tag: attributes.tag === true,
    source: textOrNull(attributes.source),
    name: textOrNull(attributes.name),
    durationSeconds: numberOrNull(attributes.duration),
    finishedAt: textOrNull(attributes.finished_at),
    url: textOrNull(attributes.url),
    commit: commit ? gitlabCommit(commit) : null,
    mergeRequest: mergeRequest
      ? {
          iid: requiredNumber(mergeRequest, 'iid', 'merge_request.'),
          url: textOrNull(mergeRequest.url),
          sourceBranch: textOrNull(mergeRequest.source_branch),
        }
      : null,
    builds: listAt(body, 'builds').map(gitlabBuild),
  };
}

function gitlabJob(body: Payload, project: DeliveryProject): JobDetails {
  const id = requiredNumber(body, 'build_id', '');
  return {
    id,
    name: requiredText(body, 'build_name', ''),
    stage: textOrNull(body.build_stage),
    status: requiredText(body, 'build_status', ''),
    ref: requiredText(body, 'ref', ''),
    tag: body.tag === true,
    sha: textOrNull(body.sha),
    pipelineId: numberOrNull(body.pipeline_id),
    durationSeconds: numberOrNull(body.build_duration),
    failureReason: textOrNull(body.build_failure_reason),
    url: `${project.webUrl}/-/jobs/${id}`,
  };
}

const WIKI_ACTIONS = new Set<string>(['create', 'update', 'delete']);

function gitlabWikiPage(body: Payload): WikiPageDetails {
  const attributes = objectAt(body, 'object_attributes');
  return {
    title: requiredText(attributes, 'title', 'object_attributes.'),
    url: textOrNull(attributes.url),
    action: oneOf<WikiPageDetails['action']>(WIKI_ACTIONS, attributes.action, 'wiki page'),
    message: textOrNull(attributes.message),
  };
}

function gitlabDeployment(body: Payload): DeploymentDetails {
  return {
    status: requiredText(body, 'status', ''),
    environment: requiredText(body, 'environment', ''),
    environmentUrl: textOrNull(body.environment_external_url),
    deployableId: numberOrNull(body.deployable_id),
    deployableUrl: textOrNull(body.deployable_url),
    shortSha: textOrNull(body.short_sha),
    commitUrl: textOrNull(body.commit_url),
    commitTitle: textOrNull(body.commit_title),
    userUrl: textOrNull(body.user_url),
    ref: textOrNull(body.ref),
  };
}

function gitlabRelease(body: Payload): ReleaseDetails {
  return {
    name: requiredText(body, 'name', ''),
    tag: requiredText(body, 'tag', ''),
    url: textOrNull(body.url),
    action: oneOf<ReleaseDetails['action']>(WIKI_ACTIONS, body.action, 'release'),
    description: typeof body.description === 'string' ? body.description : '',
  };
}

function gitlabDeliveryEvent(kind: ContentEventKind, body: Payload): DeliveryEvent {
  const project = gitlabProject(body);
  const common = { host: 'gitlab' as const, project, user: gitlabUser(body), hookData: body };
  switch (kind) {
    case 'push':
    case 'tag_push':
      return { ...common, kind, push: gitlabPush(body, project) };
    case 'issue':
    case 'confidential_issue':
      return { ...common, kind, issue: gitlabIssue(body, kind === 'confidential_issue') };
    case 'merge_request':
      return { ...common, kind, mergeRequest: gitlabMergeRequest(body) };
    case 'note':
    case 'confidential_note':
      return { ...common, kind, note: gitlabNote(body) };
    case 'pipeline':
      return { ...common, kind, pipeline: gitlabPipeline(body) };
    case 'job':
      return { ...common, kind, job: gitlabJob(body, project) };
    case 'wiki_page':
      return { ...common, kind, wikiPage: gitlabWikiPage(body) };
    case 'deployment':
      return { ...common, kind, deployment: gitlabDeployment(body) };
    case 'release':
      return { ...common, kind, release: gitlabRelease(body) };
  }
}

// Gitea and Forgejo (modules/structs/hook.go, issue.go, pull.go, release.go, repo_actions.go)

function giteaProject(body: Payload): DeliveryProject {
  const repository = objectAt(body, 'repository');
  const owner = objectAt(repository, 'owner');
  const name = requiredText(repository, 'name', 'repository.');
  return {
    hostId: requiredNumber(repository, 'id', 'repository.'),
    name,
    fullName: fullNameOf(textOrNull(owner.full_name) ?? textOrNull(owner.login) ?? textOrNull(owner.username), name),
    pathWithNamespace: requiredText(repository, 'full_name', 'repository.'),
    webUrl: requiredText(repository, 'html_url', 'repository.'),
    avatarUrl: textOrNull(repository.avatar_url),
    defaultBranch: textOrNull(repository.default_branch),
  };
}

/** A push names its pusher; every other hook only its sender. */
function giteaUser(body: Payload): DeliveryUser {
  const user = optionalObject(body, 'pusher') ?? objectAt(body, 'sender');
  return {
    name: textOrNull(user.full_name),
    username: textOrNull(user.username) ?? textOrNull(user.login),
    avatarUrl: textOrNull(user.avatar_url),
    email: textOrNull(user.email),
  };
}

function giteaCommit(commit: Payload): DeliveryCommit {
  const message = typeof commit.message === 'string' ? commit.message : '';
  return {
    id: requiredText(commit, 'id', 'commits[].'),
    message,
    title: firstLine(message),
    url: textOrNull(commit.url),
    authorName: textOrNull(objectAt(commit, 'author').name),
    ...changedPaths(commit),
  };
}

function giteaPush(body: Payload): PushDetails {
  return pushOf(body, listAt(body, 'commits').map(giteaCommit), body.total_commits, () => textOrNull(body.compare_url));
}

/** Gitea's issue and pull request actions in GitLab's words; assignments, labels, edits are updates. */
function giteaAction(action: unknown, merged: boolean): MergeRequestAction {
  switch (action) {
    case 'opened':
      return 'open';
    case 'closed':
      return merged ? 'merge' : 'close';
    case 'reopened':
      return 'reopen';
    case undefined:
    case null:
      throw new UnreadablePayload('The event has no action.');
    default:
      return 'update';
  }
}

/** Gitea's `open` is GitLab's `opened`; a merged pull request is `merged`. */
const giteaState = (state: unknown, merged: boolean): string =>
  merged ? 'merged' : state === 'closed' ? 'closed' : 'opened';

function giteaIssue(body: Payload): IssueDetails {
  const issue = objectAt(body, 'issue');
  // Not merged, the action is one an issue has.
  const action = giteaAction(body.action, false) as IssueAction;
  return {
    iid: requiredNumber(issue, 'number', 'issue.'),
    title: requiredText(issue, 'title', 'issue.'),
    url: textOrNull(issue.html_url),
    action,
    state: giteaState(issue.state, false),
    description: typeof issue.body === 'string' ? issue.body : '',
    labels: labelTitles(listAt(issue, 'labels'), 'name'),
    confidential: false,
    type: null,
  };
}

/** X-Gitea-Event `pull_request_approved` is a reviewer's approval; a rejection has no GitLab action. */
function giteaMergeRequestAction(hostEvent: string, body: Payload, merged: boolean): MergeRequestAction {
  if (hostEvent === 'pull_request_approved') return 'approval';
  if (hostEvent === 'pull_request_rejected') return 'update';
  return giteaAction(body.action, merged);
}

function giteaMergeRequest(hostEvent: string, body: Payload): MergeRequestDetails {
  const pull = objectAt(body, 'pull_request');
  const merged = pull.merged === true;
  return {
    iid: requiredNumber(pull, 'number', 'pull_request.'),
    title: requiredText(pull, 'title', 'pull_request.'),
    url: textOrNull(pull.html_url),
    action: giteaMergeRequestAction(hostEvent, body, merged),
    state: giteaState(pull.state, merged),
    description: typeof pull.body === 'string' ? pull.body : '',
    labels: labelTitles(listAt(pull, 'labels'), 'name'),
    sourceBranch: textOrNull(objectAt(pull, 'head').ref),
    targetBranch: textOrNull(objectAt(pull, 'base').ref),
    headSha: textOrNull(objectAt(pull, 'head').sha),
  };
}

const GITEA_COMMENT_ACTIONS: Record<string, NoteDetails['action']> = {
  created: 'create',
  edited: 'update',
  deleted: 'delete',
};

function giteaNote(body: Payload): NoteDetails {
  const comment = objectAt(body, 'comment');
  const issue = objectAt(body, 'issue');
  const action = GITEA_COMMENT_ACTIONS[String(body.action)];
  if (!action) throw new UnreadablePayload(`Unknown comment action: ${String(body.action)}.`);
  return {
    text: requiredText(comment, 'body', 'comment.'),
    url: textOrNull(comment.html_url),
    action,
    on: {
      type: body.is_pull === true ? 'MergeRequest' : 'Issue',
      iid: requiredNumber(issue, 'number', 'issue.'),
      title: requiredText(issue, 'title', 'issue.'),
      url: textOrNull(issue.html_url),
      labels: labelTitles(listAt(issue, 'labels'), 'name'),
    },
  };
}

const GITEA_PAGE_ACTIONS: Record<string, WikiPageDetails['action']> = {
  created: 'create',
  edited: 'update',
  deleted: 'delete',
};

function giteaWikiPage(body: Payload, project: DeliveryProject): WikiPageDetails {
  const page = requiredText(body, 'page', '');
  const action = GITEA_PAGE_ACTIONS[String(body.action)];
  if (!action) throw new UnreadablePayload(`Unknown wiki action: ${String(body.action)}.`);
  return {
    title: page,
    // Where Gitea's own chat webhooks link a page (services/webhook/general.go).
    url: `${project.webUrl}/wiki/${encodeURIComponent(page)}`,
    action,
    message: textOrNull(body.comment),
  };
}

const GITEA_RELEASE_ACTIONS: Record<string, ReleaseDetails['action']> = {
  published: 'create',
  updated: 'update',
  deleted: 'delete',
};

function giteaRelease(body: Payload): ReleaseDetails {
  const release = objectAt(body, 'release');
  const action = GITEA_RELEASE_ACTIONS[String(body.action)];
  if (!action) throw new UnreadablePayload(`Unknown release action: ${String(body.action)}.`);
  const tag = requiredText(release, 'tag_name', 'release.');
  return {
    name: textOrNull(release.name) ?? tag,
    tag,
    url: textOrNull(release.html_url),
    action,
    description: typeof release.body === 'string' ? release.body : '',
  };
}

/** A finished run's conclusion, in GitLab's pipeline statuses. */
const GITEA_CONCLUSIONS: Record<string, string> = {
  success: 'success',
  failure: 'failed',
  cancelled: 'canceled',
  skipped: 'skipped',
};

/** Gitea Actions' status (and conclusion once completed) as GitLab's pipeline or job status. */
function giteaStatus(run: Payload): string {
  switch (run.status) {
    case 'completed': {
      const status = GITEA_CONCLUSIONS[String(run.conclusion)];
      if (!status) throw new UnreadablePayload(`Unknown conclusion: ${String(run.conclusion)}.`);
      return status;
    }
    case 'in_progress':
      return 'running';
    case 'queued':
    case 'waiting':
      return 'pending';
    default:
      throw new UnreadablePayload(`Unknown run status: ${String(run.status)}.`);
  }
}

function giteaPipeline(body: Payload): PipelineDetails {
  const run = objectAt(body, 'workflow_run');
  const sha = textOrNull(run.head_sha);
  return {
    id: requiredNumber(run, 'id', 'workflow_run.'),
    status: giteaStatus(run),
    detailedStatus: null,
    ref: requiredText(run, 'head_branch', 'workflow_run.'),
    // Gitea's run names the branch or tag alike; it cannot be told a tag from the hook.
    tag: false,
    source: textOrNull(run.event),
    name: textOrNull(run.display_title),
    durationSeconds: secondsBetween(run.started_at, run.completed_at),
    finishedAt: textOrNull(run.completed_at),
    url: textOrNull(run.html_url),
    commit: sha
      ? { id: sha, message: '', title: '', url: null, authorName: null, added: [], modified: [], removed: [] }
      : null,
    mergeRequest: null,
    builds: [],
  };
}

function giteaJob(body: Payload): JobDetails {
  const job = objectAt(body, 'workflow_job');
  return {
    id: requiredNumber(job, 'id', 'workflow_job.'),
    name: requiredText(job, 'name', 'workflow_job.'),
    stage: null,
    status: giteaStatus(job),
    ref: requiredText(job, 'head_branch', 'workflow_job.'),
    tag: false,
    sha: textOrNull(job.head_sha),
    pipelineId: numberOrNull(job.run_id),
    durationSeconds: secondsBetween(job.started_at, job.completed_at),
    failureReason: null,
    url: textOrNull(job.html_url),
  };
}

function giteaDeliveryEvent(
  host: HostKind,
  kind: ContentEventKind,
  hostEvent: string,
  body: Payload,
): DeliveryEvent | string {
  const project = giteaProject(body);
  const common = { host, project, user: giteaUser(body), hookData: body };
  switch (kind) {
    case 'push':
    case 'tag_push':
      return { ...common, kind, push: giteaPush(body) };
    case 'issue':
      return { ...common, kind, issue: giteaIssue(body) };
    case 'merge_request':
      return { ...common, kind, mergeRequest: giteaMergeRequest(hostEvent, body) };
    case 'note':
      return { ...common, kind, note: giteaNote(body) };
    case 'pipeline':
      return { ...common, kind, pipeline: giteaPipeline(body) };
    case 'job':
      return { ...common, kind, job: giteaJob(body) };
    case 'wiki_page':
      return { ...common, kind, wikiPage: giteaWikiPage(body, project) };
    case 'release':
      return { ...common, kind, release: giteaRelease(body) };
    default:
      return `${host} sends no ${kind} events.`;
  }
}

/**
 * The stored event as the delivery model, or why it cannot be one (kept as failed with that
 * reason, issue 16 item 8). `hostEvent` is the event header as stored (X-Gitlab-Event,
 * X-Gitea-Event); which content event it is comes from code-hosts/events.ts, as when received.
 *
 * @example
 * toDeliveryEvent('gitea', 'pull_request', { action: 'closed', number: 12, pull_request: { merged: true, ... }, repository: { id: 1, ... } })
 * // { event: { kind: 'merge_request', host: 'gitea', mergeRequest: { action: 'merge', state: 'merged', ... }, ... } }
 * toDeliveryEvent('gitlab', 'Issue Hook', { object_kind: 'issue', project: { id: 1 } })
 * // { invalid: 'The event has no project.name.' }
 */
export function toDeliveryEvent(
  hostKind: HostKind,
  hostEvent: string,
  payload: unknown,
): { event: DeliveryEvent } | { invalid: string } {
  if (!isObject(payload)) return { invalid: 'The payload is not a JSON object.' };
  const normalised = normaliseEvent(hostKind, hostEvent, payload);
  if ('unknown' in normalised) return { invalid: normalised.unknown };
  if ('unused' in normalised) return { invalid: `${hostEvent} is not an event Cascade delivers.` };
  const kind = normalised.event.kind;
  if (!isContentKind(kind)) return { invalid: `${kind} is not a content event.` };
  try {
    const event =
      hostKind === 'gitlab'
        ? gitlabDeliveryEvent(kind, payload)
        : giteaDeliveryEvent(hostKind, kind, hostEvent, payload);
    return typeof event === 'string' ? { invalid: event } : { event };
  } catch (error) {
    if (error instanceof UnreadablePayload) return { invalid: error.message };
    throw error;
  }
}

const CONTENT_KINDS = new Set<string>(CONTENT_EVENT_KINDS);
const isContentKind = (kind: string): kind is ContentEventKind => CONTENT_KINDS.has(kind);
