/**
 * @module auth/throttle
 * Slows down password guessing: after too many failed sign-ins for a username or from an
 * address within a window, further attempts for it are refused until the window has passed.
 */

export interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
}

export const SIGN_IN_THROTTLE: ThrottleOptions = { maxFailures: 5, windowMs: 15 * 60 * 1000 };

/**
 * Kept in memory: Cascade runs as one process, and a restart forgetting failures is harmless.
 *
 * @example
 * const throttle = new SignInThrottle()
 * throttle.recordFailure(['user:root', 'ip:10.0.0.1'])
 * throttle.retryAfterMs(['user:root']) // 0 until maxFailures is reached
 */
export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: ThrottleOptions = SIGN_IN_THROTTLE) {}

  /** Milliseconds until the keys may try again; 0 when none of them is locked. */
  retryAfterMs(keys: readonly string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const recent = this.recent(key, now);
      if (recent.length >= this.options.maxFailures) {
        wait = Math.max(wait, recent[0]! + this.options.windowMs - now);
      }
    }
    return wait;
  }

  recordFailure(keys: readonly string[], now = Date.now()): void {
    for (const key of keys) this.failures.set(key, [...this.recent(key, now), now]);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((at) => at > now - this.options.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    return kept;
  }
}
