/**
 * @module views/pages/admin/integration-health
 * Admin Area › Integration health: how many targets are failing, paused and disabled across the
 * instance, and which, those affecting the most projects first.
 */
import type { HealthReport, HealthState } from '../../../src/delivery/health.js';
import { integrationsUrl, integrationUrl } from '../../../src/http/paths.js';
import { findIntegrationType } from '../../../src/integrations/index.js';
import { HealthBadge, ReenableForm } from '../../components/integration-health.js';
import { UtcTime } from '../../components/event-log.js';

const STATES: { state: HealthState; label: string }[] = [
  { state: 'failing', label: 'Failing' },
  { state: 'paused', label: 'Paused' },
  { state: 'disabled', label: 'Disabled after repeated failures' },
];

const LEVEL_LABEL = { instance: 'Instance', group: 'Group', project: 'Project' } as const;

export function IntegrationHealthPage({ report }: { report: HealthReport }) {
  return (
    <>
      <h1>Integration health</h1>
      <p class="lead">
        Integrations whose target failed to connect, counted at the level whose settings supplied it. After 3 failures
        in a row an integration is paused, for a minute and then twice as long each time; after 40 it is disabled until
        someone re-enables it. Their notifications wait meanwhile.
      </p>
      <div class="stat-grid">
        {STATES.map(({ state, label }) => (
          <section class="card stat" aria-labelledby={`health-${state}`}>
            <h2 id={`health-${state}`}>{label}</h2>
            <p class="stat-value">{report.counts[state]}</p>
          </section>
        ))}
      </div>
      {report.failing.length === 0 ? (
        <p class="empty-state">Every integration delivers: none is failing.</p>
      ) : (
        <table class="table health-table">
          <caption class="visually-hidden">Failing integrations</caption>
          <thead>
            <tr>
              <th scope="col">Integration</th>
              <th scope="col">Settings of</th>
              <th scope="col">State</th>
              <th scope="col">Projects affected</th>
              <th scope="col">Last failure</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {report.failing.map(({ integration, health, projects }) => (
              <tr>
                <td>
                  <a href={integrationUrl(integrationsUrl(health.owner), integration)}>
                    {findIntegrationType(integration)?.title ?? integration}
                  </a>
                </td>
                <td data-label="Settings of">
                  {LEVEL_LABEL[health.owner.level]}
                  {health.owner.level !== 'instance' && ` ${health.owner.name}`}
                </td>
                <td data-label="State">
                  <HealthBadge health={health} self={health.owner} />
                </td>
                <td data-label="Projects affected">{projects}</td>
                <td data-label="Last failure">
                  {health.lastFailure}
                  {health.lastFailureAt && (
                    <div class="muted">
                      <UtcTime date={health.lastFailureAt} />
                    </div>
                  )}
                </td>
                <td>
                  {health.state !== 'failing' && <ReenableForm owner={health.owner} slug={integration} back="health" />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
