/**
 * @module delivery/worker
 * Sends the due deliveries through the outbound protection, at most so many at once and so many
 * per target host, and records each attempt. A delivery is leased while it waits for a free send
 * and while it is sent; a lease that ran out (the server died mid-send) lets another worker take
 * it again, so delivery is at least once. On PostgreSQL every server runs a worker; on SQLite,
 * the one process does.
 *
 * The database is written per round, not per send: a claim leases up to a round of sends ahead,
 * and the attempts that finished while one transaction recorded are recorded by the next.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mail/mailer.js';
import { outboundPolicy } from '../model/network-settings.js';
import { fetchOutbound, type OutboundPolicy, type OutboundRequest } from '../outbound/request.js';
import type { HealthTarget } from './health.js';
import { jiraAttempt } from './jira.js';
import { mailAttempt } from './mail.js';
import { isJiraRequest, isMailRequest, type DeliveryRequest } from './messages/request.js';
import {
  claimDue,
  nextDueAt,
  recordAttempts,
  releaseLeases,
  RESPONSE_EXCERPT_BYTES,
  type DeliveryRequests,
  type FinishedAttempt,
  type LeasedDelivery,
} from './queue.js';
import { nextStep, type AttemptResult } from './schedule.js';

export interface DeliveryWorkerOptions {
  requests: DeliveryRequests;
  /** The waits between attempts, in milliseconds (DELIVERY_RETRY_SCHEDULE). */
  schedule: readonly number[];
  /** Sends at once (DELIVERY_CONCURRENCY). */
  concurrency?: number;
  /** Sends at once to one host (DELIVERY_HOST_CONCURRENCY). */
  hostConcurrency?: number;
  /** One attempt, redirects included. */
  timeoutMs?: number;
  /** How long a send may take before another worker takes the delivery again; above `timeoutMs`. */
  leaseMs?: number;
  /** The longest sleep while nothing is due: what other servers' dispatchers store is found this soon. */
  pollIntervalMs?: number;
  /** The time; tests move it. */
  now?: () => Date;
  logger?: Logger;
  /** Sends the deliveries that are mails; without it (no SMTP_URL) they fail, saying so. */
  mailer?: Mailer;
  /** Called once an attempt's failure disabled its target (src/delivery/disabled-notice.ts tells its owners). */
  onDisabled?: (target: HealthTarget) => Promise<void>;
}

const DEFAULTS = {
  concurrency: 16,
  hostConcurrency: 4,
  timeoutMs: 10_000,
  leaseMs: 30_000,
  pollIntervalMs: 1_000,
  now: () => new Date(),
};

/** Rounds of sends (of `concurrency`, and of `hostConcurrency` per host) leased at most, in flight and waiting. */
const LEASED_ROUNDS = 3;
/** The most attempts recorded in one transaction. */
const RECORD_BATCH = 200;

/** A leased delivery waiting for a free send, with the Network settings as they were when it was claimed. */
interface Claimed {
  leased: LeasedDelivery;
  policy: OutboundPolicy;
}

const UNREADABLE: AttemptResult = {
  ok: false,
  failure: 'unreadable',
  message: 'The stored request cannot be opened: SECRET_KEY_BASE is not the one it was sealed with',
  durationMs: 0,
};

/**
 * @example
 * const worker = new DeliveryWorker(db, { requests: new DeliveryRequests(secretKeyBase), schedule: config.deliveryRetrySchedule })
 * worker.start()
 * worker.wake() // after the dispatcher stored deliveries
 * await worker.stop() // lets the sends in flight finish
 */
export class DeliveryWorker {
  private readonly options: Required<Omit<DeliveryWorkerOptions, 'logger' | 'mailer' | 'onDisabled'>> &
    Pick<DeliveryWorkerOptions, 'logger' | 'mailer' | 'onDisabled'>;
  private inFlight = 0;
  private readonly hostsInFlight = new Map<string, number>();
  /** Leased ahead of the free sends, oldest due first. */
  private readonly ready: Claimed[] = [];
  /** Attempts made and not yet recorded. */
  private readonly finished: FinishedAttempt[] = [];
  private recording = false;
  /** Claims, sends and recordings not yet settled, for {@link idle} and {@link stop}. */
  private readonly work = new Set<Promise<void>>();
  private claiming = false;
  private claimAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    options: DeliveryWorkerOptions,
  ) {
    const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    this.options = { ...DEFAULTS, ...given, requests: options.requests, schedule: options.schedule };
  }

  /** Sends what is due now and keeps watching for what falls due. */
  start(): void {
    this.started = true;
    this.wake();
  }

  /** Looks for due deliveries now (after one claim already running, if any). */
  wake(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = true;
    this.track(this.claimWhileAsked());
  }

  /** Resolves once nothing is being claimed or sent (what a wake started has settled). */
  async idle(): Promise<void> {
    while (this.work.size > 0) await Promise.all(this.work);
  }

  /** Lets the sends in flight finish and record their attempts; no new one starts, and the leases taken ahead are given back. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.idle();
    await releaseLeases(
      this.db,
      this.ready.splice(0).map(({ leased }) => leased),
    );
  }

  private track(promise: Promise<void>): void {
    this.work.add(promise);
    void promise.finally(() => this.work.delete(promise));
  }

  private async claimWhileAsked(): Promise<void> {
    do {
      this.claimAgain = false;
      try {
        await this.claimAndSend();
      } catch (error) {
        this.options.logger?.error({ err: error }, 'Claiming deliveries failed');
        this.sleepUntil(null);
      }
    } while (this.claimAgain && !this.stopped);
    // In the same turn as the last check of `claimAgain`: a wake from now on starts a new claim.
    this.claiming = false;
  }

  /**
   * Starts sends from the leased deliveries while there are free ones, and leases more while
   * fewer than a round wait; then sleeps until the next is due.
   */
  private async claimAndSend(): Promise<void> {
    const { concurrency, hostConcurrency, leaseMs, now } = this.options;
    while (!this.stopped) {
      this.startReady();
      // Leased in one claim once fewer than a round wait, or while sends are free that nothing
      // waiting may take (its host has all it may have): up to three rounds, by host too.
      const freeSends = this.inFlight < concurrency;
      const room = LEASED_ROUNDS * concurrency - this.ready.length;
      if ((this.ready.length >= concurrency && !freeSends) || room <= 0) return;
      const at = now();
      const claimed = await claimDue(this.db, {
        now: at,
        leaseMs,
        limit: room,
        hostLimit: LEASED_ROUNDS * hostConcurrency,
        busyHosts: this.hostsHeld(),
      });
      if (claimed.length === 0) {
        this.sleepUntil(await nextDueAt(this.db, at));
        return;
      }
      // Read once per claim: the Network settings as they are when the sends are leased.
      const policy = await outboundPolicy(this.db);
      for (const leased of claimed) this.ready.push({ leased, policy });
    }
  }

  /** Sends and leased deliveries by host. */
  private hostsHeld(): Map<string, number> {
    const held = new Map(this.hostsInFlight);
    for (const { leased } of this.ready) {
      const host = leased.delivery.targetHost;
      held.set(host, (held.get(host) ?? 0) + 1);
    }
    return held;
  }

  /** Starts the leased deliveries, in order, whose host has a free send, while there are free sends. */
  private startReady(): void {
    const { concurrency, hostConcurrency } = this.options;
    for (let i = 0; i < this.ready.length && this.inFlight < concurrency;) {
      const { leased, policy } = this.ready[i]!;
      if ((this.hostsInFlight.get(leased.delivery.targetHost) ?? 0) >= hostConcurrency) i++;
      else {
        this.ready.splice(i, 1);
        this.startSend(leased, policy);
      }
    }
  }

  private startSend(leased: LeasedDelivery, policy: OutboundPolicy): void {
    const host = leased.delivery.targetHost;
    this.inFlight++;
    this.hostsInFlight.set(host, (this.hostsInFlight.get(host) ?? 0) + 1);
    const send = this.send(leased, policy)
      .catch((error: unknown) =>
        // The lease runs out and the delivery is sent again: at least once.
        this.options.logger?.error({ err: error, deliveryId: leased.delivery.id }, 'Sending a delivery failed'),
      )
      .finally(() => {
        this.inFlight--;
        const left = this.hostsInFlight.get(host)! - 1;
        if (left === 0) this.hostsInFlight.delete(host);
        else this.hostsInFlight.set(host, left);
        this.wake();
      });
    this.track(send);
  }

  private async send(leased: LeasedDelivery, policy: OutboundPolicy): Promise<void> {
    const { requests, schedule, now, mailer } = this.options;
    const request = requests.open(leased.delivery);
    const at = now();
    const result: AttemptResult =
      request === null
        ? UNREADABLE
        : isMailRequest(request)
          ? await mailAttempt(mailer, request)
          : isJiraRequest(request)
            ? await jiraAttempt(request, policy, this.options.timeoutMs)
            : await this.fetchAttempt(request, policy);
    const step = nextStep(result, leased.delivery.attempts + 1, schedule, now());
    this.finished.push({ leased, at, result, step });
    if (!this.recording) this.track(this.recordWhileFinished());
  }

  /**
   * Records the finished attempts, a batch a transaction, until none is left; from the next turn
   * of the event loop, so that the sends answered in this one are recorded together.
   */
  private async recordWhileFinished(): Promise<void> {
    this.recording = true;
    await nextTurn();
    try {
      while (this.finished.length > 0) {
        const batch = this.finished.splice(0, RECORD_BATCH);
        try {
          for (const target of await recordAttempts(this.db, batch)) await this.tellDisabled(target);
          // A retry's time is stored only now: the sleep chosen before did not know it.
          if (batch.some(({ step }) => step.state === 'pending')) this.wake();
        } catch (error) {
          // Their leases run out and they are sent again: at least once.
          const deliveryIds = batch.map(({ leased }) => leased.delivery.id);
          this.options.logger?.error({ err: error, deliveryIds }, 'Recording deliveries failed');
        }
      }
    } finally {
      // In the same turn as the last look at `finished`: an attempt from now on starts a new recording.
      this.recording = false;
    }
  }

  /** A notice that cannot go out is logged: the target stays disabled and its page says so. */
  private async tellDisabled(target: HealthTarget): Promise<void> {
    this.options.logger?.warn({ ...target }, 'An integration was disabled after repeated failures');
    try {
      await this.options.onDisabled?.(target);
    } catch (error) {
      this.options.logger?.error({ err: error, ...target }, 'Telling the owners of a disabled integration failed');
    }
  }

  private async fetchAttempt(request: DeliveryRequest, policy: OutboundPolicy): Promise<AttemptResult> {
    const { timeoutMs } = this.options;
    const fetch = (outbound: OutboundRequest) =>
      fetchOutbound(outbound, policy, { timeoutMs, maxBodyBytes: RESPONSE_EXCERPT_BYTES, cutLongerBody: true });
    const result = await fetch(request);
    // Telegram refuses Markdown it cannot parse with a 400: GitLab sends the message once more as plain text.
    if (request.resendOnBadRequest && result.ok && result.status === 400) return fetch(request.resendOnBadRequest);
    return result;
  }

  /** Wakes at `due`, or after the poll interval if that is sooner (or nothing is due). */
  private sleepUntil(due: Date | null): void {
    if (!this.started || this.stopped) return;
    const { pollIntervalMs, now } = this.options;
    const wait = due === null ? pollIntervalMs : Math.min(pollIntervalMs, due.getTime() - now().getTime());
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), Math.max(0, wait));
    this.timer.unref();
  }
}
