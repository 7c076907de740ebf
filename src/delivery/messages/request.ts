/**
 * @module delivery/messages/request
 * The shape every type's message builder shares: an event, the effective fields of the
 * integration and the channels the filters chose, in; the requests GitLab would send, out.
 */
import type { FieldValue } from '../../integrations/types.js';
import type { MailMessage } from '../../mail/mailer.js';
import type { OutboundRequest } from '../../outbound/request.js';
import type { DeliveryEvent } from '../event.js';

export interface DeliveryRequest extends OutboundRequest {
  /** Sent once instead when the service answers 400: Telegram's message again without Markdown. */
  resendOnBadRequest?: OutboundRequest;
}

/** A delivery that is a mail (Pipeline status emails, Emails on push), sent by the mailer. */
export interface MailRequest extends MailMessage {
  kind: 'mail';
}

/** GitLab's remote link on a Jira issue (`build_remote_link_props`), as Jira's REST API takes it. */
export interface JiraRemoteLink {
  GlobalID: 'GitLab';
  relationship: 'mentioned on';
  object: {
    url: string;
    title: string;
    status: { resolved: boolean };
    icon: { title: string; url16x16: string };
  };
}

/** GitLab's `send_message`: a comment, unless the issue links the page already, and the link. */
export interface JiraMessage {
  comment: string;
  link: JiraRemoteLink;
}

/**
 * A Jira delivery: what GitLab does on one Jira issue, as a short sequence of requests that reads
 * the issue first (delivery/jira.ts runs it as one attempt). `url` is the issue in Jira's REST
 * API and `headers` carry the credentials of every step.
 */
export interface JiraRequest extends OutboundRequest {
  kind: 'jira';
  method: 'GET';
  headers: Record<string, string>;
  /** `comment_on_event_enabled`: off, GitLab still adds the remote link. */
  commentsEnabled: boolean;
  action:
    | { type: 'cross_reference'; message: JiraMessage }
    /** `close_issue`: the configured transitions (or the one to done), then "Issue solved with …". */
    | { type: 'close'; transitions: 'automatic' | string[]; solved: JiraMessage };
}

/** What a delivery sends, as stored (sealed): an HTTP request, a Jira sequence or a mail. */
export type StoredRequest = DeliveryRequest | JiraRequest | MailRequest;

export const isMailRequest = (request: StoredRequest): request is MailRequest =>
  'kind' in request && request.kind === 'mail';

export const isJiraRequest = (request: StoredRequest | OutboundRequest): request is JiraRequest =>
  'kind' in request && request.kind === 'jira';

/**
 * An integration type's messages for one event: none when the type does not send this kind,
 * one per channel where the service posts per channel (Slack, Mattermost), else one. `sentAt`
 * is the time a message carries (Discord's embed timestamp).
 */
export type MessageBuilder = (
  event: DeliveryEvent,
  fields: Readonly<Record<string, FieldValue>>,
  channels: readonly string[],
  sentAt?: Date,
) => DeliveryRequest[];

/** A mail type's mail for one event: none when the type does not send this kind, else one. */
export type MailBuilder = (event: DeliveryEvent, fields: Readonly<Record<string, FieldValue>>) => MailRequest[];

/** A field's text, blank when unset. */
export const textOf = (value: FieldValue | undefined): string =>
  value === null || value === undefined ? '' : String(value);

/** Ruby's `blank?` on a string: nothing but whitespace. */
export const isBlank = (value: string | null | undefined): value is null | undefined | '' => !value?.trim();

/** The kinds GitLab's chat integrations post (Integrations::Base::ChatNotification), deployments aside. */
export const CHAT_KINDS: ReadonlySet<DeliveryEvent['kind']> = new Set([
  'push',
  'tag_push',
  'issue',
  'confidential_issue',
  'merge_request',
  'note',
  'confidential_note',
  'pipeline',
  'wiki_page',
]);

/** The same and deployments: Slack, Mattermost and Discord post them too. */
export const CHAT_KINDS_WITH_DEPLOYMENTS: ReadonlySet<DeliveryEvent['kind']> = new Set([...CHAT_KINDS, 'deployment']);
