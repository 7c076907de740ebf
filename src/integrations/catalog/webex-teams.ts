/** @module integrations/webex-teams */
import { BASE_CHAT_EVENTS, chatFields, events } from '../fields.js';
import { defineIntegration } from '../validate.js';
import { webhookMessage } from '../test-requests.js';

export const webexTeams = defineIntegration({
  slug: 'webex-teams',
  title: 'Webex Teams',
  description: 'Send notifications about project events to Webex Teams.',
  category: 'chat',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/webex_teams/',
  levels: ['instance', 'group', 'project'],
  fields: chatFields('https://api.ciscospark.com/v1/webhooks/incoming/…'),
  events: events(...BASE_CHAT_EVENTS),
  testRequest: webhookMessage((message) => ({ markdown: message })),
});
