/**
 * Test support (vitest's global setup): every temporary file of a test run, such as each test's
 * private database (`openDatabase(':memory:')`), goes into one folder that is removed when the
 * run ends. Test workers are stopped without an exit event, so they cannot remove their own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  // Once per run: each vitest project runs the global setup again.
  if (process.env.CASCADE_TEST_RUN_FOLDER) return () => undefined;
  const folder = mkdtempSync(join(tmpdir(), 'cascade-test-run-'));
  process.env.CASCADE_TEST_RUN_FOLDER = folder;
  // os.tmpdir() answers TMPDIR, in this process and in the workers started after it.
  process.env.TMPDIR = folder;
  return () => rmSync(folder, { recursive: true, force: true });
}
