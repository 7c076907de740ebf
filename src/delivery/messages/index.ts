/**
 * @module delivery/messages
 * What each chat, notification, CI and issue tracker type sends for an event, as GitLab sends it:
 * one builder per type, by the type's slug. The chat texts are GitLab's chat messages (./chat);
 * each service's file shapes them as that service's request.
 */
import { datadogRequests } from './datadog.js';
import { discordRequests } from './discord.js';
import { googleChatRequests } from './google-chat.js';
import { jenkinsRequests } from './jenkins.js';
import { jiraRequests } from './jira.js';
import { microsoftTeamsRequests } from './microsoft-teams.js';
import { pushoverRequests } from './pushover.js';
import type { MessageBuilder } from './request.js';
import { slackRequests } from './slack.js';
import { telegramRequests } from './telegram.js';
import { webexTeamsRequests } from './webex-teams.js';

export type { DeliveryRequest, MessageBuilder } from './request.js';

const BUILDERS: Readonly<Record<string, MessageBuilder>> = {
  slack: slackRequests,
  // Mattermost takes Slack's format, and GitLab sends it the same request.
  mattermost: slackRequests,
  'microsoft-teams': microsoftTeamsRequests,
  discord: discordRequests,
  'hangouts-chat': googleChatRequests,
  'webex-teams': webexTeamsRequests,
  telegram: telegramRequests,
  pushover: pushoverRequests,
  datadog: datadogRequests,
  jenkins: jenkinsRequests,
  jira: jiraRequests,
};

/**
 * The message builder of an integration type, or undefined for a type that sends nothing (the
 * other issue trackers, External wiki) or is built elsewhere (the emails).
 *
 * @example
 * messageBuilderFor('slack')?.(event, fields, ['#dev']) // [{ method: 'POST', url: 'https://hooks.slack.com/…', ... }]
 */
export function messageBuilderFor(slug: string): MessageBuilder | undefined {
  return BUILDERS[slug];
}
