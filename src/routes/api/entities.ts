/**
 * @module routes/api/entities
 * The JSON shapes of GitLab's API (lib/api/entities): users, projects, groups and integrations.
 * Integrations carry Cascade's additions too: where each value comes from (`sources`), the level
 * they inherit from, and what a level above enforces. Secret values never appear.
 */
import type { Group, Project, User } from '../../db/schema.js';
import { isSecretField } from '../../integrations/validate.js';
import { groupFullName } from '../../model/groups.js';
import type { SettingsOwner } from '../../settings/resolve.js';
import type { IntegrationState } from '../../settings/service.js';
import type { OwnRowTimes } from '../../settings/store.js';

const iso = (moment: Date | null | undefined) => (moment ? moment.toISOString() : null);

export function userEntity(user: User) {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    state: user.blockedAt ? 'blocked' : 'active',
    locked: false,
    avatar_url: null,
    created_at: iso(user.createdAt),
    email: user.email,
    is_admin: user.isAdmin,
    bot: false,
  };
}

/** `lineage`: the group's ancestors and the group itself, top-level first. */
export function groupEntity(group: Group, lineage: readonly Group[], origin: string) {
  return {
    id: group.id,
    name: group.name,
    path: group.path,
    description: group.description,
    visibility: 'private',
    full_name: groupFullName(lineage),
    full_path: group.fullPath,
    parent_id: group.parentId,
    created_at: iso(group.createdAt),
    web_url: `${origin}/groups/${group.fullPath}`,
  };
}

/** GitLab's basic namespace entity (NamespaceBasic): every namespace in Cascade is a group. */
export function namespaceEntity(group: Group, origin: string) {
  return {
    id: group.id,
    name: group.name,
    path: group.path,
    kind: 'group',
    full_path: group.fullPath,
    parent_id: group.parentId,
    avatar_url: null,
    web_url: `${origin}/groups/${group.fullPath}`,
  };
}

/** GitLab's project identity, shared by its simple and full project entities. */
function projectIdentity(project: Project, lineage: readonly Group[]) {
  return {
    id: project.id,
    description: project.description,
    name: project.name,
    name_with_namespace: `${groupFullName(lineage)} / ${project.name}`,
    path: project.path,
    path_with_namespace: project.fullPath,
    created_at: iso(project.createdAt),
  };
}

export function projectEntity(project: Project, lineage: readonly Group[], origin: string) {
  return {
    ...projectIdentity(project, lineage),
    default_branch: null,
    visibility: 'private',
    web_url: `${origin}/${project.fullPath}`,
    // Cascade notes no activity: a project's last activity is its creation.
    last_activity_at: iso(project.createdAt),
    namespace: namespaceEntity(lineage[lineage.length - 1]!, origin),
  };
}

/**
 * GitLab's entity for `simple=true` lists (BasicProjectDetails). Cascade holds no repositories,
 * so their URLs are null and their counts 0.
 *
 * @example
 * projectSimpleEntity(app, [platform, backend], 'https://cascade.example').namespace.full_path // 'platform/backend'
 */
export function projectSimpleEntity(project: Project, lineage: readonly Group[], origin: string) {
  return {
    ...projectIdentity(project, lineage),
    default_branch: null,
    tag_list: [],
    topics: [],
    ssh_url_to_repo: null,
    http_url_to_repo: null,
    web_url: `${origin}/${project.fullPath}`,
    readme_url: null,
    forks_count: 0,
    avatar_url: null,
    star_count: 0,
    last_activity_at: iso(project.createdAt),
    namespace: namespaceEntity(lineage[lineage.length - 1]!, origin),
  };
}

/** GitLab's event flags, in its order; a type without the event reports false. */
const GITLAB_EVENTS = [
  'commit_events',
  'push_events',
  'issues_events',
  'incident_events',
  'alert_events',
  'confidential_issues_events',
  'merge_requests_events',
  'tag_push_events',
  'deployment_events',
  'note_events',
  'confidential_note_events',
  'pipeline_events',
  'wiki_page_events',
  'job_events',
  'comment_on_event_enabled',
  'vulnerability_events',
] as const;

const ownerRef = (owner: SettingsOwner) => ({ level: owner.level, id: owner.id, full_path: owner.path });

/**
 * GitLab's integration entity; `properties` (the non-secret values) only for a single one, as in
 * GitLab.
 *
 * @example
 * integrationEntity(slackState, undefined, true).sources // { webhook: 'instance', channel: 'project', ... }
 */
export function integrationEntity(
  { type, effective }: IntegrationState,
  own: OwnRowTimes | undefined,
  withProperties: boolean,
) {
  const events = Object.fromEntries([
    ...GITLAB_EVENTS.map((name) => [name, false] as const),
    ...Object.entries(effective.events),
  ]);
  const properties = Object.fromEntries(
    type.fields
      .filter((field) => !isSecretField(field))
      .map((field) => [field.name, effective.fields[field.name] ?? null]),
  );
  return {
    id: own?.id ?? null,
    title: type.title,
    slug: type.slug,
    created_at: iso(own?.createdAt),
    updated_at: iso(own?.updatedAt),
    active: effective.active,
    ...events,
    inherited: effective.state === 'inherited',
    ...(withProperties ? { properties } : {}),
    inherits_from: effective.inheritsFrom ? ownerRef(effective.inheritsFrom) : null,
    sources: Object.fromEntries(
      Object.entries(effective.source).map(([key, source]) => [key, source === 'default' ? 'default' : source.level]),
    ),
    enforced: Object.fromEntries(
      Object.entries(effective.enforced).map(([key, { by, reason }]) => [key, { ...ownerRef(by), reason }]),
    ),
  };
}
