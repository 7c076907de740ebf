/**
 * @module routes/integrations/scope
 * The level whose integration settings a request is about (the instance, a group or a project):
 * who owns them, the chain it inherits along, its URLs and the page frame. The integration
 * routes are written once against this and mounted at each level.
 */
import type { Child } from 'hono/jsx';
import { can, type Ability } from '../../auth/permissions.js';
import type { DeliveryScope } from '../../delivery/log.js';
import type { AppContext } from '../../http/context.js';
import { integrationsUrl } from '../../http/paths.js';
import { requireAdmin, requireGroup, requireProject } from '../../http/subjects.js';
import { groupOwner, INSTANCE_OWNER, projectOwner, settingsChain } from '../../settings/owners.js';
import type { Level, SettingsOwner } from '../../settings/resolve.js';
import type { Crumb } from '../../../views/components/breadcrumbs.js';
import { groupCrumbs, projectCrumbs } from '../../../views/components/crumbs.js';
import { AdminNav, GroupNav, ProjectNav } from '../../../views/components/nav.js';

export interface IntegrationScope {
  level: Level;
  owner: SettingsOwner;
  /** The owner first, then each level it inherits from, nearest first. */
  chain: SettingsOwner[];
  /** Maintainers, Owners and administrators; the others see the pages read-only. */
  canManage: boolean;
  /** Administrators, and Owners of a group: may enforce settings on everything below. */
  canEnforce: boolean;
  /** The deliveries Recent deliveries lists: the project's own, or those of every project below. */
  deliveries: DeliveryScope;
  /** "/admin/application_settings/integrations", "/groups/platform/-/settings/integrations", ... */
  baseUrl: string;
  crumbs: Crumb[];
  nav: Child;
}

/** Loads the scope of a request, checking that the user may do `ability` there. */
export type ScopeLoader = (c: AppContext, ability: Ability) => Promise<IntegrationScope>;

const INTEGRATIONS_CRUMB = 'Integrations';

export const instanceScope: ScopeLoader = async (c) => {
  await requireAdmin(c);
  const baseUrl = integrationsUrl({ level: 'instance' });
  return {
    level: 'instance',
    owner: INSTANCE_OWNER,
    chain: [INSTANCE_OWNER],
    canManage: true,
    canEnforce: true,
    deliveries: { level: 'instance' },
    baseUrl,
    crumbs: [
      { label: 'Admin Area', href: '/admin' },
      { label: 'Settings' },
      { label: INTEGRATIONS_CRUMB, href: baseUrl },
    ],
    nav: <AdminNav current={baseUrl} />,
  };
};

export const groupScope: ScopeLoader = async (c, ability) => {
  const { group, lineage } = await requireGroup(c, c.req.param('fullPath')!, ability);
  const owner = groupOwner(group, lineage);
  const canManage = await can(c.var.db, c.var.user, 'manage_settings', { kind: 'group', group });
  const baseUrl = integrationsUrl({ level: 'group', path: group.fullPath });
  return {
    level: 'group',
    owner,
    chain: settingsChain(owner, lineage),
    canManage,
    canEnforce: await can(c.var.db, c.var.user, 'enforce_settings', { kind: 'group', group }),
    deliveries: { level: 'group', traversalIds: group.traversalIds },
    baseUrl,
    crumbs: [...groupCrumbs(lineage), { label: INTEGRATIONS_CRUMB, href: baseUrl }],
    nav: <GroupNav group={group} current={baseUrl} canManage={canManage} />,
  };
};

export const projectScope: ScopeLoader = async (c, ability) => {
  const { project, group, lineage } = await requireProject(c, c.req.param('fullPath')!, ability);
  const owner = projectOwner(project, lineage);
  const canManage = await can(c.var.db, c.var.user, 'manage_settings', { kind: 'project', project, group });
  const baseUrl = integrationsUrl({ level: 'project', path: project.fullPath });
  return {
    level: 'project',
    owner,
    chain: settingsChain(owner, lineage),
    canManage,
    canEnforce: false,
    deliveries: { level: 'project', projectId: project.id },
    baseUrl,
    crumbs: [...projectCrumbs(lineage, project), { label: INTEGRATIONS_CRUMB, href: baseUrl }],
    nav: <ProjectNav project={project} current={baseUrl} canManage={canManage} />,
  };
};
