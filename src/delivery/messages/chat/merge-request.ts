/** @module delivery/messages/chat/merge-request — GitLab's merge_message.rb. */
import type { DeliveryEvent, MergeRequestDetails } from '../../event.js';
import { combinedName, firstLine, hostPages, link, slackFormat, stripMarkup, type ChatMessage } from './base.js';

type MergeRequestEvent = Extract<DeliveryEvent, { kind: 'merge_request' }>;

/** GitLab's `state_or_action_text`: approvals in words, anything else by the state it left. */
function stateOrAction({ action, state }: MergeRequestDetails): string {
  switch (action) {
    case 'approved':
    case 'unapproved':
      return action;
    case 'approval':
      return 'added their approval to';
    case 'unapproval':
      return 'removed their approval from';
    default:
      return state;
  }
}

export function mergeRequestMessage(event: MergeRequestEvent): ChatMessage {
  const { mergeRequest, project, user } = event;
  // GitLab links its own route, not the hook's URL; Gitea's hook carries the page.
  const url =
    event.host === 'gitlab'
      ? hostPages(event).mergeRequest(mergeRequest.iid)
      : (mergeRequest.url ?? hostPages(event).mergeRequest(mergeRequest.iid));
  const title = `!${mergeRequest.iid} *${stripMarkup(firstLine(mergeRequest.title))}*`;
  const mergeRequestLink = link(title, url);
  const projectLink = link(project.fullName, project.webUrl);
  const by = stripMarkup(combinedName(user));
  const what = stateOrAction(mergeRequest);
  const message = `${by} ${what} merge request ${mergeRequestLink} in ${projectLink}`;
  return {
    projectName: project.fullName,
    markdown: message,
    slack: slackFormat(message, project.webUrl),
    attachments: [],
    markdownAttachments: null,
    activity: {
      title: `Merge request ${what} by ${by}`,
      subtitle: `in ${projectLink}`,
      text: mergeRequestLink,
      image: user.avatarUrl,
    },
    publicColor: null,
    threadKey: `merge request ${project.fullName}!${mergeRequest.iid}`,
    userName: user.username,
    userAvatar: user.avatarUrl,
  };
}
