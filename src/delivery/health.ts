/**
 * @module delivery/health
 * Whether an integration's target is failing, as GitLab keeps it for webhooks
 * (WebHooks::AutoDisabling): failures are counted against the level whose settings supplied the
 * target, so an instance default's broken webhook is counted once, not once per project. Its
 * third failure in a row pauses it for a minute, each later one for twice as long (a day at
 * most), and the fortieth disables it until someone re-enables it. While it is paused or
 * disabled its deliveries wait; a delivered attempt resets it all.
 */
import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import { recordAuditEvent, type AuditActor } from '../audit/trail.js';
import type { Db, Queryable, Tx } from '../db/client.js';
import { integrationHealth, type IntegrationHealthRow } from '../db/schema.js';
import { findGroupById, groupLineage } from '../model/groups.js';
import { findProjectById } from '../model/projects.js';
import { groupOwner, INSTANCE_OWNER, projectOwner } from '../settings/owners.js';
import type { Level, SettingsOwner } from '../settings/resolve.js';
import { settingsUsage } from '../settings/usage.js';
import type { AttemptResult } from './schedule.js';

/** Failures in a row that pause a target (GitLab pauses after its grace of 3). */
export const PAUSE_THRESHOLD = 3;
/** Failures in a row that disable it until someone re-enables it. */
export const DISABLE_THRESHOLD = 40;
export const INITIAL_BACKOFF_MS = 60_000;
export const MAX_BACKOFF_MS = 24 * 3600_000;

/** The level and integration a delivery's failures are counted against, as deliveries store it. */
export interface HealthTarget {
  integration: string;
  level: Level;
  /** The group's or project's id; null for the instance. */
  ownerId: number | null;
}

/** What the health keeps of a target; a target with no failures since its last delivery has none. */
export type HealthCounts = Pick<
  IntegrationHealthRow,
  'recentFailures' | 'backoffCount' | 'pausedUntil' | 'disabledAt' | 'lastFailure' | 'lastFailureAt'
>;

/** How an attempt counts: delivered resets, failed counts, ignored leaves the health as it is. */
export type HealthOutcome = { delivered: true } | { delivered: false; reason: string } | null;

/**
 * GitLab's rule: an answer that is a success or a redirection resets; every other answer and
 * every error (refused, timeout, blocked, ...) counts. A stored request that no longer opens
 * (SECRET_KEY_BASE changed) and a mail on a server without SMTP_URL are this server's failures,
 * not the target's: they are not counted.
 */
export function healthOutcome(result: AttemptResult): HealthOutcome {
  if (result.ok)
    return result.status < 400
      ? { delivered: true }
      : { delivered: false, reason: `The server answered with HTTP ${result.status}` };
  if (result.failure === 'unreadable' || result.failure === 'mail_not_configured') return null;
  return { delivered: false, reason: result.message };
}

const NO_FAILURES: HealthCounts = {
  recentFailures: 0,
  backoffCount: 0,
  pausedUntil: null,
  disabledAt: null,
  lastFailure: null,
  lastFailureAt: null,
};

/** How long the pause after `backoffCount` earlier pauses lasts: 1 min × 2^n, a day at most. */
export function backoffMs(backoffCount: number): number {
  return Math.min(INITIAL_BACKOFF_MS * 2 ** Math.min(backoffCount, 20), MAX_BACKOFF_MS);
}

/** Whether deliveries to the target wait now. */
export const isHeld = (health: HealthCounts, now: Date) =>
  health.disabledAt !== null || (health.pausedUntil !== null && health.pausedUntil > now);

export interface HealthStep {
  health: HealthCounts;
  /** This attempt disabled it: its owners are told. */
  disabled: boolean;
}

/**
 * The health after an attempt; null when it does not change. As in GitLab, a failure seen while
 * the target is paused or disabled (a send that started before) is not counted.
 *
 * @example
 * nextHealth(undefined, { delivered: false, reason: 'HTTP 500' }, now) // { health: { recentFailures: 1, ... }, disabled: false }
 */
export function nextHealth(current: HealthCounts | undefined, outcome: HealthOutcome, now: Date): HealthStep | null {
  const health = current ?? NO_FAILURES;
  if (outcome === null) return null;
  if (outcome.delivered) {
    const clean = health.recentFailures === 0 && health.pausedUntil === null && health.disabledAt === null;
    return clean
      ? null
      : {
          health: { ...NO_FAILURES, lastFailure: health.lastFailure, lastFailureAt: health.lastFailureAt },
          disabled: false,
        };
  }
  if (isHeld(health, now)) return null;
  const recentFailures = health.recentFailures + 1;
  const failed = { ...health, recentFailures, lastFailure: outcome.reason, lastFailureAt: now };
  if (recentFailures >= DISABLE_THRESHOLD)
    return { health: { ...failed, pausedUntil: null, disabledAt: now }, disabled: true };
  if (recentFailures >= PAUSE_THRESHOLD) {
    const pausedUntil = new Date(now.getTime() + backoffMs(health.backoffCount));
    return { health: { ...failed, pausedUntil, backoffCount: health.backoffCount + 1 }, disabled: false };
  }
  return { health: failed, disabled: false };
}

/** The stored owner id: 0 for the instance (see the schema). */
const storedOwnerId = (ownerId: number | null) => ownerId ?? 0;

const targetIs = (target: HealthTarget) =>
  and(
    eq(integrationHealth.settingsLevel, target.level),
    eq(integrationHealth.settingsOwnerId, storedOwnerId(target.ownerId)),
    eq(integrationHealth.integration, target.integration),
  );

/** An attempt's outcome for its target, when it was made. */
export interface TargetOutcome {
  target: HealthTarget;
  outcome: HealthOutcome;
  at: Date;
}

const targetKey = ({ level, ownerId, integration }: HealthTarget) =>
  `${level}:${storedOwnerId(ownerId)}:${integration}`;

/**
 * Counts attempts against their targets, in the transaction that records them: each target's
 * row is read and written once, its attempts applied in the order they were made. Writes take
 * turns (a queue on SQLite, an advisory lock on PostgreSQL), so the read and the write here see
 * no other worker's attempt in between. Returns the targets these attempts disabled.
 */
export async function recordHealth(tx: Tx, outcomes: readonly TargetOutcome[]): Promise<HealthTarget[]> {
  const byTarget = new Map<string, TargetOutcome[]>();
  for (const each of outcomes) {
    if (each.outcome === null) continue;
    const key = targetKey(each.target);
    const attempts = byTarget.get(key);
    if (attempts) attempts.push(each);
    else byTarget.set(key, [each]);
  }
  const disabled: HealthTarget[] = [];
  for (const attempts of byTarget.values()) {
    const { target } = attempts[0]!;
    const [current] = await tx.select().from(integrationHealth).where(targetIs(target)).limit(1);
    let health: HealthCounts | undefined = current;
    let changedAt: Date | null = null;
    let disabledNow = false;
    for (const { outcome, at } of attempts) {
      const step = nextHealth(health, outcome, at);
      if (!step) continue;
      health = step.health;
      changedAt = at;
      disabledNow ||= step.disabled;
    }
    if (changedAt === null) continue;
    const values = { ...health!, updatedAt: changedAt };
    if (current) await tx.update(integrationHealth).set(values).where(eq(integrationHealth.id, current.id));
    else
      await tx.insert(integrationHealth).values({
        ...values,
        integration: target.integration,
        settingsLevel: target.level,
        settingsOwnerId: storedOwnerId(target.ownerId),
      });
    if (disabledNow) disabled.push(target);
  }
  return disabled;
}

/**
 * The condition, on a query of `deliveries`, that a delivery's target is not paused or disabled
 * at `now`: claiming leaves the others waiting.
 */
export function targetNotHeld(now: Date): SQL {
  return sql`not exists (select 1 from integration_health h
     where h.settings_level = deliveries.settings_level
       and h.settings_owner_id = coalesce(deliveries.settings_owner_id, 0)
       and h.integration = deliveries.integration
       and (h.disabled_at is not null or h.paused_until > ${now.getTime()}))`;
}

/** How a target is doing, as the pages say it; healthy targets have none. */
export type HealthState = 'failing' | 'paused' | 'disabled';

export interface HealthStatus {
  state: HealthState;
  /** The level whose settings supplied the target. */
  owner: SettingsOwner;
  recentFailures: number;
  pausedUntil: Date | null;
  disabledAt: Date | null;
  lastFailure: string | null;
  lastFailureAt: Date | null;
}

/** The state of a stored row at `now`; null when it is healthy. */
export function healthState(health: HealthCounts, now: Date): HealthState | null {
  if (health.disabledAt !== null) return 'disabled';
  if (health.pausedUntil !== null && health.pausedUntil > now) return 'paused';
  return health.recentFailures > 0 ? 'failing' : null;
}

export function healthStatus(row: HealthCounts, owner: SettingsOwner, now: Date): HealthStatus | null {
  const state = healthState(row, now);
  if (!state) return null;
  const { recentFailures, pausedUntil, disabledAt, lastFailure, lastFailureAt } = row;
  return { state, owner, recentFailures, pausedUntil, disabledAt, lastFailure, lastFailureAt };
}

const ownerKey = (level: Level, ownerId: number | null) => `${level}:${storedOwnerId(ownerId)}`;

/**
 * The health of each integration at `owners` (a level and the levels it inherits from), keyed
 * by owner and integration: {@link healthKey}. One query for the whole chain.
 *
 * @example
 * (await healthAlong(db, scope.chain, now)).get(healthKey(INSTANCE_OWNER, 'slack'))?.state // 'paused'
 */
export async function healthAlong(
  db: Queryable,
  owners: readonly SettingsOwner[],
  now: Date,
): Promise<Map<string, HealthStatus>> {
  if (owners.length === 0) return new Map();
  const byKey = new Map(owners.map((owner) => [ownerKey(owner.level, owner.id), owner]));
  const found = await db
    .select()
    .from(integrationHealth)
    .where(
      or(
        ...owners.map((owner) =>
          and(
            eq(integrationHealth.settingsLevel, owner.level),
            eq(integrationHealth.settingsOwnerId, storedOwnerId(owner.id)),
          ),
        ),
      ),
    );
  const statuses = new Map<string, HealthStatus>();
  for (const row of found) {
    const owner = byKey.get(ownerKey(row.settingsLevel, row.settingsOwnerId))!;
    const status = healthStatus(row, owner, now);
    if (status) statuses.set(healthKey(owner, row.integration), status);
  }
  return statuses;
}

export const healthKey = (owner: Pick<SettingsOwner, 'level' | 'id'>, integration: string) =>
  `${ownerKey(owner.level, owner.id)}:${integration}`;

/**
 * Re-enables a paused or disabled target at once (its waiting deliveries are due again), with
 * an audit event. Returns false when it was not failing.
 */
export async function reenable(
  db: Db,
  owner: SettingsOwner,
  integration: string,
  actor: AuditActor,
  now: Date,
): Promise<boolean> {
  const target = { integration, level: owner.level, ownerId: owner.id };
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(integrationHealth).where(targetIs(target)).limit(1);
    if (!current || healthState(current, now) === null) return false;
    await tx
      .update(integrationHealth)
      .set({ ...NO_FAILURES, lastFailure: current.lastFailure, lastFailureAt: current.lastFailureAt, updatedAt: now })
      .where(eq(integrationHealth.id, current.id));
    await recordAuditEvent(tx, { actor, action: 'integration.reenabled', owner, integration });
    return true;
  });
}

/** A failing target as Admin Area › Integration health lists it. */
export interface FailingIntegration {
  integration: string;
  health: HealthStatus;
  /** Projects whose target comes from that level (those that take its settings, counted by settings/usage.ts). */
  projects: number;
}

export interface HealthReport {
  counts: Record<HealthState, number>;
  /** Those affecting the most projects first. */
  failing: FailingIntegration[];
}

/**
 * Every target that is not healthy across the instance: how many are in each state, and which
 * they are, ordered by how many projects they affect. Only the unhealthy rows are read.
 */
export async function healthReport(db: Queryable, now: Date): Promise<HealthReport> {
  const found = await db
    .select()
    .from(integrationHealth)
    .where(sql`${integrationHealth.recentFailures} > 0 or ${integrationHealth.disabledAt} is not null`);
  const counts: Record<HealthState, number> = { failing: 0, paused: 0, disabled: 0 };
  const failing: FailingIntegration[] = [];
  for (const row of found) {
    const owner = await ownerOfTarget(db, { level: row.settingsLevel, ownerId: row.settingsOwnerId || null });
    const health = owner && healthStatus(row, owner, now);
    if (!health) continue;
    counts[health.state]++;
    const projects =
      owner.level === 'project' ? 1 : (await settingsUsage(db, owner, row.integration)).inheritingProjects;
    failing.push({ integration: row.integration, health, projects });
  }
  failing.sort((a, b) => b.projects - a.projects || a.health.owner.name.localeCompare(b.health.owner.name));
  return { counts, failing };
}

/** The level a target is counted against, named as the pages name it; undefined once it is gone. */
export async function ownerOfTarget(db: Queryable, target: Pick<HealthTarget, 'level' | 'ownerId'>) {
  if (target.level === 'instance') return INSTANCE_OWNER;
  if (target.level === 'group') {
    const group = await findGroupById(db, target.ownerId!);
    return group && groupOwner(group, await groupLineage(db, group));
  }
  const project = await findProjectById(db, target.ownerId!);
  const group = project && (await findGroupById(db, project.groupId));
  return group && projectOwner(project, await groupLineage(db, group));
}
