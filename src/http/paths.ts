/**
 * @module http/paths
 * URL patterns of groups ("/groups/platform/backend") and projects ("/platform/backend/api"),
 * and the URLs of a level's integration pages.
 * A segment starts with a letter, digit or '_', so GitLab's "/-/" separator before sub-pages
 * can never be taken for part of a path.
 */

const SEGMENT = '[\\w][\\w.-]*';

/** One or more segments: a group's full path. */
export const GROUP_PATH = `:fullPath{${SEGMENT}(?:/${SEGMENT})*}`;

/** Two or more segments: a project's full path (a project always sits in a group). */
export const PROJECT_PATH = `:fullPath{${SEGMENT}(?:/${SEGMENT})+}`;

/** A level whose integrations have pages: the instance, or a group or project by its full path. */
export type IntegrationsLevel = { level: 'instance' } | { level: 'group' | 'project'; path: string | null };

/** Admin Area › Integration health: the unhealthy targets across the instance. */
export const INTEGRATION_HEALTH_URL = '/admin/integration_health';

/** A type's pages besides its settings: the tabs, the htmx fragment and the forms they post. */
export type IntegrationSubpage =
  'overrides' | 'overrides/reset' | 'enforcement' | 'push' | 'reset' | 'fields' | 'test' | 'deliveries' | 'reenable';

/**
 * A level's Settings › Integrations list.
 *
 * @example
 * integrationsUrl({ level: 'group', path: 'platform/backend' }) // '/groups/platform/backend/-/settings/integrations'
 * integrationsUrl({ level: 'instance' }) // '/admin/application_settings/integrations'
 */
export function integrationsUrl(at: IntegrationsLevel): string {
  if (at.level === 'instance') return '/admin/application_settings/integrations';
  return at.level === 'group' ? `/groups/${at.path}/-/settings/integrations` : `/${at.path}/-/settings/integrations`;
}

/**
 * One type's settings page in a level's integrations list (its {@link integrationsUrl}), or one of its subpages.
 *
 * @example
 * integrationUrl(integrationsUrl({ level: 'project', path: 'platform/api' }), 'slack') // '/platform/api/-/settings/integrations/slack'
 * integrationUrl('/admin/application_settings/integrations', 'slack', 'enforcement') // '/admin/application_settings/integrations/slack/enforcement'
 */
export function integrationUrl(listUrl: string, slug: string, subpage?: IntegrationSubpage): string {
  return subpage ? `${listUrl}/${slug}/${subpage}` : `${listUrl}/${slug}`;
}

/**
 * One delivery in a type's Recent deliveries, or its Resend.
 *
 * @example
 * deliveryUrl('/platform/api/-/settings/integrations', 'slack', 12) // '/platform/api/-/settings/integrations/slack/deliveries/12'
 */
export function deliveryUrl(listUrl: string, slug: string, id: number, action?: 'resend'): string {
  const url = `${integrationUrl(listUrl, slug, 'deliveries')}/${id}`;
  return action ? `${url}/${action}` : url;
}
