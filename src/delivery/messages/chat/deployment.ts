/** @module delivery/messages/chat/deployment — GitLab's deployment_message.rb. */
import type { DeliveryEvent } from '../../event.js';
import { combinedName, link, slackFormat, slackLinks, type ChatMessage } from './base.js';

type DeploymentEvent = Extract<DeliveryEvent, { kind: 'deployment' }>;

const DEPLOYMENT_COLORS: Record<string, string> = { success: 'good', canceled: 'warning', failed: 'danger' };

export function deploymentMessage(event: DeploymentEvent): ChatMessage {
  const { deployment, project, user } = event;
  const message =
    deployment.status === 'running'
      ? `Starting deploy to ${deployment.environment}`
      : `Deploy to ${deployment.environment} ${deployment.status === 'success' ? 'succeeded' : deployment.status}`;
  const details =
    `${link(project.fullName, project.webUrl)} with job ${link(`#${deployment.deployableId ?? ''}`, deployment.deployableUrl)}` +
    ` by ${link(combinedName(user), deployment.userUrl)}\n` +
    `${link(deployment.shortSha ?? '', deployment.commitUrl)}: ${deployment.commitTitle ?? ''}`;
  return {
    projectName: project.fullName,
    markdown: message,
    slack: slackFormat(message, project.webUrl),
    // Slack::Messenger turns the links of an attachment's text into Slack's.
    attachments: [{ text: slackLinks(details), color: DEPLOYMENT_COLORS[deployment.status] ?? '#334455' }],
    // GitLab hands Discord the attachment object itself (Ruby's Hash#to_s); its text reads better.
    markdownAttachments: details,
    activity: null,
    publicColor: null,
    threadKey: null,
    userName: user.username,
    userAvatar: user.avatarUrl,
  };
}
