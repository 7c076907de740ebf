/** @module delivery/messages/chat/push — GitLab's push_message.rb: pushes and tag pushes. */
import type { DeliveryEvent } from '../../event.js';
import { hostPages, link, shortSha, slackLinks, stripMarkup, type ChatMessage } from './base.js';

type PushEvent = Extract<DeliveryEvent, { kind: 'push' | 'tag_push' }>;

const PUSH_COLOR = '#334455';

export function pushMessage(event: PushEvent): ChatMessage {
  const { push, project, user } = event;
  const pages = hostPages(event);
  const tag = push.refType === 'tag';
  const refLink = link(push.refName, pages.ref(push.refName, tag));
  const projectLink = link(project.fullName, project.webUrl);
  const compareLink = link('Compare changes', push.compareUrl ?? pages.compare(push.before, push.after));
  // A push hook's `user_name` is the pusher's full name, and GitLab names them by it alone.
  const pusher = stripMarkup(user.name ?? user.username ?? '');
  const [action, ref, target] = push.created
    ? ['pushed new', refLink, `to ${projectLink}`]
    : push.removed
      ? ['removed', push.refName, `from ${projectLink}`]
      : ['pushed to', refLink, `of ${projectLink} (${compareLink})`];
  const short = [pusher, action, push.refType, ref].join(' ');
  const message = `${short} ${target}`;
  const commits = push.commits
    .map(
      (commit) =>
        `${link(shortSha(commit.id), commit.url)}: ${stripMarkup(commit.title)} - ${stripMarkup(commit.authorName ?? '')}`,
    )
    .join('\n\n');
  // A new or removed branch shows no commits.
  const listsCommits = !push.created && !push.removed;
  return {
    projectName: project.fullName,
    markdown: message,
    // push_message.rb formats without resolving uploads.
    slack: slackLinks(message),
    attachments: listsCommits ? [{ text: slackLinks(commits), color: PUSH_COLOR }] : [],
    markdownAttachments: listsCommits ? commits : null,
    activity: { title: short, subtitle: `in ${projectLink}`, text: compareLink, image: user.avatarUrl },
    publicColor: PUSH_COLOR,
    threadKey: `push ${project.fullName}_${push.refName}`,
    userName: user.name ?? user.username,
    userAvatar: user.avatarUrl,
  };
}
