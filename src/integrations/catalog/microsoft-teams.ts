/** @module integrations/microsoft-teams */
import { BASE_CHAT_EVENTS, chatFields, events, notifyOnlyDefaultBranch } from '../fields.js';
import { defineIntegration } from '../validate.js';
import { webhookMessage } from '../test-requests.js';

export const microsoftTeams = defineIntegration({
  slug: 'microsoft-teams',
  title: 'Microsoft Teams notifications',
  description: 'Send notifications about project events to Microsoft Teams.',
  category: 'chat',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/microsoft_teams/',
  levels: ['instance', 'group', 'project'],
  fields: chatFields('https://outlook.office.com/webhook/…'),
  parameterAliases: [notifyOnlyDefaultBranch],
  events: events(...BASE_CHAT_EVENTS),
  testRequest: webhookMessage((message) => ({
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    summary: message,
    text: message,
  })),
});
