/**
 * @module views/components/integration-health
 * How an integration's target is doing, where it is failing: "Failing", "Paused until …" or
 * "Disabled after repeated failures", naming the level whose settings supplied the target when
 * it is not the page's own, and "Re-enable" for those who may change that level's settings.
 */
import type { HealthStatus } from '../../src/delivery/health.js';
import { integrationsUrl, integrationUrl } from '../../src/http/paths.js';
import { levelInSentence, sameOwner, type SettingsOwner } from '../../src/settings/resolve.js';
import { UtcTime } from './event-log.js';

const BADGE_CLASS: Record<HealthStatus['state'], string> = {
  failing: 'badge badge-health-failing',
  paused: 'badge badge-health-paused',
  disabled: 'badge badge-health-disabled',
};

/** The state in words, as the badge and the alert's title say it. */
export function HealthLabel({ health }: { health: HealthStatus }) {
  if (health.state === 'disabled') return <>Disabled after repeated failures</>;
  if (health.state === 'paused')
    return (
      <>
        Paused until <UtcTime date={health.pausedUntil!} />
      </>
    );
  return <>Failing</>;
}

/** "the instance's settings" / "the settings of Platform / Backend". */
const settingsOf = (owner: SettingsOwner) =>
  owner.level === 'instance' ? "the instance's settings" : `the settings of ${levelInSentence(owner)}`;

export function HealthBadge({ health, self }: { health: HealthStatus; self: SettingsOwner }) {
  return (
    <span class={BADGE_CLASS[health.state]}>
      <HealthLabel health={health} />
      {!sameOwner(health.owner, self) && ` (from ${settingsOf(health.owner)})`}
    </span>
  );
}

const WHAT_HAPPENS: Record<HealthStatus['state'], string> = {
  failing: 'Its notifications are still sent; after 3 failures in a row they wait, paused for a while.',
  paused: 'Its notifications wait and are sent when the pause is over, or at once when it is re-enabled.',
  disabled: 'Its notifications wait until it is re-enabled.',
};

export interface HealthAlertProps {
  health: HealthStatus;
  slug: string;
  /** The level the page is about. */
  self: SettingsOwner;
  /** May re-enable it here: the page's own level's target, for those who may change its settings. */
  canReenable: boolean;
  /** Where the form goes back to afterwards, when not the integration's page. */
  back?: 'health';
}

/** The alert on an integration's page, with the one action that re-enables it. */
export function HealthAlert({ health, slug, self, canReenable, back }: HealthAlertProps) {
  const own = sameOwner(health.owner, self);
  const failures = `${health.recentFailures} ${health.recentFailures === 1 ? 'time' : 'times'} in a row`;
  return (
    <div
      class={
        health.state === 'failing' ? 'callout callout-warning health-alert' : 'callout callout-danger health-alert'
      }
    >
      <p class="health-alert-title">
        <strong>
          <HealthLabel health={health} />
        </strong>
      </p>
      <p>
        {`The target set in ${own ? 'these settings' : settingsOf(health.owner)} failed to connect ${failures}`}
        {health.lastFailure ? `: ${health.lastFailure}. ` : '. '}
        {WHAT_HAPPENS[health.state]}
      </p>
      {health.lastFailureAt && (
        <p class="muted">
          Last failure: <UtcTime date={health.lastFailureAt} />
        </p>
      )}
      {!own && (
        <p>
          It is re-enabled in{' '}
          <a href={integrationUrl(integrationsUrl(health.owner), slug)}>{settingsOf(health.owner)}</a>.
        </p>
      )}
      {own && canReenable && health.state !== 'failing' && (
        <ReenableForm owner={health.owner} slug={slug} back={back} />
      )}
    </div>
  );
}

/** A plain form: re-enabling needs no JavaScript. */
export function ReenableForm({
  owner,
  slug,
  back,
}: {
  owner: SettingsOwner;
  slug: string;
  back?: 'health' | undefined;
}) {
  return (
    <form method="post" action={integrationUrl(integrationsUrl(owner), slug, 'reenable')} class="reenable-form">
      {back && <input type="hidden" name="back" value={back} />}
      <button type="submit" class="button button-primary">
        Re-enable
      </button>
    </form>
  );
}
