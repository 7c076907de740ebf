/**
 * @module delivery/messages/discord
 * Discord (GitLab's Integrations::Base::Discord with discordrb's webhook client): one embed with
 * the user as author, the Markdown message and its attachments as description, posted to the
 * event's own webhook when one is set, else to the main one.
 */
import { jsonPost } from '../../integrations/test-requests.js';
import { chatMessageOf, type ChatMessage } from './chat/index.js';
import { CHAT_KINDS_WITH_DEPLOYMENTS, textOf, type MessageBuilder } from './request.js';

/** Discord's orange, for the messages whose colour GitLab keeps private. */
const DISCORD_DEFAULT_COLOR = 0xfc6d26;

/** GitLab's `embed_color`: `#345` is `#334455`, as a number. */
function embedColor(message: ChatMessage): number {
  if (!message.publicColor) return DISCORD_DEFAULT_COLOR;
  const hex = message.publicColor.replace(/^#/, '');
  const full = hex.length === 3 ? [...hex].map((digit) => digit + digit).join('') : hex;
  return parseInt(full, 16);
}

/** GitLab's ATTACHMENT_REGEX: an entry and its author on two lines become one. */
const joinAuthorLines = (text: string) => text.replace(/: ([^\n]*)\n - ([^\n]*)\n*/g, ' $1 - $2\n');

/** Ruby's `Time#iso8601`: whole seconds. */
const iso8601 = (time: Date) => time.toISOString().replace(/\.\d{3}Z$/, 'Z');

export const discordRequests: MessageBuilder = (event, fields, channels, sentAt = new Date()) => {
  const message = CHAT_KINDS_WITH_DEPLOYMENTS.has(event.kind) ? chatMessageOf(event) : null;
  if (!message) return [];
  const description = joinAuthorLines(`${message.pretext ?? message.markdown}\n${message.markdownAttachments ?? ''}`);
  return [
    jsonPost(channels[0] ?? textOf(fields.webhook), {
      content: '',
      username: null,
      avatar_url: null,
      tts: false,
      embeds: [
        {
          title: null,
          description,
          url: null,
          timestamp: iso8601(sentAt),
          color: embedColor(message),
          footer: null,
          image: null,
          thumbnail: null,
          video: null,
          provider: null,
          author: { name: message.userName, url: null, icon_url: message.userAvatar },
          fields: [],
        },
      ],
      allowed_mentions: null,
      components: [],
    }),
  ];
};
