/**
 * @module delivery/messages/google-chat
 * Google Chat (GitLab's Integrations::Base::HangoutsChat): the pretext and the first
 * attachment as one text in Slack's link format, threaded per issue, merge request, push ref,
 * pipeline and wiki page, replying to the thread when it exists.
 */
import { jsonPost } from '../../integrations/test-requests.js';
import { chatMessageOf, type ChatMessage } from './chat/index.js';
import { CHAT_KINDS, textOf, type MessageBuilder } from './request.js';

/** GitLab's `parse_simple_text_message`. */
function simpleText(message: ChatMessage): string {
  const header = message.pretext ?? message.slack;
  const [attachment] = message.attachments;
  if (!attachment) return header;
  const title =
    attachment.title_link && attachment.title !== undefined
      ? `<${attachment.title_link}|${attachment.title}>`
      : attachment.title;
  return [header, title, attachment.text].filter((part) => part !== undefined).join('\n');
}

/** The webhook with `messageReplyOption`, GitLab's REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD. */
function threadedUrl(webhook: string): string {
  try {
    const url = new URL(webhook);
    url.searchParams.set('messageReplyOption', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
    return url.toString();
  } catch {
    // Not a URL: the outbound check refuses it with its own reason.
    return webhook;
  }
}

export const googleChatRequests: MessageBuilder = (event, fields) => {
  const message = CHAT_KINDS.has(event.kind) ? chatMessageOf(event) : null;
  if (!message) return [];
  const text = simpleText(message);
  return [
    jsonPost(threadedUrl(textOf(fields.webhook)), {
      ...(text.trim() ? { text } : {}),
      ...(message.threadKey ? { thread: { threadKey: message.threadKey } } : {}),
    }),
  ];
};
