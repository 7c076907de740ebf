/**
 * Test support (vitest's global setup of the `postgres` project): a PostgreSQL server for the
 * run, and in it a migrated template from which each test's fresh database is copied
 * (test/support/database.ts). With TEST_DATABASE_URL, the server it names is used; otherwise a
 * throwaway cluster is made with initdb in the run's temporary folder, on a free loopback port,
 * and removed at the end. PostgreSQL refuses to run as root: then the cluster is run as the
 * `postgres` user that Debian's package creates.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateDatabase, openPostgres } from '../../src/db/client.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A connection string to the server's maintenance database, for creating and dropping databases. */
    postgresAdminUrl: string;
    /** The migrated database each test's database is copied from. */
    postgresTemplate: string;
  }
}

const MISSING =
  'PostgreSQL is needed for the tests: install it (Debian: apt-get install postgresql) or set TEST_DATABASE_URL to a server the tests may create databases on.';

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
  throw new Error(MISSING);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL program, as the `postgres` user when this process is root. */
function runAs(owner: { uid: number; gid: number } | undefined, binary: string, args: string[]): void {
  const [command, argv] = owner ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  execFileSync(command, argv, { stdio: 'pipe' });
}

function postgresUser(): { uid: number; gid: number } {
  const line = spawnSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).stdout.trim();
  const [, , uid, gid] = line.split(':');
  if (!uid || !gid) throw new Error(`${MISSING} (running as root, the cluster needs the postgres user)`);
  return { uid: Number(uid), gid: Number(gid) };
}

async function startCluster(): Promise<{ url: string; stop: () => void }> {
  const initdb = postgresBinary('initdb');
  const pgCtl = postgresBinary('pg_ctl');
  const owner = userInfo().uid === 0 ? postgresUser() : undefined;
  // The run's temporary folder is private to this user; the server's user must reach its own.
  const folder = mkdtempSync(join(tmpdir(), 'postgres-'));
  if (owner) {
    // Others may pass through (not list) the run's folder, to reach the cluster's.
    chmodSync(tmpdir(), 0o711);
    chownSync(folder, owner.uid, owner.gid);
  }
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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.TEST_DATABASE_URL;
  const cluster = given ? undefined : await startCluster();
  const adminUrl = given ?? cluster!.url;
  const template = `cascade_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    cluster?.stop();
    throw new Error(`${MISSING} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  const db = openPostgres(templateUrl.toString());
  await migrateDatabase(db);
  await db.close();

  project.provide('postgresAdminUrl', adminUrl);
  project.provide('postgresTemplate', template);
  return async () => {
    await admin.query(`drop database if exists ${template} with (force)`);
    await admin.end();
    cluster?.stop();
  };
}
