/**
 * `npm start` killed with SIGKILL while it sends deliveries: started again on the same database,
 * it sends every event's delivery, those that were in flight included (their leases run out).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { migrateDatabase, openPostgres, openSqlite } from '../src/db/client.js';
import { deliveries } from '../src/db/schema.js';
import { freePort, spawnCascade, stopCascade, type CascadeServer } from './postgres/cascade-servers.js';
import { createPostgresDatabase, postgresUrl, TEST_DIALECT } from './support/database.js';
import {
  DELIVERY_SECRET_KEY_BASE,
  hookUrl,
  markedPush,
  markOf,
  prepareDelivery,
  pushHeaders,
} from './support/delivery-server.js';
import { startReceiver } from './support/receiver.js';

const EVENTS = 20;

/** A database of the run's dialect for a server process: a SQLite file's path or a PostgreSQL URL. */
async function serverDatabase(): Promise<string> {
  if (TEST_DIALECT === 'postgres') return postgresUrl(await createPostgresDatabase());
  const path = join(mkdtempSync(join(tmpdir(), 'cascade-kill-')), 'cascade.db');
  const db = openSqlite(path);
  await migrateDatabase(db);
  await db.close();
  return path;
}

const openAt = (location: string) => (TEST_DIALECT === 'postgres' ? openPostgres(location) : openSqlite(location));

async function until(done: () => boolean, what: string, server: CascadeServer): Promise<void> {
  for (let waited = 0; !done(); waited += 25) {
    if (waited > 15_000) throw new Error(`Timed out waiting for ${what}; the server printed:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('a server killed while sending deliveries', () => {
  it('sends every delivery once started again on the same database, those in flight included', async () => {
    const receiver = await startReceiver();
    onTestFinished(() => receiver.close());
    // At first the receiver keeps every request waiting: the sends are in flight when the server dies.
    const waiting: ServerResponse[] = [];
    receiver.answer = (response) => waiting.push(response);

    const location = await serverDatabase();
    const db = openAt(location);
    onTestFinished(() => db.close());
    const { connection } = await prepareDelivery(db, `${receiver.origin}/services/T000/B000/kill`);
    const port = await freePort();
    const env = {
      HOST: '127.0.0.1',
      ...(TEST_DIALECT === 'postgres' ? { DATABASE_URL: location } : { DATABASE_PATH: location }),
      SECRET_KEY_BASE: DELIVERY_SECRET_KEY_BASE,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
      DELIVERY_LEASE_MS: '1000',
    };
    const first = spawnCascade('first', port, env);
    onTestFinished(() => stopCascade(first));
    await first.ready;

    for (let mark = 1; mark <= EVENTS; mark++) {
      const body = markedPush(mark);
      const stored = await fetch(hookUrl(first.base, connection), { method: 'POST', headers: pushHeaders(body), body });
      expect(stored.status).toBe(201);
    }
    // DELIVERY_HOST_CONCURRENCY's 4 sends to the receiver at once.
    await until(() => waiting.length >= 4, 'the first sends', first);
    const killed = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await killed;

    const answered = new Set<number | null>();
    receiver.answer = (response, request) => {
      answered.add(markOf(request.body));
      response.end('ok');
    };
    const again = spawnCascade('again', port, env);
    onTestFinished(() => stopCascade(again));
    await again.ready;
    await until(() => answered.size >= EVENTS, `${EVENTS} deliveries`, again);

    expect([...answered].sort((a, b) => a! - b!)).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
    await stopCascade(again);
    const stored = await db.select({ state: deliveries.state }).from(deliveries);
    expect(stored).toHaveLength(EVENTS);
    expect(stored.every(({ state }) => state === 'delivered')).toBe(true);
    // Two starts of the server from the sources take most of it, on a busy machine.
  }, 90_000);
});
