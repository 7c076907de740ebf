/**
 * @module views/components/test-result
 * The outcome of "Test settings": below the form on the full page (without JavaScript), and
 * alone as the htmx fragment that replaces it in place.
 */
import type { FieldErrors } from '../../src/validation.js';
import type { OutboundResult } from '../../src/outbound/request.js';
import { ErrorSummary } from './form.js';

export type TestOutcome =
  | { kind: 'sent'; result: OutboundResult }
  | { kind: 'invalid'; errors: FieldErrors }
  | { kind: 'rate_limited'; retryAfterSeconds: number; perMinute: number };

export const TEST_RESULT_ID = 'test-result';

const took = (ms: number) => `Took ${ms} ms.`;

export function TestResult({ outcome }: { outcome?: TestOutcome | undefined }) {
  return (
    <div id={TEST_RESULT_ID} class="test-result" aria-live="polite">
      {outcome?.kind === 'sent' && outcome.result.ok && (
        <p class="callout callout-success">
          <strong>Connection successful.</strong> The server answered HTTP {outcome.result.status}.{' '}
          {took(outcome.result.durationMs)}
        </p>
      )}
      {outcome?.kind === 'sent' && !outcome.result.ok && (
        <p class="callout callout-danger">
          <strong>Connection failed.</strong> {outcome.result.message}.{' '}
          {outcome.result.failure === 'blocked' && 'An administrator can allow it in Admin Area › Settings › Network. '}
          {took(outcome.result.durationMs)}
        </p>
      )}
      {outcome?.kind === 'invalid' && <ErrorSummary errors={outcome.errors} />}
      {outcome?.kind === 'rate_limited' && (
        <p class="callout callout-warning">
          <strong>Too many tests.</strong> You can test settings {outcome.perMinute} times a minute. Try again in{' '}
          {outcome.retryAfterSeconds} seconds.
        </p>
      )}
    </div>
  );
}
