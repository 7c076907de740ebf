/**
 * @module delivery/schedule
 * What becomes of a delivery after an attempt: delivered, tried again at the next step of the
 * retry schedule (or later, when the answer's `Retry-After` says so), or failed. Pure: no I/O.
 */
import type { FetchResult } from '../outbound/request.js';

const SECOND = 1_000;

/**
 * A mail the SMTP server refused, for now (a 4xx: `smtp_transient`) or for good (a 5xx:
 * `smtp_permanent`), with its `reply`; or one this server cannot send (no SMTP_URL).
 */
export type MailFailureResult = {
  ok: false;
  failure: 'smtp_transient' | 'smtp_permanent' | 'mail_not_configured';
  message: string;
  status?: number;
  reply?: string;
  durationMs: number;
};

/** A Jira step answered with a 2xx that is not the JSON Jira's REST API documents (a login page, a proxy's). */
export type UnexpectedAnswerResult = {
  ok: false;
  failure: 'unexpected_answer';
  message: string;
  status?: number;
  reply?: string;
  durationMs: number;
};

/** How an attempt went: the outbound, Jira or mail result, or a stored request that no longer opens. */
export type AttemptResult =
  | FetchResult
  | MailFailureResult
  | UnexpectedAnswerResult
  | { ok: false; failure: 'unreadable'; message: string; durationMs: number };

export type NextStep = { state: 'delivered' } | { state: 'failed' } | { state: 'pending'; at: Date };

/** Failures that may pass by themselves; the others (a blocked or invalid URL, ...) need new settings. */
const PASSING_FAILURES = new Set<string>(['dns', 'refused', 'timeout', 'tls', 'network', 'smtp_transient']);

const isRetriedStatus = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * When the answer's `Retry-After` (seconds, or an HTTP date) asks to be tried again, or null
 * when it asks nothing understood.
 *
 * @example
 * retryAfter('120', new Date(0)) // 1970-01-01T00:02:00.000Z
 */
export function retryAfter(value: string | string[] | undefined, now: Date): Date | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return new Date(now.getTime() + Number(text) * SECOND);
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : new Date(date);
}

/**
 * The delivery's state after its attempt number `attempt` (1 for the first). A `Retry-After`
 * later than the schedule's step is honoured up to the schedule's longest wait, so that an
 * answer cannot park a delivery for longer than the schedule would.
 *
 * @example
 * nextStep({ ok: true, status: 500, headers: {}, body: '', durationMs: 3 }, 1, DEFAULT_RETRY_SCHEDULE_MS, now)
 * // { state: 'pending', at: now + 5 s }
 */
export function nextStep(result: AttemptResult, attempt: number, schedule: readonly number[], now: Date): NextStep {
  if (result.ok && result.status >= 200 && result.status < 300) return { state: 'delivered' };
  const retried = result.ok ? isRetriedStatus(result.status) : PASSING_FAILURES.has(result.failure);
  const wait = schedule[attempt - 1];
  if (!retried || wait === undefined) return { state: 'failed' };
  const stepAt = now.getTime() + wait;
  const asked = result.ok ? retryAfter(result.headers['retry-after'], now) : null;
  const latest = now.getTime() + Math.max(...schedule);
  return { state: 'pending', at: new Date(Math.max(stepAt, Math.min(asked?.getTime() ?? 0, latest))) };
}
