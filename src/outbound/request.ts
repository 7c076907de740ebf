/**
 * @module outbound/request
 * Requests to other servers (webhooks, issue trackers, chat APIs, code hosts' APIs) that cannot
 * be pointed at the local network: the host name is resolved here, every address it resolves to
 * is checked, and the connection goes to the address that was checked, so a DNS answer that
 * changes between the check and the connection (DNS rebinding) cannot slip through. Redirects
 * are checked the same way before they are followed. `sendOutbound` only says how a request
 * went; `fetchOutbound` also reads the answer (status, headers, a bounded body).
 */
import { promises as dns } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isAllowlisted, localClass, LOCAL_CLASS_LABELS, normalHost, type Allowlist } from './addresses.js';

/** The Network settings of the Admin Area. */
export interface OutboundPolicy {
  /** "Allow requests to the local network from webhooks and integrations". */
  allowLocalRequests: boolean;
  allowlist: Allowlist;
}

export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Off only where an integration lets users turn SSL verification off (Jenkins). */
  verifyTls?: boolean;
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface OutboundOptions {
  /** The whole exchange, DNS and redirects included. Default 5 seconds. */
  timeoutMs?: number;
  maxRedirects?: number;
  /** Resolves a host name to all its addresses; tests replace it. */
  resolve?: (host: string) => Promise<ResolvedAddress[]>;
}

export interface FetchOptions extends OutboundOptions {
  /** The most of an answer's body that is read; a longer one is a `too_large` failure. Default 10 MB. */
  maxBodyBytes?: number;
  /** A longer body is cut to its first `maxBodyBytes` instead (the excerpt a delivery log keeps). */
  cutLongerBody?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_REDIRECTS = 3;
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export type OutboundFailure =
  | 'invalid_url'
  | 'blocked'
  | 'dns'
  | 'refused'
  | 'timeout'
  | 'tls'
  | 'network'
  | 'http_status'
  | 'too_many_redirects'
  | 'too_large';

type Failure = { ok: false; failure: OutboundFailure; message: string; status?: number; durationMs: number };

export type OutboundResult = { ok: true; status: number; durationMs: number } | Failure;

/** An answer as the server gave it, whatever its status; header names are lower case. */
export interface OutboundResponse {
  ok: true;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  durationMs: number;
}

export type FetchResult = OutboundResponse | Failure;

/** GitLab's words for a refused destination. Messages of results end without a full stop. */
export const LOCAL_NETWORK_MESSAGE = 'Requests to the local network are not allowed';

type Failed = { ok: false; failure: OutboundFailure; message: string; status?: number };
type Destination = { ok: true; url: URL; address: ResolvedAddress };

const systemResolve = (host: string) => dns.lookup(host, { all: true, verbatim: true });

const failed = (failure: OutboundFailure, message: string, status?: number): Failed => ({
  ok: false,
  failure,
  message,
  ...(status ? { status } : {}),
});

const DNS_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENODATA', 'EAI_FAIL', 'ESERVFAIL', 'ENONAME']);

/** Rejects when the signal aborts: DNS lookups take no signal of their own. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    // An AbortSignal's reason is an Error (a DOMException) unless abort() was given another.
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

/**
 * Where a URL may be reached: its scheme is http or https and every address its host resolves
 * to is public, allowlisted, or local requests are allowed.
 */
async function checkDestination(
  target: URL,
  policy: OutboundPolicy,
  resolve: OutboundOptions['resolve'],
  signal: AbortSignal,
): Promise<Destination | Failed> {
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return failed('blocked', 'Only http and https URLs are allowed');
  const host = normalHost(target.hostname);
  let addresses: ResolvedAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await Promise.race([(resolve ?? systemResolve)(host), untilAborted(signal)]);
    } catch (error) {
      if (signal.aborted) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (DNS_ERRORS.has(code)) return failed('dns', `The host name ${host} could not be resolved (DNS lookup failed)`);
      throw error;
    }
    if (addresses.length === 0) return failed('dns', `The host name ${host} could not be resolved (DNS lookup failed)`);
  }
  for (const { address } of addresses) {
    const refusal = addressRefusal(policy, host, address);
    if (refusal) return failed('blocked', refusal);
  }
  return { ok: true, url: target, address: addresses[0]! };
}

/** The most verdicts kept per policy; past it they are worked out afresh. */
const MAX_VERDICTS = 1024;
/** Each policy's verdicts by host and address: every request of an import asks the same one again. */
const verdicts = new WeakMap<OutboundPolicy, Map<string, string | null>>();

/** Why `policy` refuses `address` (one of those `host` resolves to), or null when it may be reached. */
function addressRefusal(policy: OutboundPolicy, host: string, address: string): string | null {
  let known = verdicts.get(policy);
  if (!known) verdicts.set(policy, (known = new Map<string, string | null>()));
  const key = `${host} ${address}`;
  const kept = known.get(key);
  if (kept !== undefined) return kept;
  const local = localClass(address);
  let refusal: string | null = null;
  if (
    local &&
    !policy.allowLocalRequests &&
    !isAllowlisted(policy.allowlist, host) &&
    !isAllowlisted(policy.allowlist, address)
  ) {
    const what = address === host ? address : `${host} resolves to ${address}, which`;
    refusal = `${LOCAL_NETWORK_MESSAGE}: ${what} is ${LOCAL_CLASS_LABELS[local]}`;
  }
  if (known.size < MAX_VERDICTS) known.set(key, refusal);
  return refusal;
}

/** How long an idle kept connection waits for the next request: under Node's and most servers' 5 s. */
const IDLE_CONNECTION_MS = 4_000;
/** The most addresses whose idle connections are kept; the least recently used is let go. */
const MAX_KEPT_ADDRESSES = 64;
/** Idle connections kept per address: one run of requests (an import's pages) needs no more. */
const MAX_IDLE_CONNECTIONS = 16;
/** The most of an unread answer drained so that its connection can be kept; a longer one is cut. */
const MAX_DRAINED_BYTES = 64 * 1024;

/**
 * Agents that keep connections open between requests, one per checked address: a run of
 * requests to one host (the pages of an import, a queue of deliveries) then opens one TCP
 * connection (and TLS session) instead of one per request. A connection is only ever reused
 * for the address it was opened to, and only after that address passed the checks again.
 */
const agents = new Map<string, http.Agent>();

function agentFor(protocol: string, { address }: ResolvedAddress, verifyTls: boolean): http.Agent {
  const key = `${protocol}//${address}/${verifyTls ? 'verified' : 'unverified'}`;
  let agent = agents.get(key);
  if (agent) {
    agents.delete(key);
  } else {
    const options = { keepAlive: true, timeout: IDLE_CONNECTION_MS, maxFreeSockets: MAX_IDLE_CONNECTIONS };
    agent = protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    // Not destroyed: requests still using it finish, and its idle connections time out.
    if (agents.size >= MAX_KEPT_ADDRESSES) agents.delete(agents.keys().next().value!);
  }
  agents.set(key, agent);
  return agent;
}

/** Lets an answer's connection go back to its agent: the rest of its body read and dropped, when short. */
function release(response: IncomingMessage): void {
  let drained = 0;
  response.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAINED_BYTES) response.destroy();
  });
  response.on('error', () => undefined);
  response.resume();
}

/** A lookup that answers with the address already checked, whatever DNS says now. */
function pinnedLookup({ address, family }: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

interface Answer {
  status: number;
  location: string | undefined;
  headers: IncomingMessage['headers'];
  /** Null when the body was not asked for, or was longer than allowed. */
  body: string | null;
}

/** "10 MB", "1024 bytes". */
const sizeText = (bytes: number) => (bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MB` : `${bytes} bytes`);

/** Thrown while reading a body longer than allowed. */
class BodyTooLarge extends Error {}

/** What an exchange reads of an answer's body: at most `bytes`, and whether more is cut or a failure. */
interface BodyLimit {
  bytes: number;
  cut: boolean;
}

/** Reads a whole body of at most `limit.bytes` bytes as UTF-8 (a longer one cut to them, or refused). */
function readBody(response: IncomingMessage, { bytes: maxBytes, cut }: BodyLimit): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(response.headers['content-length']);
    if (declared > maxBytes && !cut) {
      response.destroy();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length <= maxBytes) {
        chunks.push(chunk);
      } else if (cut) {
        chunks.push(chunk.subarray(0, chunk.length - (length - maxBytes)));
        response.off('data', onData);
        resolve(Buffer.concat(chunks).toString('utf8'));
        release(response);
      } else {
        response.destroy();
        reject(new BodyTooLarge());
      }
    };
    response.on('data', onData);
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
  });
}

/**
 * One request to one checked destination; resolves with the status line and headers, and with
 * the body when `body` is given (a redirect's body is never read). A kept connection
 * that the server closed just as the request went out is retried once on a new one.
 */
async function exchange(
  destination: Destination,
  request: OutboundRequest,
  signal: AbortSignal,
  body: BodyLimit | null,
): Promise<Answer> {
  try {
    return await exchangeOnce(destination, request, signal, body);
  } catch (error) {
    if (!(error instanceof ClosedKeptConnection)) throw error;
    return exchangeOnce(destination, request, signal, body);
  }
}

/** A kept connection closed by the server before any answer came: the request never reached it. */
class ClosedKeptConnection extends Error {
  readonly code = 'ECONNRESET';
}

function exchangeOnce(
  destination: Destination,
  request: OutboundRequest,
  signal: AbortSignal,
  body: BodyLimit | null,
): Promise<Answer> {
  const { url, address } = destination;
  const host = normalHost(url.hostname);
  const client = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { 'user-agent': 'Cascade', ...request.headers };
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  const verifyTls = request.verifyTls !== false;
  return new Promise((resolve, reject) => {
    const outgoing = client.request(
      {
        method: request.method,
        hostname: host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers,
        agent: agentFor(url.protocol, address, verifyTls),
        lookup: pinnedLookup(address),
        signal,
        ...(url.protocol === 'https:'
          ? { servername: isIP(host) ? undefined : host, rejectUnauthorized: verifyTls }
          : {}),
      },
      (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const answer = { status, location: response.headers.location, headers: response.headers, body: null };
        if (body === null || (isRedirect(status) && answer.location)) {
          resolve(answer);
          release(response);
          return;
        }
        readBody(response, body).then((text) => resolve({ ...answer, body: text }), reject);
      },
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const closedUnderUs = outgoing.reusedSocket && error.code === 'ECONNRESET' && !signal.aborted;
      reject(closedUnderUs ? new ClosedKeptConnection() : error);
    });
    outgoing.end(request.body);
  });
}

/** A connection error as a sentence, without the URL (a webhook URL carries its token). */
function describeError(error: unknown, target: URL, timeoutMs: number): Failed {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const where = target.host;
  if ((error as Error | undefined)?.name === 'TimeoutError' || code === 'ABORT_ERR' || code === 'ETIMEDOUT') {
    return failed('timeout', `No response from ${where} within ${timeoutMs / 1000} seconds (timed out)`);
  }
  if (code === 'ECONNREFUSED') return failed('refused', `The connection to ${where} was refused`);
  if (/^(CERT_|ERR_TLS_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(code))
    return failed('tls', `The TLS certificate of ${where} could not be verified (${code})`);
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return failed('network', `The connection to ${where} was closed before an answer came`);
  return failed('network', `The request to ${where} failed (${code || 'network error'})`);
}

const isRedirect = (status: number) => [301, 302, 303, 307, 308].includes(status);

/** Headers that carry credentials: Datadog's API key, GitLab's token. */
const CREDENTIAL_HEADER = /^(authorization|dd-api-key|private-token)$/i;

/** The request a redirect leads to: 301-303 turn a POST into a GET; credentials stay with their origin. */
function redirected(request: OutboundRequest, from: URL, to: URL, status: number): OutboundRequest {
  const headers = { ...request.headers };
  if (to.origin !== from.origin)
    for (const name of Object.keys(headers)) if (CREDENTIAL_HEADER.test(name)) delete headers[name];
  if (status === 307 || status === 308 || request.method === 'GET') return { ...request, url: to.href, headers };
  for (const name of Object.keys(headers)) if (/^content-type$/i.test(name)) delete headers[name];
  const { body: _body, ...rest } = request;
  return { ...rest, method: 'GET', url: to.href, headers };
}

/**
 * The one path of every outbound request: checks each destination, follows redirects, and
 * ends with the final answer (its body read when `body` is given) or a failure.
 */
async function perform(
  request: OutboundRequest,
  policy: OutboundPolicy,
  options: OutboundOptions,
  body: BodyLimit | null,
): Promise<({ ok: true } & Answer) | Failed> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const signal = AbortSignal.timeout(timeoutMs);
  let current = request;
  for (let redirects = 0; ; redirects++) {
    let target: URL;
    try {
      target = new URL(current.url);
    } catch {
      return failed('invalid_url', 'The URL is not valid');
    }
    let answer: Answer;
    try {
      const destination = await checkDestination(target, policy, options.resolve, signal);
      if (!destination.ok) return destination;
      answer = await exchange(destination, current, signal, body);
    } catch (error) {
      if (error instanceof BodyTooLarge)
        return failed('too_large', `The answer of ${target.host} is larger than ${sizeText(body!.bytes)}`);
      return describeError(signal.aborted ? signal.reason : error, target, timeoutMs);
    }
    if (isRedirect(answer.status) && answer.location) {
      if (redirects >= maxRedirects)
        return failed('too_many_redirects', `Too many redirects (more than ${maxRedirects})`, answer.status);
      let next: URL;
      try {
        next = new URL(answer.location, target);
      } catch {
        return failed('invalid_url', `The server redirected to an invalid URL (HTTP ${answer.status})`, answer.status);
      }
      current = redirected(current, target, next, answer.status);
      continue;
    }
    return { ok: true, ...answer };
  }
}

/**
 * Sends a request unless the Network settings refuse its destination, and says how it went.
 * A non-2xx answer is a failure with its status; the body is never read.
 *
 * @example
 * await sendOutbound({ method: 'POST', url: 'http://127.0.0.1:9/hook', body: '{}' }, { allowLocalRequests: false, allowlist: EMPTY_ALLOWLIST })
 * // { ok: false, failure: 'blocked', message: 'Requests to the local network are not allowed: 127.0.0.1 is a loopback address', durationMs: 0 }
 */
export async function sendOutbound(
  request: OutboundRequest,
  policy: OutboundPolicy,
  options: OutboundOptions = {},
): Promise<OutboundResult> {
  const started = performance.now();
  const outcome = await perform(request, policy, options, null);
  const durationMs = Math.round(performance.now() - started);
  if (!outcome.ok) return { ...outcome, durationMs };
  if (outcome.status >= 200 && outcome.status < 300) return { ok: true, status: outcome.status, durationMs };
  return { ...failed('http_status', `The server answered with HTTP ${outcome.status}`, outcome.status), durationMs };
}

/**
 * Sends a request through the same checks as {@link sendOutbound} and reads the answer: its
 * status (any, the caller judges it), headers and body (at most `maxBodyBytes`, 10 MB by default;
 * with `cutLongerBody`, the first `maxBodyBytes` of a longer one).
 *
 * @example
 * const answer = await fetchOutbound({ method: 'GET', url: 'https://gitlab.example.com/api/v4/version' }, policy)
 * if (answer.ok && answer.status === 200) JSON.parse(answer.body)
 */
export async function fetchOutbound(
  request: OutboundRequest,
  policy: OutboundPolicy,
  options: FetchOptions = {},
): Promise<FetchResult> {
  const started = performance.now();
  const body = { bytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, cut: options.cutLongerBody === true };
  const outcome = await perform(request, policy, options, body);
  const durationMs = Math.round(performance.now() - started);
  if (!outcome.ok) return { ...outcome, durationMs };
  return { ok: true, status: outcome.status, headers: outcome.headers, body: outcome.body ?? '', durationMs };
}

/**
 * At save time: the message for a URL whose host is, or resolves to, a refused address; null
 * when it may be reached, or when its host cannot be resolved from here (it is checked again
 * when a request is sent).
 *
 * @example
 * await localNetworkError('http://2130706433/hook', policy) // 'Requests to the local network are not allowed'
 */
export async function localNetworkError(
  url: string,
  policy: OutboundPolicy,
  options: OutboundOptions = {},
): Promise<string | null> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return null;
  }
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    const destination = await checkDestination(target, policy, options.resolve, signal);
    return !destination.ok && destination.failure === 'blocked' ? LOCAL_NETWORK_MESSAGE : null;
  } catch {
    return null;
  }
}
