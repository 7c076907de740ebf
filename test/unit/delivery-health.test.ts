/**
 * Integration health (src/delivery/health.ts): GitLab's auto-disabling of webhooks, counted per
 * level whose settings supplied the target. The state machine alone, then the worker against a
 * receiver that fails: paused deliveries wait and go out on resume, the fortieth failure
 * disables and tells the owners, re-enabling lets the waiting deliveries out, and two workers
 * count every failure.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { openPostgres, writeConnection, type Db } from '../../src/db/client.js';
import { integrationHealth } from '../../src/db/schema.js';
import {
  DISABLE_THRESHOLD,
  healthOutcome,
  isHeld,
  MAX_BACKOFF_MS,
  nextHealth,
  reenable,
  type HealthCounts,
  type HealthOutcome,
  type HealthTarget,
} from '../../src/delivery/health.js';
import { insertDeliveries } from '../../src/delivery/queue.js';
import { DeliveryWorker, type DeliveryWorkerOptions } from '../../src/delivery/worker.js';
import { INSTANCE_OWNER } from '../../src/settings/owners.js';
import { insertImportedProject } from '../support/code-host-events.js';
import { createPostgresDatabase, openTestDatabase, postgresUrl, TEST_DIALECT } from '../support/database.js';
import {
  deliveryWorld,
  planned,
  queueDeliveries,
  requests,
  storedDeliveries,
  TestClock,
  type DeliveryWorld,
} from '../support/deliveries.js';
import { receiverForFile } from '../support/receiver.js';

const MINUTE = 60_000;
const NOW = new Date('2026-06-01T12:00:00Z');
const FAILED: HealthOutcome = { delivered: false, reason: 'The server answered with HTTP 500' };
const DELIVERED: HealthOutcome = { delivered: true };

/** The health after `failures` failed attempts, each made once the previous pause had passed. */
function afterFailures(failures: number): { health: HealthCounts | undefined; at: Date } {
  let health: HealthCounts | undefined;
  let at = NOW;
  for (let n = 0; n < failures; n++) {
    health = nextHealth(health, FAILED, at)!.health;
    at = new Date(Math.max(at.getTime(), health.pausedUntil?.getTime() ?? 0) + 1);
  }
  return { health, at };
}

const pauseOf = (health: HealthCounts | undefined, at: Date) => (health!.pausedUntil?.getTime() ?? 0) - at.getTime();

describe('the health state machine', () => {
  it('is failing, not paused, after one and two failures', () => {
    const one = nextHealth(undefined, FAILED, NOW)!;
    expect(one).toMatchObject({ disabled: false, health: { recentFailures: 1, pausedUntil: null } });
    const two = nextHealth(one.health, FAILED, NOW)!;
    expect(two.health).toMatchObject({ recentFailures: 2, pausedUntil: null, lastFailure: FAILED.reason });
    expect(isHeld(two.health, NOW)).toBe(false);
  });

  it('pauses on the third failure in a row for a minute, then twice as long each time, a day at most', () => {
    const { health: two, at } = afterFailures(2);
    const third = nextHealth(two, FAILED, at)!.health;
    expect(pauseOf(third, at)).toBe(MINUTE);
    expect(isHeld(third, at)).toBe(true);
    const resumed = new Date(third.pausedUntil!.getTime() + 1);
    expect(pauseOf(nextHealth(third, FAILED, resumed)!.health, resumed)).toBe(2 * MINUTE);
    const { health: many, at: later } = afterFailures(30);
    expect(pauseOf(nextHealth(many, FAILED, later)!.health, later)).toBe(MAX_BACKOFF_MS);
  });

  it('does not count a failure seen while paused', () => {
    const { health: two, at } = afterFailures(2);
    const paused = nextHealth(two, FAILED, at)!.health;
    expect(nextHealth(paused, FAILED, new Date(at.getTime() + 1000))).toBeNull();
  });

  it('disables on the fortieth failure, and then counts nothing more', () => {
    const { health: almost, at } = afterFailures(DISABLE_THRESHOLD - 1);
    expect(almost!.disabledAt).toBeNull();
    const step = nextHealth(almost, FAILED, at)!;
    expect(step).toMatchObject({ disabled: true, health: { recentFailures: 40, pausedUntil: null, disabledAt: at } });
    expect(isHeld(step.health, new Date(at.getTime() + 365 * 24 * 3600_000))).toBe(true);
    expect(nextHealth(step.health, FAILED, new Date(at.getTime() + 365 * 24 * 3600_000))).toBeNull();
  });

  it('resets on a delivered attempt, and writes nothing when there was nothing to reset', () => {
    const { health } = afterFailures(5);
    expect(nextHealth(health, DELIVERED, NOW)!.health).toMatchObject({
      recentFailures: 0,
      backoffCount: 0,
      pausedUntil: null,
      disabledAt: null,
    });
    expect(nextHealth(undefined, DELIVERED, NOW)).toBeNull();
  });

  it("counts as GitLab does: 2xx and 3xx deliver; 4xx, 5xx and errors fail; Cascade's own unreadable request is not counted", () => {
    const answer = (status: number) => healthOutcome({ ok: true, status, headers: {}, body: '', durationMs: 1 });
    expect(answer(204)).toEqual(DELIVERED);
    expect(answer(302)).toEqual(DELIVERED);
    expect(answer(404)).toEqual({ delivered: false, reason: 'The server answered with HTTP 404' });
    expect(answer(503)).toMatchObject({ delivered: false });
    expect(healthOutcome({ ok: false, failure: 'timeout', message: 'Timed out', durationMs: 1 })).toEqual({
      delivered: false,
      reason: 'Timed out',
    });
    expect(healthOutcome({ ok: false, failure: 'unreadable', message: 'x', durationMs: 0 })).toBeNull();
  });
});

const receiver = receiverForFile();
const SCHEDULE = [5_000, 300_000];
const INSTANCE_SLACK: HealthTarget = { integration: 'slack', level: 'instance', ownerId: null };

const answerWith = (status: number) => (response: ServerResponse) => {
  response.writeHead(status);
  response.end(`answer ${status}`);
};

/** One send at a time: each failure is counted before the next send starts. */
function workerFor(db: Db, clock: TestClock, options: Partial<DeliveryWorkerOptions> = {}) {
  return new DeliveryWorker(db, { requests, schedule: SCHEDULE, now: clock.now, concurrency: 1, ...options });
}

async function sendDue(worker: DeliveryWorker): Promise<void> {
  worker.wake();
  await worker.idle();
}

const healthRows = (db: Db) => db.select().from(integrationHealth);

/** Deliveries of the instance's Slack default for another project than the world's. */
async function queueForAnotherProject(db: Db, world: DeliveryWorld, count: number, now: Date) {
  const other = await insertImportedProject(db, world.connection, 16);
  const event = await world.receive();
  const items = Array.from({ length: count }, () => planned(`${receiver().origin}/hook`));
  await db.transaction((tx) => insertDeliveries(tx, { id: event.id, projectId: other.id }, items, requests, now));
}

describe('the worker and the health of targets', () => {
  it('counts the failures of an instance default once for all its projects, and pauses it on the third', async () => {
    const db = await openTestDatabase();
    const world = await deliveryWorld(db);
    const clock = new TestClock();
    receiver().answer = answerWith(500);
    await queueDeliveries(db, world, [planned(`${receiver().origin}/hook`)], clock.now());
    await queueForAnotherProject(db, world, 2, clock.now());
    await sendDue(workerFor(db, clock));
    const rows = await healthRows(db);
    expect(rows).toMatchObject([
      {
        integration: 'slack',
        settingsLevel: 'instance',
        settingsOwnerId: 0,
        recentFailures: 3,
        backoffCount: 1,
        pausedUntil: new Date(clock.now().getTime() + MINUTE),
        lastFailure: 'The server answered with HTTP 500',
      },
    ]);
  });

  it('keeps the deliveries of a paused target waiting, not failed, and sends them all when the pause is over', async () => {
    const db = await openTestDatabase();
    const world = await deliveryWorld(db);
    const clock = new TestClock();
    const worker = workerFor(db, clock);
    receiver().answer = answerWith(500);
    const hook = () => planned(`${receiver().origin}/hook`);
    await queueDeliveries(db, world, [hook(), hook(), hook()], clock.now());
    await sendDue(worker);
    expect(receiver().received).toHaveLength(3);

    receiver().answer = answerWith(200);
    await queueDeliveries(db, world, [hook()], clock.now());
    clock.advance(10_000);
    await sendDue(worker);
    expect(receiver().received).toHaveLength(3);
    expect((await storedDeliveries(db)).map((d) => d.state)).toEqual(['pending', 'pending', 'pending', 'pending']);

    clock.advance(MINUTE);
    await sendDue(worker);
    expect(receiver().received).toHaveLength(7);
    expect((await storedDeliveries(db)).map((d) => d.state)).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'delivered',
    ]);
    expect(await healthRows(db)).toMatchObject([{ recentFailures: 0, pausedUntil: null, disabledAt: null }]);
  });

  it('disables a target on its fortieth failure, tells its owners once, and sends what waited when re-enabled', async () => {
    const db = await openTestDatabase();
    const world = await deliveryWorld(db);
    const clock = new TestClock();
    await writeConnection(db)
      .insert(integrationHealth)
      .values({
        integration: 'slack',
        settingsLevel: 'instance',
        settingsOwnerId: 0,
        recentFailures: DISABLE_THRESHOLD - 1,
        backoffCount: 30,
        pausedUntil: new Date(clock.now().getTime() - 1),
        updatedAt: clock.now(),
      });
    const disabled: HealthTarget[] = [];
    const worker = workerFor(db, clock, { onDisabled: async (target) => void disabled.push(target) });
    receiver().answer = answerWith(404);
    await queueDeliveries(db, world, [planned(`${receiver().origin}/hook`)], clock.now());
    await sendDue(worker);
    expect(disabled).toEqual([INSTANCE_SLACK]);
    expect(await healthRows(db)).toMatchObject([{ recentFailures: 40, disabledAt: clock.now() }]);

    receiver().answer = answerWith(200);
    await queueDeliveries(db, world, [planned(`${receiver().origin}/hook`)], clock.now());
    clock.advance(30 * 24 * 3600_000);
    await sendDue(worker);
    expect(receiver().received).toHaveLength(1);

    const admin = { id: null, username: 'root' };
    expect(await reenable(db, INSTANCE_OWNER, 'slack', admin, clock.now())).toBe(true);
    await sendDue(worker);
    expect(receiver().received).toHaveLength(2);
    expect((await storedDeliveries(db)).map((d) => d.state)).toEqual(['failed', 'delivered']);
    expect(disabled).toHaveLength(1);
  });

  it('counts every failure when two workers record them at once (two pools on PostgreSQL)', async () => {
    let first: Db;
    let second: Db;
    if (TEST_DIALECT === 'postgres') {
      const url = postgresUrl(await createPostgresDatabase());
      first = openPostgres(url, { poolSize: 4 });
      second = openPostgres(url, { poolSize: 4 });
    } else {
      first = await openTestDatabase();
      second = first;
    }
    try {
      const world = await deliveryWorld(first);
      const clock = new TestClock();
      // Both answers come back together, so that both workers record their failure at once.
      const held: ServerResponse[] = [];
      receiver().answer = (response) => {
        held.push(response);
        if (held.length === 2) for (const answer of held) answerWith(500)(answer);
      };
      const hooks = [planned(`${receiver().origin}/a`), planned(`${receiver().origin}/b`)];
      await queueDeliveries(first, world, hooks, clock.now());
      const workers = [workerFor(first, clock), workerFor(second, clock)];
      await Promise.all(workers.map(sendDue));
      expect(receiver().received).toHaveLength(2);
      expect(await healthRows(first)).toMatchObject([{ recentFailures: 2 }]);
    } finally {
      if (TEST_DIALECT === 'postgres') await Promise.all([first.close(), second.close()]);
    }
  });
});
