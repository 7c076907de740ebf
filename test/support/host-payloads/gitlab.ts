/**
 * @module test/support/host-payloads/gitlab
 * GitLab's hook payloads, shaped as its documentation's examples and filled from the test
 * host's tree: doc/administration/system_hooks.md (system hooks, X-Gitlab-Event "System Hook")
 * and doc/user/project/integrations/webhook_events.md (project hooks: "Push Hook",
 * "Tag Push Hook", "Merge Request Hook", "Issue Hook").
 */
import type { HostTree, TreeGroup, TreeProject, TreeUser } from '../test-host.js';

/** The documented times of the examples; a payload's content, not its freshness, is what tests read. */
const CREATED_AT = '2012-07-21T07:30:54Z';
const UPDATED_AT = '2012-07-21T07:38:22Z';

/** GitLab's role names in hooks' `access_level` and `group_access`. */
export const ACCESS_NAMES: Record<number, string> = {
  5: 'Minimal Access',
  10: 'Guest',
  15: 'Planner',
  20: 'Reporter',
  30: 'Developer',
  40: 'Maintainer',
  50: 'Owner',
};

export type SystemProjectEvent =
  'project_create' | 'project_destroy' | 'project_update' | 'project_rename' | 'project_transfer';

/** system_hooks.md "Project created" ... "Project updated"; rename and transfer add `old_path_with_namespace`. */
export function projectEvent(
  tree: HostTree,
  event: SystemProjectEvent,
  project: TreeProject,
  oldPathWithNamespace?: string,
): Record<string, unknown> {
  const owner = [...tree.users.values()][0];
  return {
    created_at: CREATED_AT,
    updated_at: UPDATED_AT,
    event_name: event,
    name: project.name,
    owner_email: owner?.email ?? '',
    owner_name: owner?.name ?? '',
    owners: owner ? [{ name: owner.name, email: owner.email }] : [],
    path: project.path,
    path_with_namespace: tree.projectFullPath(project),
    project_id: project.id,
    project_namespace_id: project.namespace.id,
    project_visibility: 'private',
    ...(event === 'project_rename' || event === 'project_transfer'
      ? { old_path_with_namespace: oldPathWithNamespace ?? tree.projectFullPath(project) }
      : {}),
  };
}

/** system_hooks.md "Group created", "Group removed" and "Group renamed" (with the old paths). */
export function groupEvent(
  tree: HostTree,
  event: 'group_create' | 'group_destroy' | 'group_rename',
  group: TreeGroup,
  old?: { path: string; fullPath: string },
): Record<string, unknown> {
  const base = {
    created_at: CREATED_AT,
    updated_at: UPDATED_AT,
    event_name: event,
    name: group.name,
    path: group.path,
  };
  if (event !== 'group_rename') return { ...base, group_id: group.id };
  return {
    ...base,
    full_path: tree.groupFullPath(group.id),
    group_id: group.id,
    old_path: old?.path ?? group.path,
    old_full_path: old?.fullPath ?? tree.groupFullPath(group.id),
  };
}

/** system_hooks.md "New Team Member", "Team Member Updated", "Team Member Removed": a project's member. */
export function projectMemberEvent(
  tree: HostTree,
  event: 'user_add_to_team' | 'user_update_for_team' | 'user_remove_from_team',
  project: TreeProject,
  user: TreeUser,
  accessLevel: number,
): Record<string, unknown> {
  return {
    created_at: CREATED_AT,
    updated_at: UPDATED_AT,
    event_name: event,
    access_level: ACCESS_NAMES[accessLevel],
    project_id: project.id,
    project_name: project.name,
    project_path: project.path,
    project_path_with_namespace: tree.projectFullPath(project),
    user_email: user.email,
    user_name: user.name,
    user_username: user.username,
    user_id: user.id,
    project_visibility: 'private',
  };
}

/** system_hooks.md "New Group Member", "Group Member Updated", "Group Member Removed". */
export function groupMemberEvent(
  event: 'user_add_to_group' | 'user_update_for_group' | 'user_remove_from_group',
  group: TreeGroup,
  user: TreeUser,
  accessLevel: number,
): Record<string, unknown> {
  return {
    created_at: CREATED_AT,
    updated_at: UPDATED_AT,
    event_name: event,
    group_access: ACCESS_NAMES[accessLevel],
    group_id: group.id,
    group_name: group.name,
    group_path: group.path,
    user_email: user.email,
    user_name: user.name,
    user_username: user.username,
    user_id: user.id,
  };
}

/** The `project` object of push, tag push and merge request payloads. */
function projectObject(tree: HostTree, url: string, project: TreeProject): Record<string, unknown> {
  const fullPath = tree.projectFullPath(project);
  const host = new URL(url).host;
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    web_url: `${url}/${fullPath}`,
    avatar_url: null,
    git_ssh_url: `git@${host}:${fullPath}.git`,
    git_http_url: `${url}/${fullPath}.git`,
    namespace: tree.namespacePath(project),
    visibility_level: 0,
    path_with_namespace: fullPath,
    default_branch: project.defaultBranch,
    homepage: `${url}/${fullPath}`,
    url: `git@${host}:${fullPath}.git`,
    ssh_url: `git@${host}:${fullPath}.git`,
    http_url: `${url}/${fullPath}.git`,
  };
}

/**
 * system_hooks.md "Push events" and "Tag events"; as a project hook (webhook_events.md "Push
 * events") the payload also carries `object_kind`.
 */
export function pushEvent(
  tree: HostTree,
  url: string,
  project: TreeProject,
  user: TreeUser,
  options: { tag?: boolean; ref?: string; projectHook?: boolean } = {},
): Record<string, unknown> {
  const kind = options.tag ? 'tag_push' : 'push';
  const projectJson = projectObject(tree, url, project);
  const commit = {
    id: 'c5feabde2d8cd023215af4d2ceeb7a64839fc428',
    message: 'Add simple search to projects in public area',
    timestamp: '2013-05-13T18:18:08+00:00',
    url: `${String(projectJson.web_url)}/-/commit/c5feabde2d8cd023215af4d2ceeb7a64839fc428`,
    author: { name: user.name, email: user.email },
  };
  return {
    ...(options.projectHook ? { object_kind: kind } : {}),
    event_name: kind,
    before: options.tag ? '0000000000000000000000000000000000000000' : '95790bf891e76fee5e1747ab589903a6a1f80f22',
    after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    ref: options.ref ?? (options.tag ? 'refs/tags/v1.0.0' : `refs/heads/${project.defaultBranch ?? 'main'}`),
    checkout_sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    user_id: user.id,
    user_name: user.name,
    user_username: user.username,
    user_email: user.email,
    user_avatar: null,
    project_id: project.id,
    project: projectJson,
    repository: {
      name: project.name,
      url: projectJson.url,
      description: project.description,
      homepage: projectJson.homepage,
      git_http_url: projectJson.git_http_url,
      git_ssh_url: projectJson.git_ssh_url,
      visibility_level: 0,
    },
    commits: options.tag ? [] : [commit],
    total_commits_count: options.tag ? 0 : 1,
  };
}

/** system_hooks.md "Merge request events" (the same as a project hook's "Merge Request Hook"). */
export function mergeRequestEvent(
  tree: HostTree,
  url: string,
  project: TreeProject,
  user: TreeUser,
  action: 'open' | 'update' | 'merge' | 'close' = 'open',
): Record<string, unknown> {
  const projectJson = projectObject(tree, url, project);
  return {
    object_kind: 'merge_request',
    event_type: 'merge_request',
    user: { id: user.id, name: user.name, username: user.username, avatar_url: null, email: user.email },
    project: projectJson,
    repository: {
      name: project.name,
      url: projectJson.url,
      description: project.description,
      homepage: projectJson.homepage,
    },
    object_attributes: {
      id: 99,
      iid: 1,
      target_branch: project.defaultBranch ?? 'main',
      source_branch: 'ms-viewport',
      source_project_id: project.id,
      target_project_id: project.id,
      author_id: user.id,
      title: 'MS-Viewport',
      created_at: '2013-12-03T17:23:34Z',
      updated_at: '2013-12-03T17:23:34Z',
      state: action === 'merge' ? 'merged' : action === 'close' ? 'closed' : 'opened',
      merge_status: 'unchecked',
      description: '',
      url: `${String(projectJson.web_url)}/-/merge_requests/1`,
      source: projectJson,
      target: projectJson,
      work_in_progress: false,
      action,
    },
    labels: [],
    changes: {},
  };
}

/** webhook_events.md "Work item events" (an issue, `X-Gitlab-Event: Issue Hook`). */
export function issueEvent(tree: HostTree, url: string, project: TreeProject, user: TreeUser): Record<string, unknown> {
  const projectJson = projectObject(tree, url, project);
  return {
    object_kind: 'issue',
    event_type: 'issue',
    user: { id: user.id, name: user.name, username: user.username, avatar_url: null, email: user.email },
    project: projectJson,
    object_attributes: {
      id: 301,
      iid: 23,
      title: 'New API: create/update/delete file',
      description: 'Create new API for manipulations with repository',
      project_id: project.id,
      author_id: user.id,
      state: 'opened',
      action: 'open',
      confidential: false,
      created_at: '2013-12-03T17:15:43Z',
      updated_at: '2013-12-03T17:15:43Z',
      url: `${String(projectJson.web_url)}/-/issues/23`,
    },
    repository: {
      name: project.name,
      url: projectJson.url,
      description: project.description,
      homepage: projectJson.homepage,
    },
    labels: [],
    changes: {},
  };
}

/** The X-Gitlab-Event header of a project hook's payload (webhook_events.md). */
export const PROJECT_HOOK_EVENT_HEADERS: Record<string, string> = {
  push: 'Push Hook',
  tag_push: 'Tag Push Hook',
  merge_request: 'Merge Request Hook',
  issue: 'Issue Hook',
  note: 'Note Hook',
  pipeline: 'Pipeline Hook',
  build: 'Job Hook',
  wiki_page: 'Wiki Page Hook',
  deployment: 'Deployment Hook',
  release: 'Release Hook',
};
