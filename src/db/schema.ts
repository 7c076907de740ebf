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

/**
 * What an imported user, group or project is on its code host: the connection and the host's own
 * id, never its path, so that a rename or transfer on the host keeps its settings here. Both are
 * null for what was created in Cascade. Removing the connection keeps the objects as Cascade's own.
 */
const hostKeys = () => ({
  codeHostId: integer('code_host_id').references((): AnySQLiteColumn => codeHosts.id, { onDelete: 'set null' }),
  hostId: integer('host_id'),
});

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
    /** GitLab's last_sign_in_at; null: never signed in (the sign-in page's first-password hint waits for root's). */
    lastSignInAt: integer('last_sign_in_at', { mode: 'timestamp_ms' }),
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

/**
 * "Forgot your password?": one row per reset link mailed (auth/password-resets.ts). Only the
 * SHA-256 of the link's token is stored; a link is deleted when used, and with every other of
 * its user's once the password changes.
 */
export const passwordResetTokens = sqliteTable(
  'password_reset_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tokenHash: text('token_hash').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('password_reset_tokens_token_hash_unique').on(t.tokenHash),
    index('password_reset_tokens_user_id_idx').on(t.userId),
  ],
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
    /** How many projects are directly in the group, kept by the triggers of drizzle/sqlite/0007. */
    projectCount: integer('project_count').notNull().default(0),
    ...hostKeys(),
    /** The group hook Cascade keeps on the host (GitLab), by the host's id. */
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
    ...hostKeys(),
    /** The project hook Cascade keeps on the host (GitLab), by the host's id. */
    hostHookId: integer('host_hook_id'),
    /** The default branch, as the host last reported it (null: not imported, or an empty repository). */
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
    /** The connection that imported the membership (the host is its source of truth); null: given in Cascade. */
    codeHostId: integer('code_host_id').references((): AnySQLiteColumn => codeHosts.id, { onDelete: 'set null' }),
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
 * How many descendants of a level have settings of their own for a type: per group (its
 * subtree, the group itself left out) and for the instance (scope 0). Kept by the triggers of
 * drizzle/sqlite/0010 in the transaction that adds, removes or moves a settings row, a project
 * or a group, so that "Projects using custom settings" and the integration lists read a row
 * where they counted the subtree's rows on every request.
 */
export const settingsCounts = sqliteTable(
  'settings_counts',
  {
    /** The group whose subtree is counted; 0 for the instance. */
    scopeId: integer('scope_id').notNull(),
    type: text('type').notNull(),
    customProjects: integer('custom_projects').notNull().default(0),
    customGroups: integer('custom_groups').notNull().default(0),
  },
  (t) => [uniqueIndex('settings_counts_scope_type_unique').on(t.scopeId, t.type)],
);

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

/**
 * A connected GitLab, Gitea or Forgejo instance (src/code-hosts/): the token Cascade reads it with,
 * the system hook it registered there, and how its groups, projects and members are kept in sync.
 */
export const codeHosts = sqliteTable(
  'code_hosts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ['gitlab', 'gitea', 'forgejo'] }).notNull(),
    /** "gitlab.example.com": how pages and the audit trail name the host. */
    name: text('name').notNull(),
    /** The host's base URL, e.g. "https://gitlab.example.com" (no trailing slash). */
    url: text('url').notNull(),
    /** The administrator's access token, sealed (src/seal.ts); write-only. */
    token: text('token').notNull(),
    /** The secret of the hooks Cascade registered (GitLab's token, Gitea's HMAC key), sealed. */
    hookSecret: text('hook_secret').notNull(),
    /** The system hook Cascade registered on the host, by the host's id. */
    systemHookId: integer('system_hook_id'),
    /** The host's version when last checked, e.g. "17.5.1" or "1.22.3". */
    version: text('version').notNull().default(''),
    /** The username the token belongs to. */
    tokenUsername: text('token_username').notNull().default(''),
    /** Set while the connection is paused: no import, no reconcile, received events are refused. */
    pausedAt: integer('paused_at', { mode: 'timestamp_ms' }),
    /** Whether the host's administrators are Cascade administrators when they sign in (off by default). */
    adminsAreAdmins: integer('admins_are_admins', { mode: 'boolean' }).notNull().default(false),
    /** "Sign in with <host>": the OpenID Connect application registered on the host. */
    oidcClientId: text('oidc_client_id'),
    /** Its secret, sealed. */
    oidcClientSecret: text('oidc_client_secret'),
    /** Minutes between reconciles. */
    reconcileMinutes: integer('reconcile_minutes').notNull().default(60),
    lastReconciledAt: integer('last_reconciled_at', { mode: 'timestamp_ms' }),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' })
      .notNull()
      .$defaultFn(() => new Date()),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('code_hosts_url_unique').on(sql`lower(${t.url})`)],
);

export type CodeHost = typeof codeHosts.$inferSelect;

/**
 * One import or reconcile of a connection: where it is (for the progress shown and for resuming
 * after a failure), what it has counted, and what it could not take over (e.g. a path collision).
 */
export const hostSyncRuns = sqliteTable(
  'host_sync_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    codeHostId: integer('code_host_id')
      .notNull()
      .references(() => codeHosts.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['import', 'reconcile'] }).notNull(),
    status: text('status', { enum: ['running', 'finished', 'failed'] }).notNull(),
    /** e.g. "groups", "projects", "members": the step the run is in. */
    phase: text('phase').notNull().default(''),
    /** JSON: where to resume (the step and the host's page or keyset cursor). */
    cursor: text('cursor'),
    /** JSON object of counts, e.g. { "groups": 12, "projects": 340, "projectsTotal": 1000 }. */
    counts: text('counts').notNull().default('{}'),
    /** JSON array of texts: what was reported instead of taken over, e.g. a path collision. */
    problems: text('problems').notNull().default('[]'),
    /** Why the run failed, as shown to the administrator (never a secret). */
    error: text('error'),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('host_sync_runs_code_host_idx').on(t.codeHostId, t.id)],
);

export type HostSyncRun = typeof hostSyncRuns.$inferSelect;

/**
 * Every event a code host sent to the receiver, stored before the receiver answers: once per
 * delivery id, so a redelivery is stored once. Kept 14 days by default.
 */
export const hostEvents = sqliteTable(
  'host_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    codeHostId: integer('code_host_id')
      .notNull()
      .references(() => codeHosts.id, { onDelete: 'cascade' }),
    /** The host's id of the delivery (X-Gitlab-Event-UUID / Idempotency-Key, X-Gitea-Delivery). */
    deliveryId: text('delivery_id').notNull(),
    /** The event as the host names it (X-Gitlab-Event "Push Hook", X-Gitea-Event "push"). */
    hostEvent: text('host_event').notNull(),
    /** The event in Cascade's words, the same for every host: "push", "project_renamed", "member_added", ... */
    kind: text('kind').notNull(),
    /** The project the event is about, by the host's id; null for an event about no project. */
    hostProjectId: integer('host_project_id'),
    /** That project in Cascade, once known. */
    projectId: integer('project_id').references(() => projects.id, { onDelete: 'set null' }),
    /** The raw JSON body as received. */
    payload: text('payload').notNull(),
    /**
     * "received", "applied", "ignored", "unknown_project" (kept for the reconcile), "failed";
     * "dispatched" once a content event's deliveries are stored (src/delivery/dispatcher.ts).
     */
    outcome: text('outcome').notNull().default('received'),
    /** What the outcome means for this event, as shown in Recent events. */
    detail: text('detail'),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
    processedAt: integer('processed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('host_events_delivery_unique').on(t.codeHostId, t.deliveryId),
    index('host_events_code_host_idx').on(t.codeHostId, t.id),
    index('host_events_received_at_idx').on(t.receivedAt),
    index('host_events_project_idx').on(t.projectId, t.id),
    // What the processor and the dispatcher still have to take: few rows, however many are kept.
    index('host_events_received_idx')
      .on(t.id)
      .where(sql`${t.outcome} = 'received'`),
  ],
);

export type HostEvent = typeof hostEvents.$inferSelect;

/**
 * One request to send for an event (src/delivery/): to one integration of the event's project,
 * with the settings resolved when it was planned. Sent until it is delivered or has failed.
 */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    hostEventId: integer('host_event_id')
      .notNull()
      .references(() => hostEvents.id, { onDelete: 'cascade' }),
    /** Removing a project removes its deliveries, as it removes its settings: none is sent for it after. */
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** The integration type's slug. */
    integration: text('integration').notNull(),
    /** The level whose settings supplied the target: its failures are counted there. */
    settingsLevel: text('settings_level', { enum: ['instance', 'group', 'project'] }).notNull(),
    /** The group's or project's id; null for the instance. */
    settingsOwnerId: integer('settings_owner_id'),
    /** "hooks.slack.com" or "ci.example.com:8443": sends to one host are bounded. */
    targetHost: text('target_host').notNull(),
    /** The request (method, URL, headers, body) as JSON, sealed: URLs and headers carry tokens. */
    request: text('request').notNull(),
    /** JSON: the values the delivery used and the level each came from; never a secret. */
    used: text('used').notNull().default('{}'),
    /** JSON: the request as Recent deliveries shows it, secrets redacted when it was planned (delivery/redaction.ts). */
    target: text('target').notNull().default('{}'),
    /** The delivery this one sends again (Resend); no foreign key: retention may delete that one first. */
    resentFromId: integer('resent_from_id'),
    state: text('state', { enum: ['pending', 'delivered', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    /** Set while a worker sends it; once passed (the worker died), another takes it again. */
    leasedUntil: integer('leased_until', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('deliveries_due_idx').on(t.state, t.nextAttemptAt),
    index('deliveries_host_event_idx').on(t.hostEventId),
    index('deliveries_project_idx').on(t.projectId, t.id),
    index('deliveries_created_at_idx').on(t.createdAt),
    index('deliveries_integration_idx').on(t.integration, t.id),
  ],
);

export type Delivery = typeof deliveries.$inferSelect;

/** Each time a delivery was sent, and what came back. */
export const deliveryAttempts = sqliteTable(
  'delivery_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    attemptedAt: integer('attempted_at', { mode: 'timestamp_ms' }).notNull(),
    /** The HTTP status of the answer, or a mail's SMTP reply code; null when none came. */
    status: integer('status'),
    /** Why it failed (an OutboundFailure such as "timeout", "smtp_transient", or "unreadable"); null when delivered. */
    failure: text('failure'),
    message: text('message'),
    durationMs: integer('duration_ms').notNull(),
    /** The first 8 KB of the answer's body, or the mail server's reply. */
    responseExcerpt: text('response_excerpt'),
  },
  (t) => [index('delivery_attempts_delivery_idx').on(t.deliveryId, t.id)],
);

export type DeliveryAttempt = typeof deliveryAttempts.$inferSelect;

/**
 * How the target of an integration's deliveries is doing, counted against the level whose
 * settings supplied it (src/delivery/health.ts): an instance default's broken webhook has one
 * row, however many projects use it. No row: nothing failed since the last delivery.
 */
export const integrationHealth = sqliteTable(
  'integration_health',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The integration type's slug. */
    integration: text('integration').notNull(),
    settingsLevel: text('settings_level', { enum: ['instance', 'group', 'project'] }).notNull(),
    /** The group's or project's id; 0 for the instance, so that the unique index holds for it too. */
    settingsOwnerId: integer('settings_owner_id').notNull(),
    /** Failed attempts since the last delivered one, counted while not paused. */
    recentFailures: integer('recent_failures').notNull().default(0),
    /** Pauses since the last delivered attempt: the next one lasts 1 min × 2^backoffCount. */
    backoffCount: integer('backoff_count').notNull().default(0),
    /** Deliveries wait until then. */
    pausedUntil: integer('paused_until', { mode: 'timestamp_ms' }),
    /** Set on the 40th failure: deliveries wait until someone re-enables it. */
    disabledAt: integer('disabled_at', { mode: 'timestamp_ms' }),
    /** Why the last counted attempt failed ("The server answered with HTTP 500"). */
    lastFailure: text('last_failure'),
    lastFailureAt: integer('last_failure_at', { mode: 'timestamp_ms' }),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('integration_health_target_unique').on(t.settingsLevel, t.settingsOwnerId, t.integration)],
);

export type IntegrationHealthRow = typeof integrationHealth.$inferSelect;

/**
 * The branches a project protects, as its code host last listed them (src/code-hosts/sync.ts):
 * names or patterns, in the host's own syntax (GitLab's wildcards, Gitea's globs). No row: not
 * read yet. The host is the source of truth; GitLab's `protected` branch filters read them.
 */
export const protectedBranches = sqliteTable('protected_branches', {
  projectId: integer('project_id')
    .primaryKey()
    .references(() => projects.id, { onDelete: 'cascade' }),
  /** JSON: the names and patterns (`main`, `release/*`). */
  rules: text('rules').notNull().default('[]'),
  readAt: integer('read_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * The status of the last finished pipeline of each ref of a project, as Cascade learnt it from
 * the pipeline events it dispatched (src/delivery/pipeline-status.ts): GitLab's Ci::Ref, which
 * `notify_only_when_pipeline_status_changes` compares a pipeline with.
 */
export const pipelineStatuses = sqliteTable(
  'pipeline_statuses',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** The full ref: `refs/heads/main`, `refs/tags/v1.0`. */
    ref: text('ref').notNull(),
    status: text('status', { enum: ['success', 'failed'] }).notNull(),
    /** The host's id of the pipeline that set it: an older pipeline finishing later changes nothing. */
    pipelineId: integer('pipeline_id').notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('pipeline_statuses_ref_unique').on(t.projectId, t.ref)],
);

/**
 * One row whose counter rises with every write to a table that pages show, raised by triggers
 * (drizzle/sqlite/0009, drizzle/postgres/0001): what each server keeps (pages, sessions) is
 * known out of date as soon as a write commits. Throttle attempts, hook events and deliveries
 * leave it alone: they change many times a second and no kept page shows them (their pages are
 * never kept, see http/page-cache.ts); so do protected branches and pipeline statuses, which no
 * page shows.
 */
export const cascadeChanges = sqliteTable(
  'cascade_changes',
  {
    id: integer('id').primaryKey(),
    counter: integer('counter').notNull().default(0),
  },
  (t) => [check('cascade_changes_single_row', sql`${t.id} = 1`)],
);
