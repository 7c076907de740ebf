import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // Tests reach only this machine: anything else fails the test that tried.
    setupFiles: ['test/support/loopback-only.ts'],
    // The tests' private databases live in one folder per run, removed at its end.
    globalSetup: ['test/support/temporary-folder.ts'],
    // Browser tests start Chromium; give them room on a shared 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
