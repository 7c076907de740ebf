/**
 * The delivery worker against a local receiver: what it sends, what it records, when it tries
 * again, what it never retries, leases, two workers on one database, and the bound per host.
 * The clock is the test's: no test waits for a retry's real time.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openPostgres, rows, sqliteHandle, writeConnection, type Db } from '../../src/db/client.js';
import { deliveries } from '../../src/db/schema.js';
import { DeliveryRequests, RESPONSE_EXCERPT_BYTES } from '../../src/delivery/queue.js';
import { DeliveryWorker, type DeliveryWorkerOptions } from '../../src/delivery/worker.js';
import { createPostgresDatabase, openTestDatabase, postgresUrl, TEST_DIALECT } from '../support/database.js';
import {
  attemptsOf,
  deliveryWorld,
  planned,
  queueDeliveries,
  requests,
  storedDeliveries,
  TestClock,
} from '../support/deliveries.js';
import { neverAnswer, receiverForFile, startReceiver, type Receiver } from '../support/receiver.js';

const receiver = receiverForFile();
const SCHEDULE = [5_000, 300_000];

function workerFor(db: Db, clock: TestClock, options: Partial<DeliveryWorkerOptions> = {}) {
  return new DeliveryWorker(db, { requests, schedule: SCHEDULE, now: clock.now, ...options });
}

/** Wakes the worker and waits until what it started has settled. */
async function sendDue(worker: DeliveryWorker): Promise<void> {
  worker.wake();
  await worker.idle();
}

const answerWith =
  (status: number, headers: Record<string, string> = {}) =>
  (response: ServerResponse) => {
    response.writeHead(status, headers);
    response.end(`answer ${status}`);
  };

async function setUp() {
  const db = await openTestDatabase();
  const world = await deliveryWorld(db);
  const clock = new TestClock();
  return { db, world, clock };
}

describe('the delivery worker', () => {
  it("sends Telegram's plain-text message once more when the Markdown one is refused with a 400", async () => {
    const { db, world, clock } = await setUp();
    receiver().answer = (response, request) => {
      response.writeHead(request.body.includes('parse_mode') ? 400 : 200);
      response.end(request.body.includes('parse_mode') ? "Bad Request: can't parse entities" : '{"ok":true}');
    };
    const url = `${receiver().origin}/botTOKEN/sendMessage`;
    const markdown = planned(url, '{"text":"*pushed*","parse_mode":"markdown"}', {
      resendOnBadRequest: {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        body: '{"text":"pushed"}',
      },
    });
    await queueDeliveries(db, world, [markdown], clock.now());
    await sendDue(workerFor(db, clock));
    expect(receiver().received.map(({ body }) => body)).toEqual([
      '{"text":"*pushed*","parse_mode":"markdown"}',
      '{"text":"pushed"}',
    ]);
    const [delivery] = await storedDeliveries(db);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 1 });
  });

  it('never resends a plain 400, and fails it at once', async () => {
    const { db, world, clock } = await setUp();
    receiver().answer = answerWith(400);
    await queueDeliveries(db, world, [planned(`${receiver().origin}/hook`)], clock.now());
    await sendDue(workerFor(db, clock));
    expect(receiver().received).toHaveLength(1);
    expect((await storedDeliveries(db))[0]).toMatchObject({ state: 'failed', attempts: 1 });
  });

  it('sends a due delivery once on a 2xx and records the attempt with the first 8 KB of the answer', async () => {
    const { db, world, clock } = await setUp();
    receiver().answer = (response) => response.end('x'.repeat(20_000));
    await queueDeliveries(db, world, [planned(`${receiver().origin}/hook/T000`)], clock.now());
    const worker = workerFor(db, clock);
    await sendDue(worker);
    expect(receiver().received).toMatchObject([
      {
        method: 'POST',
        path: '/hook/T000',
        body: '{"text":"pushed"}',
        headers: { 'content-type': 'application/json' },
      },
    ]);
    const [delivery] = await storedDeliveries(db);
    expect(delivery).toMatchObject({
      state: 'delivered',
      attempts: 1,
      leasedUntil: null,
      finishedAt: expect.any(Date),
    });
    const attempts = await attemptsOf(db, delivery!.id);
    expect(attempts).toMatchObject([{ status: 200, failure: null, attemptedAt: clock.now() }]);
    expect(attempts[0]!.responseExcerpt).toBe('x'.repeat(RESPONSE_EXCERPT_BYTES));
    clock.advance(24 * 3600_000);
    await sendDue(worker);
    expect(receiver().received).toHaveLength(1);
  });

  it('retries a 5xx at each step of the schedule and fails after the last', async () => {
    const { db, world, clock } = await setUp();
    receiver().answer = answerWith(500);
    await queueDeliveries(db, world, [planned(`${receiver().origin}/hook`)], clock.now());
    const worker = workerFor(db, clock);
    const start = clock.now().getTime();
    await sendDue(worker);
    expect(await storedDeliveries(db)).toMatchObject([
      { state: 'pending', attempts: 1, nextAttemptAt: new Date(start + 5_000) },
    ]);
    clock.advance(4_999);
    await sendDue(worker);
    expect(receiver().received).toHaveLength(1);
    clock.advance(1);
    await sendDue(worker);
    expect(receiver().received).toHaveLength(2);
    expect(await storedDeliveries(db)).toMatchObject([
      { state: 'pending', attempts: 2, nextAttemptAt: new Date(start + 305_000) },
    ]);
    clock.advance(300_000);
    await sendDue(worker);
    const [delivery] = await storedDeliveries(db);
    expect(delivery).toMatchObject({ state: 'failed', attempts: 3, finishedAt: expect.any(Date) });
    expect(await attemptsOf(db, delivery!.id)).toMatchObject(
      Array(3).fill({ status: 500, failure: 'http_status', message: 'The server answered with HTTP 500' }),
    );
    clock.advance(24 * 3600_000);
    await sendDue(worker);
    expect(receiver().received).toHaveLength(3);
  });

  it('retries a timeout, a refused connection and a connection closed before the answer', async () => {
    const { db, world, clock } = await setUp();
    const closed = await startReceiver();
    await closed.close();
    const cut = await startReceiver();
    cut.answer = (response) => response.socket?.destroy();
    receiver().answer = neverAnswer;
    await queueDeliveries(
      db,
      world,
      [planned(`${receiver().origin}/slow`), planned(`${closed.origin}/gone`), planned(`${cut.origin}/cut`)],
      clock.now(),
    );
    await sendDue(workerFor(db, clock, { timeoutMs: 200 }));
    await cut.close();
    const stored = await storedDeliveries(db);
    expect(stored.map((delivery) => [delivery.state, delivery.attempts])).toEqual(Array(3).fill(['pending', 1]));
    const failures = await Promise.all(stored.map(async (delivery) => (await attemptsOf(db, delivery.id))[0]));
    expect(failures).toMatchObject([
      { failure: 'timeout', status: null },
      { failure: 'refused', status: null },
      { failure: 'network', status: null },
    ]);
  });

  it("retries a 429 at its Retry-After when that is later than the schedule's step", async () => {
    const { db, world, clock } = await setUp();
    receiver().answer = answerWith(429, { 'retry-after': '120' });
    await queueDeliveries(db, world, [planned(`${receiver().origin}/hook`)], clock.now());
    const start = clock.now().getTime();
    const worker = workerFor(db, clock);
    await sendDue(worker);
    expect(await storedDeliveries(db)).toMatchObject([{ state: 'pending', nextAttemptAt: new Date(start + 120_000) }]);
    clock.advance(5_000);
    await sendDue(worker);
    expect(receiver().received).toHaveLength(1);
    receiver().answer = answerWith(204);
    clock.advance(115_000);
    await sendDue(worker);
    expect(await storedDeliveries(db)).toMatchObject([{ state: 'delivered', attempts: 2 }]);
  });

  it.each([400, 404])('fails at once on a %d and never sends it again', async (status) => {
    const { db, world, clock } = await setUp();
    receiver().answer = answerWith(status);
    await queueDeliveries(db, world, [planned(`${receiver().origin}/hook`)], clock.now());
    const worker = workerFor(db, clock);
    await sendDue(worker);
    clock.advance(24 * 3600_000);
    await sendDue(worker);
    expect(receiver().received).toHaveLength(1);
    const [delivery] = await storedDeliveries(db);
    expect(delivery).toMatchObject({ state: 'failed', attempts: 1 });
    expect(await attemptsOf(db, delivery!.id)).toMatchObject([{ status, responseExcerpt: `answer ${status}` }]);
  });

  it('sends again a delivery whose lease ran out (its server died mid-send), and not before', async () => {
    const { db, world, clock } = await setUp();
    const [delivery] = await queueDeliveries(db, world, [planned(`${receiver().origin}/hook`)], clock.now());
    // What a worker that took it and was killed leaves behind.
    await writeConnection(db)
      .update(deliveries)
      .set({ leasedUntil: new Date(clock.now().getTime() + 30_000) })
      .where(eq(deliveries.id, delivery!.id));
    const worker = workerFor(db, clock);
    clock.advance(29_999);
    await sendDue(worker);
    expect(receiver().received).toHaveLength(0);
    clock.advance(1);
    await sendDue(worker);
    expect(receiver().received).toHaveLength(1);
    expect(await storedDeliveries(db)).toMatchObject([{ state: 'delivered', attempts: 1, leasedUntil: null }]);
  });

  it('fails a delivery whose request no longer opens (SECRET_KEY_BASE changed)', async () => {
    const { db, world, clock } = await setUp();
    await queueDeliveries(db, world, [planned(`${receiver().origin}/hook`)], clock.now());
    const otherKey = new DeliveryRequests('another-secret-key-base-of-enough-length-0123');
    await sendDue(workerFor(db, clock, { requests: otherKey }));
    expect(receiver().received).toHaveLength(0);
    const [delivery] = await storedDeliveries(db);
    expect(delivery).toMatchObject({ state: 'failed', attempts: 1 });
    expect(await attemptsOf(db, delivery!.id)).toMatchObject([{ failure: 'unreadable', status: null }]);
  });

  it('never keeps the request in plain text: the token in its URL and headers is in no row', async () => {
    const { db, world, clock } = await setUp();
    const token = 'xoxb-secret-token-4242';
    await queueDeliveries(
      db,
      world,
      [planned(`${receiver().origin}/services/${token}`, '{}', { headers: { authorization: `Bearer ${token}` } })],
      clock.now(),
    );
    await sendDue(workerFor(db, clock));
    expect(receiver().received[0]).toMatchObject({
      path: `/services/${token}`,
      headers: { authorization: `Bearer ${token}` },
    });
    for (const table of ['deliveries', 'delivery_attempts', 'host_events'])
      expect(JSON.stringify(await rows(db, sql.raw(`select * from ${table}`)))).not.toContain(token);
    if (TEST_DIALECT === 'sqlite') {
      const file = sqliteHandle(db).name;
      for (const path of [file, `${file}-wal`]) expect(readFileSync(path).includes(token)).toBe(false);
    }
  });

  it('sends each delivery once when two workers share the database (two pools on PostgreSQL)', async () => {
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
      receiver().answer = (response) => setTimeout(() => response.end('ok'), 20);
      const items = Array.from({ length: 40 }, (_, index) => planned(`${receiver().origin}/hook/${index}`));
      await queueDeliveries(first, world, items, clock.now());
      const workers = [workerFor(first, clock), workerFor(second, clock)];
      for (const worker of workers) worker.wake();
      await Promise.all(workers.map((worker) => worker.idle()));
      const paths = receiver().received.map((request) => request.path);
      expect(paths.sort()).toEqual(items.map((_, index) => `/hook/${index}`).sort());
      expect((await storedDeliveries(first)).every((delivery) => delivery.state === 'delivered')).toBe(true);
    } finally {
      if (TEST_DIALECT === 'postgres') await Promise.all([first.close(), second.close()]);
    }
  });

  it('leases a round ahead of its sends, and gives back what it did not send when stopped', async () => {
    const { db, world, clock } = await setUp();
    const held: ServerResponse[] = [];
    receiver().answer = (response) => held.push(response);
    const items = [1, 2, 3].map((index) => planned(`${receiver().origin}/hook/${index}`));
    await queueDeliveries(db, world, items, clock.now());
    const worker = workerFor(db, clock, { concurrency: 1 });
    worker.wake();
    await expect.poll(() => held.length).toBe(1);
    expect((await storedDeliveries(db)).every((delivery) => delivery.leasedUntil !== null)).toBe(true);
    const stopped = worker.stop();
    held[0]!.end('ok');
    await stopped;
    expect(receiver().received).toHaveLength(1);
    expect((await storedDeliveries(db)).map(({ state, leasedUntil }) => [state, leasedUntil])).toEqual([
      ['delivered', null],
      ['pending', null],
      ['pending', null],
    ]);
  });

  it('sends at most so many at once to one host, and at most so many in all', async () => {
    const { db, world, clock } = await setUp();
    const other = await startReceiver();
    const held: ServerResponse[] = [];
    const responsesOf = new Map<ServerResponse, Receiver>();
    const open = new Map<Receiver, number>();
    const most = new Map<Receiver, number>();
    let mostInAll = 0;
    for (const target of [receiver(), other]) {
      target.answer = (response) => {
        open.set(target, (open.get(target) ?? 0) + 1);
        most.set(target, Math.max(most.get(target) ?? 0, open.get(target)!));
        mostInAll = Math.max(
          mostInAll,
          [...open.values()].reduce((sum, count) => sum + count, 0),
        );
        response.on('finish', () => open.set(target, open.get(target)! - 1));
        responsesOf.set(response, target);
        held.push(response);
      };
    }
    const items = [
      ...Array.from({ length: 6 }, (_, index) => planned(`${receiver().origin}/a/${index}`)),
      ...Array.from({ length: 3 }, (_, index) => planned(`${other.origin}/b/${index}`)),
    ];
    await queueDeliveries(db, world, items, clock.now());
    const worker = workerFor(db, clock, { hostConcurrency: 2, concurrency: 3 });
    worker.wake();
    const counts = new Map([
      [receiver(), 6],
      [other, 3],
    ]);
    const answered = new Map<Receiver, number>();
    // As many as the bounds allow of what is left: 2 to a host, 3 in all.
    const allowed = () =>
      Math.min(
        3,
        [...counts].reduce((sum, [target, total]) => sum + Math.min(2, total - (answered.get(target) ?? 0)), 0),
      );
    const released = (async () => {
      for (let done = 0; done < items.length; done++) {
        // Wait until the worker has filled every slot it may (or a generous while), and then a
        // little longer, for more requests to arrive than the bounds allow, if the worker sent them.
        const deadline = Date.now() + 5_000;
        while (held.length < allowed() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
        await new Promise((resolve) => setTimeout(resolve, 30));
        const response = held.shift()!;
        const target = responsesOf.get(response)!;
        answered.set(target, (answered.get(target) ?? 0) + 1);
        response.end('ok');
      }
    })();
    await released;
    await worker.idle();
    await other.close();
    expect(receiver().received).toHaveLength(6);
    expect(other.received).toHaveLength(3);
    expect(most.get(receiver())).toBe(2);
    expect(most.get(other)).toBeLessThanOrEqual(2);
    expect(mostInAll).toBe(3);
  });
});
