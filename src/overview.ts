/**
 * @module overview
 * The instance at a glance, for the administrators' home page: each integration that is set up
 * anywhere (its instance default, how many projects take it, who overrides it, where it fails),
 * the failing targets that affect the most projects, and the latest changes.
 */
import { listAuditEvents, type AuditPage } from './audit/trail.js';
import type { Queryable } from './db/client.js';
import { healthReport, type FailingIntegration, type HealthState } from './delivery/health.js';
import type { IntegrationType } from './integrations/types.js';
import type { EffectiveSettings } from './settings/resolve.js';
import { INSTANCE_OWNER } from './settings/owners.js';
import { integrationStates } from './settings/service.js';
import type { SettingsStore } from './settings/store.js';
import { settingsUsages, type SettingsUsage } from './settings/usage.js';

/** One integration type across the instance. */
export interface IntegrationOverview {
  type: IntegrationType;
  /** The instance default: `not_configured` when the instance has none. */
  instance: EffectiveSettings;
  usage: SettingsUsage;
  /** Its failing targets at every level, by state. */
  unhealthy: Record<HealthState, number>;
}

export interface InstanceOverview {
  /** Types with an instance default or settings of their own somewhere below, in the catalog's order. */
  integrations: IntegrationOverview[];
  /** The targets that are not healthy, those affecting the most projects first; `failingTotal` counts them all. */
  failing: FailingIntegration[];
  failingTotal: number;
  /** The latest events of the audit trail, newest first. */
  recentChanges: AuditPage['events'];
}

/** How many failing targets and changes the overview shows; the pages it links to show them all. */
export const OVERVIEW_LIMIT = 5;

/**
 * Reads the overview: the instance's chain once, every type's usage in one statement, one page of
 * the audit trail, and the unhealthy targets (healthReport: a few queries for each unhealthy one,
 * as Integration health reads them; there are few).
 *
 * @example
 * const overview = await instanceOverview(db, store, new Date())
 * overview.integrations.map(({ type, usage }) => `${type.title}: ${usage.inheritingProjects}`) // ['Slack notifications: 7']
 */
export async function instanceOverview(db: Queryable, store: SettingsStore, now: Date): Promise<InstanceOverview> {
  const states = await integrationStates(store, { level: 'instance', owner: INSTANCE_OWNER, chain: [INSTANCE_OWNER] });
  const usages = await settingsUsages(
    db,
    INSTANCE_OWNER,
    states.map((state) => state.type.slug),
  );
  const health = await healthReport(db, now);
  const recent = await listAuditEvents(db, { limit: OVERVIEW_LIMIT });
  const integrations = states.flatMap(({ type, effective }) => {
    const usage = usages.get(type.slug)!;
    const setUp = effective.state !== 'not_configured' || usage.customGroups + usage.customProjects > 0;
    if (!setUp) return [];
    const unhealthy: Record<HealthState, number> = { failing: 0, paused: 0, disabled: 0 };
    for (const failing of health.failing) if (failing.integration === type.slug) unhealthy[failing.health.state]++;
    return [{ type, instance: effective, usage, unhealthy }];
  });
  return {
    integrations,
    failing: health.failing.slice(0, OVERVIEW_LIMIT),
    failingTotal: health.failing.length,
    recentChanges: recent.events,
  };
}
