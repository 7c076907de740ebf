/**
 * @module integrations
 * The catalog: every integration type Cascade knows. Adding a type means adding its file and
 * one line here.
 */
import { bugzilla } from './bugzilla.js';
import { customIssueTracker } from './custom-issue-tracker.js';
import { datadog } from './datadog.js';
import { discord } from './discord.js';
import { emailsOnPush } from './emails-on-push.js';
import { externalWiki } from './external-wiki.js';
import { hangoutsChat } from './hangouts-chat.js';
import { jenkins } from './jenkins.js';
import { jira } from './jira.js';
import { mattermost } from './mattermost.js';
import { microsoftTeams } from './microsoft-teams.js';
import { pipelinesEmail } from './pipelines-email.js';
import { pushover } from './pushover.js';
import { redmine } from './redmine.js';
import { slack } from './slack.js';
import { telegram } from './telegram.js';
import type { IntegrationType, Level } from './types.js';
import { webexTeams } from './webex-teams.js';
import { youtrack } from './youtrack.js';

/** In the order of the lists: by title, like GitLab's integration list. */
export const integrationTypes: readonly IntegrationType[] = [
  bugzilla,
  customIssueTracker,
  datadog,
  discord,
  emailsOnPush,
  externalWiki,
  hangoutsChat,
  jenkins,
  jira,
  youtrack,
  mattermost,
  microsoftTeams,
  pipelinesEmail,
  pushover,
  redmine,
  slack,
  telegram,
  webexTeams,
];

const bySlug = new Map(integrationTypes.map((type) => [type.slug, type]));

/** @example findIntegrationType('slack')?.title // 'Slack notifications' */
export function findIntegrationType(slug: string): IntegrationType | undefined {
  return bySlug.get(slug);
}

export function integrationTypesAt(level: Level): IntegrationType[] {
  return integrationTypes.filter((type) => type.levels.includes(level));
}
