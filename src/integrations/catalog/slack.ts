/** @module integrations/slack */
import {
  BASE_CHAT_EVENTS,
  chatFields,
  eventChannels,
  events,
  groupMentionEvents,
  listItems,
  notifyOnlyDefaultBranch,
} from '../fields.js';
import type { Field, SettingsValues, TriggerEvent } from '../types.js';
import { defineIntegration } from '../validate.js';
import { slackMessage } from '../test-requests.js';

const SLACK_EVENTS = [...BASE_CHAT_EVENTS, 'deployment_events', 'incident_events', 'alert_events'];

/** Fields Slack and Mattermost share: sender name, default channel and label filters. */
export function slackLikeFields(channelPlaceholder: string): Field[] {
  return [
    {
      name: 'username',
      label: 'Username',
      kind: 'text',
      placeholder: 'Cascade',
      help: 'The name the messages are posted as.',
    },
    {
      name: 'channel',
      label: 'Default channel',
      kind: 'text',
      section: 'configuration',
      placeholder: channelPlaceholder,
      help: 'Used for every event without a channel of its own; separate several channels with commas (at most 10).',
    },
    {
      name: 'labels_to_be_notified',
      label: 'Labels to be notified',
      kind: 'text',
      section: 'configuration',
      placeholder: '~backend,~frontend',
      help: 'Only notify for issues and merge requests with these labels. Leave blank for all.',
    },
    {
      name: 'labels_to_be_notified_behavior',
      label: 'Labels to be notified behavior',
      kind: 'select',
      section: 'configuration',
      default: 'match_any',
      choices: [
        { value: 'match_any', label: 'Match any of the labels' },
        { value: 'match_all', label: 'Match all of the labels' },
      ],
    },
  ];
}

/** Channels for one event instead of the default channel (`issue_channel`, ...). */
export function slackLikeChannels(eventList: readonly TriggerEvent[], placeholder: string): Field[] {
  return eventChannels(eventList, {
    kind: 'text',
    placeholder,
    help: 'Instead of the default channel; separate several with commas (at most 10).',
  });
}

/** GitLab's limit of 10 on the default channel and on each event's channels. */
export function atMostTenChannels(fields: readonly Field[]): (values: SettingsValues) => Record<string, string> {
  const channelFields = fields.filter((field) => field.name === 'channel' || field.event);
  return (values) => {
    const tooMany = channelFields.filter((field) => listItems(values.fields[field.name]).length > 10);
    return Object.fromEntries(tooMany.map((field) => [field.name, `${field.label} can list at most 10 channels`]));
  };
}

const SLACK_TRIGGERS = [...events(...SLACK_EVENTS), ...groupMentionEvents()];
const SLACK_FIELDS = [
  ...chatFields('https://hooks.slack.com/services/…'),
  ...slackLikeFields('#general, #development'),
  ...slackLikeChannels(SLACK_TRIGGERS, '#general, #development'),
];

export const slack = defineIntegration({
  slug: 'slack',
  title: 'Slack notifications',
  description: 'Send notifications about project events to Slack channels.',
  category: 'chat',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/slack/',
  levels: ['instance', 'group', 'project'],
  fields: SLACK_FIELDS,
  parameterAliases: [notifyOnlyDefaultBranch],
  events: SLACK_TRIGGERS,
  validate: atMostTenChannels(SLACK_FIELDS),
  testRequest: slackMessage,
});
