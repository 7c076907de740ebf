/**
 * @module delivery/redaction
 * A delivery's request as Recent deliveries and the API show it. The values the settings held
 * for the integration's secret fields never appear, wherever they sit and however they are
 * encoded; nor does what looks like a credential whatever the type: Authorization-like
 * headers, query values and body keys named like tokens, a URL's password, and path segments
 * shaped like webhook tokens (Slack's `/services/T0/B0/<token>`, Discord's `/webhooks/<id>/<token>`).
 * A Jira delivery shows the steps it may take, with what each would send.
 */
import type { OutboundRequest } from '../outbound/request.js';
import { isJiraRequest, type JiraMessage, type JiraRequest, type MailRequest } from './messages/request.js';

export const REDACTED = '[REDACTED]';

/** The request as shown: nothing in it is a secret. */
export interface ShownRequest {
  /** An HTTP method, or "SMTP" for a mail. */
  method: OutboundRequest['method'] | 'SMTP';
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|x-api-key|dd-api-key)$|token|secret|signature|password/i;
const SECRET_NAME = /token|secret|passw|signature|^sig$|key|auth|credential/i;
/** A long run of letters and digits, with both: how webhook tokens and bot tokens look. */
const TOKEN_LIKE = /^(?=.*\d)(?=.*[A-Za-z])[\w\-:.@]{16,}$/;

/** Each secret as it may be written in a URL, a form or JSON, longest first (a value may hold another). */
function secretSpellings(secrets: readonly string[]): string[] {
  const spellings = secrets
    .filter((secret) => secret !== '')
    .flatMap((secret) => [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
    ]);
  return [...new Set(spellings)].sort((a, b) => b.length - a.length);
}

/** A secret URL (a webhook) keeps its origin, so the log still says where it went. */
function replacementOf(secret: string): string {
  return URL.canParse(secret) && /^https?:/i.test(secret) ? `${new URL(secret).origin}/${REDACTED}` : REDACTED;
}

function withoutSecrets(text: string, secrets: readonly string[]): string {
  let shown = text;
  for (const spelling of secretSpellings(secrets)) shown = shown.split(spelling).join(replacementOf(spelling));
  return shown;
}

const decoded = (text: string) => {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
};

/** The URL with its password, token-like path segments and token-named query values redacted. */
function shownUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(url);
  if (!match) return url;
  const [, scheme, authority = '', path = '', query, fragment = ''] = match;
  const host = authority.replace(/^([^:@]*):[^@]*@/, `$1:${REDACTED}@`);
  const segments = path
    .split('/')
    .map((segment) => (TOKEN_LIKE.test(decoded(segment)) ? REDACTED : segment))
    .join('/');
  const pairs = query
    ?.slice(1)
    .split('&')
    .map((pair) => {
      const [name = '', ...value] = pair.split('=');
      return value.length > 0 && SECRET_NAME.test(decoded(name)) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${scheme}${host}${segments}${pairs === undefined ? '' : `?${pairs}`}${fragment}`;
}

/** A JSON value with the strings under token-named keys redacted, at any depth. */
function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      SECRET_NAME.test(key) && typeof inner === 'string' ? REDACTED : redactJson(inner),
    ]),
  );
}

function shownBody(body: string, contentType: string): string {
  if (/json/i.test(contentType)) {
    try {
      return JSON.stringify(redactJson(JSON.parse(body)));
    } catch {
      return body;
    }
  }
  if (/x-www-form-urlencoded/i.test(contentType))
    return body
      .split('&')
      .map((pair) => {
        const [name = ''] = pair.split('=', 1);
        return SECRET_NAME.test(decoded(name)) ? `${name}=${REDACTED}` : pair;
      })
      .join('&');
  return body;
}

/**
 * @example
 * shownRequest({ method: 'POST', url: 'https://hooks.slack.com/services/T0/B0/s3cr3tT0k3nAbCdEfGh' }, [])
 * // { method: 'POST', url: 'https://hooks.slack.com/services/T0/B0/[REDACTED]', headers: {}, body: null }
 */
export function shownRequest(request: OutboundRequest, secrets: readonly string[]): ShownRequest {
  if (isJiraRequest(request)) return shownJira(request, secrets);
  const headers = request.headers ?? {};
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  return {
    method: request.method,
    url: shownUrl(withoutSecrets(request.url, secrets)),
    headers: Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [
        name,
        SECRET_HEADER.test(name) ? REDACTED : withoutSecrets(value, secrets),
      ]),
    ),
    body: request.body === undefined ? null : withoutSecrets(shownBody(request.body, contentType), secrets),
  };
}

/**
 * A mail as shown: how many it went to (the addresses are personal data, kept sealed with the
 * request), its subject and headers, its text. A mail carries no credential of its own.
 */
export function shownMail(mail: MailRequest): ShownRequest {
  return {
    method: 'SMTP',
    url: mail.to.length === 1 ? '1 recipient' : `${mail.to.length} recipients`,
    headers: { Subject: mail.subject, ...mail.headers },
    body: mail.text,
  };
}

/** The steps of GitLab's `send_message`, as delivery/jira.ts takes them. */
function messageSteps(issue: string, { comment, link }: JiraMessage, commentsEnabled: boolean): string[] {
  return [
    `GET ${issue}/remotelink`,
    ...(commentsEnabled
      ? [`POST ${issue}/comment, unless the issue links ${link.object.url} already`, JSON.stringify({ body: comment })]
      : []),
    `POST ${issue}/remotelink, or PUT to the link there`,
    JSON.stringify(link),
  ];
}

/** The steps of a Jira delivery, reads first, each write followed by its body (delivery/jira.ts). */
function jiraSteps({ url, action, commentsEnabled }: JiraRequest): string[] {
  const issue = URL.canParse(url) ? new URL(url).pathname : url;
  if (action.type === 'cross_reference')
    return [
      `GET ${issue}/comment: nothing more when a comment holds the comment below`,
      ...messageSteps(issue, action.message, commentsEnabled),
    ];
  const transitions =
    action.transitions === 'automatic'
      ? [`POST ${issue}/transitions, the issue's transition to done`]
      : action.transitions.flatMap((id) => [`POST ${issue}/transitions`, JSON.stringify({ transition: { id } })]);
  const read = action.transitions === 'automatic' ? '?fields=resolution&expand=transitions' : '?fields=resolution';
  return [
    `GET ${issue}${read}: nothing more when the issue is resolved`,
    ...transitions,
    `GET ${issue}?fields=resolution: the rest once the issue is resolved`,
    ...messageSteps(issue, action.solved, commentsEnabled),
  ];
}

/** A Jira delivery as shown: the issue it acts on, its credentials redacted, and its steps. */
function shownJira(request: JiraRequest, secrets: readonly string[]): ShownRequest {
  const shown = shownRequest({ method: 'GET', url: request.url, headers: request.headers }, secrets);
  return { ...shown, body: withoutSecrets(jiraSteps(request).join('\n'), secrets) };
}
