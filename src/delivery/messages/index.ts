/**
 * @module delivery/messages
 * What each chat, notification, CI, issue tracker and mail type sends for an event, as GitLab
 * sends it: one builder per type, by the type's slug. The chat texts are GitLab's chat messages
 * (./chat); each service's file shapes them as that service's request. The mail types build
 * mails, sent by the mailer.
 */
import { datadogRequests } from './datadog.js';
import { discordRequests } from './discord.js';
import { emailsOnPushMail } from './emails-on-push.js';
import { googleChatRequests } from './google-chat.js';
import { jenkinsRequests } from './jenkins.js';
import { jiraRequests } from './jira.js';
import { microsoftTeamsRequests } from './microsoft-teams.js';
import { pipelinesEmailMail } from './pipelines-email.js';
import { pushoverRequests } from './pushover.js';
import type { MailBuilder, MessageBuilder } from './request.js';
import { slackRequests } from './slack.js';
import { telegramRequests } from './telegram.js';
import { webexTeamsRequests } from './webex-teams.js';

export type { DeliveryRequest, MailBuilder, MailRequest, MessageBuilder, StoredRequest } from './request.js';

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
 * other issue trackers, External wiki) or sends mail (mailBuilderFor).
 *
 * @example
 * messageBuilderFor('slack')?.(event, fields, ['#dev']) // [{ method: 'POST', url: 'https://hooks.slack.com/…', ... }]
 */
export function messageBuilderFor(slug: string): MessageBuilder | undefined {
  return BUILDERS[slug];
}

const MAIL_BUILDERS: Readonly<Record<string, MailBuilder>> = {
  'pipelines-email': pipelinesEmailMail,
  'emails-on-push': emailsOnPushMail,
};

/**
 * The mail builder of a mail integration type (Pipeline status emails, Emails on push).
 *
 * @example
 * mailBuilderFor('emails-on-push')?.(push, { recipients: 'jane@example.com' }) // [{ kind: 'mail', to: ['jane@example.com'], ... }]
 */
export function mailBuilderFor(slug: string): MailBuilder | undefined {
  return MAIL_BUILDERS[slug];
}
