/**
 * Test support for delivery: a project with received content events, planned deliveries that
 * are real requests to a local receiver, a clock the test moves, and the rows as stored.
 */
import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { writeConnection, type Db } from '../../src/db/client.js';
import {
  applicationSettings,
  deliveries,
  deliveryAttempts,
  hostEvents,
  type CodeHost,
  type HostEvent,
} from '../../src/db/schema.js';
import { PlanningBatch, type EventPlan } from '../../src/delivery/dispatcher.js';
import type { DeliveryRequest } from '../../src/delivery/messages/request.js';
import { DeliveryRequests, insertDeliveries, type PlannedDelivery } from '../../src/delivery/queue.js';
import type { SettingsOwner } from '../../src/settings/resolve.js';
import { createPlanner } from '../../src/delivery/planner.js';
import { deliveryPayload, insertConnection, insertImportedProject, SECRET_KEY_BASE } from './code-host-events.js';

export const requests = new DeliveryRequests(SECRET_KEY_BASE);

export const INSTANCE: SettingsOwner = { level: 'instance', id: null, name: 'Instance', path: null };

/** Starts at a fixed time; `advance` moves it. */
export class TestClock {
  private time = Date.parse('2026-06-01T12:00:00Z');
  readonly now = () => new Date(this.time);
  advance(ms: number): void {
    this.time += ms;
  }
}

/** Loopback is where the receivers are: the Network settings let requests reach it. */
export async function allowLocalRequests(db: Db): Promise<void> {
  await writeConnection(db).insert(applicationSettings).values({ id: 1, allowLocalRequests: true });
}

export interface DeliveryWorld {
  connection: CodeHost;
  projectId: number;
  /** Stores a content event (or another kind) received now for the project. */
  receive(kind?: string): Promise<HostEvent>;
}

export async function deliveryWorld(db: Db): Promise<DeliveryWorld> {
  const connection = await insertConnection(db, 'gitlab');
  const project = await insertImportedProject(db, connection, 15);
  await allowLocalRequests(db);
  return {
    connection,
    projectId: project.id,
    async receive(kind = 'push') {
      const [event] = await writeConnection(db)
        .insert(hostEvents)
        .values({
          codeHostId: connection.id,
          deliveryId: randomUUID(),
          hostEvent: 'Push Hook',
          kind,
          hostProjectId: 15,
          projectId: project.id,
          payload: '{}',
          receivedAt: new Date(),
        })
        .returning();
      return event!;
    },
  };
}

/** A Slack-like delivery: a POST of `body` to `url`, from the instance's settings. */
export function planned(
  url: string,
  body = '{"text":"pushed"}',
  extra: Partial<DeliveryRequest> = {},
): PlannedDelivery {
  return {
    integration: 'slack',
    settingsOwner: INSTANCE,
    request: { method: 'POST', url, headers: { 'content-type': 'application/json' }, body, ...extra },
    used: { webhook: { value: 'https://hooks.slack.com/services/…', from: INSTANCE } },
    secrets: [url],
  };
}

/** A planner's answer for an event that reports no finished pipeline: these deliveries. */
export const planOf = (deliveries: PlannedDelivery[]): EventPlan => ({ pipeline: null, deliveries: () => deliveries });

/** Stores deliveries due at `now` for a new event of the world, as the dispatcher does. */
export async function queueDeliveries(db: Db, world: DeliveryWorld, items: PlannedDelivery[], now: Date) {
  const event = await world.receive();
  await db.transaction((tx) =>
    insertDeliveries(tx, { id: event.id, projectId: world.projectId }, items, requests, now),
  );
  return storedDeliveries(db);
}

export function storedDeliveries(db: Db) {
  return db.select().from(deliveries).orderBy(asc(deliveries.id));
}

export function attemptsOf(db: Db, deliveryId: number) {
  return db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.deliveryId, deliveryId))
    .orderBy(asc(deliveryAttempts.id));
}

/**
 * A documented GitLab event of `kind` (`push`, `merge_request`, ...) received for `projectId` and
 * planned as the dispatcher plans it, with the project's settings as they are now: the
 * deliveries stored, newest last. The project's default branch must be GitLab's example's, `master`;
 * `secretKeyBase` is the key the app sealed the settings' secrets with.
 */
export async function dispatchExample(
  db: Db,
  { codeHostId, projectId }: { codeHostId: number; projectId: number },
  kind: 'push' | 'merge_request' = 'push',
  secretKeyBase = SECRET_KEY_BASE,
) {
  const examples = { push: ['push', 'Push Hook'], merge_request: ['merge-request', 'Merge Request Hook'] } as const;
  const [file, hostEvent] = examples[kind];
  const [event] = await writeConnection(db)
    .insert(hostEvents)
    .values({
      codeHostId,
      deliveryId: randomUUID(),
      hostEvent,
      kind,
      projectId,
      payload: JSON.stringify(deliveryPayload(`gitlab-${file}`)),
      receivedAt: new Date(),
    })
    .returning();
  const planned = (await createPlanner(db, secretKeyBase)(event!, new PlanningBatch())).deliveries(null);
  await db.transaction((tx) => insertDeliveries(tx, { id: event!.id, projectId }, planned, requests, new Date()));
  return storedDeliveries(db);
}

/** Sets a delivery's outcome as the worker would, with one attempt of `status`. */
export async function finishDelivery(db: Db, deliveryId: number, status: number, response = `answer ${status}`) {
  const delivered = status < 300;
  const now = new Date();
  await writeConnection(db)
    .update(deliveries)
    .set({ state: delivered ? 'delivered' : 'failed', attempts: 1, finishedAt: now })
    .where(eq(deliveries.id, deliveryId));
  await writeConnection(db)
    .insert(deliveryAttempts)
    .values({
      deliveryId,
      attemptedAt: now,
      status,
      durationMs: 42,
      responseExcerpt: response,
      ...(delivered ? {} : { failure: 'http_status', message: `The server answered with HTTP ${status}` }),
    });
}
