/** @module delivery/messages/webex-teams — Webex Teams (GitLab's Integrations::Base::WebexTeams): the Markdown summary. */
import { jsonPost } from '../../integrations/test-requests.js';
import { chatMessageOf } from './chat/index.js';
import { CHAT_KINDS, type MessageBuilder } from './request.js';

export const webexTeamsRequests: MessageBuilder = (event, fields) => {
  const message = CHAT_KINDS.has(event.kind) ? chatMessageOf(event) : null;
  return message ? [jsonPost(fields.webhook, { markdown: message.markdown })] : [];
};
