/** @module delivery/messages/chat/issue — GitLab's issue_message.rb: issues, confidential issues, incidents. */
import type { DeliveryEvent } from '../../event.js';
import { combinedName, escapeSlackLinks, link, slackFormat, stripMarkup, type ChatMessage } from './base.js';

type IssueEvent = Extract<DeliveryEvent, { kind: 'issue' | 'confidential_issue' }>;

const ISSUE_COLOR = '#C95823';

export function issueMessage(event: IssueEvent): ChatMessage {
  const { issue, project, user } = event;
  const type = issue.type ?? 'Issue';
  const projectLink = project.fullName ? link(project.fullName, project.webUrl) : null;
  const title = `#${issue.iid} ${stripMarkup(issue.title)}`;
  const issueLink = link(title, issue.url);
  const by = stripMarkup(combinedName(user));
  const message = `${projectLink ? `[${projectLink}] ` : ''}${type} ${issueLink} ${issue.state} by ${by}`;
  // Only a new issue shows its description.
  const opened = issue.action === 'open';
  const description = escapeSlackLinks(issue.description);
  return {
    projectName: project.fullName,
    markdown: message,
    slack: slackFormat(message, project.webUrl),
    attachments: opened
      ? [
          {
            title,
            title_link: issue.url,
            text: slackFormat(description, project.webUrl),
            color: ISSUE_COLOR,
          },
        ]
      : [],
    markdownAttachments: opened ? description : null,
    activity: {
      title: `${type} ${issue.state} by ${by}`,
      subtitle: projectLink ? `in ${projectLink}` : '',
      text: issueLink,
      image: user.avatarUrl,
    },
    publicColor: ISSUE_COLOR,
    threadKey: `issue ${project.fullName}#${issue.iid}`,
    userName: user.username,
    userAvatar: user.avatarUrl,
  };
}
