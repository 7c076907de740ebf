/**
 * `npm run bench`: builds databases of 1,000 and 1,000,000 projects and prints a table of the
 * figures the issues set targets for. Run it on an otherwise quiet machine; it takes a few
 * minutes. Targets are checked here, never in timed tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
const LOAD_SECONDS = 8;

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
    throttle: new SignInThrottle(),
    logger: createLogger('silent'),
  });
}

function instanceVersion(db: Db, type: string): number {
  const row = db.$client
    .prepare('select version from integration_settings where type = ? and group_id is null and project_id is null')
    .get(type) as { version: number } | undefined;
  return row?.version ?? 0;
}

/** Median time of saving the instance-level Slack default through the HTTP route, confirmed. */
async function medianInstanceSave(tree: BenchTree): Promise<number> {
  const app = appFor(tree.db);
  const times: number[] = [];
  for (let i = 0; i < SAVES; i++) {
    const body = new URLSearchParams({
      _version: String(instanceVersion(tree.db, 'slack')),
      _confirmed: '1',
      active: '1',
      webhook: `https://hooks.slack.com/services/T000/B000/secret${i}`,
      username: `cascade-${i}`,
    });
    const started = performance.now();
    const response = await app.request('/admin/application_settings/integrations/slack', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, cookie: tree.adminCookie },
      body,
    });
    times.push(performance.now() - started);
    if (response.status !== 303) throw new Error(`Save answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
  }
  return median(times);
}

async function startServer(databasePath: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/serve.ts', databasePath, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
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

async function load(url: string, cookie?: string): Promise<Load> {
  const result = await autocannon({
    url,
    connections: 16,
    duration: LOAD_SECONDS,
    headers: cookie ? { cookie } : {},
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'cascade-bench-'));
  try {
    console.log('Building a database with 1,000 projects...');
    const small = await buildTree(join(folder, 'small.db'), 1_000);
    console.log('Building a database with 1,000,000 projects...');
    const started = performance.now();
    const large = await buildTree(join(folder, 'large.db'), 1_000_000);
    console.log(`  built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const saveSmall = await medianInstanceSave(small);
    const saveLarge = await medianInstanceSave(large);
    rows.push({ measure: 'Save instance default, 1,000 projects inheriting (median)', value: ms(saveSmall), target: '', ok: null });
    rows.push({
      measure: 'Save instance default, 1,000,000 projects inheriting (median)',
      value: ms(saveLarge),
      target: `≤ 1.5× the 1,000 case (${(saveLarge / saveSmall).toFixed(2)}×)`,
      ok: saveLarge <= saveSmall * 1.5,
    });
    small.db.$client.close();
    large.db.$client.close();

    const port = 3900 + Math.floor(Math.random() * 90);
    const server = await startServer(join(folder, 'large.db'), port);
    try {
      const base = `http://127.0.0.1:${port}`;
      await load(`${base}/-/health`); // warm-up
      const health = await load(`${base}/-/health`);
      const page = await load(`${base}/${large.deepProjectPath}/-/settings/integrations/slack`, large.adminCookie);
      const describe = (load: Load) => `${Math.round(load.rps)} req/s (p50 ${load.p50} ms, p99 ${load.p99} ms)`;
      rows.push({ measure: 'Health check under load', value: describe(health), target: '', ok: null });
      rows.push({
        measure: 'Project integration page under load (signed in)',
        value: describe(page),
        target: `≥ 40% of health (${((page.rps / health.rps) * 100).toFixed(0)}%)`,
        ok: page.rps >= health.rps * 0.4,
      });
    } finally {
      server.kill();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  printTable();
}

function printTable(): void {
  const header = ['Measure', 'Value', 'Target', 'Met'];
  const lines = rows.map((row) => [row.measure, row.value, row.target, row.ok === null ? '' : row.ok ? 'yes' : 'NO']);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(['', format(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(format)].join('\n'));
}

await main();
