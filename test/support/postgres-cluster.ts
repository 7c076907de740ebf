/**
 * Test support (vitest's global setup of the `postgres` project): a PostgreSQL server for the
 * run, and in it a migrated template from which each test's fresh database is copied
 * (test/support/database.ts). With TEST_DATABASE_URL, the server it names is used; otherwise a
 * throwaway cluster is made with initdb in the run's temporary folder, on a free loopback port,
 * and removed at the end (test/support/postgres-server.ts).
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateDatabase, openPostgres } from '../../src/db/client.js';
import { POSTGRES_MISSING, startPostgresCluster } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A connection string to the server's maintenance database, for creating and dropping databases. */
    postgresAdminUrl: string;
    /** The migrated database each test's database is copied from. */
    postgresTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.TEST_DATABASE_URL;
  const cluster = given ? undefined : await startPostgresCluster();
  const adminUrl = given ?? cluster!.url;
  const template = `cascade_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    cluster?.stop();
    throw new Error(`${POSTGRES_MISSING} (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
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
