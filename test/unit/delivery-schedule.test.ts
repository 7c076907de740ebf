/**
 * What becomes of a delivery after each kind of answer: the rules of the retry schedule.
 */
import { describe, expect, it } from 'vitest';
import { nextStep, retryAfter, type AttemptResult } from '../../src/delivery/schedule.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const SCHEDULE = [5_000, 300_000, 1_800_000];
const later = (ms: number) => ({ state: 'pending', at: new Date(NOW.getTime() + ms) });

const answer = (status: number, headers: Record<string, string> = {}): AttemptResult => ({
  ok: true,
  status,
  headers,
  body: '',
  durationMs: 4,
});
const failure = (kind: Exclude<AttemptResult, { ok: true }>['failure']): AttemptResult => ({
  ok: false,
  failure: kind,
  message: kind,
  durationMs: 4,
});

describe('the retry schedule', () => {
  it('takes a 2xx as delivered', () => {
    expect(nextStep(answer(202), 1, SCHEDULE, NOW)).toEqual({ state: 'delivered' });
  });

  it.each([500, 502, 503, 408, 429])('retries a %d at the next step', (status) => {
    expect(nextStep(answer(status), 1, SCHEDULE, NOW)).toEqual(later(5_000));
    expect(nextStep(answer(status), 3, SCHEDULE, NOW)).toEqual(later(1_800_000));
  });

  it.each(['timeout', 'refused', 'network', 'dns', 'tls'] as const)('retries a %s failure', (kind) => {
    expect(nextStep(failure(kind), 2, SCHEDULE, NOW)).toEqual(later(300_000));
  });

  it('fails after the last step', () => {
    expect(nextStep(answer(500), 4, SCHEDULE, NOW)).toEqual({ state: 'failed' });
  });

  it.each([400, 401, 403, 404, 410, 422, 301])('never retries a %d', (status) => {
    expect(nextStep(answer(status), 1, SCHEDULE, NOW)).toEqual({ state: 'failed' });
  });

  it.each(['blocked', 'invalid_url', 'too_many_redirects', 'unreadable'] as const)(
    'never retries a %s failure: only new settings mend it',
    (kind) => {
      expect(nextStep(failure(kind), 1, SCHEDULE, NOW)).toEqual({ state: 'failed' });
    },
  );

  it("honours a later Retry-After, in seconds or as a date, up to the schedule's longest wait", () => {
    expect(nextStep(answer(429, { 'retry-after': '120' }), 1, SCHEDULE, NOW)).toEqual(later(120_000));
    expect(nextStep(answer(503, { 'retry-after': 'Mon, 01 Jun 2026 12:10:00 GMT' }), 1, SCHEDULE, NOW)).toEqual(
      later(600_000),
    );
    expect(nextStep(answer(429, { 'retry-after': '1' }), 2, SCHEDULE, NOW)).toEqual(later(300_000));
    expect(nextStep(answer(429, { 'retry-after': '999999' }), 1, SCHEDULE, NOW)).toEqual(later(1_800_000));
    expect(nextStep(answer(429, { 'retry-after': 'soon' }), 1, SCHEDULE, NOW)).toEqual(later(5_000));
  });

  it('reads the first Retry-After, and nothing from none', () => {
    expect(retryAfter(['30', '60'], NOW)).toEqual(new Date(NOW.getTime() + 30_000));
    expect(retryAfter(undefined, NOW)).toBeNull();
  });
});
