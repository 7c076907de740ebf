/**
 * The code-host rows of `npm run bench`: the import of a large nested tree with members from the
 * test GitLab (test/support/test-gitlab.ts, in a process of its own so that it does not share the
 * import's CPU), next to the rate at which the test GitLab alone serves the same requests; and the
 * receiver's rate for signed push events next to the health route's. `tsx bench/code-hosts.ts`
 * runs them alone and prints the figures; BENCH_IMPORT_PROJECTS sets the number of projects.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { createHostClient, hostClientFactory } from '../src/code-hosts/clients.js';
import type { HostClient, HostPage } from '../src/code-hosts/host.js';
import { HostSecrets } from '../src/code-hosts/secrets.js';
import { MEMBER_FETCHES, runImport } from '../src/code-hosts/sync.js';
import { migrateDatabase, openPostgres, openSqlite, type Db } from '../src/db/client.js';
import { codeHosts, type CodeHost } from '../src/db/schema.js';
import { parseAllowlist, type Allowlist } from '../src/outbound/addresses.js';
import type { OutboundPolicy } from '../src/outbound/request.js';
import { pushEvent } from '../test/support/host-payloads/gitlab.js';
import { startTestGitLab } from '../test/support/test-gitlab.js';
import { HostTree } from '../test/support/test-host.js';
import { BENCH_SECRET_KEY_BASE, isPostgresUrl } from './fixtures.js';
import { startBenchPostgres } from './postgres.js';

export const IMPORT_PROJECTS = Number(process.env.BENCH_IMPORT_PROJECTS ?? 100_000);
const HOOK_TOKEN = 'bench-hook-secret';
const GITLAB_TOKEN = 'glpat-admin-token';

const allowlist = parseAllowlist('127.0.0.1') as { ok: true; allowlist: Allowlist };
/** The test GitLab is on this machine: 127.0.0.1 allowlisted, as the Network settings would. */
const POLICY: OutboundPolicy = { allowLocalRequests: false, allowlist: allowlist.allowlist };

/**
 * The benchmark's tree: 10 top-level groups, each with 3 subgroups of 3 subgroups (130 groups),
 * 500 users, two members on each group and one on each project, the projects spread over the
 * groups.
 */
function benchTree(projects: number): HostTree {
  const tree = new HostTree();
  const users = Array.from({ length: 500 }, (_, i) => tree.addUser({ username: `user${i}` }));
  const groupIds: number[] = [];
  const add = (name: string, parentId: number | null) => {
    const group = tree.addGroup({ name, parentId });
    groupIds.push(group.id);
    return group;
  };
  for (let t = 0; t < 10; t++) {
    const top = add(`Top ${t}`, null);
    for (let s = 0; s < 3; s++) {
      const sub = add(`Sub ${s}`, top.id);
      for (let l = 0; l < 3; l++) add(`Leaf ${l}`, sub.id);
    }
  }
  groupIds.forEach((id, i) => {
    tree.setMember({ groupId: id }, users[i % users.length]!.id, 50);
    tree.setMember({ groupId: id }, users[(i + 1) % users.length]!.id, 30);
  });
  tree.addProjects(projects, groupIds);
  let i = 0;
  for (const id of tree.projectIds()) tree.setMember({ projectId: id }, users[i++ % users.length]!.id, 30);
  return tree;
}

/** The test GitLab in a child process (`tsx bench/code-hosts.ts serve-gitlab <projects>`); answers its URL. */
async function startGitLabProcess(projects: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/code-hosts.ts', 'serve-gitlab', String(projects)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /ready (\S+)/.exec(chunk.toString());
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`the test GitLab exited with ${code}`)));
  });
  return { url, child };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill();
  await new Promise((resolve) => child.once('exit', resolve));
}

async function insertBenchConnection(db: Db, url: string): Promise<CodeHost> {
  const secrets = new HostSecrets(BENCH_SECRET_KEY_BASE);
  return db.transaction(
    async (tx) =>
      (
        await tx
          .insert(codeHosts)
          .values({
            kind: 'gitlab',
            name: new URL(url).host,
            url,
            token: secrets.seal(url, 'token', GITLAB_TOKEN),
            hookSecret: secrets.seal(url, 'hookSecret', HOOK_TOKEN),
          })
          .returning()
      )[0]!,
  );
}

const gitlabClient = (url: string): HostClient =>
  createHostClient({ kind: 'gitlab', url, token: GITLAB_TOKEN }, POLICY);

/** Every page of a listing, read and dropped. */
async function readAll<T>(take: (cursor: string | null) => Promise<HostPage<T>>): Promise<T[]> {
  const items: T[] = [];
  for (let cursor: string | null = null, first = true; first || cursor !== null; first = false) {
    const page: HostPage<T> = await take(cursor);
    items.push(...page.items);
    cursor = page.next;
  }
  return items;
}

/** Runs `work` on each item, `limit` at a time. */
async function eachAtOnce<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The test GitLab alone: the requests of an import (the groups, the projects' keyset pages, each
 * group's and project's members, as many at once as the import asks), read and not written.
 * Answers projects per second.
 */
async function hostRate(url: string): Promise<number> {
  const client = gitlabClient(url);
  const started = performance.now();
  const groups = await readAll((cursor) => client.groups(cursor));
  const projects = await readAll((cursor) => client.projects(cursor));
  await eachAtOnce(groups, MEMBER_FETCHES, (group) => readAll((c) => client.groupMembers(group.hostId, c)));
  await eachAtOnce(projects, MEMBER_FETCHES, (project) => readAll((c) => client.projectMembers(project.hostId, c)));
  return projects.length / ((performance.now() - started) / 1000);
}

/** An import into a fresh database at `location`; answers projects per second. */
async function importRate(db: Db, url: string): Promise<number> {
  await migrateDatabase(db);
  const connection = await insertBenchConnection(db, url);
  const started = performance.now();
  const run = await runImport(
    db,
    connection,
    hostClientFactory()({ kind: 'gitlab', url, token: GITLAB_TOKEN }, POLICY),
  );
  const seconds = (performance.now() - started) / 1000;
  const counts = JSON.parse(run.counts) as { projects?: number };
  if (run.status !== 'finished' || counts.projects !== IMPORT_PROJECTS)
    throw new Error(`The import ended ${run.status} with ${counts.projects} projects: ${run.problems}`);
  return IMPORT_PROJECTS / seconds;
}

export interface ImportFigures {
  sqlite: number;
  postgres: number;
  /** The test GitLab's own rate, measured before and after the imports: the better of the two. */
  host: number;
}

/**
 * Imports IMPORT_PROJECTS projects from the test GitLab into SQLite (a file in `folder`) and into
 * a PostgreSQL database made by `createPostgres`, with the host's own rate taken in the same run.
 */
export async function measureImport(folder: string, createPostgres: () => Promise<string>): Promise<ImportFigures> {
  const gitlab = await startGitLabProcess(IMPORT_PROJECTS);
  try {
    const hostBefore = await hostRate(gitlab.url);
    const sqliteDb = openSqlite(join(folder, 'import.db'));
    const sqlite = await importRate(sqliteDb, gitlab.url).finally(() => sqliteDb.close());
    const postgresDb = openPostgres(await createPostgres());
    const postgres = await importRate(postgresDb, gitlab.url).finally(() => postgresDb.close());
    const hostAfter = await hostRate(gitlab.url);
    return { sqlite, postgres, host: Math.max(hostBefore, hostAfter) };
  } finally {
    await stopProcess(gitlab.child);
  }
}

const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
const ROUNDS = 3;

/** A bench server (bench/serve.ts) on the database at `location`; answers its base URL. */
async function startBenchServer(location: string): Promise<{ base: string; child: ChildProcess }> {
  const port = 4100 + Math.floor(Math.random() * 800);
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/serve.ts', location, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { base: `http://127.0.0.1:${port}`, child };
}

interface Target {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** A fresh X-Gitlab-Event-UUID per request, so that none is a redelivery. */
  uniqueDelivery?: boolean;
}

/** Requests per second of `target` under 16 connections, every answer a 2xx. */
async function rate(target: Target, seconds: number): Promise<number> {
  const result = await autocannon({
    url: target.url,
    connections: 16,
    duration: seconds,
    method: target.method ?? 'GET',
    headers: target.headers ?? {},
    ...(target.body === undefined ? {} : { body: target.body }),
    ...(target.uniqueDelivery
      ? {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                headers: { ...request.headers, 'x-gitlab-event-uuid': randomUUID() },
              }),
            },
          ],
        }
      : {}),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${target.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

export interface ReceiverFigures {
  health: number;
  receiver: number;
}

/**
 * The receiver's rate for signed push events against the health route's, on a bench server of
 * each database (`locations`: a SQLite file's path, a PostgreSQL URL, each empty): the four take
 * turns, ROUNDS times after a warm-up, and each figure is its median round.
 */
export async function measureReceiver(locations: Record<'sqlite' | 'postgres', string>) {
  const servers: ChildProcess[] = [];
  try {
    const targets: { engine: 'sqlite' | 'postgres'; key: keyof ReceiverFigures; target: Target }[] = [];
    for (const engine of ['sqlite', 'postgres'] as const) {
      const db = isPostgresUrl(locations[engine]) ? openPostgres(locations[engine]) : openSqlite(locations[engine]);
      await migrateDatabase(db);
      const connection = await insertBenchConnection(db, 'https://gitlab.example.com');
      await db.close();
      const { base, child } = await startBenchServer(locations[engine]);
      servers.push(child);
      const tree = new HostTree();
      const user = tree.addUser({ username: 'ada' });
      const project = tree.addProject({ name: 'API', groupId: tree.addGroup({ name: 'Platform' }).id });
      targets.push(
        { engine, key: 'health', target: { url: `${base}/-/health` } },
        {
          engine,
          key: 'receiver',
          target: {
            url: `${base}/-/code_hosts/${connection.id}/hook`,
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-gitlab-event': 'Push Hook',
              'x-gitlab-token': HOOK_TOKEN,
            },
            body: JSON.stringify(pushEvent(tree, 'https://gitlab.example.com', project, user, { projectHook: true })),
            uniqueDelivery: true,
          },
        },
      );
    }
    for (const { target } of targets) await rate(target, 2);
    const rounds = targets.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++)
      for (const [index, { target }] of targets.entries()) rounds[index]!.push(await rate(target, LOAD_SECONDS));
    const figures = { sqlite: {}, postgres: {} } as Record<'sqlite' | 'postgres', ReceiverFigures>;
    targets.forEach(({ engine, key }, index) => {
      figures[engine][key] = [...rounds[index]!].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
    });
    return figures;
  } finally {
    for (const child of servers) await stopProcess(child);
  }
}

async function standalone(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'cascade-bench-hosts-'));
  const postgres = await startBenchPostgres();
  try {
    const only = process.env.BENCH_CODE_HOSTS;
    if (only !== 'receiver') {
      console.log(`Importing ${IMPORT_PROJECTS.toLocaleString('en')} projects from the test GitLab...`);
      const figures = await measureImport(folder, () => postgres.createDatabase('import'));
      const share = (value: number) =>
        `${Math.round(value)} projects/s (${((value / figures.host) * 100).toFixed(0)}% of the host)`;
      console.log(`Test GitLab alone: ${Math.round(figures.host)} projects/s`);
      console.log(`Import, SQLite: ${share(figures.sqlite)}`);
      console.log(`Import, PostgreSQL: ${share(figures.postgres)}`);
    }
    if (only !== 'import') {
      console.log('The receiver: signed push events, SQLite and PostgreSQL in turns...');
      const figures = await measureReceiver({
        sqlite: join(folder, 'receiver.db'),
        postgres: await postgres.createDatabase('receiver'),
      });
      for (const engine of ['sqlite', 'postgres'] as const) {
        const { health, receiver } = figures[engine];
        console.log(
          `${engine}: receiver ${Math.round(receiver)} req/s, health ${Math.round(health)} req/s (${((receiver / health) * 100).toFixed(0)}%)`,
        );
      }
    }
  } finally {
    await postgres.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

const [mode, argument] = process.argv.slice(2);
if (mode === 'serve-gitlab') {
  const gitlab = await startTestGitLab({ tree: benchTree(Number(argument)) });
  console.log(`ready ${gitlab.url}`);
  process.on('SIGTERM', () => process.exit(0));
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await standalone();
}
