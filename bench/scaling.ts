/**
 * `npm run bench:scaling`: the instance of docs/scaling.md (10,000 events a second, 1,000,000
 * projects) scaled down by BENCH_SCALING_FACTOR (50) to this machine, on PostgreSQL. The real
 * dispatcher and worker (src/delivery/background.ts) of BENCH_SCALING_SERVERS (2) servers, each
 * with a pool of its own, deliver to a receiver in a process of its own, while events are stored
 * at the scaled rate for BENCH_SCALING_SECONDS (60) as receivers would store them, each server
 * woken in turn. Prints the rate reached, the lag from an event's storing to its delivery,
 * where the time went (planning, database statements, sends), what is left behind, and the
 * bytes per stored event, delivery and attempt that retention storage is sized from.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { firstRow, migrateDatabase, openPostgres, rows, type Db, type Tx } from '../src/db/client.js';
import { hostEvents } from '../src/db/schema.js';
import { startDelivery, type Delivery } from '../src/delivery/background.js';
import type { Planner } from '../src/delivery/dispatcher.js';
import { createPlanner } from '../src/delivery/planner.js';
import { DELIVERY_SECRET_KEY_BASE, markedPush, prepareDelivery } from '../test/support/delivery-server.js';
import { ReceiverProcess } from './delivery.js';
import { startBenchPostgres } from './postgres.js';

const FACTOR = Number(process.env.BENCH_SCALING_FACTOR ?? 50);
const SERVERS = Number(process.env.BENCH_SCALING_SERVERS ?? 2);
const SECONDS = Number(process.env.BENCH_SCALING_SECONDS ?? 60);
const EVENTS_PER_SECOND = 10_000 / FACTOR;
const PROJECTS = 1_000_000 / FACTOR;
/** Events are stored in a batch every TICK_MS, as many receivers would store them at once. */
const TICK_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const clock = () => performance.timeOrigin + performance.now();

/** Where one simulated server's time went, in seconds, and its write transactions. */
interface Spent {
  planning: number;
  statements: number;
  transactions: number;
  /** From asking for each transaction to its commit: waiting for the write lock included. */
  transactionSeconds: number;
}

interface SimulatedServer {
  db: Db;
  delivery: Delivery;
  spent: Spent;
}

/** A server's dispatcher and worker on a pool of its own, its planning and statements timed. */
function startSimulatedServer(url: string): SimulatedServer {
  const spent: Spent = { planning: 0, statements: 0, transactions: 0, transactionSeconds: 0 };
  const pool = openPostgres(url, { onTimed: (seconds) => (spent.statements += seconds) });
  const db = Object.create(pool, {
    transaction: {
      value: async <T>(work: (tx: Tx) => Promise<T>): Promise<T> => {
        const started = performance.now();
        try {
          return await pool.transaction(work);
        } finally {
          spent.transactions += 1;
          spent.transactionSeconds += (performance.now() - started) / 1000;
        }
      },
    },
  }) as Db;
  const plan = createPlanner(db, DELIVERY_SECRET_KEY_BASE);
  const planner: Planner = async (event, batch) => {
    const started = performance.now();
    try {
      return await plan(event, batch);
    } finally {
      spent.planning += (performance.now() - started) / 1000;
    }
  };
  const delivery = startDelivery({
    db,
    planner,
    secretKeyBase: DELIVERY_SECRET_KEY_BASE,
    schedule: [1_000, 5_000, 30_000],
  });
  return { db: pool, delivery, spent };
}

/** PROJECTS projects imported from the connection, in the group of the prepared one, each on its default branch. */
async function addProjects(db: Db, projectId: number): Promise<number[]> {
  await db.transaction((tx) =>
    rows(
      tx,
      sql`insert into projects (group_id, name, path, full_path, code_host_id, host_id, default_branch, created_at)
      select p.group_id, 'p' || i, 'p' || i, g.full_path || '/p' || i, p.code_host_id, 100000 + i, 'master', p.created_at
        from projects p join groups g on g.id = p.group_id, generate_series(1, ${PROJECTS - 1}) i
       where p.id = ${projectId}`,
    ),
  );
  return (await rows<{ id: number }>(db, sql`select id from projects order by id`)).map((row) => Number(row.id));
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function count(db: Db, query: ReturnType<typeof sql>): Promise<number> {
  return Number((await firstRow<{ n: number | string }>(db, query))?.n ?? 0);
}

/** Bytes per row of `table`, indexes and TOAST included. */
async function bytesPerRow(db: Db, table: string): Promise<number> {
  const rows = await count(db, sql.raw(`select count(*) as n from ${table}`));
  const bytes = await count(db, sql.raw(`select pg_total_relation_size('${table}') as n`));
  return rows === 0 ? 0 : bytes / rows;
}

async function main(): Promise<void> {
  const postgres = await startBenchPostgres();
  const receiver = await ReceiverProcess.start();
  const servers: SimulatedServer[] = [];
  try {
    const url = await postgres.createDatabase('scaling');
    const db = openPostgres(url);
    await migrateDatabase(db);
    const { connection, projectId } = await prepareDelivery(
      db,
      `http://127.0.0.1:${receiver.port}/services/T000/B000/scaling`,
    );
    console.log(`Importing ${PROJECTS.toLocaleString('en')} projects (1/${FACTOR} of 1,000,000)...`);
    const projectIds = await addProjects(db, projectId);
    await rows(db, sql`analyze`);
    for (let i = 0; i < SERVERS; i++) servers.push(startSimulatedServer(url));
    console.log(
      `${SERVERS} servers; storing ${EVENTS_PER_SECOND} events a second (1/${FACTOR} of 10,000) for ${SECONDS} s...`,
    );

    const storedAt = new Map<number, number>();
    const arrivedAt = new Map<number, number>();
    const takeArrivals = async () => {
      for (const [mark, at] of (await receiver.take()).arrivals)
        if (mark !== null && !arrivedAt.has(mark)) arrivedAt.set(mark, at);
    };
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let mark = 0;
    for (let tick = 0; performance.now() - started < SECONDS * 1000; tick++) {
      const due = Math.floor(((performance.now() - started) / 1000) * EVENTS_PER_SECOND);
      const batch = Array.from({ length: due - mark }, () => ++mark);
      if (batch.length > 0) {
        await db.transaction((tx) =>
          tx.insert(hostEvents).values(
            batch.map((each) => ({
              codeHostId: connection.id,
              deliveryId: randomUUID(),
              hostEvent: 'Push Hook',
              kind: 'push',
              hostProjectId: 15,
              projectId: projectIds[each % projectIds.length]!,
              payload: markedPush(each),
              receivedAt: new Date(),
            })),
          ),
        );
        for (const each of batch) storedAt.set(each, clock());
        // The receiver route of the server that took the request wakes its own dispatcher.
        servers[tick % SERVERS]!.delivery.wake();
      }
      if (tick % 10 === 0) await takeArrivals();
      await sleep(Math.max(0, started + (tick + 1) * TICK_MS - performance.now()));
    }
    const elapsed = (performance.now() - started) / 1000;
    await takeArrivals();
    const cpu = process.cpuUsage(cpuBefore);
    const arrivedInRun = arrivedAt.size;
    const waiting = {
      received: await count(db, sql`select count(*) as n from host_events where outcome = 'received'`),
      pending: await count(db, sql`select count(*) as n from deliveries where state = 'pending'`),
    };
    const sendSeconds = (await count(db, sql`select coalesce(sum(duration_ms), 0) as n from delivery_attempts`)) / 1000;
    const lags = [...arrivedAt].map(([each, at]) => at - storedAt.get(each)!).sort((a, b) => a - b);
    const spent = servers.reduce(
      (sum, server) => ({
        planning: sum.planning + server.spent.planning,
        statements: sum.statements + server.spent.statements,
        transactions: sum.transactions + server.spent.transactions,
        transactionSeconds: sum.transactionSeconds + server.spent.transactionSeconds,
      }),
      { planning: 0, statements: 0, transactions: 0, transactionSeconds: 0 },
    );
    const delivered = await count(db, sql`select count(*) as n from deliveries`);
    for (const server of servers) await server.delivery.stop();

    const share = (seconds: number) =>
      `${seconds.toFixed(1)} s (${((seconds / elapsed) * 100).toFixed(0)}% of the run)`;
    console.log(
      [
        `Stored ${mark} events in ${elapsed.toFixed(1)} s: ${(mark / elapsed).toFixed(0)} a second (asked ${EVENTS_PER_SECOND})`,
        `Delivered ${arrivedInRun} during the run: ${(arrivedInRun / elapsed).toFixed(0)} a second`,
        `Lag from storing to arrival: p50 ${Math.round(percentile(lags, 0.5))} ms, p99 ${Math.round(percentile(lags, 0.99))} ms`,
        `Left at the end: ${waiting.received} events not dispatched, ${waiting.pending} deliveries pending`,
        `Where the time went, summed over ${SERVERS} servers:`,
        `  planning (the dispatcher's settings resolution and message building, statements included): ${share(spent.planning)}`,
        `  database statements (planning's reads, dispatch and claim transactions, attempts): ${share(spent.statements)}`,
        `  sends (the attempts' own duration, overlapping: 16 at once per server): ${share(sendSeconds)}`,
        `  CPU of this process (all servers, the load and the bookkeeping): ${share((cpu.user + cpu.system) / 1e6)}`,
        `Write transactions of the dispatchers and workers: ${spent.transactions} (${(spent.transactions / Math.max(1, delivered)).toFixed(2)} per delivery), ${((spent.transactionSeconds / Math.max(1, spent.transactions)) * 1000).toFixed(1)} ms each from asking to commit, the write lock's wait included: ${share(spent.transactionSeconds)}`,
        'Bytes per row, indexes included (retention storage):',
        `  host event ${Math.round(await bytesPerRow(db, 'host_events'))}, delivery ${Math.round(await bytesPerRow(db, 'deliveries'))}, attempt ${Math.round(await bytesPerRow(db, 'delivery_attempts'))}`,
      ].join('\n'),
    );
    await db.close();
  } finally {
    for (const server of servers) await server.db.close();
    await receiver.stop();
    await postgres.stop();
  }
}

await main();
