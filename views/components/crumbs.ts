/** @module views/components/crumbs: breadcrumb trails for groups and projects. */
import type { Group, Project } from '../../src/db/schema.js';
import type { Crumb } from './breadcrumbs.js';

export function groupCrumbs(lineage: readonly Group[]): Crumb[] {
  return lineage.map((group) => ({ label: group.name, href: `/groups/${group.fullPath}` }));
}

export function projectCrumbs(lineage: readonly Group[], project: Project): Crumb[] {
  return [...groupCrumbs(lineage), { label: project.name, href: `/${project.fullPath}` }];
}
