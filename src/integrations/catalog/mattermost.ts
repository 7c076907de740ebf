/** @module integrations/mattermost */
import { BASE_CHAT_EVENTS, chatFields, events } from '../fields.js';
import { atMostTenChannels, slackLikeFields } from './slack.js';
import { defineIntegration } from '../validate.js';
import { slackMessage } from '../test-requests.js';

export const mattermost = defineIntegration({
  slug: 'mattermost',
  title: 'Mattermost notifications',
  description: 'Send notifications about project events to Mattermost channels.',
  category: 'chat',
  levels: ['instance', 'group', 'project'],
  fields: [...chatFields('https://mattermost.example.com/hooks/…'), ...slackLikeFields('my-channel')],
  events: events(...BASE_CHAT_EVENTS, 'deployment_events', 'incident_events'),
  validate: atMostTenChannels,
  testRequest: slackMessage,
});
