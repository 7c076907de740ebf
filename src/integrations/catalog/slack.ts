/** @module integrations/slack */
import { BASE_CHAT_EVENTS, chatFields, events, groupMentionEvents, listItems } from '../fields.js';
import type { Field, SettingsValues } from '../types.js';
import { defineIntegration } from '../validate.js';
import { slackMessage } from '../test-requests.js';

const SLACK_EVENTS = [...BASE_CHAT_EVENTS, 'deployment_events', 'incident_events', 'alert_events'];

/** Fields Slack and Mattermost share: sender name, default channel and label filters. */
export function slackLikeFields(channelPlaceholder: string): Field[] {
  return [
    { name: 'username', label: 'Username', kind: 'text', placeholder: 'GitLab-integration', help: 'The name the messages are posted as.' },
    { name: 'channel', label: 'Default channel', kind: 'text', placeholder: channelPlaceholder, help: 'Used for every event; separate several channels with commas (at most 10).' },
    {
      name: 'labels_to_be_notified',
      label: 'Labels to be notified',
      kind: 'text',
      placeholder: '~backend,~frontend',
      help: 'Only notify for issues and merge requests with these labels. Leave blank for all.',
    },
    {
      name: 'labels_to_be_notified_behavior',
      label: 'Labels to be notified behavior',
      kind: 'select',
      default: 'match_any',
      choices: [
        { value: 'match_any', label: 'Match any of the labels' },
        { value: 'match_all', label: 'Match all of the labels' },
      ],
    },
  ];
}

export function atMostTenChannels(values: SettingsValues): Record<string, string> {
  return listItems(values.fields.channel).length > 10 ? { channel: 'Default channel can list at most 10 channels' } : {};
}

export const slack = defineIntegration({
  slug: 'slack',
  title: 'Slack notifications',
  description: 'Send notifications about project events to Slack channels.',
  category: 'chat',
  levels: ['instance', 'group', 'project'],
  fields: [...chatFields('https://hooks.slack.com/services/…'), ...slackLikeFields('#general, #development')],
  events: [...events(...SLACK_EVENTS), ...groupMentionEvents()],
  validate: atMostTenChannels,
  testRequest: slackMessage,
});
