/**
 * @module integrations/test-requests
 * What "Test settings" sends, shared by several types: a chat message to a webhook in the
 * service's own format, or a GET of an issue tracker's URL. Types with their own API (Jira,
 * Telegram, Pushover, Datadog, Jenkins) build theirs in their own file. The request shapes
 * (a JSON or form POST) are the ones delivery sends too (src/delivery/messages).
 */
import type { OutboundRequest } from '../outbound/request.js';
import { listItems } from './fields.js';
import type { TestRequestBuilder } from './types.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** A POST of `payload` as JSON to `url` (a field's value, blank when unset). */
export function jsonPost(url: unknown, payload: object): OutboundRequest {
  return { method: 'POST', url: text(url), headers: JSON_HEADERS, body: JSON.stringify(payload) };
}

/** A POST of a form (`application/x-www-form-urlencoded`) to `url`, its entries in order. */
export function formPost(url: unknown, entries: ReadonlyArray<readonly [string, string]>): OutboundRequest {
  return {
    method: 'POST',
    url: text(url),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(entries.map(([name, value]) => [name, value])).toString(),
  };
}

/**
 * A JSON POST of the test message to the `webhook` field, shaped by `body`.
 *
 * @example
 * webhookMessage((message) => ({ content: message })) // Discord
 */
export function webhookMessage(body: (message: string) => object): TestRequestBuilder {
  return ({ fields, message }) => jsonPost(fields.webhook, body(message));
}

/** Slack's incoming-webhook format, which Mattermost accepts too: the text, and the sender and channel if set. */
export const slackMessage: TestRequestBuilder = ({ fields, message }) => {
  const channel = listItems(fields.channel)[0];
  const payload = {
    text: message,
    ...(fields.username ? { username: text(fields.username) } : {}),
    ...(channel ? { channel } : {}),
  };
  return jsonPost(fields.webhook, payload);
};

/** A GET of the URL in `field`: the tracker or wiki answers when it can be reached. */
export function getUrlOf(field: string): TestRequestBuilder {
  return ({ fields }) => ({ method: 'GET', url: text(fields[field]) });
}

/** "Basic dXNlcjpwYXNz" */
export function basicAuth(username: unknown, password: unknown): string {
  return `Basic ${Buffer.from(`${text(username)}:${text(password)}`).toString('base64')}`;
}

/** A base URL and a path, with exactly one slash between them. */
export function joinUrl(base: unknown, path: string): string {
  return `${text(base).replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
