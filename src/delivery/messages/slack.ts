/**
 * @module delivery/messages/slack
 * Slack and Mattermost (GitLab's SlackMattermostNotifier with Slack::Messenger): the pretext,
 * attachments and fallback in Slack's format, posted once per channel as a `payload` form field.
 */
import { formPost } from '../../integrations/test-requests.js';
import { chatMessageOf } from './chat/index.js';
import { CHAT_KINDS_WITH_DEPLOYMENTS, textOf, type MessageBuilder } from './request.js';

/**
 * @example
 * slackRequests(push, { webhook: 'https://hooks.slack.com/services/T/B/x', username: 'GitLab' }, ['#dev', '#ops'])
 * // two POSTs of payload={"channel":"#dev","username":"GitLab","attachments":[...],"fallback":"...","text":"..."}
 */
export const slackRequests: MessageBuilder = (event, fields, channels) => {
  const message = CHAT_KINDS_WITH_DEPLOYMENTS.has(event.kind) ? chatMessageOf(event) : null;
  if (!message) return [];
  const username = textOf(fields.username);
  // Without a channel the webhook's own channel gets the message.
  const targets = channels.length ? channels : [null];
  return targets.map((channel) =>
    formPost(fields.webhook, [
      [
        'payload',
        JSON.stringify({
          ...(channel ? { channel } : {}),
          ...(username ? { username } : {}),
          attachments: message.attachments,
          fallback: message.slack,
          text: message.pretext ?? message.slack,
        }),
      ],
    ]),
  );
};
