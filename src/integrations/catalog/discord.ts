/** @module integrations/discord */
import { BASE_CHAT_EVENTS, chatFields, events, groupMentionEvents } from '../fields.js';
import type { SettingsValues } from '../types.js';
import { defineIntegration } from '../validate.js';
import { webhookMessage } from '../test-requests.js';

const pointsToDiscord = (value: unknown) => typeof value !== 'string' || value === '' || /^https:\/\/discord\.com(\/.*)?$/.test(value);

export const discord = defineIntegration({
  slug: 'discord',
  title: 'Discord Notifications',
  description: 'Send notifications about project events to a Discord channel.',
  category: 'chat',
  levels: ['instance', 'group', 'project'],
  fields: chatFields('https://discord.com/api/webhooks/…'),
  events: [...events(...BASE_CHAT_EVENTS, 'deployment_events'), ...groupMentionEvents()],
  validate: (values: SettingsValues) => (pointsToDiscord(values.fields.webhook) ? {} : { webhook: 'Webhook URL must point to discord.com' }),
  testRequest: webhookMessage((message) => ({ content: message })),
});
