/**
 * The delivery rows of `npm run bench`, on a Cascade server process of each database (the
 * compiled dist/server.js, its real dispatcher and worker) whose instance Slack webhook is a local receiver in a process of
 * its own: the rate of deliveries against the rate a plain Node HTTP client reaches on the same
 * receiver; the time from the receiver route's 2xx to the delivery's arrival at a steady
 * moderate load; the server's memory during a long load; and a receiver down for a while, after which
 * every delivery arrives. `tsx bench/delivery.ts` runs them alone and prints the figures.
 *
 * BENCH_DELIVERY_EVENTS (5,000) events are stored for the rate, BENCH_DELIVERY_LATENCY_SECONDS
 * (20) of load give the latency, BENCH_DELIVERY_MEMORY_SECONDS (600) the memory and
 * BENCH_DELIVERY_OUTAGE_SECONDS (60) how long the receiver is down.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http, { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { migrateDatabase, openPostgres, openSqlite, type Db } from '../src/db/client.js';
import { hostEvents, type CodeHost } from '../src/db/schema.js';
import {
  DELIVERY_SECRET_KEY_BASE,
  hookUrl,
  markedPush,
  markOf,
  prepareDelivery,
  pushHeaders,
} from '../test/support/delivery-server.js';
import { isPostgresUrl } from './fixtures.js';
import { startBenchPostgres } from './postgres.js';

const BACKLOG = Number(process.env.BENCH_DELIVERY_EVENTS ?? 5_000);
const LATENCY_SECONDS = Number(process.env.BENCH_DELIVERY_LATENCY_SECONDS ?? 20);
export const MEMORY_SECONDS = Number(process.env.BENCH_DELIVERY_MEMORY_SECONDS ?? 600);
export const OUTAGE_SECONDS = Number(process.env.BENCH_DELIVERY_OUTAGE_SECONDS ?? 60);
/** Sends at once, to the receiver's one host: the worker's and the plain client's. */
export const DELIVERY_CONCURRENCY = 16;
const PLAIN_SECONDS = 5;
/**
 * Events a second posted to the receiver route for the latency (BENCH_DELIVERY_LATENCY_RATE): a
 * steady moderate load. Each is a write of the route's own, then dispatched and sent by the same
 * process, so a server sustains fewer events a second end to end than it drains deliveries of a
 * backlog; above what it sustains, the open-loop load piles up connections until they time out.
 */
export const LATENCY_RATE = Number(process.env.BENCH_DELIVERY_LATENCY_RATE ?? 100);
/** Events a second on each server for the memory and outage runs, both at once (BENCH_DELIVERY_SHARED_RATE). */
export const SHARED_RATE = Number(process.env.BENCH_DELIVERY_SHARED_RATE ?? 50);

type Engine = 'sqlite' | 'postgres';
const ENGINES: Engine[] = ['sqlite', 'postgres'];

/** Milliseconds since the epoch, comparable between this process and the receiver's. */
const clock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** [mark, when it arrived] */
type Arrival = [number | null, number];

/** `tsx bench/delivery.ts receiver`: answers every request at once, and reports what arrived over IPC. */
function serveReceiver(): void {
  let arrivals: Arrival[] = [];
  let sample = '';
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      sample ||= body;
      arrivals.push([markOf(body), clock()]);
      response.end('ok');
    });
  });
  let port = 0;
  const listen = () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  process.on('message', (command: string) => {
    if (command === 'take') {
      process.send!({ arrivals, sample });
      arrivals = [];
    } else if (command === 'down') {
      server.close();
      server.closeAllConnections();
      process.send!('down');
    } else if (command === 'up') {
      void listen().then(() => process.send!('up'));
    }
  });
  void listen().then(() => {
    port = (server.address() as AddressInfo).port;
    process.send!({ port });
  });
}

/** The receiver in a process of its own (`serveReceiver`), so that it does not share the load generator's CPU. */
export class ReceiverProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<ReceiverProcess> {
    const child = fork('bench/delivery.ts', ['receiver'], { execArgv: ['--import', 'tsx'] });
    const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', resolve));
    return new ReceiverProcess(child, port);
  }

  private ask<T>(command: string): Promise<T> {
    const answer = new Promise<T>((resolve) => this.child.once('message', resolve));
    this.child.send(command);
    return answer;
  }

  /** What arrived since the last take, and the first body it ever got. */
  take = () => this.ask<{ arrivals: Arrival[]; sample: string }>('take');
  down = () => this.ask('down');
  up = () => this.ask('up');

  stop(): Promise<void> {
    return stopProcess(this.child);
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await exited;
}

/**
 * Waits of 1, 2, 4 and 8 seconds, then of 10 seconds until they outlast the outage by half a
 * minute: a delivery that fails as the receiver goes down is still being retried when it is back.
 */
export function outageSchedule(outageSeconds: number): string {
  const waits = [1, 2, 4, 8];
  while (waits.reduce((sum, wait) => sum + wait, 0) < outageSeconds + 30) waits.push(10);
  return waits.map((wait) => `${wait}s`).join(',');
}

interface Server {
  engine: Engine;
  child: ChildProcess;
  base: string;
  db: Db;
  connection: CodeHost;
  projectId: number;
  receiver: ReceiverProcess;
  /** The next push's mark: each event has its own. */
  nextMark: number;
}

/** Cascade's compiled server on `location`, as `npm start` runs it, sending to a receiver of its own. */
async function startServer(engine: Engine, location: string, port: number): Promise<Server> {
  const receiver = await ReceiverProcess.start();
  const db = isPostgresUrl(location) ? openPostgres(location) : openSqlite(location);
  await migrateDatabase(db);
  const { connection, projectId } = await prepareDelivery(
    db,
    `http://127.0.0.1:${receiver.port}/services/T000/B000/bench`,
  );
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/server.js'], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      ...(isPostgresUrl(location) ? { DATABASE_URL: location } : { DATABASE_PATH: location }),
      SECRET_KEY_BASE: DELIVERY_SECRET_KEY_BASE,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
      DELIVERY_CONCURRENCY: String(DELIVERY_CONCURRENCY),
      DELIVERY_HOST_CONCURRENCY: String(DELIVERY_CONCURRENCY),
      DELIVERY_RETRY_SCHEDULE: outageSchedule(OUTAGE_SECONDS),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  while (
    (await fetch(`${base}/-/health`).then(
      (response) => response.status,
      () => 0,
    )) !== 200
  )
    await sleep(50);
  return { engine, child, base, db, connection, projectId, receiver, nextMark: 1 };
}

/** `count` events stored at once as the receiver route stores them, each with its mark; answers the marks. */
async function storeEvents(server: Server, count: number): Promise<number[]> {
  const marks = Array.from({ length: count }, () => server.nextMark++);
  const receivedAt = new Date();
  await server.db.transaction(async (tx) => {
    for (let from = 0; from < marks.length; from += 500) {
      await tx.insert(hostEvents).values(
        marks.slice(from, from + 500).map((mark) => ({
          codeHostId: server.connection.id,
          deliveryId: randomUUID(),
          hostEvent: 'Push Hook',
          kind: 'push',
          hostProjectId: 15,
          projectId: server.projectId,
          payload: markedPush(mark),
          receivedAt,
        })),
      );
    }
  });
  return marks;
}

/** First arrival of each of `marks`, waiting at most `timeoutMs`; and how many arrived more than once. */
async function arrivalsOf(
  server: Server,
  marks: readonly number[],
  timeoutMs: number,
): Promise<{ first: Map<number, number>; twice: number }> {
  const wanted = new Set(marks);
  const first = new Map<number, number>();
  let twice = 0;
  const deadline = Date.now() + timeoutMs;
  while (first.size < wanted.size && Date.now() < deadline) {
    await sleep(250);
    for (const [mark, at] of (await server.receiver.take()).arrivals) {
      if (mark === null || !wanted.has(mark)) continue;
      if (first.has(mark)) twice++;
      else first.set(mark, at);
    }
  }
  return { first, twice };
}

/** Deliveries a second of a backlog of BACKLOG events: from the first arrival to the last. */
async function deliveryRate(server: Server): Promise<number> {
  const marks = await storeEvents(server, BACKLOG);
  const { first } = await arrivalsOf(server, marks, BACKLOG * 50 + 60_000);
  if (first.size < marks.length) throw new Error(`${server.engine}: ${first.size} of ${marks.length} delivered`);
  const times = [...first.values()];
  return (marks.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000);
}

/** Requests a second a plain Node HTTP client (keep-alive, DELIVERY_CONCURRENCY at once) gets answered by the receiver. */
async function plainRate(receiver: ReceiverProcess, body: string): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: DELIVERY_CONCURRENCY });
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(
        {
          agent,
          host: '127.0.0.1',
          port: receiver.port,
          method: 'POST',
          path: '/services/T000/B000/bench',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on('end', resolve);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  let answered = 0;
  const until = performance.now() + PLAIN_SECONDS * 1000;
  const loop = async () => {
    while (performance.now() < until) {
      await post();
      answered++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: DELIVERY_CONCURRENCY }, loop));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  await receiver.take();
  return answered / seconds;
}

/**
 * Posts signed pushes to the receiver route at `rate` a second for `seconds` (open loop: one is
 * sent when due, whether or not the ones before were answered); answers when each was answered 201.
 */
async function pushAtRate(server: Server, rate: number, seconds: number): Promise<Map<number, number>> {
  const answered = new Map<number, number>();
  const inFlight = new Set<Promise<void>>();
  const url = hookUrl(server.base, server.connection);
  const send = async (mark: number) => {
    const body = markedPush(mark);
    const response = await fetch(url, { method: 'POST', headers: pushHeaders(body), body });
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`${server.engine}: the receiver route answered ${response.status}`);
    answered.set(mark, clock());
  };
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent < due) {
      sent++;
      const request = send(server.nextMark++);
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request)).catch(() => undefined);
    }
    await sleep(5);
  }
  await Promise.all(inFlight);
  return answered;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** p50 and p99 of the time from the receiver route's 2xx to the delivery's arrival, at `rate`. */
async function latency(server: Server, rate: number): Promise<{ p50: number; p99: number }> {
  await server.receiver.take();
  const answered = await pushAtRate(server, rate, LATENCY_SECONDS);
  const { first } = await arrivalsOf(server, [...answered.keys()], 60_000);
  if (first.size < answered.size) throw new Error(`${server.engine}: ${first.size} of ${answered.size} delivered`);
  const times = [...answered].map(([mark, at]) => first.get(mark)! - at).sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

/** The server's resident memory now, in MB. */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m);
  return Number(line?.[1] ?? 0) / 1024;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export interface MemoryFigures {
  /** Median RSS of the first and of the last minute (a third of the run, when shorter than three minutes), MB. */
  first: number;
  last: number;
  delivered: number;
}

/**
 * Load at `rate` on every server at once for MEMORY_SECONDS, the RSS of each sampled every
 * second; what arrives is taken as it comes so that the receiver keeps nothing.
 */
async function memoryUnderLoad(servers: Server[], rates: number[]): Promise<MemoryFigures[]> {
  const samples = servers.map(() => [] as number[]);
  const delivered = servers.map(() => 0);
  const sampler = setInterval(() => servers.forEach((server, i) => samples[i]!.push(rssMb(server.child.pid!))), 1000);
  const drainer = setInterval(() => {
    servers.forEach(
      (server, i) => void server.receiver.take().then(({ arrivals }) => (delivered[i]! += arrivals.length)),
    );
  }, 1000);
  try {
    await Promise.all(servers.map((server, i) => pushAtRate(server, rates[i]!, MEMORY_SECONDS)));
  } finally {
    clearInterval(sampler);
    clearInterval(drainer);
  }
  const window = Math.min(60, Math.floor(MEMORY_SECONDS / 3));
  return samples.map((rss, i) => ({
    first: median(rss.slice(0, window)),
    last: median(rss.slice(-window)),
    delivered: delivered[i]!,
  }));
}

export interface OutageFigures {
  sent: number;
  arrived: number;
  twice: number;
}

/**
 * Load at `rate` on every server at once: 10 seconds with the receivers up, OUTAGE_SECONDS with
 * them down (their port closed), 10 seconds up again; then every event answered 201 is to arrive.
 */
async function outage(servers: Server[], rates: number[]): Promise<OutageFigures[]> {
  await Promise.all(servers.map((server) => server.receiver.take()));
  const phase = (seconds: number) => Promise.all(servers.map((server, i) => pushAtRate(server, rates[i]!, seconds)));
  const answered = [await phase(10)];
  await Promise.all(servers.map((server) => server.receiver.down()));
  answered.push(await phase(OUTAGE_SECONDS));
  await Promise.all(servers.map((server) => server.receiver.up()));
  answered.push(await phase(10));
  const retries = outageSchedule(OUTAGE_SECONDS).split(',').length;
  return Promise.all(
    servers.map(async (server, i) => {
      const marks = answered.flatMap((sent) => [...sent[i]!.keys()]);
      const { first, twice } = await arrivalsOf(server, marks, (retries * 10 + 120) * 1000);
      return { sent: marks.length, arrived: first.size, twice };
    }),
  );
}

export interface DeliveryFigures {
  rate: number;
  plain: number;
  /** The rate of the latency run: LATENCY_RATE. */
  latencyRate: number;
  p50: number;
  p99: number;
  memory: MemoryFigures;
  outage: OutageFigures;
}

/**
 * The delivery figures of a server on each of `locations` (an empty SQLite file's path, an
 * empty PostgreSQL database's URL): rate, plain client and latency one database after the
 * other; memory and the outage on both at once, at SHARED_RATE each. The servers
 * are dist/server.js, built first, as production runs them.
 */
export async function measureDelivery(locations: Record<Engine, string>): Promise<Record<Engine, DeliveryFigures>> {
  const servers: Server[] = [];
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  try {
    for (const engine of ENGINES)
      servers.push(
        await startServer(engine, locations[engine], 4900 + Math.floor(Math.random() * 90) + servers.length * 100),
      );
    const single: Omit<DeliveryFigures, 'memory' | 'outage'>[] = [];
    for (const server of servers) {
      console.log(
        `  ${server.engine}: ${BACKLOG.toLocaleString('en')} events stored at once, then ${LATENCY_SECONDS} s of ${LATENCY_RATE} events a second...`,
      );
      const rate = await deliveryRate(server);
      const plain = await plainRate(server.receiver, (await server.receiver.take()).sample);
      single.push({ rate, plain, latencyRate: LATENCY_RATE, ...(await latency(server, LATENCY_RATE)) });
    }
    const shared = single.map(() => SHARED_RATE);
    console.log(`  both: ${MEMORY_SECONDS} s of load, memory sampled every second...`);
    const memory = await memoryUnderLoad(servers, shared);
    console.log(`  both: the receivers down for ${OUTAGE_SECONDS} s under load, then back...`);
    const outages = await outage(servers, shared);
    return Object.fromEntries(
      servers.map((server, i) => [server.engine, { ...single[i]!, memory: memory[i]!, outage: outages[i]! }]),
    ) as Record<Engine, DeliveryFigures>;
  } finally {
    for (const server of servers) {
      await stopProcess(server.child);
      await server.receiver.stop();
      await server.db.close();
    }
  }
}

/** One line per figure, for `tsx bench/delivery.ts`. */
export function describeDelivery(engine: Engine, figures: DeliveryFigures): string[] {
  const { rate, plain, latencyRate, p50, p99, memory, outage: down } = figures;
  return [
    `${engine}: ${Math.round(rate)} deliveries/s; a plain Node client ${Math.round(plain)} req/s (${((rate / plain) * 100).toFixed(0)}%)`,
    `${engine}: 2xx to delivery at ${Math.round(latencyRate)} events/s: p50 ${Math.round(p50)} ms, p99 ${Math.round(p99)} ms`,
    `${engine}: RSS ${Math.round(memory.first)} MB in the first minute, ${Math.round(memory.last)} MB in the last (${memory.delivered} delivered)`,
    `${engine}: receiver down ${OUTAGE_SECONDS} s: ${down.arrived} of ${down.sent} arrived, ${down.twice} twice`,
  ];
}

async function standalone(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'cascade-bench-delivery-'));
  const postgres = await startBenchPostgres();
  try {
    const figures = await measureDelivery({
      sqlite: join(folder, 'delivery.db'),
      postgres: await postgres.createDatabase('delivery'),
    });
    for (const engine of ENGINES) console.log(describeDelivery(engine, figures[engine]).join('\n'));
  } finally {
    await postgres.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

const [mode] = process.argv.slice(2);
if (mode === 'receiver') serveReceiver();
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await standalone();
