/** @module integrations/telegram */
import {
  BASE_CHAT_EVENTS,
  branchesToBeNotified,
  events,
  notifyOnlyBrokenPipelines,
  notifyOnlyWhenPipelineStatusChanges,
} from '../fields.js';
import { defineIntegration } from '../validate.js';
import { jsonPost, joinUrl } from '../test-requests.js';
import type { FieldValue } from '../types.js';

/** GitLab's `%{hostname}/bot%{token}/sendMessage`, on api.telegram.org unless another host is set. */
export function telegramSendMessageUrl(fields: Readonly<Record<string, FieldValue>>): string {
  return joinUrl(fields.hostname || 'https://api.telegram.org', `bot${String(fields.token)}/sendMessage`);
}

export const telegram = defineIntegration({
  slug: 'telegram',
  title: 'Telegram',
  description: 'Send notifications about project events to Telegram.',
  category: 'chat',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/telegram/',
  levels: ['instance', 'group', 'project'],
  fields: [
    {
      name: 'hostname',
      label: 'Hostname',
      kind: 'url',
      default: 'https://api.telegram.org',
      placeholder: 'https://api.telegram.org',
      help: 'Custom hostname of the Telegram API. Changing it requires the token again.',
      exposesSecrets: true,
    },
    {
      name: 'token',
      label: 'Token',
      kind: 'secret',
      required: true,
      placeholder: '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11',
      help: 'The unique token of your Telegram bot.',
    },
    {
      name: 'room',
      label: 'Channel identifier',
      kind: 'text',
      section: 'configuration',
      required: true,
      placeholder: '@channelusername',
      help: 'The chat ID or the channel username (@channelusername).',
    },
    {
      name: 'thread',
      label: 'Message thread ID',
      kind: 'number',
      section: 'configuration',
      help: 'The ID of a topic in a forum supergroup. Leave blank for the main thread.',
    },
    notifyOnlyBrokenPipelines,
    notifyOnlyWhenPipelineStatusChanges,
    branchesToBeNotified(),
  ],
  events: events(...BASE_CHAT_EVENTS, 'incident_events'),
  testRequest: ({ fields, message }) =>
    jsonPost(telegramSendMessageUrl(fields), {
      chat_id: fields.room,
      text: message,
      ...(fields.thread ? { message_thread_id: fields.thread } : {}),
    }),
});
