/**
 * @module routes/api/entities
 * The JSON shapes of GitLab's API (lib/api/entities): users, projects, groups and integrations.
 * Integrations carry Cascade's additions too: where each value comes from (`sources`), the level
 * they inherit from, and what a level above enforces. Secret values never appear.
 */
import type { Group, Project, User } from '../../db/schema.js';
import type { Field, FieldValue } from '../../integrations/types.js';
import { isSecretField } from '../../integrations/validate.js';
import { groupFullName } from '../../model/groups.js';
import type { SettingsOwner } from '../../settings/resolve.js';
import type { IntegrationState } from '../../settings/service.js';

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
const GITLAB_FLAGS = [
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

const isGitlabFlag = (name: string) => (GITLAB_FLAGS as readonly string[]).includes(name);

const ownerRef = (owner: SettingsOwner) => ({ level: owner.level, id: owner.id, full_path: owner.path });

/** A field's value with GitLab's JSON type: Jira's `jira_auth_type` "1" is 1, an empty list []. */
function apiValue(field: Field, value: FieldValue | undefined): FieldValue {
  if (field.kind === 'list') return Array.isArray(value) ? value : [];
  if (value === undefined) return null;
  if (field.apiType === 'integer') return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : null;
  return value;
}

/**
 * GitLab's event flags: the type's events, those it reports without toggles (Datadog's follow CI
 * Visibility), and flags that are fields of the type (Jira's `comment_on_event_enabled`).
 */
function eventFlags({ type, effective }: IntegrationState): Record<string, boolean> {
  const flagFields = type.fields.filter((field) => isGitlabFlag(field.name));
  return Object.fromEntries([
    ...GITLAB_FLAGS.map((name) => [name, false] as const),
    ...Object.entries(effective.events),
    ...Object.entries(type.reportedEvents?.(effective.fields) ?? {}),
    ...flagFields.map((field) => [field.name, effective.fields[field.name] === true] as const),
  ]);
}

/** The values in effect but secrets, with GitLab's types, and the deprecated parameters GitLab still reports. */
function properties({ type, effective }: IntegrationState): Record<string, FieldValue> {
  return Object.fromEntries([
    ...type.fields
      .filter((field) => !isSecretField(field) && !isGitlabFlag(field.name))
      .map((field) => [field.name, apiValue(field, effective.fields[field.name])] as const),
    ...(type.parameterAliases ?? []).map((alias) => [alias.name, alias.read(effective.fields[alias.field])] as const),
  ]);
}

/**
 * GitLab's integration entity; `properties` (the non-secret values) only for a single one, as in
 * GitLab. `id`, `created_at` and `updated_at` are those of the settings in effect: the level's own,
 * or while it inherits, those of the level it inherits from (GitLab shows a row the inheriting
 * project has; Cascade keeps no row for it).
 *
 * @example
 * integrationEntity(slackState, true).sources // { webhook: 'instance', channel: 'project', ... }
 */
export function integrationEntity(state: IntegrationState, withProperties: boolean) {
  const { type, effective } = state;
  // The chain's rows come nearest first: the level's own, or else the one it inherits from.
  const row = state.rows[0];
  return {
    id: row?.id ?? null,
    title: type.title,
    slug: type.slug,
    created_at: iso(row?.createdAt),
    updated_at: iso(row?.updatedAt),
    active: effective.active,
    ...eventFlags(state),
    inherited: effective.state === 'inherited',
    ...(withProperties ? { properties: properties(state) } : {}),
    inherits_from: effective.inheritsFrom ? ownerRef(effective.inheritsFrom) : null,
    sources: Object.fromEntries(
      Object.entries(effective.source).map(([key, source]) => [key, source === 'default' ? 'default' : source.level]),
    ),
    enforced: Object.fromEntries(
      Object.entries(effective.enforced).map(([key, { by, reason }]) => [key, { ...ownerRef(by), reason }]),
    ),
  };
}
