/**
 * @module db/schema.pg
 * The tables of src/db/schema.ts as PostgreSQL declares them, for `drizzle-kit generate` (the
 * migrations in drizzle/postgres). The code queries through src/db/schema.ts on both databases,
 * so every value is stored here as SQLite stores it: times as milliseconds since the epoch
 * (bigint), ids as integers, JSON as text. test/unit/schema-parity.test.ts checks that both
 * files declare the same tables, columns, indexes, foreign keys and checks.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  pgTable,
  text,
  uniqueIndex,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';

/**
 * Paths compared by range or prefix ("below platform/": after "platform/", before "platform0")
 * must sort byte by byte, as SQLite sorts text, whatever the database's own collation.
 */
const pathText = customType<{ data: string }>({ dataType: () => 'text collate "C"' });

const id = () => integer('id').primaryKey().generatedByDefaultAsIdentity();
const epochMs = (name: string) => bigint(name, { mode: 'number' });
const createdAt = () => epochMs('created_at').notNull();
const hostKeys = () => ({
  codeHostId: integer('code_host_id').references((): AnyPgColumn => codeHosts.id, { onDelete: 'set null' }),
  hostId: integer('host_id'),
});

export const users = pgTable(
  'users',
  {
    id: id(),
    username: text('username').notNull(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    isAdmin: boolean('is_admin').notNull().default(false),
    blockedAt: epochMs('blocked_at'),
    lastSignInAt: epochMs('last_sign_in_at'),
    ...hostKeys(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('users_username_unique').on(sql`lower(${t.username})`),
    uniqueIndex('users_email_unique').on(sql`lower(${t.email})`),
    uniqueIndex('users_host_unique')
      .on(t.codeHostId, t.hostId)
      .where(sql`${t.codeHostId} is not null`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    tokenHash: text('token_hash').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: epochMs('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('sessions_token_hash_unique').on(t.tokenHash), index('sessions_user_id_idx').on(t.userId)],
);

export const passwordResetTokens = pgTable(
  'password_reset_tokens',
  {
    id: id(),
    tokenHash: text('token_hash').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: epochMs('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('password_reset_tokens_token_hash_unique').on(t.tokenHash),
    index('password_reset_tokens_user_id_idx').on(t.userId),
  ],
);

export const groups = pgTable(
  'groups',
  {
    id: id(),
    parentId: integer('parent_id').references((): AnyPgColumn => groups.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    path: text('path').notNull(),
    fullPath: pathText('full_path').notNull(),
    traversalIds: pathText('traversal_ids').notNull(),
    description: text('description').notNull().default(''),
    projectCount: integer('project_count').notNull().default(0),
    ...hostKeys(),
    hostHookId: integer('host_hook_id'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('groups_full_path_unique').on(sql`lower(${t.fullPath})`),
    index('groups_parent_id_idx').on(t.parentId),
    index('groups_traversal_ids_idx').on(t.traversalIds),
    uniqueIndex('groups_host_unique')
      .on(t.codeHostId, t.hostId)
      .where(sql`${t.codeHostId} is not null`),
  ],
);

export const projects = pgTable(
  'projects',
  {
    id: id(),
    groupId: integer('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    path: text('path').notNull(),
    fullPath: pathText('full_path').notNull(),
    description: text('description').notNull().default(''),
    ...hostKeys(),
    hostHookId: integer('host_hook_id'),
    defaultBranch: text('default_branch'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('projects_full_path_unique').on(sql`lower(${t.fullPath})`),
    index('projects_group_id_idx').on(t.groupId),
    uniqueIndex('projects_host_unique')
      .on(t.codeHostId, t.hostId)
      .where(sql`${t.codeHostId} is not null`),
  ],
);

export const members = pgTable(
  'members',
  {
    id: id(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    groupId: integer('group_id').references(() => groups.id, { onDelete: 'cascade' }),
    projectId: integer('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    accessLevel: integer('access_level').notNull(),
    codeHostId: integer('code_host_id').references((): AnyPgColumn => codeHosts.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('members_user_group_unique')
      .on(t.userId, t.groupId)
      .where(sql`${t.groupId} is not null`),
    uniqueIndex('members_user_project_unique')
      .on(t.userId, t.projectId)
      .where(sql`${t.projectId} is not null`),
    index('members_group_id_idx').on(t.groupId),
    index('members_project_id_idx').on(t.projectId),
    check('members_one_source', sql`(${t.groupId} is null) <> (${t.projectId} is null)`),
  ],
);

export const integrationSettings = pgTable(
  'integration_settings',
  {
    id: id(),
    type: text('type').notNull(),
    groupId: integer('group_id').references(() => groups.id, { onDelete: 'cascade' }),
    projectId: integer('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    /** Kept in step by the triggers of drizzle/postgres/0001 (as by drizzle/sqlite/0005). */
    ownerPath: pathText('owner_path'),
    active: boolean('active'),
    fields: text('fields').notNull().default('{}'),
    secrets: text('secrets'),
    events: text('events').notNull().default('{}'),
    enforced: text('enforced'),
    version: integer('version').notNull().default(1),
    updatedBy: integer('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: epochMs('updated_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('integration_settings_instance_unique')
      .on(t.type)
      .where(sql`${t.groupId} is null and ${t.projectId} is null`),
    uniqueIndex('integration_settings_group_unique')
      .on(t.groupId, t.type)
      .where(sql`${t.groupId} is not null`),
    uniqueIndex('integration_settings_project_unique')
      .on(t.projectId, t.type)
      .where(sql`${t.projectId} is not null`),
    index('integration_settings_type_idx').on(t.type, t.projectId),
    index('integration_settings_owner_path_idx')
      .on(t.type, t.ownerPath, t.projectId)
      .where(sql`${t.ownerPath} is not null`),
    check('integration_settings_one_owner', sql`${t.groupId} is null or ${t.projectId} is null`),
  ],
);

/** Append-only: the triggers of drizzle/postgres/0001 refuse every UPDATE, DELETE and TRUNCATE. */
/** Kept by the triggers of drizzle/postgres/0004 (as by drizzle/sqlite/0010). */
export const settingsCounts = pgTable(
  'settings_counts',
  {
    scopeId: integer('scope_id').notNull(),
    type: text('type').notNull(),
    customProjects: integer('custom_projects').notNull().default(0),
    customGroups: integer('custom_groups').notNull().default(0),
  },
  (t) => [uniqueIndex('settings_counts_scope_type_unique').on(t.scopeId, t.type)],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: id(),
    createdAt: createdAt(),
    actorId: integer('actor_id'),
    actorName: text('actor_name').notNull(),
    action: text('action').notNull(),
    level: text('level', { enum: ['instance', 'group', 'project'] }).notNull(),
    groupId: integer('group_id'),
    projectId: integer('project_id'),
    ownerName: text('owner_name').notNull(),
    ownerPath: pathText('owner_path'),
    integration: text('integration'),
    changes: text('changes').notNull().default('[]'),
  },
  (t) => [
    index('audit_events_group_idx').on(t.groupId, t.id),
    index('audit_events_project_idx').on(t.projectId, t.id),
    index('audit_events_actor_idx').on(t.actorId, t.id),
    index('audit_events_integration_idx').on(t.integration, t.id),
  ],
);

export const personalAccessTokens = pgTable(
  'personal_access_tokens',
  {
    id: id(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    scopes: text('scopes').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: text('expires_at').notNull(),
    lastUsedAt: epochMs('last_used_at'),
    revokedAt: epochMs('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('personal_access_tokens_token_hash_unique').on(t.tokenHash),
    index('personal_access_tokens_user_id_idx').on(t.userId),
  ],
);

export const applicationSettings = pgTable(
  'application_settings',
  {
    id: integer('id').primaryKey(),
    allowLocalRequests: boolean('allow_local_requests').notNull().default(false),
    outboundAllowlist: text('outbound_allowlist').notNull().default(''),
    updatedBy: integer('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: epochMs('updated_at').notNull(),
  },
  (t) => [check('application_settings_single_row', sql`${t.id} = 1`)],
);

/** The change counter: see src/db/schema.ts. */
export const cascadeChanges = pgTable(
  'cascade_changes',
  {
    id: integer('id').primaryKey(),
    counter: bigint('counter', { mode: 'number' }).notNull().default(0),
  },
  (t) => [check('cascade_changes_single_row', sql`${t.id} = 1`)],
);

export const throttleAttempts = pgTable(
  'throttle_attempts',
  {
    id: id(),
    key: text('key').notNull(),
    at: epochMs('at').notNull(),
    expiresAt: epochMs('expires_at').notNull(),
  },
  (t) => [
    index('throttle_attempts_key_at_idx').on(t.key, t.at),
    index('throttle_attempts_expires_at_idx').on(t.expiresAt),
  ],
);

export const codeHosts = pgTable(
  'code_hosts',
  {
    id: id(),
    kind: text('kind', { enum: ['gitlab', 'gitea', 'forgejo'] }).notNull(),
    name: text('name').notNull(),
    url: text('url').notNull(),
    token: text('token').notNull(),
    hookSecret: text('hook_secret').notNull(),
    systemHookId: integer('system_hook_id'),
    version: text('version').notNull().default(''),
    tokenUsername: text('token_username').notNull().default(''),
    pausedAt: epochMs('paused_at'),
    adminsAreAdmins: boolean('admins_are_admins').notNull().default(false),
    oidcClientId: text('oidc_client_id'),
    oidcClientSecret: text('oidc_client_secret'),
    reconcileMinutes: integer('reconcile_minutes').notNull().default(60),
    lastReconciledAt: epochMs('last_reconciled_at'),
    updatedAt: epochMs('updated_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('code_hosts_url_unique').on(sql`lower(${t.url})`)],
);

export const hostSyncRuns = pgTable(
  'host_sync_runs',
  {
    id: id(),
    codeHostId: integer('code_host_id')
      .notNull()
      .references(() => codeHosts.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['import', 'reconcile'] }).notNull(),
    status: text('status', { enum: ['running', 'finished', 'failed'] }).notNull(),
    phase: text('phase').notNull().default(''),
    cursor: text('cursor'),
    counts: text('counts').notNull().default('{}'),
    problems: text('problems').notNull().default('[]'),
    error: text('error'),
    startedAt: epochMs('started_at').notNull(),
    updatedAt: epochMs('updated_at').notNull(),
    finishedAt: epochMs('finished_at'),
  },
  (t) => [index('host_sync_runs_code_host_idx').on(t.codeHostId, t.id)],
);

export const hostEvents = pgTable(
  'host_events',
  {
    id: id(),
    codeHostId: integer('code_host_id')
      .notNull()
      .references(() => codeHosts.id, { onDelete: 'cascade' }),
    deliveryId: text('delivery_id').notNull(),
    hostEvent: text('host_event').notNull(),
    kind: text('kind').notNull(),
    hostProjectId: integer('host_project_id'),
    projectId: integer('project_id').references(() => projects.id, { onDelete: 'set null' }),
    payload: text('payload').notNull(),
    outcome: text('outcome').notNull().default('received'),
    detail: text('detail'),
    receivedAt: epochMs('received_at').notNull(),
    processedAt: epochMs('processed_at'),
  },
  (t) => [
    uniqueIndex('host_events_delivery_unique').on(t.codeHostId, t.deliveryId),
    index('host_events_code_host_idx').on(t.codeHostId, t.id),
    index('host_events_received_at_idx').on(t.receivedAt),
    index('host_events_project_idx').on(t.projectId, t.id),
    index('host_events_received_idx')
      .on(t.id)
      .where(sql`${t.outcome} = 'received'`),
  ],
);

export const deliveries = pgTable(
  'deliveries',
  {
    id: id(),
    hostEventId: integer('host_event_id')
      .notNull()
      .references(() => hostEvents.id, { onDelete: 'cascade' }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    integration: text('integration').notNull(),
    settingsLevel: text('settings_level', { enum: ['instance', 'group', 'project'] }).notNull(),
    settingsOwnerId: integer('settings_owner_id'),
    targetHost: text('target_host').notNull(),
    request: text('request').notNull(),
    used: text('used').notNull().default('{}'),
    target: text('target').notNull().default('{}'),
    resentFromId: integer('resent_from_id'),
    state: text('state', { enum: ['pending', 'delivered', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: epochMs('next_attempt_at').notNull(),
    leasedUntil: epochMs('leased_until'),
    createdAt: createdAt(),
    finishedAt: epochMs('finished_at'),
  },
  (t) => [
    index('deliveries_due_idx').on(t.state, t.nextAttemptAt),
    index('deliveries_host_event_idx').on(t.hostEventId),
    index('deliveries_project_idx').on(t.projectId, t.id),
    index('deliveries_created_at_idx').on(t.createdAt),
    index('deliveries_integration_idx').on(t.integration, t.id),
  ],
);

export const deliveryAttempts = pgTable(
  'delivery_attempts',
  {
    id: id(),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    attemptedAt: epochMs('attempted_at').notNull(),
    status: integer('status'),
    failure: text('failure'),
    message: text('message'),
    durationMs: integer('duration_ms').notNull(),
    responseExcerpt: text('response_excerpt'),
  },
  (t) => [index('delivery_attempts_delivery_idx').on(t.deliveryId, t.id)],
);

export const integrationHealth = pgTable(
  'integration_health',
  {
    id: id(),
    integration: text('integration').notNull(),
    settingsLevel: text('settings_level', { enum: ['instance', 'group', 'project'] }).notNull(),
    settingsOwnerId: integer('settings_owner_id').notNull(),
    recentFailures: integer('recent_failures').notNull().default(0),
    backoffCount: integer('backoff_count').notNull().default(0),
    pausedUntil: epochMs('paused_until'),
    disabledAt: epochMs('disabled_at'),
    lastFailure: text('last_failure'),
    lastFailureAt: epochMs('last_failure_at'),
    updatedAt: epochMs('updated_at').notNull(),
  },
  (t) => [uniqueIndex('integration_health_target_unique').on(t.settingsLevel, t.settingsOwnerId, t.integration)],
);

export const protectedBranches = pgTable('protected_branches', {
  projectId: integer('project_id')
    .primaryKey()
    .references(() => projects.id, { onDelete: 'cascade' }),
  rules: text('rules').notNull().default('[]'),
  readAt: epochMs('read_at').notNull(),
});

export const pipelineStatuses = pgTable(
  'pipeline_statuses',
  {
    id: id(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    ref: text('ref').notNull(),
    status: text('status', { enum: ['success', 'failed'] }).notNull(),
    // GitLab.com's pipeline ids are near 2^31.
    pipelineId: bigint('pipeline_id', { mode: 'number' }).notNull(),
    updatedAt: epochMs('updated_at').notNull(),
  },
  (t) => [uniqueIndex('pipeline_statuses_ref_unique').on(t.projectId, t.ref)],
);
