/** @module delivery/messages/chat/note — GitLab's note_message.rb: comments on issues, merge requests, commits, snippets. */
import type { DeliveryEvent, Noteable } from '../../event.js';
import { combinedName, firstLine, link, shortSha, slackFormat, type ChatMessage } from './base.js';

type NoteEvent = Extract<DeliveryEvent, { kind: 'note' | 'confidential_note' }>;

const NOTE_COLOR = '#334455';

/** What was commented on ("issue #17") and the title the message shows of it. */
function targetOf(on: Noteable): [target: string, title: string] {
  switch (on.type) {
    case 'Issue':
      return [`issue #${on.iid}`, on.title];
    case 'MergeRequest':
      return [`merge request !${on.iid}`, on.title];
    case 'Commit':
      return [`commit ${shortSha(on.id)}`, on.message];
    case 'Snippet':
      return [`snippet $${on.id}`, on.title];
  }
}

export function noteMessage(event: NoteEvent): ChatMessage {
  const { note, project, user } = event;
  const [target, title] = targetOf(note.on);
  const commented = `${combinedName(user)} ${link(`commented on ${target}`, note.url)}`;
  const projectLink = link(project.fullName, project.webUrl);
  const message = `${commented} in ${projectLink}: *${firstLine(title)}*`;
  return {
    projectName: project.fullName,
    markdown: message,
    slack: slackFormat(message, project.webUrl),
    attachments: [{ text: slackFormat(note.text, project.webUrl), color: NOTE_COLOR }],
    markdownAttachments: note.text,
    activity: { title: commented, subtitle: `in ${projectLink}`, text: firstLine(title), image: user.avatarUrl },
    publicColor: null,
    threadKey: target,
    userName: user.username,
    userAvatar: user.avatarUrl,
  };
}
