/** @module integrations/discord */
import { BASE_CHAT_EVENTS, chatFields, eventChannels, events, groupMentionEvents } from '../fields.js';
import type { SettingsValues } from '../types.js';
import { defineIntegration } from '../validate.js';
import { webhookMessage } from '../test-requests.js';

const pointsToDiscord = (value: unknown) =>
  typeof value !== 'string' || value === '' || /^https:\/\/discord\.com(\/.*)?$/.test(value);

const DISCORD_TRIGGERS = [...events(...BASE_CHAT_EVENTS, 'deployment_events'), ...groupMentionEvents()];

/** Per event, a webhook of another channel instead of the main one: a secret, like the webhook. */
const channelWebhooks = eventChannels(DISCORD_TRIGGERS, {
  kind: 'secret',
  format: 'url',
  placeholder: 'https://discord.com/api/webhooks/…',
  help: 'A webhook URL to send these events to instead of the main one.',
});

const DISCORD_FIELDS = [...chatFields('https://discord.com/api/webhooks/…'), ...channelWebhooks];

/** GitLab's rule for the webhook and every event's webhook: https://discord.com only. */
function discordUrls(values: SettingsValues): Record<string, string> {
  const wrong = DISCORD_FIELDS.filter((field) => field.format === 'url' && !pointsToDiscord(values.fields[field.name]));
  return Object.fromEntries(wrong.map((field) => [field.name, `${field.label} must point to discord.com`]));
}

export const discord = defineIntegration({
  slug: 'discord',
  title: 'Discord Notifications',
  description: 'Send notifications about project events to a Discord channel.',
  category: 'chat',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/discord_notifications/',
  levels: ['instance', 'group', 'project'],
  fields: DISCORD_FIELDS,
  events: DISCORD_TRIGGERS,
  validate: discordUrls,
  testRequest: webhookMessage((message) => ({ content: message })),
});
