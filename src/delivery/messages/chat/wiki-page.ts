/** @module delivery/messages/chat/wiki-page — GitLab's wiki_page_message.rb. */
import type { DeliveryEvent } from '../../event.js';
import { combinedName, slackFormat, type ChatMessage } from './base.js';

type WikiPageEvent = Extract<DeliveryEvent, { kind: 'wiki_page' }>;

const WIKI_COLOR = '#334455';

/** GitLab names no action for a deleted page (its hook sends none); Gitea's is "deleted". */
const ACTIONS = { create: 'created', update: 'edited', delete: 'deleted' } as const;

export function wikiPageMessage(event: WikiPageEvent): ChatMessage {
  const { wikiPage, project, user } = event;
  const action = ACTIONS[wikiPage.action];
  const pageLink = `[wiki page](${wikiPage.url ?? ''})`;
  const projectLink = `[${project.fullName}](${project.webUrl})`;
  const message = `${combinedName(user)} ${action} ${pageLink} in ${projectLink}: *${wikiPage.title}*`;
  return {
    projectName: project.fullName,
    markdown: message,
    slack: slackFormat(message, project.webUrl),
    attachments: [{ text: slackFormat(wikiPage.message ?? '', project.webUrl), color: WIKI_COLOR }],
    markdownAttachments: wikiPage.message,
    activity: {
      title: `${combinedName(user)} ${action} ${pageLink}`,
      subtitle: `in ${projectLink}`,
      text: wikiPage.title,
      image: user.avatarUrl,
    },
    publicColor: null,
    threadKey: `wiki_page ${wikiPage.url ?? ''}`,
    userName: user.username,
    userAvatar: user.avatarUrl,
  };
}
