/**
 * @module delivery/messages/telegram
 * Telegram (GitLab's Integrations::Base::Telegram): the Markdown summary by the bot's
 * `sendMessage`, and the same without `parse_mode` for the worker to send once on a 400 (the
 * Markdown Telegram could not parse), as GitLab resends it.
 */
import { telegramSendMessageUrl } from '../../integrations/catalog/telegram.js';
import { jsonPost } from '../../integrations/test-requests.js';
import { chatMessageOf } from './chat/index.js';
import { CHAT_KINDS, textOf, type MessageBuilder } from './request.js';

export const telegramRequests: MessageBuilder = (event, fields) => {
  const message = CHAT_KINDS.has(event.kind) ? chatMessageOf(event) : null;
  if (!message) return [];
  // GitLab's `compact_blank`: an unset thread is left out.
  const plain = Object.fromEntries(
    Object.entries({ text: message.markdown, chat_id: textOf(fields.room), message_thread_id: fields.thread }).filter(
      ([, value]) => textOf(value).trim() !== '',
    ),
  );
  const url = telegramSendMessageUrl(fields);
  return [{ ...jsonPost(url, { ...plain, parse_mode: 'markdown' }), resendOnBadRequest: jsonPost(url, plain) }];
};
