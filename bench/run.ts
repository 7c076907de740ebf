/**
 * `npm run bench`: builds databases of 1,000 and 1,000,000 projects in nested groups and prints
 * a table of the figures the issues set targets for. It takes a few minutes; run it on an
 * otherwise quiet machine. Targets are checked here, never in timed tests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createApp } from '../src/app.js';
import { SignInThrottle } from '../src/auth/throttle.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { BENCH_SECRET_KEY_BASE, buildTree, type BenchTree } from './fixtures.js';

const ORIGIN = 'http://localhost:3000';
const SAVES = 25;
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
/** Rounds of load per route, taken in turns; each route's figure is its median round. */
const ROUNDS = 3;
const CUSTOM_PROJECTS = 10_000;

interface Row {
  measure: string;
  value: string;
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
function slackVersion(db: Db, groupPath: string | null): number {
  const row = (
    groupPath
      ? db.$client
          .prepare(
            "select s.version from integration_settings s join groups g on g.id = s.group_id where s.type = 'slack' and g.full_path = ?",
          )
          .get(groupPath)
      : db.$client
          .prepare(
            "select version from integration_settings where type = 'slack' and group_id is null and project_id is null",
          )
          .get()
  ) as { version: number } | undefined;
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
      _version: String(slackVersion(tree.db, groupPath)),
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

async function startServer(databasePath: string, port: number, cache: 'cache' | 'nocache'): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/serve.ts', databasePath, String(port), cache], {
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

async function withServer<T>(
  databasePath: string,
  cache: 'cache' | 'nocache',
  run: (base: string) => Promise<T>,
): Promise<T> {
  const port = 3900 + Math.floor(Math.random() * 90);
  const server = await startServer(databasePath, port, cache);
  try {
    return await run(`http://127.0.0.1:${port}`);
  } finally {
    server.kill();
  }
}

/** A row whose target is to stay within `limit`× of a baseline: slower for times, fewer for rates. */
function compare(
  measure: string,
  shown: string,
  baseline: number,
  value: number,
  higherIsBetter: boolean,
  limit = 1.5,
) {
  const ratio = higherIsBetter ? baseline / value : value / baseline;
  rows.push({ measure, value: shown, target: `within ${limit}× (${ratio.toFixed(2)}×)`, ok: ratio <= limit });
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'cascade-bench-'));
  try {
    console.log('Building a database with 1,000 projects...');
    const small = await buildTree(join(folder, 'small.db'), 1_000);
    console.log('Building a database with 1,000,000 projects in nested groups ten levels deep...');
    const started = performance.now();
    const large = await buildTree(join(folder, 'large.db'), 1_000_000, { customProjects: CUSTOM_PROJECTS });
    console.log(`  built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    console.log('Saving defaults...');
    const instanceSmall = await medianSave(small, null);
    const instanceLarge = await medianSave(large, null);
    rows.push({
      measure: 'Save instance default, 1,000 projects inheriting (median)',
      value: ms(instanceSmall),
      target: '',
      ok: null,
    });
    compare(
      'Save instance default, 1,000,000 projects inheriting (median)',
      ms(instanceLarge),
      instanceSmall,
      instanceLarge,
      false,
    );
    const groupSmall = await medianSave(large, large.smallGroupPath);
    const groupBig = await medianSave(large, large.bigGroupPath);
    rows.push({
      measure: 'Save group default, 10 descendant projects (median)',
      value: ms(groupSmall),
      target: '',
      ok: null,
    });
    compare('Save group default, 100,000 descendant projects (median)', ms(groupBig), groupSmall, groupBig, false);
    // bench:compare also runs this file against commits from before Db.close().
    for (const { db } of [small, large]) {
      if ('close' in db) db.close();
      else (db as { $client: { close(): void } }).$client.close();
    }

    const largePath = join(folder, 'large.db');
    console.log('Serving pages under load...');
    await withServer(largePath, 'cache', async (base) => {
      const [health, page] = await loadInTurns([
        { url: `${base}/-/health` },
        { url: `${base}/${large.deepProjectPath}/-/settings/integrations/slack`, cookie: large.adminCookie },
      ]);
      rows.push({ measure: 'Health check', value: describeLoad(health), target: '', ok: null });
      rows.push({
        measure: 'Project integration page, signed in',
        value: describeLoad(page),
        target: `≥ 40% of health (${((page.rps / health.rps) * 100).toFixed(0)}%)`,
        ok: page.rps >= health.rps * 0.4,
      });
    });
    await withServer(largePath, 'nocache', async (base) => {
      const cookie = large.adminCookie;
      const integrations = `settings/integrations/slack`;
      const overrides = `${base}/admin/application_settings/integrations/slack/overrides`;
      const [shallow, deep, first, middle, instanceList, groupList] = await loadInTurns([
        { url: `${base}/${large.shallowProjectPath}/-/${integrations}`, cookie },
        { url: `${base}/${large.deepProjectPath}/-/${integrations}`, cookie },
        { url: overrides, cookie },
        { url: `${overrides}?after=${encodeURIComponent(large.middleOverridePath)}`, cookie },
        { url: `${base}/admin/application_settings/integrations`, cookie },
        { url: `${base}/groups/${large.bigGroupPath}/-/settings/integrations`, cookie },
      ]);
      rows.push({
        measure: 'Project integration page, top-level project, page cache off',
        value: describeLoad(shallow),
        target: '',
        ok: null,
      });
      compare(
        'Project integration page, ten levels deep, page cache off',
        describeLoad(deep),
        shallow.rps,
        deep.rps,
        true,
      );
      // A list of custom settings is to serve at least a quarter of the uncached project page's rate, on any page.
      const shareOfPage = (rps: number) => `≥ 25% of the uncached page (${((rps / deep.rps) * 100).toFixed(0)}%)`;
      rows.push({
        measure: `"Projects using custom settings" (${CUSTOM_PROJECTS.toLocaleString('en')}), first page, cache off`,
        value: describeLoad(first),
        target: shareOfPage(first.rps),
        ok: first.rps >= deep.rps * 0.25,
      });
      const laterRatio = first.rps / middle.rps;
      rows.push({
        measure: `"Projects using custom settings", page ${CUSTOM_PROJECTS / 2 / 20 + 1}, cache off`,
        value: describeLoad(middle),
        target: `${shareOfPage(middle.rps)}, within 1.5× of the first (${laterRatio.toFixed(2)}×)`,
        ok: middle.rps >= deep.rps * 0.25 && laterRatio <= 1.5,
      });
      // Every type's usage below the level, counted in one query for the whole list.
      rows.push({
        measure: 'Instance integrations list, cache off',
        value: describeLoad(instanceList),
        target: '',
        ok: null,
      });
      rows.push({
        measure: 'Group integrations list (100,000 projects below), cache off',
        value: describeLoad(groupList),
        target: '',
        ok: null,
      });
    });
    console.log('Starting the server on the database of 1,000,000 projects...');
    await measureStartAndMemory(largePath, large);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  printTable();
}

const COLD_STARTS = 5;

/** Cascade's own server (src/server.ts through tsx, or dist/server.js) on an existing database, as `npm start` runs it. */
function spawnCascade(databasePath: string, port: number, compiled: boolean): ChildProcess {
  const args = compiled ? ['--enable-source-maps', 'dist/server.js'] : ['--import', 'tsx', 'src/server.ts'];
  return spawn(process.execPath, args, {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_PATH: databasePath,
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
async function coldStarts(databasePath: string, page: Route, compiled: boolean): Promise<ColdStart> {
  const starts: ColdStart[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const port = 3900 + Math.floor(Math.random() * 90);
    const base = `http://127.0.0.1:${port}`;
    const started = performance.now();
    const child = spawnCascade(databasePath, port, compiled);
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

/**
 * The compiled server against `tsx src/server.ts` on the database of a million projects, then
 * the compiled server's memory under load. An earlier commit without scripts/build.mjs
 * (bench:compare) gets the tsx row only.
 */
async function measureStartAndMemory(databasePath: string, tree: BenchTree): Promise<void> {
  const page: Route = { url: `/${tree.deepProjectPath}/-/settings/integrations/slack`, cookie: tree.adminCookie };
  const fromSource = await coldStarts(databasePath, page, false);
  rows.push({
    measure: 'Cold start, tsx src/server.ts: first 200 on /-/health',
    value: describeStart(fromSource),
    target: '',
    ok: null,
  });
  if (!existsSync('scripts/build.mjs')) return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const compiled = await coldStarts(databasePath, page, true);
  rows.push({
    measure: 'Cold start, compiled dist/server.js: first 200 on /-/health',
    value: describeStart(compiled),
    target: `≤ 1000 ms (${(fromSource.health / compiled.health).toFixed(1)}× faster than tsx)`,
    ok: compiled.health <= 1000,
  });

  const port = 3900 + Math.floor(Math.random() * 90);
  const base = `http://127.0.0.1:${port}`;
  const server = spawnCascade(databasePath, port, true);
  try {
    await untilOk(`${base}/-/health`, performance.now());
    const cookie = tree.adminCookie;
    const peak = await peakMemory(server.pid!, () =>
      loadInTurns([
        { url: `${base}${page.url}`, cookie },
        { url: `${base}/admin/application_settings/integrations/slack/overrides`, cookie },
        { url: `${base}/groups/${tree.bigGroupPath}/-/settings/integrations`, cookie },
      ]),
    );
    const mb = (kilobytes: number) => `${Math.round(kilobytes / 1024)} MB`;
    rows.push({
      measure: 'Memory of the compiled server under load (peak)',
      value: `RSS ${mb(peak.VmRSS!)}: anonymous ${mb(peak.RssAnon!)}, file-mapped ${mb(peak.RssFile!)}`,
      target: '',
      ok: null,
    });
  } finally {
    server.kill();
  }
}

function printTable(): void {
  const header = ['Measure', 'Value', 'Target', 'Met'];
  const lines = rows.map((row) => [row.measure, row.value, row.target, row.ok === null ? '' : row.ok ? 'yes' : 'NO']);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    ['', format(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(format)].join('\n'),
  );
}

await main();
