/** @module views/pages/integrations/list: every integration type with its state at this level. */
import type { IntegrationType } from '../../../src/integrations/types.js';
import { integrationUrl } from '../../../src/http/paths.js';
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

export function IntegrationsListPage({ level, baseUrl, self, items, canManage }: IntegrationsListPageProps) {
  const showUsage = level !== 'project';
  return (
    <>
      <h1>Integrations</h1>
      <p class="lead">{INTRO[level]}</p>
      {!canManage && (
        <p class="callout callout-info">
          You can view these settings. Changing them needs the Maintainer or Owner role.
        </p>
      )}
      <table class="table integrations-table">
        <caption class="visually-hidden">Integrations</caption>
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
                <a href={integrationUrl(baseUrl, type.slug)} class="integration-link">
                  {type.title}
                </a>
                <div class="muted">{type.description}</div>
              </td>
              <td>
                <StateBadges level={level} effective={effective} />
                {health && <HealthBadge health={health} self={self} />}
              </td>
              {/* With nothing set up here or above, there is nothing to inherit. */}
              {showUsage && (
                <td>{!usage ? '—' : effective.state === 'not_configured' ? 0 : usage.inheritingProjects}</td>
              )}
              {showUsage && <td>{usage ? usage.customProjects : '—'}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
