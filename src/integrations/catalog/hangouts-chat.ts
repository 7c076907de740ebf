/** @module integrations/hangouts-chat */
import { BASE_CHAT_EVENTS, chatFields, events, notifyOnlyDefaultBranch } from '../fields.js';
import { defineIntegration } from '../validate.js';
import { webhookMessage } from '../test-requests.js';

export const hangoutsChat = defineIntegration({
  slug: 'hangouts-chat',
  title: 'Google Chat',
  description: 'Send notifications about project events to a room in Google Chat.',
  category: 'chat',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/hangouts_chat/',
  levels: ['instance', 'group', 'project'],
  fields: chatFields('https://chat.googleapis.com/v1/spaces/…'),
  parameterAliases: [notifyOnlyDefaultBranch],
  events: events(...BASE_CHAT_EVENTS),
  testRequest: webhookMessage((message) => ({ text: message })),
});
