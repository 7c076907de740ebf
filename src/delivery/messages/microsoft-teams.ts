/**
 * @module delivery/messages/microsoft-teams
 * Microsoft Teams (GitLab's MicrosoftTeams::Notifier): an Adaptive Card with the project as its
 * title, the message's activity, and its Markdown attachments when it has any.
 */
import { jsonPost } from '../../integrations/test-requests.js';
import type { Activity } from './chat/index.js';
import { chatMessageOf } from './chat/index.js';
import { CHAT_KINDS, isBlank, type MessageBuilder } from './request.js';

/** GitLab's MicrosoftTeams::Activity: the user's avatar beside title, subtitle and text. */
function activityColumns({ title, subtitle, text, image }: Activity) {
  return {
    type: 'ColumnSet',
    columns: [
      { type: 'Column', width: 'auto', items: [{ type: 'Image', url: image, size: 'medium' }] },
      {
        type: 'Column',
        width: 'stretch',
        items: [
          { type: 'TextBlock', text: title, weight: 'bolder', wrap: true },
          { type: 'TextBlock', text: subtitle, isSubtle: true, wrap: true },
          { type: 'TextBlock', text, wrap: true },
        ],
      },
    ],
  };
}

export const microsoftTeamsRequests: MessageBuilder = (event, fields) => {
  const message = CHAT_KINDS.has(event.kind) ? chatMessageOf(event) : null;
  if (!message?.activity) return [];
  const body = [
    { type: 'TextBlock', text: message.projectName, weight: 'bolder', size: 'medium' },
    activityColumns(message.activity),
    ...(isBlank(message.markdownAttachments)
      ? []
      : [{ type: 'TextBlock', text: message.markdownAttachments, wrap: true }]),
  ];
  return [
    jsonPost(fields.webhook, {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: { type: 'AdaptiveCard', msteams: { width: 'Full' }, version: '1.0', body },
        },
      ],
    }),
  ];
};
