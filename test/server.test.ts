/**
 * `npm start` for real: first start on an empty database, and a restart on the same one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0)) child.kill();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts the server and resolves with everything it printed once it says it is ready. */
function start(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Cascade is ready')) resolve(output);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}

describe('npm start', () => {
  it('creates root and the demo tree on the first start, prints the passwords once, and keeps the key file private', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-start-'));
    const port = await freePort();
    const env = { PORT: String(port), DATABASE_PATH: join(folder, 'data', 'cascade.db'), LOG_LEVEL: 'info' };
    const first = await start(env);
    expect(first).toContain(`Sign in at http://localhost:${port}/users/sign_in`);
    expect(first).toMatch(/root: \S+ \(Administrator\)/);
    expect(first).toMatch(/olivia: \S+ \(owner of platform\)/);
    expect(statSync(join(folder, 'data', 'secret_key_base.key')).mode & 0o777).toBe(0o600);

    const health = await fetch(`http://127.0.0.1:${port}/-/health`);
    expect(health.status).toBe(200);
    const signIn = await fetch(`http://127.0.0.1:${port}/users/sign_in`);
    expect(await signIn.text()).toContain('<!DOCTYPE html>');
    running.splice(0).forEach((child) => child.kill());

    const second = await start(env);
    expect(second).not.toContain('Sign in at');
  });

  it('creates root with INITIAL_ROOT_PASSWORD and no demo tree with SEED_DEMO=false', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-start-'));
    const output = await start({ PORT: String(await freePort()), DATABASE_PATH: join(folder, 'c.db'), INITIAL_ROOT_PASSWORD: 'a-long-root-password', SEED_DEMO: 'false' });
    expect(output).toContain('root: the password from INITIAL_ROOT_PASSWORD (Administrator)');
    expect(output).not.toContain('olivia');
    expect(output).not.toContain('a-long-root-password');
  });
});
