/**
 * @module delivery/background
 * Delivery as a server runs it: the dispatcher that turns received content events into
 * deliveries, and the worker that sends them, woken by the dispatcher. Started and stopped together.
 */
import type { Db } from '../db/client.js';
import { DeliveryDispatcher, type Planner } from './dispatcher.js';
import { DeliveryRequests } from './queue.js';
import { DeliveryWorker, type DeliveryWorkerOptions } from './worker.js';

export interface DeliveryOptions extends Omit<DeliveryWorkerOptions, 'requests'> {
  db: Db;
  planner: Planner;
  secretKeyBase: string;
}

export interface Delivery {
  /** Given to the receiver: dispatches what it stored. */
  wake(): void;
  /** Lets the event being dispatched and the sends in flight finish. */
  stop(): Promise<void>;
}

/**
 * @example
 * const delivery = startDelivery({ db, planner, secretKeyBase, logger, schedule: config.deliveryRetrySchedule,
 *   onDisabled: disabledNotifier(db, pageUrl, notifyOwners) })
 * delivery.wake() // after the receiver stored a content event
 * await delivery.stop() // on shutdown
 */
export function startDelivery({ db, planner, secretKeyBase, ...options }: DeliveryOptions): Delivery {
  const requests = new DeliveryRequests(secretKeyBase);
  const worker = new DeliveryWorker(db, { ...options, requests });
  const dispatcher = new DeliveryDispatcher(db, planner, {
    requests,
    onDispatched: () => worker.wake(),
    pollIntervalMs: options.pollIntervalMs,
    now: options.now,
    logger: options.logger,
  });
  worker.start();
  dispatcher.start();
  return {
    wake: () => void dispatcher.wake(),
    async stop() {
      await dispatcher.stop();
      await worker.stop();
    },
  };
}
