/**
 * Test support for tests that start programs: a free loopback port, and a command of Cascade's
 * run from the sources (through tsx) to its end.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A loopback port nothing listens on now: bound, then released. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one of Cascade's commands (`src/backup.ts`, `src/copy-database.ts`) with `args` until it
 * exits, with `env` on top of this process's (but no SECRET_KEY_BASE or DATABASE_URL of its own).
 */
export function runCommand(script: string, args: string[], env: Record<string, string>): Promise<Finished> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, SECRET_KEY_BASE: '', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}
