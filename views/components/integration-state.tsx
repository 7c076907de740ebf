/**
 * @module views/components/integration-state
 * The state of an integration at a level, in GitLab's words: Active / Inactive / Not configured at
 * every level, and below the instance "Inherited from instance" / "Custom settings".
 */
import type { EffectiveSettings, Level } from '../../src/settings/resolve.js';

/** "instance" / "group Platform / Backend": how an inherited source is named in a sentence. */
export function sourceName(effective: EffectiveSettings): string {
  const from = effective.inheritsFrom;
  if (!from || from.level === 'instance') return 'instance';
  return `group ${from.name}`;
}

export function StateBadges({ level, effective }: { level: Level; effective: EffectiveSettings }) {
  if (effective.state === 'not_configured') {
    return <span class="badge badge-not-configured">Not configured</span>;
  }
  return (
    <span class="state-badges">
      {effective.active ? (
        <span class="badge badge-active">Active</span>
      ) : (
        <span class="badge badge-inactive">Inactive</span>
      )}
      {level !== 'instance' &&
        (effective.state === 'custom' ? (
          <span class="badge badge-custom">Custom settings</span>
        ) : (
          <span class="badge badge-inherited">Inherited from {sourceName(effective)}</span>
        ))}
    </span>
  );
}
