/**
 * The benchmark's PostgreSQL server: the one BENCH_DATABASE_URL names (a server on which the
 * benchmark may create and drop databases), or a throwaway cluster like the tests' own
 * (test/support/postgres-server.ts), tuned for the benchmark: 1 GB of shared buffers, so that a
 * database of a million projects is served from memory as SQLite's is from the page cache, and
 * fsync off, since nothing of it needs to survive a crash.
 */
import pg from 'pg';
import { startPostgresCluster } from '../test/support/postgres-server.js';

const BENCH_SETTINGS = [
  '-c shared_buffers=1GB',
  '-c effective_cache_size=4GB',
  '-c work_mem=16MB',
  '-c maintenance_work_mem=256MB',
  '-c max_wal_size=4GB',
];

export interface BenchPostgres {
  /** Creates an empty database and answers its URL. */
  createDatabase(name: string): Promise<string>;
  /** Drops the databases made, and stops the throwaway cluster if there is one. */
  stop(): Promise<void>;
}

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const given = process.env.BENCH_DATABASE_URL;
  const cluster = given ? undefined : await startPostgresCluster(BENCH_SETTINGS);
  const adminUrl = given ?? cluster!.url;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const made: string[] = [];
  return {
    async createDatabase(name) {
      const database = `cascade_bench_${process.pid}_${name}`;
      await admin.query(`drop database if exists ${database}`);
      await admin.query(`create database ${database}`);
      made.push(database);
      const url = new URL(adminUrl);
      url.pathname = `/${database}`;
      return url.toString();
    },
    async stop() {
      try {
        for (const database of made) await admin.query(`drop database if exists ${database} with (force)`);
        await admin.end();
      } finally {
        cluster?.stop();
      }
    },
  };
}
