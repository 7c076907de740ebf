/**
 * @module test/support/postgres-server
 * A throwaway PostgreSQL cluster, for the tests (test/support/postgres-cluster.ts) and the
 * benchmark (bench/postgres.ts): initdb in a temporary folder, a server on a free loopback port,
 * both removed by `stop()`. PostgreSQL refuses to run as root: then the cluster is run as the
 * `postgres` user that Debian's package creates.
 *
 * @example
 * const cluster = await startPostgresCluster(['-c shared_buffers=1GB'])
 * // cluster.url: postgres://postgres@127.0.0.1:PORT/postgres
 * cluster.stop()
 */
import { freePort } from './processes.js';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const POSTGRES_MISSING =
  'PostgreSQL is needed for the tests and the benchmark: install it (Debian: apt-get install postgresql) or set TEST_DATABASE_URL (BENCH_DATABASE_URL) to a server they may create databases on.';

export interface PostgresCluster {
  /** A connection string to the cluster's maintenance database, as the superuser `postgres`. */
  url: string;
  /** Stops the server at once and removes the cluster's folder. */
  stop: () => void;
}

/** initdb, pg_ctl: on the PATH, or where Debian installs them (the newest version). */
function postgresBinary(name: string): string {
  const onPath = spawnSync('which', [name], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const candidate = join(root, version, 'bin', name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(POSTGRES_MISSING);
}

/** Runs a PostgreSQL program, as the `postgres` user when this process is root. */
function runAs(owner: { uid: number; gid: number } | undefined, binary: string, args: string[]): void {
  const [command, argv] = owner ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  execFileSync(command, argv, { stdio: 'pipe' });
}

function postgresUser(): { uid: number; gid: number } {
  const line = spawnSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).stdout.trim();
  const [, , uid, gid] = line.split(':');
  if (!uid || !gid) throw new Error(`${POSTGRES_MISSING} (running as root, the cluster needs the postgres user)`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** The file in a cluster's folder that names the process that made it. */
const CREATOR_FILE = 'creator.pid';

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Stops and removes the clusters whose maker is gone: a run that was killed never reached its
 * `stop()`, and would leave its server running until the machine restarts.
 */
function removeAbandonedClusters(owner: { uid: number; gid: number } | undefined, pgCtl: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('postgres-')) continue;
    const folder = join(tmpdir(), name);
    let creator: number;
    try {
      creator = Number(readFileSync(join(folder, CREATOR_FILE), 'utf8'));
    } catch {
      continue;
    }
    if (!Number.isInteger(creator) || isRunning(creator)) continue;
    try {
      runAs(owner, pgCtl, ['-D', join(folder, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Not running any more: only the folder is left.
    }
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Makes and starts a cluster that nothing needs to survive a crash of (fsync off). `settings`
 * are more server options (`-c name=value`), after the defaults, so they may override them.
 */
export async function startPostgresCluster(settings: string[] = []): Promise<PostgresCluster> {
  const initdb = postgresBinary('initdb');
  const pgCtl = postgresBinary('pg_ctl');
  const owner = userInfo().uid === 0 ? postgresUser() : undefined;
  removeAbandonedClusters(owner, pgCtl);
  // The run's temporary folder is private to this user; the server's user must reach its own.
  const folder = mkdtempSync(join(tmpdir(), 'postgres-'));
  if (owner) {
    // Others may pass through (not list) the run's folder, to reach the cluster's.
    chmodSync(tmpdir(), 0o711);
    chownSync(folder, owner.uid, owner.gid);
  }
  writeFileSync(join(folder, CREATOR_FILE), String(process.pid));
  const data = join(folder, 'data');
  const port = await freePort();
  runAs(owner, initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    "-c unix_socket_directories=''",
    // A throwaway cluster: nothing needs to survive a crash.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=300',
    ...settings,
  ].join(' ');
  runAs(owner, pgCtl, ['-D', data, '-o', options, '-l', join(folder, 'server.log'), '-w', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        runAs(owner, pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
}
