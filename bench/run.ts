/**
 * `npm run bench`: builds databases of 1,000 and 1,000,000 projects in nested groups, on SQLite
 * and on PostgreSQL (bench/postgres.ts), and prints a table of the figures the issues set targets
 * for, both databases side by side. It takes several minutes; run it on an otherwise quiet
 * machine. Targets are checked here, never in timed tests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { and, eq, isNull } from 'drizzle-orm';
import { createApp } from '../src/app.js';
import { SignInThrottle } from '../src/auth/throttle.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/client.js';
import { groups, integrationSettings } from '../src/db/schema.js';
import { createLogger } from '../src/logger.js';
import {
  IMPORT_PROJECTS,
  measureImport,
  measureReceiver,
  type ImportFigures,
  type ReceiverFigures,
} from './code-hosts.js';
import {
  DELIVERY_CONCURRENCY,
  measureDelivery,
  MEMORY_SECONDS,
  OUTAGE_SECONDS,
  LATENCY_RATE,
  SHARED_RATE,
  type DeliveryFigures,
} from './delivery.js';
import { BENCH_SECRET_KEY_BASE, buildTree, isPostgresUrl, type BenchTree } from './fixtures.js';
import { startBenchPostgres } from './postgres.js';

const ORIGIN = 'http://localhost:3000';
const SAVES = 25;
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
/** Rounds of load per route, taken in turns; each route's figure is its median round. */
const ROUNDS = 3;
const CUSTOM_PROJECTS = 10_000;

type Engine = 'sqlite' | 'postgres';
const ENGINES: Engine[] = ['sqlite', 'postgres'];
const ENGINE_NAMES: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

interface Row {
  measure: string;
  /** A figure per database. */
  values: Partial<Record<Engine, string>>;
  target: string;
  ok: boolean | null;
}

const rows: Row[] = [];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(2)} ms`;

function appFor(db: Db) {
  return createApp({
    db,
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    secretKeyBase: BENCH_SECRET_KEY_BASE,
    throttle: new SignInThrottle(db),
    logger: createLogger('silent'),
    // A save checks the host of each URL typed against the Network settings, which takes one DNS
    // lookup; its time is the resolver's (0.3 to 6 ms here), so the figures leave it out. The
    // address must be public (documentation ranges such as 192.0.2.0/24 are refused); nothing connects to it.
    outbound: { resolve: async () => [{ address: '93.184.216.34', family: 4 }] },
  });
}

/** The version of a level's own Slack row, which a save must send back. */
async function slackVersion(db: Db, groupPath: string | null): Promise<number> {
  const slack = eq(integrationSettings.type, 'slack');
  const [row] = groupPath
    ? await db
        .select({ version: integrationSettings.version })
        .from(integrationSettings)
        .innerJoin(groups, eq(groups.id, integrationSettings.groupId))
        .where(and(slack, eq(groups.fullPath, groupPath)))
    : await db
        .select({ version: integrationSettings.version })
        .from(integrationSettings)
        .where(and(slack, isNull(integrationSettings.groupId), isNull(integrationSettings.projectId)));
  return row?.version ?? 0;
}

/** Median time of saving the Slack defaults of the instance (groupPath null) or a group, through HTTP, confirmed. */
async function medianSave(tree: BenchTree, groupPath: string | null): Promise<number> {
  const app = appFor(tree.db);
  const url = groupPath
    ? `/groups/${groupPath}/-/settings/integrations/slack`
    : '/admin/application_settings/integrations/slack';
  const times: number[] = [];
  for (let i = 0; i < SAVES; i++) {
    const body = new URLSearchParams({
      _version: String(await slackVersion(tree.db, groupPath)),
      _confirmed: '1',
      inheritance: 'custom',
      active: '1',
      webhook: `https://hooks.slack.com/services/T000/B000/secret${i}`,
      username: `cascade-${i}`,
    });
    const started = performance.now();
    const response = await app.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, cookie: tree.adminCookie },
      body,
    });
    times.push(performance.now() - started);
    if (response.status !== 303)
      throw new Error(`Save answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
  }
  return median(times);
}

async function startServer(location: string, port: number, cache: 'cache' | 'nocache'): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/serve.ts', location, String(port), cache], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return child;
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
}

interface Route {
  url: string;
  cookie?: string;
}

/** Requests as a browser sends them: with its session cookie, accepting gzip. */
async function load({ url, cookie }: Route, seconds = LOAD_SECONDS): Promise<Load> {
  const headers = { 'accept-encoding': 'gzip, deflate, br', ...(cookie ? { cookie } : {}) };
  const result = await autocannon({ url, connections: 16, duration: seconds, headers });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/**
 * Loads the routes in turns, ROUNDS times, after a warm-up of each: every route meets the same
 * server (compiled, its caches filled) and, round by round, the same noise from the rest of
 * the machine. Each route's figure is its median round.
 */
async function loadInTurns<const T extends readonly Route[]>(routes: T): Promise<{ [K in keyof T]: Load }> {
  for (const route of routes) await load(route, 2);
  const rounds: Load[][] = routes.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, route] of routes.entries()) rounds[index]!.push(await load(route));
  }
  return rounds.map((loads) => [...loads].sort((a, b) => a.rps - b.rps)[Math.floor(loads.length / 2)]!) as {
    [K in keyof T]: Load;
  };
}

const describeLoad = (load: Load) => `${Math.round(load.rps)} req/s (p50 ${load.p50} ms, p99 ${load.p99} ms)`;

/** Runs `run` while a bench server of each database serves, started side by side. */
async function withServers<T>(
  locations: Record<Engine, string>,
  cache: 'cache' | 'nocache',
  run: (bases: Record<Engine, string>) => Promise<T>,
): Promise<T> {
  const servers: ChildProcess[] = [];
  try {
    const bases = {} as Record<Engine, string>;
    for (const engine of ENGINES) {
      const port = 3900 + Math.floor(Math.random() * 90) + (engine === 'postgres' ? 100 : 0);
      servers.push(await startServer(locations[engine], port, cache));
      bases[engine] = `http://127.0.0.1:${port}`;
    }
    return await run(bases);
  } finally {
    for (const server of servers) {
      server.kill();
      await new Promise((resolve) => server.once('exit', resolve));
    }
  }
}

/** What one database gave: the saves in process, the pages from a server process of their own. */
interface Figures extends Saves, Pages {}

interface Saves {
  instanceSmall: number;
  instanceLarge: number;
  groupSmall: number;
  groupBig: number;
}

interface Pages {
  health: Load;
  cachedPage: Load;
  shallow: Load;
  deep: Load;
  first: Load;
  middle: Load;
  instanceList: Load;
  groupList: Load;
}

/**
 * Builds the two trees at `locations` (SQLite files or PostgreSQL URLs) and times the saves.
 * Answers the figures and the large tree.
 */
async function buildAndSave(
  engine: Engine,
  locations: { small: string; large: string },
): Promise<{ saves: Saves; large: BenchTree }> {
  const name = ENGINE_NAMES[engine];
  console.log(`${name}: building a database with 1,000 projects...`);
  const small = await buildTree(locations.small, 1_000);
  console.log(`${name}: building a database with 1,000,000 projects in nested groups ten levels deep...`);
  const started = performance.now();
  const large = await buildTree(locations.large, 1_000_000, { customProjects: CUSTOM_PROJECTS });
  console.log(`  built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  console.log(`${name}: saving defaults...`);
  const saves = {
    instanceSmall: await medianSave(small, null),
    instanceLarge: await medianSave(large, null),
    groupSmall: await medianSave(large, large.smallGroupPath),
    groupBig: await medianSave(large, large.bigGroupPath),
  };
  for (const { db } of [small, large]) await db.close();
  return { saves, large };
}

/**
 * Loads the pages of both large databases, a server on each: the two servers' routes take turns
 * (loadInTurns), so that SQLite's and PostgreSQL's figures of a row meet the same noise from the
 * rest of the machine, round by round.
 */
async function servePages(locations: Record<Engine, string>, trees: Record<Engine, BenchTree>) {
  console.log('Serving pages under load, SQLite and PostgreSQL in turns...');
  const both = async <K extends keyof Pages>(
    cache: 'cache' | 'nocache',
    routes: (base: string, tree: BenchTree) => { [key in K]: Route },
  ): Promise<Record<Engine, Pick<Pages, K>>> =>
    withServers(locations, cache, async (bases) => {
      const keyed = ENGINES.flatMap((engine) =>
        Object.entries<Route>(routes(bases[engine], trees[engine])).map(([key, route]) => ({ engine, key, route })),
      );
      const loads = await loadInTurns(keyed.map(({ route }) => route));
      const figures = { sqlite: {}, postgres: {} } as Record<Engine, Record<string, Load>>;
      keyed.forEach(({ engine, key }, index) => (figures[engine][key] = loads[index]!));
      return figures as Record<Engine, Pick<Pages, K>>;
    });
  const cached = await both('cache', (base, tree) => ({
    health: { url: `${base}/-/health` },
    cachedPage: { url: `${base}/${tree.deepProjectPath}/-/settings/integrations/slack`, cookie: tree.adminCookie },
  }));
  const uncached = await both('nocache', (base, tree) => {
    const cookie = tree.adminCookie;
    const integrations = `settings/integrations/slack`;
    const overrides = `${base}/admin/application_settings/integrations/slack/overrides`;
    return {
      shallow: { url: `${base}/${tree.shallowProjectPath}/-/${integrations}`, cookie },
      deep: { url: `${base}/${tree.deepProjectPath}/-/${integrations}`, cookie },
      first: { url: overrides, cookie },
      middle: { url: `${overrides}?after=${encodeURIComponent(tree.middleOverridePath)}`, cookie },
      instanceList: { url: `${base}/admin/application_settings/integrations`, cookie },
      groupList: { url: `${base}/groups/${tree.bigGroupPath}/-/settings/integrations`, cookie },
    };
  });
  return {
    sqlite: { ...cached.sqlite, ...uncached.sqlite },
    postgres: { ...cached.postgres, ...uncached.postgres },
  } satisfies Record<Engine, Pages>;
}

/** A target checked on each database: its own text per database, met when met on both. */
interface Check {
  text: string;
  ok: boolean;
}

function onEach(measured: Record<Engine, Figures>, check: (figures: Figures) => Check, label: string): Check {
  const checks = ENGINES.map((engine) => check(measured[engine]));
  return {
    text: `${label} (${ENGINES.map((engine, i) => `${ENGINE_NAMES[engine]} ${checks[i]!.text}`).join(', ')})`,
    ok: checks.every((each) => each.ok),
  };
}

/** A time or rate of `value` against `baseline`, to stay within `limit`×: slower for times, fewer for rates. */
function within(baseline: number, value: number, higherIsBetter: boolean, limit: number): Check {
  const ratio = higherIsBetter ? baseline / value : value / baseline;
  return { text: `${ratio.toFixed(2)}×`, ok: ratio <= limit };
}

/** PostgreSQL's uncached pages are to stay within 2× of SQLite's rate. */
function nearSqlite(measured: Record<Engine, Figures>, figure: (figures: Figures) => Load): Check {
  const check = within(figure(measured.sqlite).rps, figure(measured.postgres).rps, true, 2);
  return { text: `PostgreSQL within 2× of SQLite (${check.text})`, ok: check.ok };
}

function addRow(
  measured: Record<Engine, Figures>,
  measure: string,
  show: (figures: Figures) => string,
  ...checks: Check[]
): void {
  rows.push({
    measure,
    values: { sqlite: show(measured.sqlite), postgres: show(measured.postgres) },
    target: checks.map((check) => check.text).join('; '),
    ok: checks.length === 0 ? null : checks.every((check) => check.ok),
  });
}

function addRows(measured: Record<Engine, Figures>): void {
  const savedIn = (time: number) => ms(time);
  const percent = (share: number) => `${(share * 100).toFixed(0)}%`;
  addRow(measured, 'Save instance default, 1,000 projects inheriting (median)', (f) => savedIn(f.instanceSmall));
  addRow(
    measured,
    'Save instance default, 1,000,000 projects inheriting (median)',
    (f) => savedIn(f.instanceLarge),
    onEach(measured, (f) => within(f.instanceSmall, f.instanceLarge, false, 1.5), 'within 1.5× of 1,000'),
  );
  addRow(measured, 'Save group default, 10 descendant projects (median)', (f) => savedIn(f.groupSmall));
  addRow(
    measured,
    'Save group default, 100,000 descendant projects (median)',
    (f) => savedIn(f.groupBig),
    onEach(measured, (f) => within(f.groupSmall, f.groupBig, false, 1.5), 'within 1.5× of 10'),
  );
  addRow(measured, 'Health check', (f) => describeLoad(f.health));
  addRow(
    measured,
    'Project integration page, signed in',
    (f) => describeLoad(f.cachedPage),
    onEach(
      measured,
      (f) => ({ text: percent(f.cachedPage.rps / f.health.rps), ok: f.cachedPage.rps >= f.health.rps * 0.4 }),
      '≥ 40% of health',
    ),
  );
  addRow(
    measured,
    'Project integration page, top-level project, page cache off',
    (f) => describeLoad(f.shallow),
    nearSqlite(measured, (f) => f.shallow),
  );
  addRow(
    measured,
    'Project integration page, ten levels deep, page cache off',
    (f) => describeLoad(f.deep),
    onEach(measured, (f) => within(f.shallow.rps, f.deep.rps, true, 1.5), 'within 1.5× of top-level'),
    nearSqlite(measured, (f) => f.deep),
  );
  // A list of custom settings is to serve at least a quarter of the uncached project page's rate, on any page.
  const shareOfPage = (figure: (f: Figures) => Load) =>
    onEach(
      measured,
      (f) => ({ text: percent(figure(f).rps / f.deep.rps), ok: figure(f).rps >= f.deep.rps * 0.25 }),
      '≥ 25% of the uncached page',
    );
  addRow(
    measured,
    `"Projects using custom settings" (${CUSTOM_PROJECTS.toLocaleString('en')}), first page, cache off`,
    (f) => describeLoad(f.first),
    shareOfPage((f) => f.first),
    nearSqlite(measured, (f) => f.first),
  );
  addRow(
    measured,
    `"Projects using custom settings", page ${CUSTOM_PROJECTS / 2 / 20 + 1}, cache off`,
    (f) => describeLoad(f.middle),
    shareOfPage((f) => f.middle),
    onEach(measured, (f) => within(f.first.rps, f.middle.rps, true, 1.5), 'within 1.5× of the first'),
    nearSqlite(measured, (f) => f.middle),
  );
  // Every type's usage below the level, counted in one query for the whole list.
  addRow(
    measured,
    'Instance integrations list, cache off',
    (f) => describeLoad(f.instanceList),
    nearSqlite(measured, (f) => f.instanceList),
  );
  addRow(
    measured,
    'Group integrations list (100,000 projects below), cache off',
    (f) => describeLoad(f.groupList),
    nearSqlite(measured, (f) => f.groupList),
  );
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'cascade-bench-'));
  try {
    const largePath = join(folder, 'large.db');
    const sqlite = await buildAndSave('sqlite', { small: join(folder, 'small.db'), large: largePath });
    console.log(
      process.env.BENCH_DATABASE_URL
        ? 'PostgreSQL: the server of BENCH_DATABASE_URL'
        : 'PostgreSQL: starting a throwaway cluster...',
    );
    const postgres = await startBenchPostgres();
    try {
      const locations = {
        small: await postgres.createDatabase('small'),
        large: await postgres.createDatabase('large'),
      };
      const built = await buildAndSave('postgres', locations);
      const pages = await servePages(
        { sqlite: largePath, postgres: locations.large },
        { sqlite: sqlite.large, postgres: built.large },
      );
      addRows({
        sqlite: { ...sqlite.saves, ...pages.sqlite },
        postgres: { ...built.saves, ...pages.postgres },
      });
      console.log('Starting the server on each database of 1,000,000 projects...');
      addStartAndMemoryRows({
        sqlite: await measureStartAndMemory(largePath, sqlite.large),
        postgres: await measureStartAndMemory(locations.large, built.large),
      });
      console.log(
        `Importing ${IMPORT_PROJECTS.toLocaleString('en')} projects from the test GitLab, on each database...`,
      );
      const imported = await measureImport(folder, () => postgres.createDatabase('import'));
      console.log('The receiver: signed push events, SQLite and PostgreSQL in turns...');
      const received = await measureReceiver({
        sqlite: join(folder, 'receiver.db'),
        postgres: await postgres.createDatabase('receiver'),
      });
      addCodeHostRows(imported, received);
      console.log('Delivery to a local receiver, on each database...');
      addDeliveryRows(
        await measureDelivery({
          sqlite: join(folder, 'delivery.db'),
          postgres: await postgres.createDatabase('delivery'),
        }),
      );
    } finally {
      await postgres.stop();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  printTable();
}

const COLD_STARTS = 5;

/**
 * Cascade's own server (src/server.ts through tsx, or dist/server.js) on an existing database
 * (a SQLite file's path or a PostgreSQL URL), as `npm start` runs it.
 */
function spawnCascade(location: string, port: number, compiled: boolean): ChildProcess {
  const args = compiled ? ['--enable-source-maps', 'dist/server.js'] : ['--import', 'tsx', 'src/server.ts'];
  return spawn(process.execPath, args, {
    env: {
      ...process.env,
      PORT: String(port),
      ...(isPostgresUrl(location) ? { DATABASE_URL: location } : { DATABASE_PATH: location }),
      SECRET_KEY_BASE: BENCH_SECRET_KEY_BASE,
      LOG_LEVEL: 'silent',
    },
    stdio: 'ignore',
  });
}

/** Milliseconds from `since` until `url` answers 200 (503 while starting; a redirect is not an answer). */
async function untilOk(url: string, since: number, headers: Record<string, string> = {}): Promise<number> {
  for (;;) {
    const status = await fetch(url, { headers, redirect: 'manual' }).then(
      async (response) => (await response.arrayBuffer(), response.status),
      () => 0,
    );
    if (status === 200) return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface ColdStart {
  health: number;
  page: number;
}

/** From spawn to the first 200 of the health check and of a signed-in page; the median of COLD_STARTS starts. */
async function coldStarts(location: string, page: Route, compiled: boolean): Promise<ColdStart> {
  const starts: ColdStart[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const port = 3900 + Math.floor(Math.random() * 90);
    const base = `http://127.0.0.1:${port}`;
    const started = performance.now();
    const child = spawnCascade(location, port, compiled);
    try {
      const health = await untilOk(`${base}/-/health`, started);
      starts.push({ health, page: await untilOk(`${base}${page.url}`, started, { cookie: page.cookie ?? '' }) });
    } finally {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  return { health: median(starts.map((start) => start.health)), page: median(starts.map((start) => start.page)) };
}

const describeStart = (start: ColdStart) =>
  `${Math.round(start.health)} ms (signed-in page ${Math.round(start.page)} ms)`;

/** The largest of each figure of /proc/PID/status (RSS, anonymous, file-mapped) seen while `run` runs. */
async function peakMemory(pid: number, run: () => Promise<unknown>): Promise<Record<string, number>> {
  const peak: Record<string, number> = { VmRSS: 0, RssAnon: 0, RssFile: 0 };
  const sample = () => {
    for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
      const [name = '', kilobytes] = line.split(/:\s+/);
      if (name in peak) peak[name] = Math.max(peak[name]!, parseInt(kilobytes!, 10));
    }
  };
  const timer = setInterval(sample, 100);
  try {
    await run();
    sample();
  } finally {
    clearInterval(timer);
  }
  return peak;
}

interface StartAndMemory {
  fromSource: ColdStart;
  /** Null for an earlier commit without scripts/build.mjs (bench:compare). */
  compiled: ColdStart | null;
  /** Peak kilobytes of the compiled server under load: VmRSS, RssAnon, RssFile. */
  memory: Record<string, number> | null;
}

/**
 * The compiled server against `tsx src/server.ts` on the database of a million projects, then
 * the compiled server's memory under load.
 */
async function measureStartAndMemory(location: string, tree: BenchTree): Promise<StartAndMemory> {
  const page: Route = { url: `/${tree.deepProjectPath}/-/settings/integrations/slack`, cookie: tree.adminCookie };
  const fromSource = await coldStarts(location, page, false);
  if (!existsSync('scripts/build.mjs')) return { fromSource, compiled: null, memory: null };
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const compiled = await coldStarts(location, page, true);

  const port = 3900 + Math.floor(Math.random() * 90);
  const base = `http://127.0.0.1:${port}`;
  const server = spawnCascade(location, port, true);
  try {
    await untilOk(`${base}/-/health`, performance.now());
    const cookie = tree.adminCookie;
    const memory = await peakMemory(server.pid!, () =>
      loadInTurns([
        { url: `${base}${page.url}`, cookie },
        { url: `${base}/admin/application_settings/integrations/slack/overrides`, cookie },
        { url: `${base}/groups/${tree.bigGroupPath}/-/settings/integrations`, cookie },
      ]),
    );
    return { fromSource, compiled, memory };
  } finally {
    server.kill();
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

function addStartAndMemoryRows(measured: Record<Engine, StartAndMemory>): void {
  const each = (describe: (figures: StartAndMemory) => string | null) => {
    const values: Partial<Record<Engine, string>> = {};
    for (const engine of ENGINES) {
      const value = describe(measured[engine]);
      if (value !== null) values[engine] = value;
    }
    return values;
  };
  rows.push({
    measure: 'Cold start, tsx src/server.ts: first 200 on /-/health',
    values: each(({ fromSource }) => describeStart(fromSource)),
    target: '',
    ok: null,
  });
  if (ENGINES.some((engine) => measured[engine].compiled === null)) return;
  const compiled = (engine: Engine) => measured[engine].compiled!;
  rows.push({
    measure: 'Cold start, compiled dist/server.js: first 200 on /-/health',
    values: each((figures) => describeStart(figures.compiled!)),
    target: `≤ 1000 ms (${ENGINES.map(
      (engine) =>
        `${ENGINE_NAMES[engine]} ${(measured[engine].fromSource.health / compiled(engine).health).toFixed(1)}× faster than tsx`,
    ).join(', ')})`,
    ok: ENGINES.every((engine) => compiled(engine).health <= 1000),
  });
  const mb = (kilobytes: number) => `${Math.round(kilobytes / 1024)} MB`;
  rows.push({
    measure: 'Memory of the compiled server under load (peak)',
    values: each(({ memory }) =>
      memory ? `RSS ${mb(memory.VmRSS!)}: anonymous ${mb(memory.RssAnon!)}, file-mapped ${mb(memory.RssFile!)}` : null,
    ),
    target: '',
    ok: null,
  });
}

/** The import's rate against the test GitLab's own, and the receiver's against the health route's. */
function addCodeHostRows(imported: ImportFigures, received: Record<Engine, ReceiverFigures>): void {
  const share = (value: number, of: number) => `${((value / of) * 100).toFixed(0)}%`;
  rows.push({
    measure: `Import of ${IMPORT_PROJECTS.toLocaleString('en')} projects in nested groups, with members, from the test GitLab`,
    values: {
      sqlite: `${Math.round(imported.sqlite)} projects/s`,
      postgres: `${Math.round(imported.postgres)} projects/s`,
    },
    target: `≥ 50% of the test GitLab alone, ${Math.round(imported.host)} projects/s (${ENGINES.map(
      (engine) => `${ENGINE_NAMES[engine]} ${share(imported[engine], imported.host)}`,
    ).join(', ')})`,
    ok: ENGINES.every((engine) => imported[engine] >= imported.host * 0.5),
  });
  rows.push({
    measure: 'The receiver: signed push events',
    values: {
      sqlite: `${Math.round(received.sqlite.receiver)} req/s`,
      postgres: `${Math.round(received.postgres.receiver)} req/s`,
    },
    target: `next to health in the same run (${ENGINES.map(
      (engine) =>
        `${ENGINE_NAMES[engine]} ${Math.round(received[engine].health)} req/s, ${share(received[engine].receiver, received[engine].health)}`,
    ).join('; ')})`,
    ok: null,
  });
}

/** The delivery rows: each database's server with its own receiver (bench/delivery.ts). */
function addDeliveryRows(measured: Record<Engine, DeliveryFigures>): void {
  const each = (describe: (figures: DeliveryFigures) => string) => ({
    sqlite: describe(measured.sqlite),
    postgres: describe(measured.postgres),
  });
  const onBoth = (check: (figures: DeliveryFigures) => boolean) => ENGINES.every((engine) => check(measured[engine]));
  rows.push({
    measure: `Deliveries to a local receiver that answers at once, ${DELIVERY_CONCURRENCY} at once`,
    values: each((f) => `${Math.round(f.rate)} deliveries/s`),
    target: `≥ 50% of a plain Node HTTP client on the same receiver (${ENGINES.map(
      (engine) =>
        `${ENGINE_NAMES[engine]} ${Math.round(measured[engine].plain)} req/s, ${((measured[engine].rate / measured[engine].plain) * 100).toFixed(0)}%`,
    ).join('; ')})`,
    ok: onBoth((f) => f.rate >= f.plain * 0.5),
  });
  rows.push({
    measure: `From the receiver route's 2xx to the delivery, at ${LATENCY_RATE} events a second`,
    values: each(
      (f) => `p50 ${Math.round(f.p50)} ms, p99 ${Math.round(f.p99)} ms (${Math.round(f.latencyRate)} events/s)`,
    ),
    target: '',
    ok: null,
  });
  rows.push({
    measure: `Memory of the server, ${MEMORY_SECONDS} s of delivery load (both at once, ${SHARED_RATE} events a second each)`,
    values: each((f) => `RSS ${Math.round(f.memory.first)} MB first minute, ${Math.round(f.memory.last)} MB last`),
    target: 'flat: the last minute within 10% of the first',
    ok: onBoth((f) => f.memory.last <= f.memory.first * 1.1),
  });
  rows.push({
    measure: `A receiver down for ${OUTAGE_SECONDS} s under load, then back`,
    values: each((f) => `${f.outage.arrived} of ${f.outage.sent} arrived (${f.outage.twice} twice)`),
    target: 'every delivery arrives',
    ok: onBoth((f) => f.outage.arrived === f.outage.sent),
  });
}

function printTable(): void {
  const header = ['Measure', ...ENGINES.map((engine) => ENGINE_NAMES[engine]), 'Target', 'Met'];
  const lines = rows.map((row) => [
    row.measure,
    ...ENGINES.map((engine) => row.values[engine] ?? '(SQLite only)'),
    row.target,
    row.ok === null ? '' : row.ok ? 'yes' : 'NO',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    ['', format(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(format)].join('\n'),
  );
}

await main();
