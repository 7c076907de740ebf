/**
 * @module code-hosts/events
 * A received hook in Cascade's words: which kind of event it is (the same words for every host)
 * and which project or group it is about, by the host's ids. Pure: no database, no HTTP.
 *
 * Shapes come from the hosts' documentation:
 * - GitLab system hooks: doc/administration/system_hooks.md (`event_name`, `X-Gitlab-Event: System Hook`);
 * - GitLab project hooks: doc/user/project/integrations/webhook_events.md (`object_kind`, `event_type`);
 * - Gitea and Forgejo: modules/webhook/type.go (`X-Gitea-Event`, `HookEventType.Event()`) and
 *   modules/structs/hook.go (the payloads; `repository.id`, `action`).
 */
import type { HostKind } from './host.js';

/** Events that change Cascade's tree: applied after the answer, by the processor. */
export const TREE_EVENT_KINDS = [
  'project_created',
  'project_renamed',
  'project_transferred',
  'project_updated',
  'project_destroyed',
  'group_created',
  'group_renamed',
  'group_destroyed',
  'member_added',
  'member_updated',
  'member_removed',
] as const;

/** Events about a project's content: kept for delivery to its integrations. */
export const CONTENT_EVENT_KINDS = [
  'push',
  'tag_push',
  'merge_request',
  'issue',
  'confidential_issue',
  'note',
  'confidential_note',
  'pipeline',
  'job',
  'wiki_page',
  'deployment',
  'release',
] as const;

export type TreeEventKind = (typeof TREE_EVENT_KINDS)[number];
export type ContentEventKind = (typeof CONTENT_EVENT_KINDS)[number];
export type EventKind = TreeEventKind | ContentEventKind;

export const EVENT_KINDS: readonly EventKind[] = [...CONTENT_EVENT_KINDS, ...TREE_EVENT_KINDS];

const TREE_KINDS = new Set<string>(TREE_EVENT_KINDS);
export const isTreeEvent = (kind: string): kind is TreeEventKind => TREE_KINDS.has(kind);

/**
 * One event of each kind, as a list names it: content events in GitLab's words for its webhook
 * events ("Push events" names the setting, "Push" one event), tree events after what they do.
 */
export const EVENT_KIND_LABELS: Record<EventKind, string> = {
  push: 'Push',
  tag_push: 'Tag push',
  merge_request: 'Merge request',
  issue: 'Issue',
  confidential_issue: 'Confidential issue',
  note: 'Comment',
  confidential_note: 'Confidential comment',
  pipeline: 'Pipeline',
  job: 'Job',
  wiki_page: 'Wiki page',
  deployment: 'Deployment',
  release: 'Release',
  project_created: 'Project created',
  project_renamed: 'Project renamed',
  project_transferred: 'Project transferred',
  project_updated: 'Project updated',
  project_destroyed: 'Project deleted',
  group_created: 'Group created',
  group_renamed: 'Group renamed',
  group_destroyed: 'Group deleted',
  member_added: 'Member added',
  member_updated: "Member's role changed",
  member_removed: 'Member removed',
};

const KINDS = new Set<string>(EVENT_KINDS);
const isEventKind = (kind: string): kind is EventKind => KINDS.has(kind);

/**
 * A stored kind's label; a kind this version does not know is shown as it was stored.
 *
 * @example
 * eventKindLabel('confidential_note') // 'Confidential comment'
 */
export const eventKindLabel = (kind: string): string => (isEventKind(kind) ? EVENT_KIND_LABELS[kind] : kind);

/** What an event is about: a project, a group, or (a member event) either. Ids are the host's. */
export interface HostEventSubject {
  kind: EventKind;
  hostProjectId: number | null;
  hostGroupId: number | null;
}

/**
 * - `event`: an event Cascade stores;
 * - `unused`: a documented event Cascade has no use for (a user's SSH key, a failed sign-in):
 *   answered 2xx so the host keeps the hook, and not stored;
 * - `unknown`: not an event this host documents, or without the ids it must carry.
 */
export type Normalised = { event: HostEventSubject } | { unused: true } | { unknown: string };

type Payload = Record<string, unknown>;

const idOf = (value: unknown): number | null =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
const objectOf = (value: unknown): Payload =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Payload) : {};

/** GitLab's system hook `event_name`s Cascade uses, and what each is about. */
const GITLAB_SYSTEM_EVENTS: Record<string, { kind: EventKind; about: 'project' | 'group' }> = {
  project_create: { kind: 'project_created', about: 'project' },
  project_rename: { kind: 'project_renamed', about: 'project' },
  project_transfer: { kind: 'project_transferred', about: 'project' },
  project_update: { kind: 'project_updated', about: 'project' },
  project_destroy: { kind: 'project_destroyed', about: 'project' },
  group_create: { kind: 'group_created', about: 'group' },
  group_rename: { kind: 'group_renamed', about: 'group' },
  group_destroy: { kind: 'group_destroyed', about: 'group' },
  user_add_to_team: { kind: 'member_added', about: 'project' },
  user_update_for_team: { kind: 'member_updated', about: 'project' },
  user_remove_from_team: { kind: 'member_removed', about: 'project' },
  user_add_to_group: { kind: 'member_added', about: 'group' },
  user_update_for_group: { kind: 'member_updated', about: 'group' },
  user_remove_from_group: { kind: 'member_removed', about: 'group' },
  push: { kind: 'push', about: 'project' },
  tag_push: { kind: 'tag_push', about: 'project' },
};

/** Documented system hook events about users, keys and access requests: nothing in Cascade follows them. */
const GITLAB_UNUSED_EVENTS = new Set([
  'repository_update',
  'user_create',
  'user_destroy',
  'user_rename',
  'user_failed_login',
  'key_create',
  'key_destroy',
  'user_access_request_to_group',
  'user_access_request_to_project',
  'user_access_request_revoked_for_group',
  'user_access_request_revoked_for_project',
  'gitlab_subscription_member_approval',
  'gitlab_subscription_member_approvals',
  'emoji',
  'feature_flag',
  'access_token',
  'vulnerability',
]);

/** GitLab's `object_kind`s (project hooks, and merge requests on system hooks). */
const GITLAB_OBJECT_KINDS: Record<string, ContentEventKind> = {
  push: 'push',
  tag_push: 'tag_push',
  merge_request: 'merge_request',
  issue: 'issue',
  note: 'note',
  pipeline: 'pipeline',
  build: 'job',
  wiki_page: 'wiki_page',
  deployment: 'deployment',
  release: 'release',
};

function gitlabEvent(body: Payload): Normalised {
  const name = typeof body.event_name === 'string' ? body.event_name : undefined;
  const objectKind = typeof body.object_kind === 'string' ? body.object_kind : undefined;
  const system = name === undefined ? undefined : GITLAB_SYSTEM_EVENTS[name];
  if (system) {
    const id = idOf(system.about === 'project' ? body.project_id : body.group_id);
    if (id === null) return { unknown: `The ${name} event has no ${system.about}_id.` };
    return {
      event: {
        kind: system.kind,
        hostProjectId: system.about === 'project' ? id : null,
        hostGroupId: system.about === 'group' ? id : null,
      },
    };
  }
  const kind = objectKind === undefined ? undefined : GITLAB_OBJECT_KINDS[objectKind];
  if (kind) {
    // Confidential issues and notes come as object_kind "issue"/"note" with their own event_type.
    const eventType = body.event_type;
    const confidential = eventType === 'confidential_issue' || eventType === 'confidential_note';
    const projectId = idOf(objectOf(body.project).id) ?? idOf(body.project_id);
    if (projectId === null) return { unknown: `The ${objectKind} event has no project id.` };
    return {
      event: {
        kind: confidential ? eventType : kind,
        hostProjectId: projectId,
        hostGroupId: null,
      },
    };
  }
  if (GITLAB_UNUSED_EVENTS.has(name ?? objectKind ?? '')) return { unused: true };
  return { unknown: `Unknown event: ${name ?? objectKind ?? 'neither event_name nor object_kind is set'}.` };
}

/** Gitea's and Forgejo's `X-Gitea-Event` / `X-Forgejo-Event` values Cascade stores. */
const GITEA_EVENTS: Record<string, ContentEventKind> = {
  push: 'push',
  issues: 'issue',
  issue_comment: 'note',
  pull_request: 'merge_request',
  pull_request_approved: 'merge_request',
  pull_request_rejected: 'merge_request',
  pull_request_comment: 'note',
  wiki: 'wiki_page',
  release: 'release',
  workflow_run: 'pipeline',
  workflow_job: 'job',
};

/**
 * Branch and tag creation and deletion come as a push too; forks, packages and commit statuses
 * have no counterpart among Cascade's events.
 */
const GITEA_UNUSED_EVENTS = new Set(['create', 'delete', 'fork', 'package', 'status', 'action_run_failure']);

function giteaEvent(hostEvent: string, body: Payload): Normalised {
  const projectId = idOf(objectOf(body.repository).id);
  if (hostEvent === 'repository') {
    const kind =
      body.action === 'created' ? 'project_created' : body.action === 'deleted' ? 'project_destroyed' : undefined;
    if (!kind) return { unknown: `Unknown repository action: ${String(body.action)}.` };
    if (projectId === null) return { unknown: 'The repository event has no repository id.' };
    return { event: { kind, hostProjectId: projectId, hostGroupId: null } };
  }
  const content = GITEA_EVENTS[hostEvent];
  if (content) {
    if (projectId === null) return { unknown: `The ${hostEvent} event has no repository id.` };
    const tag = content === 'push' && typeof body.ref === 'string' && body.ref.startsWith('refs/tags/');
    return { event: { kind: tag ? 'tag_push' : content, hostProjectId: projectId, hostGroupId: null } };
  }
  if (GITEA_UNUSED_EVENTS.has(hostEvent)) return { unused: true };
  return { unknown: `Unknown event: ${hostEvent || 'no event header'}.` };
}

/**
 * @example
 * normaliseEvent('gitlab', 'System Hook', { event_name: 'project_rename', project_id: 73 })
 * // { event: { kind: 'project_renamed', hostProjectId: 73, hostGroupId: null } }
 * normaliseEvent('gitea', 'repository', { action: 'deleted', repository: { id: 5 } })
 * // { event: { kind: 'project_destroyed', hostProjectId: 5, hostGroupId: null } }
 */
export function normaliseEvent(kind: HostKind, hostEvent: string, body: Payload): Normalised {
  return kind === 'gitlab' ? gitlabEvent(body) : giteaEvent(hostEvent, body);
}
