/** @module integrations/mattermost */
import { BASE_CHAT_EVENTS, chatFields, events, notifyOnlyDefaultBranch } from '../fields.js';
import { atMostTenChannels, slackLikeChannels, slackLikeFields } from './slack.js';
import { defineIntegration } from '../validate.js';
import { slackMessage } from '../test-requests.js';

const MATTERMOST_TRIGGERS = events(...BASE_CHAT_EVENTS, 'deployment_events', 'incident_events');
const MATTERMOST_FIELDS = [
  ...chatFields('https://mattermost.example.com/hooks/…'),
  ...slackLikeFields('my-channel'),
  ...slackLikeChannels(MATTERMOST_TRIGGERS, 'my-channel'),
];

export const mattermost = defineIntegration({
  slug: 'mattermost',
  title: 'Mattermost notifications',
  description: 'Send notifications about project events to Mattermost channels.',
  category: 'chat',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/mattermost/',
  levels: ['instance', 'group', 'project'],
  fields: MATTERMOST_FIELDS,
  parameterAliases: [notifyOnlyDefaultBranch],
  events: MATTERMOST_TRIGGERS,
  validate: atMostTenChannels(MATTERMOST_FIELDS),
  testRequest: slackMessage,
});
