/**
 * @module views/pages/integrations/list
 * Every integration type with its logo and its state at this level: the active ones first, as
 * GitLab lists them ("Active integrations", then "Add an integration").
 */
import type { IntegrationType } from '../../../src/integrations/types.js';
import { integrationUrl } from '../../../src/http/paths.js';
import { iconUrl } from '../../../src/integrations/icons.js';
import type { HealthStatus } from '../../../src/delivery/health.js';
import type { EffectiveSettings, Level, SettingsOwner } from '../../../src/settings/resolve.js';
import type { SettingsUsage } from '../../../src/settings/usage.js';
import { HealthBadge } from '../../components/integration-health.js';
import { StateBadges } from '../../components/integration-state.js';

export interface IntegrationListItem {
  type: IntegrationType;
  effective: EffectiveSettings;
  /** Instance and group levels: how far their settings reach. */
  usage?: SettingsUsage | undefined;
  /** Where its target is failing. */
  health?: HealthStatus | undefined;
}

interface IntegrationsListPageProps {
  level: Level;
  baseUrl: string;
  /** The level the list is about. */
  self: SettingsOwner;
  items: IntegrationListItem[];
  canManage: boolean;
}

const INTRO: Record<Level, string> = {
  instance:
    'Set default settings for integrations once: every project and group that does not use custom settings inherits them, and a change here reaches them all at once.',
  group:
    'Integrations set up here are the default for every subgroup and project of this group that does not use custom settings.',
  project:
    'Integrations connect this project to other applications. Each can use the settings of the level above or custom settings.',
};

/** GitLab's two tables: what is active at this level first, then everything else to add. */
export function IntegrationsListPage({ level, baseUrl, self, items, canManage }: IntegrationsListPageProps) {
  const active = items.filter((item) => item.effective.active);
  const rest = items.filter((item) => !item.effective.active);
  const table = { level, baseUrl, self };
  return (
    <>
      <h1>Integrations</h1>
      <p class="lead">{INTRO[level]}</p>
      {!canManage && (
        <p class="callout callout-info">
          You can view these settings. Changing them needs the Maintainer or Owner role.
        </p>
      )}
      <section class="integrations-section" aria-labelledby="active-integrations">
        <h2 id="active-integrations">Active integrations</h2>
        {active.length > 0 ? (
          <IntegrationsTable {...table} items={active} labelledBy="active-integrations" />
        ) : (
          <p class="muted empty-integrations">No integration is active here yet.</p>
        )}
      </section>
      {rest.length > 0 && (
        <section class="integrations-section" aria-labelledby="add-integration">
          <h2 id="add-integration">Add an integration</h2>
          <IntegrationsTable {...table} items={rest} labelledBy="add-integration" />
        </section>
      )}
    </>
  );
}

function IntegrationsTable({
  level,
  baseUrl,
  self,
  items,
  labelledBy,
}: Omit<IntegrationsListPageProps, 'canManage'> & { labelledBy: string }) {
  const showUsage = level !== 'project';
  return (
    <table class="table integrations-table" aria-labelledby={labelledBy}>
      <thead>
        <tr>
          <th scope="col">Integration</th>
          <th scope="col">Status</th>
          {showUsage && <th scope="col">Projects inheriting</th>}
          {showUsage && <th scope="col">Projects with custom settings</th>}
        </tr>
      </thead>
      <tbody>
        {items.map(({ type, effective, usage, health }) => (
          <tr>
            <td>
              <div class="integration-name">
                <img src={iconUrl(type)} alt="" class="integration-icon" />
                <div>
                  <a href={integrationUrl(baseUrl, type.slug)} class="integration-link">
                    {type.title}
                  </a>
                  <div class="muted">{type.description}</div>
                </div>
              </div>
            </td>
            <td>
              <StateBadges level={level} effective={effective} />
              {health && <HealthBadge health={health} self={self} />}
            </td>
            {/* With nothing set up here or above, there is nothing to inherit. */}
            {showUsage && (
              <td data-label="Projects inheriting">
                {!usage ? '—' : effective.state === 'not_configured' ? 0 : usage.inheritingProjects}
              </td>
            )}
            {showUsage && <td data-label="Projects with custom settings">{usage ? usage.customProjects : '—'}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
