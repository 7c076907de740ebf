/**
 * @module code-hosts/connections
 * Admin Area › Code hosts: connecting a GitLab, Gitea or Forgejo instance, changing, pausing and
 * removing the connection, and what the pages show of it and of its import. No HTTP here: the
 * routes parse a form with {@link parseConnectionForm} and call these functions.
 */
import { randomBytes } from 'node:crypto';
import { and, count, desc, eq, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { INSTANCE_LEVEL, recordAuditEvent, type AuditActor, type AuditChange } from '../audit/trail.js';
import { booleanField } from '../boolean.js';
import type { Queryable } from '../db/client.js';
import {
  codeHosts,
  groups,
  hostEvents,
  hostSyncRuns,
  members,
  projects,
  users,
  type CodeHost,
  type HostSyncRun,
} from '../db/schema.js';
import { lastValue, type FormInput } from '../form-values.js';
import { outboundPolicy } from '../model/network-settings.js';
import { localNetworkError, type OutboundOptions } from '../outbound/request.js';
import { text, validate, type FieldErrors, type Outcome } from '../validation.js';
import { HOST_KIND_LABELS, HOST_KINDS, HostRequestFailed, type HostClient, type HostClientFactory } from './host.js';
import { HostSecrets } from './secrets.js';

export const MIN_RECONCILE_MINUTES = 5;
export const MAX_RECONCILE_MINUTES = 1440;
export const DEFAULT_RECONCILE_MINUTES = 60;

export const DUPLICATE_HOST_MESSAGE = 'A connection to this host already exists';
export const LOCAL_HOST_MESSAGE =
  'This host is on the local network: the Network settings (Admin Area › Settings › Network) must allow it before Cascade can connect';
export const INVALID_TOKEN_MESSAGE =
  'The host refused this access token: it is not valid, or it has expired or been revoked';

/** Where the Network settings are, for the link next to the URL field. */
export const NETWORK_SETTINGS_PATH = '/admin/application_settings/network';

const hostUrlSchema = text('URL')
  .trim()
  .min(1, 'URL is required')
  .max(2000, 'URL is too long (maximum is 2000 characters)')
  .transform((value, ctx) => {
    const message = hostUrlProblem(value);
    if (message) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return normalHostUrl(value);
  });

/** Why a typed URL cannot name a code host, or null when it can. */
function hostUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'URL must be a full address, such as https://gitlab.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'URL must start with https:// or http://';
  if (url.username || url.password) return 'URL must not contain a user name or password: give the token below';
  if (value.includes('?') || value.includes('#')) return 'URL must not contain a query (?) or a fragment (#)';
  return null;
}

/** "https://GitLab.example.com/gitlab/" -> "https://gitlab.example.com/gitlab". */
const normalHostUrl = (value: string) => {
  const url = new URL(value);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
};

/** How pages and the audit trail name a connection: "gitlab.example.com", or with the path it is served under. */
export const connectionName = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname}`.replace(/\/+$/, '');
};

const optionalText = (label: string, max: number) =>
  text(label)
    .trim()
    .max(max, `${label} is too long (maximum is ${max} characters)`)
    .transform((value) => value || null);

const connectionSchema = z.object({
  kind: z.enum(HOST_KINDS, { error: 'Kind must be GitLab, Gitea or Forgejo' }),
  url: hostUrlSchema,
  token: optionalText('Access token', 1000),
  oidc_client_id: optionalText('Application ID', 255),
  oidc_client_secret: optionalText('Application secret', 1000),
  admins_are_admins: booleanField('Host administrators are Cascade administrators must be yes or no'),
  reconcile_minutes: z.coerce
    .number({ error: 'Reconcile interval must be a number of minutes' })
    .int('Reconcile interval must be a whole number of minutes')
    .min(MIN_RECONCILE_MINUTES, `Reconcile interval must be at least ${MIN_RECONCILE_MINUTES} minutes`)
    .max(MAX_RECONCILE_MINUTES, `Reconcile interval must be at most ${MAX_RECONCILE_MINUTES} minutes (a day)`),
});

/** A parsed connection form. A null secret means "keep the one stored" (edit) or "none" (connect). */
export type ConnectionInput = z.infer<typeof connectionSchema>;

/**
 * The connect or edit form. On edit (`existing` given) the kind stays, a blank token or
 * application secret keeps the stored one, but a changed URL needs them entered again: they are
 * sealed for the URL and are never sent to a host the administrator did not give them for.
 *
 * @example
 * parseConnectionForm({ kind: 'gitlab', url: 'https://gitlab.example.com/', token: 'glpat-…', reconcile_minutes: '60' })
 * // { ok: true, value: { kind: 'gitlab', url: 'https://gitlab.example.com', … } }
 */
export function parseConnectionForm(form: FormInput, existing?: CodeHost): Outcome<ConnectionInput> {
  const outcome = validate(connectionSchema, {
    kind: existing ? existing.kind : lastValue(form.kind),
    url: lastValue(form.url),
    token: lastValue(form.token) ?? '',
    oidc_client_id: lastValue(form.oidc_client_id) ?? '',
    oidc_client_secret: lastValue(form.oidc_client_secret) ?? '',
    admins_are_admins: lastValue(form.admins_are_admins) ?? '',
    reconcile_minutes: lastValue(form.reconcile_minutes) ?? '',
  });
  if (!outcome.ok) return outcome;
  const input = outcome.value;
  const errors: FieldErrors = {};
  const urlChanged = !existing || existing.url.toLowerCase() !== input.url.toLowerCase();
  if (!input.token && urlChanged) {
    errors.token = existing ? 'Access token is required again when the URL changes' : 'Access token is required';
  }
  const hasSecret = input.oidc_client_secret !== null || (!urlChanged && existing?.oidcClientSecret);
  if (input.oidc_client_id && !hasSecret) {
    errors.oidc_client_secret =
      existing?.oidcClientSecret && urlChanged
        ? 'Application secret is required again when the URL changes'
        : 'Application secret is required with an Application ID';
  }
  if (!input.oidc_client_id && input.oidc_client_secret)
    errors.oidc_client_id = 'Application ID is required with an Application secret';
  return Object.keys(errors).length > 0 ? { ok: false, errors } : outcome;
}

/** What connecting and changing a connection need besides the database. */
export interface ConnectionOptions {
  clients: HostClientFactory;
  secretKeyBase: string;
  /** Where the host sends its hooks: `<PUBLIC_URL>/-/code_hosts/<id>/hook`. */
  receiverUrl: (id: number) => string;
  /** The tests' DNS and timeouts (http/context.ts AppDeps.outbound). */
  outbound?: OutboundOptions;
}

/** "<PUBLIC_URL>/-/code_hosts/<id>/hook": the one URL each connection's hooks are sent to. */
export const receiverUrlFor = (publicOrigin: string) => (id: number) => `${publicOrigin}/-/code_hosts/${id}/hook`;

const findByUrl = (db: Queryable, url: string) =>
  db
    .select({ id: codeHosts.id })
    .from(codeHosts)
    .where(sql`lower(${codeHosts.url}) = ${url.toLowerCase()}`);

/** "administrator rights and the api scope". */
const listed = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/**
 * Checks that the host may be reached, the token is valid and has the rights Cascade needs:
 * the client and its version on success, the form's errors otherwise.
 */
async function checkHost(
  db: Queryable,
  target: { kind: CodeHost['kind']; url: string; token: string },
  options: ConnectionOptions,
): Promise<Outcome<{ client: HostClient; version: string; username: string }>> {
  const policy = await outboundPolicy(db);
  if (await localNetworkError(target.url, policy, options.outbound))
    return { ok: false, errors: { url: LOCAL_HOST_MESSAGE } };
  try {
    const client = options.clients(target, policy);
    const check = await client.check();
    if (check.missing.length > 0) {
      return {
        ok: false,
        errors: {
          token: `The token lacks ${listed(check.missing)}. ${TOKEN_HELP[target.kind]}`,
        },
      };
    }
    return { ok: true, value: { client, version: check.version, username: check.username } };
  } catch (error) {
    if (!(error instanceof HostRequestFailed)) throw error;
    if (error.status === 401) return { ok: false, errors: { token: INVALID_TOKEN_MESSAGE } };
    return { ok: false, errors: { url: `Cascade could not reach the host: ${error.message}` } };
  }
}

/** Which token each kind of host needs, as the connect form and its errors say it. */
export const TOKEN_HELP: Record<CodeHost['kind'], string> = {
  // GitLab: doc/api/system_hooks.md ("administrator access") and doc/user/profile/personal_access_tokens.md (api scope).
  gitlab: 'GitLab needs a personal access token of an administrator, with the api scope.',
  // Gitea and Forgejo: "Access Token Scope" (forgejo.codeberg.page/docs/latest/user/token-scope/, the same
  // scopes as Gitea's docs/usage/authentication): /admin/* (the system webhook, every user) needs an
  // administrator and write:admin; organisations and teams read:organization, repositories and
  // collaborators read:repository, users read:user.
  gitea:
    'Gitea needs an access token of an administrator, with the scopes write:admin, read:organization, read:repository and read:user.',
  forgejo:
    'Forgejo needs an access token of an administrator, with the scopes write:admin, read:organization, read:repository and read:user.',
};

const newHookSecret = () => randomBytes(32).toString('hex');

/** The connection's settings as the audit trail compares them; secrets only as set or changed. */
function auditedSettings(
  host: Pick<CodeHost, 'name' | 'kind' | 'url' | 'reconcileMinutes' | 'adminsAreAdmins' | 'oidcClientId'>,
) {
  return [
    { key: 'name', label: 'Name', value: host.name },
    { key: 'kind', label: 'Kind', value: HOST_KIND_LABELS[host.kind] },
    { key: 'url', label: 'URL', value: host.url },
    { key: 'reconcile_minutes', label: 'Reconcile interval (minutes)', value: String(host.reconcileMinutes) },
    {
      key: 'admins_are_admins',
      label: 'Host administrators are Cascade administrators',
      value: String(host.adminsAreAdmins),
    },
    { key: 'oidc_client_id', label: 'Application ID', value: host.oidcClientId },
  ];
}

function settingsChanges(
  before: CodeHost | null,
  after: CodeHost,
  secretsChanged: Record<string, boolean>,
): AuditChange[] {
  const was = before ? auditedSettings(before) : [];
  const changes: AuditChange[] = auditedSettings(after)
    .map(({ key, label, value }) => ({
      key,
      label,
      before: was.find((item) => item.key === key)?.value ?? null,
      after: value,
    }))
    .filter((change) => change.before !== change.after);
  const secretLabels: Record<string, string> = { token: 'Access token', oidc_client_secret: 'Application secret' };
  for (const [key, changed] of Object.entries(secretsChanged)) {
    if (changed)
      changes.push({
        key,
        label: secretLabels[key]!,
        before: before ? 'set' : null,
        after: before ? 'changed' : 'set',
      });
  }
  return changes;
}

/**
 * Connects a code host: checks the URL against the outbound protection, the token and its rights,
 * registers Cascade's system hook with a fresh secret and stores the connection (token and
 * secrets sealed). The host is asked before anything is kept: when it refuses, nothing stays.
 *
 * @example
 * const outcome = await connectCodeHost(db, input, admin, { clients, secretKeyBase, receiverUrl })
 * if (outcome.ok) imports.start(outcome.value)
 */
export async function connectCodeHost(
  db: Queryable,
  input: ConnectionInput,
  actor: AuditActor,
  options: ConnectionOptions,
): Promise<Outcome<CodeHost>> {
  if ((await findByUrl(db, input.url)).length > 0) return { ok: false, errors: { url: DUPLICATE_HOST_MESSAGE } };
  const checked = await checkHost(db, { kind: input.kind, url: input.url, token: input.token! }, options);
  if (!checked.ok) return checked;
  const secrets = new HostSecrets(options.secretKeyBase);
  const hookSecret = newHookSecret();
  // The receiver URL holds the connection's id, so the row comes first; it is removed again
  // when the host does not take the hook, and only then is the connection audited.
  let host: CodeHost;
  try {
    host = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(codeHosts)
        .values({
          kind: input.kind,
          name: connectionName(input.url),
          url: input.url,
          token: secrets.seal(input.url, 'token', input.token!),
          hookSecret: secrets.seal(input.url, 'hookSecret', hookSecret),
          version: checked.value.version,
          tokenUsername: checked.value.username,
          adminsAreAdmins: input.admins_are_admins,
          oidcClientId: input.oidc_client_id,
          oidcClientSecret: input.oidc_client_secret
            ? secrets.seal(input.url, 'oidcClientSecret', input.oidc_client_secret)
            : null,
          reconcileMinutes: input.reconcile_minutes,
        })
        .returning();
      return row!;
    });
  } catch (error) {
    // Connected at the same moment by someone else: the unique URL index refused the second.
    if ((await findByUrl(db, input.url)).length > 0) return { ok: false, errors: { url: DUPLICATE_HOST_MESSAGE } };
    throw error;
  }
  let hookId: number;
  try {
    hookId = (await checked.value.client.registerSystemHook(options.receiverUrl(host.id), hookSecret)).hostId;
  } catch (error) {
    await db.transaction(async (tx) => {
      await tx.delete(codeHosts).where(eq(codeHosts.id, host.id));
    });
    if (!(error instanceof HostRequestFailed)) throw error;
    return { ok: false, errors: { _form: `The host did not register Cascade's system hook: ${error.message}` } };
  }
  const connected = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(codeHosts)
      .set({ systemHookId: hookId, updatedAt: new Date() })
      .where(eq(codeHosts.id, host.id))
      .returning();
    await recordAuditEvent(tx, {
      actor,
      action: 'code_host.connected',
      owner: INSTANCE_LEVEL,
      changes: settingsChanges(null, row!, { token: true, oidc_client_secret: row!.oidcClientSecret !== null }),
    });
    return row!;
  });
  return { ok: true, value: connected };
}

/** The client of a stored connection, with its own token; null when the token does not open or no client can be made. */
async function clientOf(
  db: Queryable,
  host: CodeHost,
  options: Pick<ConnectionOptions, 'clients' | 'secretKeyBase'>,
): Promise<HostClient | null> {
  const token = new HostSecrets(options.secretKeyBase).open(host, 'token');
  if (!token) return null;
  try {
    return options.clients({ kind: host.kind, url: host.url, token }, await outboundPolicy(db));
  } catch (error) {
    if (error instanceof HostRequestFailed) return null;
    throw error;
  }
}

/** What changing a connection did besides saving, for the flash message (e.g. an old hook left behind). */
export interface UpdateNotes {
  notes: string[];
}

/**
 * Saves a changed connection. A new URL is checked like a new connection, gets Cascade's system
 * hook (with a new secret) and loses the old one when the old host still lets Cascade remove it;
 * a new token on the same URL is checked before it is kept.
 */
export async function updateCodeHost(
  db: Queryable,
  host: CodeHost,
  input: ConnectionInput,
  actor: AuditActor,
  options: ConnectionOptions,
): Promise<Outcome<CodeHost & UpdateNotes>> {
  const secrets = new HostSecrets(options.secretKeyBase);
  const urlChanged = host.url.toLowerCase() !== input.url.toLowerCase();
  const notes: string[] = [];
  const changes: Partial<typeof codeHosts.$inferInsert> = {};
  let oldHook: { client: HostClient | null; id: number } | null = null;
  let newHook: { client: HostClient; id: number } | null = null;

  if (urlChanged) {
    if ((await findByUrl(db, input.url)).length > 0) return { ok: false, errors: { url: DUPLICATE_HOST_MESSAGE } };
  }
  if (urlChanged || input.token) {
    const token = input.token ?? secrets.open(host, 'token');
    if (!token) return { ok: false, errors: { token: 'Access token is required: the stored one cannot be opened' } };
    const checked = await checkHost(db, { kind: host.kind, url: input.url, token }, options);
    if (!checked.ok) return checked;
    Object.assign(changes, {
      token: secrets.seal(input.url, 'token', token),
      version: checked.value.version,
      tokenUsername: checked.value.username,
    });
    if (urlChanged) {
      const hookSecret = newHookSecret();
      try {
        const hook = await checked.value.client.registerSystemHook(options.receiverUrl(host.id), hookSecret);
        newHook = { client: checked.value.client, id: hook.hostId };
        Object.assign(changes, {
          systemHookId: hook.hostId,
          hookSecret: secrets.seal(input.url, 'hookSecret', hookSecret),
        });
      } catch (error) {
        if (!(error instanceof HostRequestFailed)) throw error;
        return { ok: false, errors: { _form: `The host did not register Cascade's system hook: ${error.message}` } };
      }
      if (host.systemHookId !== null) oldHook = { client: await clientOf(db, host, options), id: host.systemHookId };
    }
  }
  const keepsSecret = !urlChanged && input.oidc_client_secret === null && input.oidc_client_id !== null;
  const saving = db.transaction(async (tx) => {
    const [row] = await tx
      .update(codeHosts)
      .set({
        ...changes,
        url: input.url,
        name: connectionName(input.url),
        adminsAreAdmins: input.admins_are_admins,
        reconcileMinutes: input.reconcile_minutes,
        oidcClientId: input.oidc_client_id,
        oidcClientSecret: keepsSecret
          ? host.oidcClientSecret
          : input.oidc_client_secret
            ? secrets.seal(input.url, 'oidcClientSecret', input.oidc_client_secret)
            : null,
        updatedAt: new Date(),
      })
      .where(eq(codeHosts.id, host.id))
      .returning();
    const audited = settingsChanges(host, row!, {
      token: input.token !== null,
      oidc_client_secret: input.oidc_client_secret !== null,
    });
    if (audited.length > 0)
      await recordAuditEvent(tx, { actor, action: 'code_host.updated', owner: INSTANCE_LEVEL, changes: audited });
    return row!;
  });
  let updated: CodeHost;
  try {
    updated = await saving;
  } catch (error) {
    // Another connection took the new URL meanwhile: the hook just registered there goes again.
    if (!urlChanged || (await findByUrl(db, input.url)).length === 0) throw error;
    if (newHook) await newHook.client.removeSystemHook(newHook.id).catch(() => undefined);
    return { ok: false, errors: { url: DUPLICATE_HOST_MESSAGE } };
  }
  if (oldHook) {
    const removed = await oldHook.client?.removeSystemHook(oldHook.id).then(
      () => true,
      () => false,
    );
    if (!removed) notes.push(`Cascade could not remove its system hook from ${host.name}: remove it there.`);
  }
  return { ok: true, value: { ...updated, notes } };
}

/** Pauses (no import, no reconcile, received events refused) or resumes a connection. */
export async function setPaused(db: Queryable, host: CodeHost, paused: boolean, actor: AuditActor): Promise<CodeHost> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(codeHosts)
      .set({ pausedAt: paused ? new Date() : null, updatedAt: new Date() })
      .where(eq(codeHosts.id, host.id))
      .returning();
    await recordAuditEvent(tx, {
      actor,
      action: paused ? 'code_host.paused' : 'code_host.resumed',
      owner: INSTANCE_LEVEL,
      changes: [{ key: 'name', label: 'Name', before: host.name, after: host.name }],
    });
    return row!;
  });
}

export const pauseCodeHost = (db: Queryable, host: CodeHost, actor: AuditActor) => setPaused(db, host, true, actor);
export const resumeCodeHost = (db: Queryable, host: CodeHost, actor: AuditActor) => setPaused(db, host, false, actor);

/** What the connection imported and keeps, as counted for its page and its removal. */
export interface ImportedCounts {
  groups: number;
  projects: number;
  users: number;
  members: number;
}

/** What removing a connection affects, for its confirmation page. */
export interface RemovalImpact extends ImportedCounts {
  events: number;
  runs: number;
  projectHooks: number;
}

const countWhere = async (
  db: Queryable,
  table: typeof groups | typeof projects | typeof users | typeof members,
  id: number,
) => (await db.select({ n: count() }).from(table).where(eq(table.codeHostId, id)))[0]!.n;

export async function importedCounts(db: Queryable, id: number): Promise<ImportedCounts> {
  return {
    groups: await countWhere(db, groups, id),
    projects: await countWhere(db, projects, id),
    users: await countWhere(db, users, id),
    members: await countWhere(db, members, id),
  };
}

export async function removalImpact(db: Queryable, host: CodeHost): Promise<RemovalImpact> {
  const events = (await db.select({ n: count() }).from(hostEvents).where(eq(hostEvents.codeHostId, host.id)))[0]!.n;
  const runs = (await db.select({ n: count() }).from(hostSyncRuns).where(eq(hostSyncRuns.codeHostId, host.id)))[0]!.n;
  const projectHooks = (
    await db
      .select({ n: count() })
      .from(projects)
      .where(and(eq(projects.codeHostId, host.id), isNotNull(projects.hostHookId)))
  )[0]!.n;
  return { ...(await importedCounts(db, host.id)), events, runs, projectHooks };
}

/**
 * Removes a connection. Cascade first removes its hooks from the host where it still can (the
 * system hook, and on GitLab the project hooks it keeps); then, in one transaction, what the
 * connection imported becomes Cascade's own (groups, projects and users keep their settings and
 * memberships; imported users cannot sign in until given a password), and its received events
 * and runs are deleted with it.
 *
 * @returns what could not be removed from the host, for the flash message
 */
export async function removeCodeHost(
  db: Queryable,
  host: CodeHost,
  actor: AuditActor,
  options: Pick<ConnectionOptions, 'clients' | 'secretKeyBase'>,
): Promise<UpdateNotes> {
  const notes: string[] = [];
  const impact = await removalImpact(db, host);
  const client = await clientOf(db, host, options);
  if (client) {
    if (host.systemHookId !== null) {
      try {
        await client.removeSystemHook(host.systemHookId);
      } catch {
        notes.push(`Cascade could not remove its system hook from ${host.name}: remove it there.`);
      }
    }
    const hooked = await db
      .select({ hostId: projects.hostId, hookId: projects.hostHookId })
      .from(projects)
      .where(and(eq(projects.codeHostId, host.id), isNotNull(projects.hostHookId)));
    let failed = 0;
    for (const project of hooked) {
      try {
        await client.projectHooks?.remove(project.hostId!, project.hookId!);
      } catch {
        failed++;
      }
    }
    if (failed > 0) notes.push(`Cascade could not remove its hook from ${failed} project(s) on ${host.name}.`);
  } else if (host.systemHookId !== null || impact.projectHooks > 0) {
    notes.push(`Cascade could not reach ${host.name} with the connection's token: remove its hooks there.`);
  }
  await db.transaction(async (tx) => {
    const detached = { codeHostId: null, hostId: null };
    await tx.update(users).set(detached).where(eq(users.codeHostId, host.id));
    await tx
      .update(groups)
      .set({ ...detached, hostHookId: null })
      .where(eq(groups.codeHostId, host.id));
    await tx
      .update(projects)
      .set({ ...detached, hostHookId: null })
      .where(eq(projects.codeHostId, host.id));
    await tx.update(members).set({ codeHostId: null }).where(eq(members.codeHostId, host.id));
    await tx.delete(hostEvents).where(eq(hostEvents.codeHostId, host.id));
    await tx.delete(hostSyncRuns).where(eq(hostSyncRuns.codeHostId, host.id));
    await tx.delete(codeHosts).where(eq(codeHosts.id, host.id));
    await recordAuditEvent(tx, {
      actor,
      action: 'code_host.removed',
      owner: INSTANCE_LEVEL,
      changes: [
        { key: 'name', label: 'Name', before: host.name, after: null },
        { key: 'kind', label: 'Kind', before: HOST_KIND_LABELS[host.kind], after: null },
        { key: 'url', label: 'URL', before: host.url, after: null },
        {
          key: 'kept',
          label: "Kept as Cascade's own",
          before: null,
          after: `${impact.groups} groups, ${impact.projects} projects, ${impact.users} users`,
        },
      ],
    });
  });
  return { notes };
}

export async function findCodeHost(db: Queryable, id: number): Promise<CodeHost | undefined> {
  return (await db.select().from(codeHosts).where(eq(codeHosts.id, id)))[0];
}

export async function listCodeHosts(db: Queryable): Promise<CodeHost[]> {
  return db.select().from(codeHosts).orderBy(codeHosts.name, codeHosts.id);
}

/** The connection's current or last import or reconcile. */
export async function latestRun(db: Queryable, id: number): Promise<HostSyncRun | undefined> {
  return (
    await db.select().from(hostSyncRuns).where(eq(hostSyncRuns.codeHostId, id)).orderBy(desc(hostSyncRuns.id)).limit(1)
  )[0];
}

/** Whether the connection has finished an import once: then its button reconciles instead. */
export async function hasImported(db: Queryable, id: number): Promise<boolean> {
  const rows = await db
    .select({ id: hostSyncRuns.id })
    .from(hostSyncRuns)
    .where(and(eq(hostSyncRuns.codeHostId, id), eq(hostSyncRuns.kind, 'import'), eq(hostSyncRuns.status, 'finished')))
    .limit(1);
  return rows.length > 0;
}

/** One count of a run: "projects 340 of 1000". */
export interface RunCount {
  name: string;
  done: number;
  total: number | null;
}

/** A run as its progress region shows it. */
export interface RunProgress {
  kind: HostSyncRun['kind'];
  status: HostSyncRun['status'];
  phase: string;
  counts: RunCount[];
  /** Of the counts whose totals are known; null when none is. */
  percent: number | null;
  problems: string[];
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

const parseJson = (value: string): unknown => {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
};

const countsSchema = z.record(z.string(), z.number()).catch({});
const problemsSchema = z.array(z.string()).catch([]);

/**
 * A run's counts read as "name" with its "nameTotal" when the import knows it; the percent is of
 * all the counts with totals, together.
 *
 * @example
 * runProgress({ counts: '{"groups":3,"groupsTotal":3,"projects":5,"projectsTotal":10}', … }).percent // 61
 */
export function runProgress(run: HostSyncRun): RunProgress {
  const raw = countsSchema.parse(parseJson(run.counts));
  const counts = Object.entries(raw)
    .filter(([name]) => !name.endsWith('Total'))
    .map(([name, done]) => ({ name, done, total: raw[`${name}Total`] ?? null }));
  const known = counts.filter((item) => item.total !== null && item.total > 0);
  const total = known.reduce((sum, item) => sum + item.total!, 0);
  const done = known.reduce((sum, item) => sum + Math.min(item.done, item.total!), 0);
  let percent = known.length > 0 ? Math.floor((done / total) * 100) : null;
  if (run.status === 'finished') percent = 100;
  return {
    kind: run.kind,
    status: run.status,
    phase: run.phase,
    counts,
    percent,
    problems: problemsSchema.parse(parseJson(run.problems)),
    error: run.error,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

/** "Active", "Paused", "Importing 40%", "Import failed", as the list and the page show it. */
export function connectionStatus(host: CodeHost, run: HostSyncRun | undefined): string {
  if (host.pausedAt) return 'Paused';
  if (run?.status === 'running') {
    const { percent } = runProgress(run);
    const verb = run.kind === 'import' ? 'Importing' : 'Reconciling';
    return percent === null ? verb : `${verb} ${percent}%`;
  }
  if (run?.status === 'failed') return run.kind === 'import' ? 'Import failed' : 'Reconcile failed';
  return 'Active';
}
