/**
 * @module views/components/instance-overview
 * The administrators' home page at a glance: what is set where (each integration's instance
 * default, who takes it, who overrides it), what is failing, and what changed recently; each
 * part links to the page that shows all of it.
 */
import { ACTION_LABELS, type AuditAction } from '../../src/audit/trail.js';
import type { HealthState } from '../../src/delivery/health.js';
import { INTEGRATION_HEALTH_URL, integrationsUrl, integrationUrl } from '../../src/http/paths.js';
import { findIntegrationType } from '../../src/integrations/index.js';
import type { InstanceOverview } from '../../src/overview.js';
import { HealthLabel } from './integration-health.js';
import { StateBadges } from './integration-state.js';
import { UtcTime } from './event-log.js';
import { EmptyState } from './lists.js';

const INSTANCE_INTEGRATIONS = integrationsUrl({ level: 'instance' });
const AUDIT_URL = '/admin/audit_events';

const UNHEALTHY_WORDS: Record<HealthState, string> = { failing: 'failing', paused: 'paused', disabled: 'disabled' };

/** "2 failing, 1 disabled", or "Delivering" when none is unhealthy. */
function healthSummary(unhealthy: Record<HealthState, number>): string {
  const parts = (Object.keys(UNHEALTHY_WORDS) as HealthState[])
    .filter((state) => unhealthy[state] > 0)
    .map((state) => `${unhealthy[state]} ${UNHEALTHY_WORDS[state]}`);
  return parts.length === 0 ? 'No failures' : parts.join(', ');
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Where its settings are custom below the instance: "1 group, 2 projects", or "None". */
function customSummary({ customGroups, customProjects }: { customGroups: number; customProjects: number }): string {
  const parts = [
    customGroups > 0 && plural(customGroups, 'group', 'groups'),
    customProjects > 0 && plural(customProjects, 'project', 'projects'),
  ].filter(Boolean);
  return parts.length === 0 ? 'None' : parts.join(', ');
}

export function InstanceOverviewSections({ overview }: { overview: InstanceOverview }) {
  const { integrations, failing, failingTotal, recentChanges } = overview;
  return (
    <>
      <section class="card" aria-labelledby="overview-integrations">
        <h2 id="overview-integrations">Integrations across the instance</h2>
        {integrations.length === 0 ? (
          <EmptyState>
            No integration is set up yet. Set the defaults that every group and project inherits in{' '}
            <a href={INSTANCE_INTEGRATIONS}>Admin Area › Integrations</a>.
          </EmptyState>
        ) : (
          <>
            <table class="table overview-table">
              <caption class="visually-hidden">Integrations set up at any level</caption>
              <thead>
                <tr>
                  <th scope="col">Integration</th>
                  <th scope="col">Instance default</th>
                  <th scope="col">Projects inheriting it</th>
                  <th scope="col">Custom settings below</th>
                  <th scope="col">Health</th>
                </tr>
              </thead>
              <tbody>
                {integrations.map(({ type, instance, usage, unhealthy }) => (
                  <tr>
                    <td>
                      <a href={integrationUrl(INSTANCE_INTEGRATIONS, type.slug)}>{type.title}</a>
                    </td>
                    <td data-label="Instance default">
                      <StateBadges level="instance" effective={instance} />
                    </td>
                    <td data-label="Projects inheriting it">
                      {instance.state === 'not_configured' ? '—' : usage.inheritingProjects}
                    </td>
                    <td data-label="Custom settings below">
                      {usage.customGroups + usage.customProjects > 0 ? (
                        <a href={integrationUrl(INSTANCE_INTEGRATIONS, type.slug, 'overrides')}>
                          {customSummary(usage)}
                        </a>
                      ) : (
                        'None'
                      )}
                    </td>
                    <td data-label="Health">{healthSummary(unhealthy)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p>
              <a href={INSTANCE_INTEGRATIONS}>All integrations</a>
            </p>
          </>
        )}
      </section>
      <section class="card" aria-labelledby="overview-failing">
        <h2 id="overview-failing">Failing</h2>
        {failing.length === 0 ? (
          <EmptyState>Nothing is failing: every integration delivers.</EmptyState>
        ) : (
          <>
            <ul class="item-list">
              {failing.map(({ integration, health, projects }) => (
                <li>
                  <a href={integrationUrl(integrationsUrl(health.owner), integration)}>
                    {health.owner.name}: {titleOf(integration)}
                  </a>{' '}
                  <span class={`badge badge-health-${health.state}`}>
                    <HealthLabel health={health} />
                  </span>
                  <div class="muted">{plural(projects, 'project affected', 'projects affected')}</div>
                </li>
              ))}
            </ul>
            <p>
              <a href={INTEGRATION_HEALTH_URL}>
                {failingTotal > failing.length ? `All ${failingTotal} in Integration health` : 'Integration health'}
              </a>
            </p>
          </>
        )}
      </section>
      <section class="card" aria-labelledby="overview-changes">
        <h2 id="overview-changes">Recent changes</h2>
        {recentChanges.length === 0 ? (
          <EmptyState>Nothing has changed yet.</EmptyState>
        ) : (
          <>
            <ul class="item-list">
              {recentChanges.map((event) => (
                <li>
                  @{event.actorName}: {ACTION_LABELS[event.action as AuditAction] ?? event.action}
                  {event.integration && ` (${titleOf(event.integration)})`} · {event.ownerName}
                  <div class="muted">
                    <UtcTime date={event.createdAt} />
                  </div>
                </li>
              ))}
            </ul>
            <p>
              <a href={AUDIT_URL}>All audit events</a>
            </p>
          </>
        )}
      </section>
    </>
  );
}

const titleOf = (slug: string) => findIntegrationType(slug)?.title ?? slug;
