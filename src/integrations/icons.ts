/**
 * @module integrations/icons
 * Each integration type's icon in public/icons/ (written by scripts/vendor-icons.mjs): its
 * brand's logo where one may be shipped, else the generic icon of its category.
 */
import type { Category, IntegrationDefinition } from './types.js';

/** Type slug -> brand logo. Slack, Microsoft Teams, Pushover, YouTrack, Bugzilla and Webex have none to ship. */
const BRAND_ICONS: Readonly<Record<string, string>> = {
  datadog: 'datadog',
  discord: 'discord',
  'hangouts-chat': 'googlechat',
  jenkins: 'jenkins',
  jira: 'jira',
  mattermost: 'mattermost',
  redmine: 'redmine',
  telegram: 'telegram',
};

const CATEGORY_ICONS: Readonly<Record<Category, string>> = {
  chat: 'chat',
  ci: 'ci',
  email: 'email',
  issue_tracker: 'issue-tracker',
  monitoring: 'monitoring',
  notification: 'notification',
  wiki: 'wiki',
};

/**
 * Where a type's icon is served.
 *
 * @example
 * iconUrl(jira) // '/public/icons/jira.svg'
 * iconUrl(slack) // '/public/icons/chat.svg'
 */
export function iconUrl(type: Pick<IntegrationDefinition, 'slug' | 'category'>): string {
  return `/public/icons/${BRAND_ICONS[type.slug] ?? CATEGORY_ICONS[type.category]}.svg`;
}
