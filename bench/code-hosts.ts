/**
 * The code-host rows of `npm run bench`: the import of a large nested tree with members from the
 * test GitLab (test/support/test-gitlab.ts, in a process of its own so that it does not share the
 * import's CPU), next to the rate at which the test GitLab alone serves the same requests; and the
 * receiver's rate for signed push events next to the health route's. `tsx bench/code-hosts.ts`
 * runs them alone and prints the figures; BENCH_IMPORT_PROJECTS sets the number of projects.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHostClient, hostClientFactory } from '../src/code-hosts/clients.js';
import type { HostClient, HostPage } from '../src/code-hosts/host.js';
import { HostSecrets } from '../src/code-hosts/secrets.js';
import { MEMBER_FETCHES, runImport } from '../src/code-hosts/sync.js';
import { migrateDatabase, openPostgres, openSqlite, type Db } from '../src/db/client.js';
import { codeHosts, type CodeHost } from '../src/db/schema.js';
import { parseAllowlist, type Allowlist } from '../src/outbound/addresses.js';
import type { OutboundPolicy } from '../src/outbound/request.js';
import { startTestGitLab } from '../test/support/test-gitlab.js';
import { HostTree } from '../test/support/test-host.js';
import { BENCH_SECRET_KEY_BASE } from './fixtures.js';
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

async function standalone(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'cascade-bench-hosts-'));
  const postgres = await startBenchPostgres();
  try {
    console.log(`Importing ${IMPORT_PROJECTS.toLocaleString('en')} projects from the test GitLab...`);
    const figures = await measureImport(folder, () => postgres.createDatabase('import'));
    const rate = (value: number) => `${Math.round(value)} projects/s (${((value / figures.host) * 100).toFixed(0)}%)`;
    console.log(`Test GitLab alone: ${Math.round(figures.host)} projects/s`);
    console.log(`Import, SQLite: ${rate(figures.sqlite)}`);
    console.log(`Import, PostgreSQL: ${rate(figures.postgres)}`);
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
