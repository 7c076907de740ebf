import { defineConfig } from 'vitest/config';

/**
 * Tests of what only SQLite has: its file, its migrations' history, its online backup, and
 * `npm start` on the default database (test/postgres/two-servers.test.ts starts servers on
 * PostgreSQL).
 */
const SQLITE_ONLY = [
  'test/migration.test.ts',
  'test/unit/db-client.test.ts',
  'test/backup.test.ts',
  'test/server.test.ts',
  'test/server-code-hosts.test.ts',
  // No database: the code-host clients against the test hosts, outbound requests, and the
  // delivery event model, filters and messages.
  'test/unit/code-host-clients.test.ts',
  'test/unit/outbound-*.test.ts',
  'test/unit/delivery-event.test.ts',
  'test/unit/delivery-filters.test.ts',
  'test/unit/delivery-messages.test.ts',
];

export default defineConfig({
  test: {
    // Tests reach only this machine: anything else fails the test that tried.
    setupFiles: ['test/support/loopback-only.ts'],
    // The tests' private databases live in one folder per run, removed at its end.
    globalSetup: ['test/support/temporary-folder.ts'],
    // Browser tests start Chromium; give them room on a shared 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two workers on two cores: half of a PostgreSQL test's time is the database server's, in a
    // process of its own, so one worker would leave a core idle.
    maxWorkers: 2,
    // Every test runs on both databases (test/support/database.ts gives each its own), except
    // those of SQLite's own, and the browser tests, which test the pages, not the database.
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['test/**/*.test.{ts,tsx}'],
          exclude: ['test/postgres/**'],
          env: { CASCADE_TEST_DIALECT: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/**/*.test.{ts,tsx}'],
          exclude: ['test/browser/**', ...SQLITE_ONLY],
          env: { CASCADE_TEST_DIALECT: 'postgres' },
          globalSetup: ['test/support/postgres-cluster.ts'],
        },
      },
    ],
  },
});
