/**
 * @module db/schema
 * Every table, in one file. `drizzle-kit generate` turns changes here into SQL in drizzle/.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .$defaultFn(() => new Date());

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    isAdmin: integer('is_admin', { mode: 'boolean' }).notNull().default(false),
    blockedAt: integer('blocked_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('users_username_unique').on(sql`lower(${t.username})`),
    uniqueIndex('users_email_unique').on(sql`lower(${t.email})`),
  ],
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** SHA-256 of the cookie's token: a stolen database does not hold usable sessions. */
    tokenHash: text('token_hash').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('sessions_token_hash_unique').on(t.tokenHash), index('sessions_user_id_idx').on(t.userId)],
);

export const groups = sqliteTable(
  'groups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    parentId: integer('parent_id').references((): AnySQLiteColumn => groups.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    path: text('path').notNull(),
    /** "platform/backend": the URL of the group, kept in step on moves. */
    fullPath: text('full_path').notNull(),
    /** "/1/5/9/": ids from the top-level group down to this one, for subtree queries by prefix. */
    traversalIds: text('traversal_ids').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('groups_full_path_unique').on(sql`lower(${t.fullPath})`),
    index('groups_parent_id_idx').on(t.parentId),
    index('groups_traversal_ids_idx').on(t.traversalIds),
  ],
);

export const projects = sqliteTable(
  'projects',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    groupId: integer('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    path: text('path').notNull(),
    fullPath: text('full_path').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('projects_full_path_unique').on(sql`lower(${t.fullPath})`),
    index('projects_group_id_idx').on(t.groupId),
  ],
);

/** A user's role in a group (applies to its subgroups and projects too) or in one project. */
export const members = sqliteTable(
  'members',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    groupId: integer('group_id').references(() => groups.id, { onDelete: 'cascade' }),
    projectId: integer('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    /** GitLab's access levels: 20 Reporter, 30 Developer, 40 Maintainer, 50 Owner. */
    accessLevel: integer('access_level').notNull(),
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

export type User = typeof users.$inferSelect;
export type Group = typeof groups.$inferSelect;
export type Project = typeof projects.$inferSelect;
export type Member = typeof members.$inferSelect;

/**
 * The integration settings a level sets itself. A level that inherits has no row: its effective
 * settings are resolved when read, from the nearest ancestor that has one (src/settings/).
 * Exactly one of group_id / project_id is set, or neither for the instance-level default.
 */
export const integrationSettings = sqliteTable(
  'integration_settings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    type: text('type').notNull(),
    groupId: integer('group_id').references(() => groups.id, { onDelete: 'cascade' }),
    projectId: integer('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    /**
     * The full path of the group or project the row belongs to (null for the instance), kept in
     * step by the triggers of drizzle/0005: a level's descendants' rows are a range of paths in
     * integration_settings_owner_path_idx, listed in path order and counted from the index alone,
     * however many projects the subtree has.
     */
    ownerPath: text('owner_path'),
    /** Null: not set at this level (inherited). */
    active: integer('active', { mode: 'boolean' }),
    /** JSON object of the non-secret field values set at this level. */
    fields: text('fields').notNull().default('{}'),
    /** AES-256-GCM sealed JSON object of the secret field values set at this level. */
    secrets: text('secrets'),
    /** JSON object of the trigger events set at this level. */
    events: text('events').notNull().default('{}'),
    /**
     * Instance and group rows only: JSON { keys, reason } of the values every descendant must use
     * (`keys` ["*"]: the whole integration). Null when nothing is enforced.
     */
    enforced: text('enforced'),
    /** Raised on every save; a form loaded at an older version is refused instead of overwriting. */
    version: integer('version').notNull().default(1),
    updatedBy: integer('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' })
      .notNull()
      .$defaultFn(() => new Date()),
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
    // Partial: only queries of descendants' rows (`owner_path > ...`) can use it, never a chain's lookup by type.
    index('integration_settings_owner_path_idx')
      .on(t.type, t.ownerPath, t.projectId)
      .where(sql`${t.ownerPath} is not null`),
    check('integration_settings_one_owner', sql`${t.groupId} is null or ${t.projectId} is null`),
  ],
);

export type IntegrationSettingsRow = typeof integrationSettings.$inferSelect;

/**
 * The audit trail: one row per change to settings, moves included. Names are copied in, so an
 * event still reads right after the user, group or project is renamed or gone; triggers in the
 * migration refuse every UPDATE and DELETE, so the trail is append-only.
 */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    createdAt: createdAt(),
    /** The user who made the change (no foreign key: the trail outlives accounts). */
    actorId: integer('actor_id'),
    actorName: text('actor_name').notNull(),
    /** e.g. "settings.saved", "settings.inherited", "settings.reset", "overrides.cleared", "project.moved". */
    action: text('action').notNull(),
    level: text('level', { enum: ['instance', 'group', 'project'] }).notNull(),
    groupId: integer('group_id'),
    projectId: integer('project_id'),
    /** "Instance", "Platform / Backend", ... at the time of the change. */
    ownerName: text('owner_name').notNull(),
    ownerPath: text('owner_path'),
    /** The integration type's slug, when the change is about one. */
    integration: text('integration'),
    /** JSON array of { key, label, before, after }; secrets only as "changed". */
    changes: text('changes').notNull().default('[]'),
  },
  (t) => [
    index('audit_events_group_idx').on(t.groupId, t.id),
    index('audit_events_project_idx').on(t.projectId, t.id),
    index('audit_events_actor_idx').on(t.actorId, t.id),
    index('audit_events_integration_idx').on(t.integration, t.id),
  ],
);

export type AuditEvent = typeof auditEvents.$inferSelect;

/**
 * Personal access tokens for the API (`PRIVATE-TOKEN` or `Authorization: Bearer`). Only the
 * SHA-256 of a token is stored: it is shown once, when created.
 */
export const personalAccessTokens = sqliteTable(
  'personal_access_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** JSON array of scopes: "api", "read_api". */
    scopes: text('scopes').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** The last day the token works, "YYYY-MM-DD" (GitLab's expires_at). */
    expiresAt: text('expires_at').notNull(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('personal_access_tokens_token_hash_unique').on(t.tokenHash),
    index('personal_access_tokens_user_id_idx').on(t.userId),
  ],
);

export type PersonalAccessToken = typeof personalAccessTokens.$inferSelect;

/** Instance-wide settings of the Admin Area: a single row, id 1. */
export const applicationSettings = sqliteTable(
  'application_settings',
  {
    id: integer('id').primaryKey(),
    /** "Allow requests to the local network from webhooks and integrations" (off by default). */
    allowLocalRequests: integer('allow_local_requests', { mode: 'boolean' }).notNull().default(false),
    /** Newline-separated IPs, CIDR ranges and host names that may be reached although local. */
    outboundAllowlist: text('outbound_allowlist').notNull().default(''),
    updatedBy: integer('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' })
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [check('application_settings_single_row', sql`${t.id} = 1`)],
);

export type ApplicationSettings = typeof applicationSettings.$inferSelect;

/**
 * Attempts counted by the throttles (auth/throttle.ts), one row per key an attempt counts for:
 * kept in the database so that every server sharing it counts the same attempts.
 */
export const throttleAttempts = sqliteTable(
  'throttle_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** What is counted, e.g. "account:root" or "settings-test:7"; never a secret. */
    key: text('key').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    /** When the attempt has left its key's window and the row may be deleted. */
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('throttle_attempts_key_at_idx').on(t.key, t.at),
    index('throttle_attempts_expires_at_idx').on(t.expiresAt),
  ],
);
