/**
 * @module delivery/messages/chat
 * GitLab's chat message of an event (app/models/integrations/chat_message/), by event kind.
 * Jobs and releases have none: GitLab's chat integrations do not post them.
 */
import type { DeliveryEvent } from '../../event.js';
import type { ChatMessage } from './base.js';
import { deploymentMessage } from './deployment.js';
import { issueMessage } from './issue.js';
import { mergeRequestMessage } from './merge-request.js';
import { noteMessage } from './note.js';
import { pipelineMessage } from './pipeline.js';
import { pushMessage } from './push.js';
import { wikiPageMessage } from './wiki-page.js';

export type { Activity, ChatMessage, SlackAttachment } from './base.js';

/**
 * @example
 * chatMessageOf(push)?.slack // 'John Smith pushed to branch <http://example.com/mike/diaspora/-/commits/master|master> of ...'
 * chatMessageOf(release) // null
 */
export function chatMessageOf(event: DeliveryEvent): ChatMessage | null {
  switch (event.kind) {
    case 'push':
    case 'tag_push':
      return pushMessage(event);
    case 'issue':
    case 'confidential_issue':
      return issueMessage(event);
    case 'merge_request':
      return mergeRequestMessage(event);
    case 'note':
    case 'confidential_note':
      return noteMessage(event);
    case 'pipeline':
      return pipelineMessage(event);
    case 'wiki_page':
      return wikiPageMessage(event);
    case 'deployment':
      return deploymentMessage(event);
    case 'job':
    case 'release':
      return null;
  }
}
