/**
 * The dispatcher: received content events become stored deliveries and the event `dispatched`,
 * in one transaction, so that a crash before the commit leaves the event to be planned again
 * and nothing is stored twice; then the whole path to a receiver, retries included.
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openPostgres, writeConnection, type Db, type Tx } from '../../src/db/client.js';
import { hostEvents, projects, type HostEvent } from '../../src/db/schema.js';
import { startDelivery } from '../../src/delivery/background.js';
import { DeliveryDispatcher, UndeliverableEvent, type Planner } from '../../src/delivery/dispatcher.js';
import type { PlannedDelivery } from '../../src/delivery/queue.js';
import { insertImportedProject, SECRET_KEY_BASE } from '../support/code-host-events.js';
import { createPostgresDatabase, openTestDatabase, postgresUrl, TEST_DIALECT } from '../support/database.js';
import {
  attemptsOf,
  deliveryWorld,
  INSTANCE,
  planned,
  planOf,
  requests,
  storedDeliveries,
} from '../support/deliveries.js';
import { receiverForFile } from '../support/receiver.js';

const receiver = receiverForFile();

/** A planner that sends one request per event to the receiver, and notes which events it planned. */
function recordingPlanner(plan: (event: HostEvent) => PlannedDelivery[] = (event) => [planned(url(event))]) {
  const planned: number[] = [];
  const planner: Planner = (event) => {
    planned.push(event.id);
    return Promise.resolve(planOf(plan(event)));
  };
  return { planner, planned };
}

const url = (event: HostEvent) => `${receiver().origin}/hook/${event.id}`;

function storedEvents(db: Db) {
  return db.select().from(hostEvents).orderBy(asc(hostEvents.id));
}

/** The database as a server killed just before the commit of its `nth` transaction leaves it: those before commit, none after. */
function killedAtCommit(db: Db, nth: number): Db {
  let count = 0;
  return Object.create(db, {
    transaction: {
      value: (work: (tx: Tx) => Promise<unknown>) =>
        db.transaction(async (tx) => {
          const result = await work(tx);
          if (++count >= nth) throw new Error('killed before the commit');
          return result;
        }),
    },
  }) as Db;
}

describe('the delivery dispatcher', () => {
  it('stores the planned deliveries of received content events, oldest first, and leaves tree events alone', async () => {
    const db = await openTestDatabase();
    const world = await deliveryWorld(db);
    const push = await world.receive('push');
    const renamed = await world.receive('project_renamed');
    const issue = await world.receive('issue');
    const { planner, planned: plannedIds } = recordingPlanner((event) =>
      event.kind === 'issue'
        ? []
        : [planned(url(event)), { ...planned(`https://chat.example.com:8443/x`), integration: 'mattermost' }],
    );
    let woken = 0;
    await new DeliveryDispatcher(db, planner, { requests, onDispatched: () => woken++ }).wake();
    expect(plannedIds).toEqual([push.id, issue.id]);
    expect(await storedEvents(db)).toMatchObject([
      { kind: 'push', outcome: 'dispatched', detail: null, processedAt: expect.any(Date) },
      { kind: 'project_renamed', outcome: 'received' },
      { kind: 'issue', outcome: 'dispatched', detail: 'No active integration' },
    ]);
    expect(renamed.outcome).toBe('received');
    const stored = await storedDeliveries(db);
    expect(stored).toMatchObject([
      {
        hostEventId: push.id,
        projectId: world.projectId,
        integration: 'slack',
        settingsLevel: 'instance',
        settingsOwnerId: null,
        targetHost: `127.0.0.1:${receiver().port}`,
        state: 'pending',
        attempts: 0,
        leasedUntil: null,
      },
      { integration: 'mattermost', targetHost: 'chat.example.com:8443' },
    ]);
    expect(JSON.parse(stored[0]!.used)).toEqual({
      webhook: { value: 'https://hooks.slack.com/services/…', from: INSTANCE },
    });
    expect(requests.open(stored[0]!)).toEqual(planned(url(push)).request);
    expect(woken).toBe(1);
  });

  it('keeps an event the planner cannot deliver as failed with its reason, and goes on with the next', async () => {
    const db = await openTestDatabase();
    const world = await deliveryWorld(db);
    const events = [await world.receive(), await world.receive(), await world.receive()];
    const { planner } = recordingPlanner((event) => {
      if (event.id === events[0]!.id) throw new UndeliverableEvent('The stored payload is no longer understood.');
      if (event.id === events[1]!.id) throw new TypeError('undefined is not a function');
      return [planned(url(event))];
    });
    await new DeliveryDispatcher(db, planner, { requests }).wake();
    expect(await storedEvents(db)).toMatchObject([
      { outcome: 'failed', detail: 'The stored payload is no longer understood.' },
      { outcome: 'failed', detail: 'An unexpected error; it was logged.' },
      { outcome: 'dispatched' },
    ]);
    expect((await storedDeliveries(db)).map((delivery) => delivery.hostEventId)).toEqual([events[2]!.id]);
  });

  it("stores the rest of a batch when one event's deliveries cannot be stored, and that one once it can", async () => {
    const db = await openTestDatabase();
    const world = await deliveryWorld(db);
    const gone = await insertImportedProject(db, world.connection, 16);
    const first = await world.receive();
    const [orphaned] = await writeConnection(db)
      .insert(hostEvents)
      .values({ ...first, id: undefined, deliveryId: randomUUID(), hostProjectId: 16, projectId: gone.id })
      .returning();
    const last = await world.receive();
    // The project goes while the batch is planned: its event's deliveries then break the foreign key.
    const planner: Planner = async (event) => {
      if (event.id === last.id) await writeConnection(db).delete(projects).where(eq(projects.id, gone.id));
      return planOf([planned(url(event))]);
    };
    await new DeliveryDispatcher(db, planner, { requests }).wake();
    expect((await storedEvents(db)).map(({ outcome }) => outcome)).toEqual(['dispatched', 'received', 'dispatched']);
    expect((await storedDeliveries(db)).map((delivery) => delivery.hostEventId)).toEqual([first.id, last.id]);

    await new DeliveryDispatcher(db, planner, { requests }).wake();
    expect((await storedEvents(db))[1]).toMatchObject({ id: orphaned!.id, outcome: 'dispatched', projectId: null });
    expect(await storedDeliveries(db)).toHaveLength(2);
  });

  it('leaves an event received when killed before any commit, plans it again, and stores its deliveries once', async () => {
    for (const nth of [1, 2, 3]) {
      const db = await openTestDatabase();
      const world = await deliveryWorld(db);
      const event = await world.receive();
      const { planner, planned: plannedIds } = recordingPlanner();
      await new DeliveryDispatcher(killedAtCommit(db, nth), planner, { requests }).wake();
      const [left] = await storedEvents(db);
      // Either nothing of the dispatch is stored, or all of it.
      expect((await storedDeliveries(db)).length).toBe(left!.outcome === 'dispatched' ? 1 : 0);
      const dispatcher = new DeliveryDispatcher(db, planner, { requests });
      await dispatcher.wake();
      await dispatcher.wake();
      expect(plannedIds).toEqual(nth === 1 ? [event.id, event.id] : [event.id]);
      expect(await storedEvents(db)).toMatchObject([{ outcome: 'dispatched' }]);
      expect(await storedDeliveries(db)).toHaveLength(1);
    }
  });

  it('stores each event once when two dispatchers plan it at once (two pools on PostgreSQL)', async () => {
    let first: Db;
    let second: Db;
    if (TEST_DIALECT === 'postgres') {
      const databaseUrl = postgresUrl(await createPostgresDatabase());
      first = openPostgres(databaseUrl, { poolSize: 4 });
      second = openPostgres(databaseUrl, { poolSize: 4 });
    } else {
      first = await openTestDatabase();
      second = first;
    }
    try {
      const world = await deliveryWorld(first);
      const events: HostEvent[] = [];
      for (let index = 0; index < 20; index++) events.push(await world.receive());
      // Slow planning, so that both plan the same events before either commits.
      const slow: Planner = async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return planOf([planned(url(event))]);
      };
      await Promise.all([
        new DeliveryDispatcher(first, slow, { requests }).wake(),
        new DeliveryDispatcher(second, slow, { requests }).wake(),
      ]);
      const stored = await storedDeliveries(first);
      expect(stored.map((delivery) => delivery.hostEventId)).toEqual(events.map((event) => event.id));
      expect((await storedEvents(first)).every((event) => event.outcome === 'dispatched')).toBe(true);
    } finally {
      if (TEST_DIALECT === 'postgres') await Promise.all([first.close(), second.close()]);
    }
  });

  it('delivers what the receiver stored, retrying a 503 at the next step of the schedule', async () => {
    const db = await openTestDatabase();
    const world = await deliveryWorld(db);
    let answered = 0;
    receiver().answer = (response: ServerResponse) => {
      response.statusCode = answered++ === 0 ? 503 : 200;
      response.end();
    };
    const { planner } = recordingPlanner();
    // Polling slower than the test: the dispatcher wakes the worker, and the worker's timer the retry.
    const delivery = startDelivery({
      db,
      planner,
      secretKeyBase: SECRET_KEY_BASE,
      schedule: [50],
      pollIntervalMs: 60_000,
    });
    try {
      await world.receive();
      delivery.wake();
      await expect.poll(async () => (await storedDeliveries(db))[0]?.state, { timeout: 5_000 }).toBe('delivered');
    } finally {
      await delivery.stop();
    }
    const [stored] = await storedDeliveries(db);
    expect(await attemptsOf(db, stored!.id)).toMatchObject([{ status: 503 }, { status: 200 }]);
    expect(receiver().received).toHaveLength(2);
  });
});
