/**
 * @module settings/owners
 * The levels that can own integration settings, and the chain a level inherits along:
 * itself first, then its groups from the nearest up, then the instance.
 */
import { INSTANCE_LEVEL } from '../audit/trail.js';
import type { Group, Project } from '../db/schema.js';
import { groupFullName } from '../model/groups.js';
import type { SettingsOwner } from './resolve.js';
import type { SettingsLevel } from './service.js';

export const INSTANCE_OWNER: SettingsOwner = INSTANCE_LEVEL;

/** `lineage`: the group's ancestors and the group itself, top-level first. */
export function groupOwner(group: Group, lineage: readonly Group[]): SettingsOwner {
  return { level: 'group', id: group.id, name: groupFullName(lineage), path: group.fullPath };
}

export function projectOwner(project: Project, lineage: readonly Group[]): SettingsOwner {
  return {
    level: 'project',
    id: project.id,
    name: `${groupFullName(lineage)} / ${project.name}`,
    path: project.fullPath,
  };
}

/**
 * A project's level as the settings service takes it: the project, and the chain it inherits along.
 *
 * @example
 * projectSettingsLevel(api, [platform, backend]).chain.length // 4: api, Backend, Platform, the instance
 */
export function projectSettingsLevel(project: Project, lineage: readonly Group[]): SettingsLevel {
  const owner = projectOwner(project, lineage);
  return { level: 'project', owner, chain: settingsChain(owner, lineage) };
}

/**
 * @example
 * settingsChain(projectOwner(api, [platform, backend]), [platform, backend])
 * // [project api, group Platform / Backend, group Platform, instance]
 */
export function settingsChain(self: SettingsOwner, groupLineage: readonly Group[]): SettingsOwner[] {
  const groups = groupLineage.map((group, index) => groupOwner(group, groupLineage.slice(0, index + 1))).reverse();
  const ancestors = self.level === 'group' ? groups.slice(1) : groups;
  return self.level === 'instance' ? [self] : [self, ...ancestors, INSTANCE_OWNER];
}
