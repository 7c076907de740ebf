/**
 * @module code-hosts/host-http
 * The requests of the host clients (gitlab.ts, gitea.ts) to a host's JSON API: through the
 * outbound protection (src/outbound/request.ts), waiting out 429 and 503 answers as their
 * Retry-After says (a bounded number of times), and turning every other failure into a
 * {@link HostRequestFailed} that names the host's status and answer, never the token.
 */
import { fetchOutbound, type OutboundPolicy, type OutboundResponse } from '../outbound/request.js';
import { HostRequestFailed, type HostPatience } from './host.js';

export interface HostHttpOptions extends HostPatience {
  /** Items per page asked of the host. Default 100 (GitLab's most), 50 on Gitea. */
  pageSize?: number;
}

export interface HostAnswer {
  status: number;
  headers: OutboundResponse['headers'];
  /** The parsed JSON body; null for an empty one. */
  json: unknown;
}

const DEFAULT_MAX_RETRY_WAIT_MS = 60_000;
const DEFAULT_MAX_TRIES = 5;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * How long a Retry-After asks to wait, in milliseconds: delay-seconds or an HTTP date
 * (RFC 9110 section 10.2.3); one second when it says nothing usable.
 *
 * @example
 * retryAfterMs('3') // 3000
 */
export function retryAfterMs(value: string | undefined, now = Date.now()): number {
  if (value && /^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? 1000 : Math.max(0, date - now);
}

/** The first value of a header. */
export function header(headers: OutboundResponse['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The URL of the `rel="next"` link of a Link header (RFC 8288), as GitLab and Gitea page.
 *
 * @example
 * nextLink('<https://h/api/v4/projects?id_after=9>; rel="next"') // 'https://h/api/v4/projects?id_after=9'
 */
export function nextLink(link: string | undefined): string | null {
  for (const part of (link ?? '').split(',')) {
    const match = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (match && /rel="?([^"]*\s)?next(\s[^"]*)?"?(;|$)/.test(match[2]!.trim())) return match[1]!;
  }
  return null;
}

/**
 * A page number or offset from a cursor this client made; anything else is refused.
 *
 * @example
 * cursorNumber('40') // 40
 */
export function cursorNumber(cursor: string): number {
  const value = Number(cursor);
  if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(value))
    throw new HostRequestFailed('The page cursor is not valid');
  return value;
}

/** The host's own words from an error answer: GitLab's `message` or OAuth `error_description`/`error`, Gitea's `message`. */
function hostMessage(json: unknown, body: string): string {
  if (json && typeof json === 'object') {
    const { message, error, error_description } = json as Record<string, unknown>;
    const said = message ?? error_description ?? error;
    if (said !== undefined) return typeof said === 'string' ? said : JSON.stringify(said);
  }
  return body.trim().slice(0, 200);
}

function parseJson(body: string): unknown {
  if (body.trim() === '') return null;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One host's API: a base URL ("https://gitlab.example.com/api/v4") and the headers that carry
 * the token.
 */
export class HostHttp {
  constructor(
    private readonly base: string,
    private readonly auth: Record<string, string>,
    private readonly policy: OutboundPolicy,
    private readonly options: HostHttpOptions = {},
  ) {}

  /** The URL of a path of the API, with its query; an absolute URL (a Link) is kept as it is. */
  url(path: string, query: Record<string, string | number | boolean> = {}): string {
    const url = new URL(/^https?:/.test(path) ? path : `${this.base}${path}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
    return url.href;
  }

  /** Whether a URL (a Link from an answer) is on this API, under its base path. */
  isOwnUrl(url: string): boolean {
    try {
      const target = new URL(url);
      const base = new URL(this.base);
      return target.origin === base.origin && target.pathname.startsWith(`${base.pathname}/`);
    } catch {
      return false;
    }
  }

  /**
   * Sends a request and answers with its JSON; `allow` lists statuses besides 2xx the caller
   * handles itself (404 for a lookup by id).
   */
  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    allow: readonly number[] = [],
  ): Promise<HostAnswer> {
    const maxTries = this.options.maxTries ?? DEFAULT_MAX_TRIES;
    const where = `${method} ${new URL(url).pathname}`;
    for (let attempt = 1; ; attempt++) {
      const answer = await fetchOutbound(
        {
          method,
          url,
          headers: {
            accept: 'application/json',
            ...this.auth,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        },
        this.policy,
        { timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS },
      );
      if (!answer.ok) throw new HostRequestFailed(`${answer.message} (${where})`, answer.status);
      const json = parseJson(answer.body);
      if ((answer.status >= 200 && answer.status < 300) || allow.includes(answer.status)) {
        if (json === undefined)
          throw new HostRequestFailed(`The host answered ${where} with something other than JSON`, answer.status);
        return { status: answer.status, headers: answer.headers, json };
      }
      const retryAfter = header(answer.headers, 'retry-after');
      // A 429 is always waited out; a 503 only when the host says when to come back.
      const busy = answer.status === 429 || (answer.status === 503 && retryAfter !== undefined);
      const wait = retryAfterMs(retryAfter);
      const maxWait = this.options.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;
      const givesUp = wait > maxWait && this.options.failBeyondMaxRetryWait === true;
      if (busy && attempt < maxTries && !givesUp) {
        await sleep(Math.min(wait, maxWait));
        continue;
      }
      throw this.failure(answer.status, hostMessage(json, answer.body), where, attempt);
    }
  }

  async get(path: string, query: Record<string, string | number | boolean> = {}): Promise<HostAnswer> {
    return this.request('GET', this.url(path, query));
  }

  /** The JSON of a lookup by id, or null when the host has no such object. */
  async find(path: string): Promise<unknown> {
    const answer = await this.request('GET', this.url(path), undefined, [404]);
    return answer.status === 404 ? null : answer.json;
  }

  private failure(status: number, said: string, where: string, attempts: number): HostRequestFailed {
    const answered = said ? `: ${said}` : '';
    if (status === 401)
      return new HostRequestFailed(
        `The host refused the token: it is invalid or expired (HTTP 401${answered})`,
        status,
      );
    if (attempts > 1)
      return new HostRequestFailed(
        `The host was still busy after ${attempts} tries (HTTP ${status}${answered}, ${where})`,
        status,
      );
    return new HostRequestFailed(`The host answered ${where} with HTTP ${status}${answered}`, status);
  }
}
