/**
 * `npm start` for real: first start on an empty database, a restart on the same one, the bind
 * address, a graceful stop, the compiled server in dist/, and start-ups that fail in one line: a
 * port in use, an address that is not this machine's, a database that cannot be written.
 */
import { freePort } from './support/processes.js';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0)) child.kill();
});

const FROM_SOURCE = ['--import', 'tsx', 'src/server.ts'];
const COMPILED = ['--enable-source-maps', 'dist/server.js'];

interface Started {
  child: ChildProcess;
  /** Everything printed so far. */
  output: () => string;
}

/** Starts the server (from src/ through tsx, unless told) and resolves once it says it is ready. */
function launch(env: Record<string, string>, args = FROM_SOURCE): Promise<Started> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  const started = { child, output: () => output };
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Cascade is ready')) resolve(started);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}

/** Starts the server and resolves with everything it printed once it says it is ready. */
async function start(env: Record<string, string>, args = FROM_SOURCE): Promise<string> {
  return (await launch(env, args)).output();
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
    expect(health.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('http_requests_total{method="GET",route="/-/health",status="200"} 1');
    const signIn = await fetch(`http://127.0.0.1:${port}/users/sign_in`);
    expect(await signIn.text()).toContain('<!DOCTYPE html>');
    running.splice(0).forEach((child) => child.kill());

    const second = await start(env);
    expect(second).not.toContain('Sign in at');
  });

  it('creates root with INITIAL_ROOT_PASSWORD and no demo tree with SEED_DEMO=false', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-start-'));
    const output = await start({
      PORT: String(await freePort()),
      DATABASE_PATH: join(folder, 'c.db'),
      INITIAL_ROOT_PASSWORD: 'a-long-root-password',
      SEED_DEMO: 'false',
    });
    expect(output).toContain('root: the password from INITIAL_ROOT_PASSWORD (Administrator)');
    expect(output).not.toContain('olivia');
    expect(output).not.toContain('a-long-root-password');
  });
});

/** Whether a connection to `host`:`port` is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A raw HTTP/1.1 connection that collects what the server sends, and whether it closed the connection. */
function rawConnection(port: number): { socket: Socket; received: () => string; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => received, closed };
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe('HOST', () => {
  it('listens on that address only', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-start-'));
    const port = await freePort();
    const { output } = await launch({
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_PATH: join(folder, 'c.db'),
      SEED_DEMO: 'false',
    });
    expect(output()).toContain(`(listening on 127.0.0.1 port ${port})`);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    // Also the loopback, but not the address it was told.
    expect(await accepts('127.0.0.2', port)).toBe(false);
  });

  it('listens on every interface when unset', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-start-'));
    const port = await freePort();
    await launch({ PORT: String(port), DATABASE_PATH: join(folder, 'c.db'), SEED_DEMO: 'false' });
    expect(await accepts('127.0.0.2', port)).toBe(true);
  });
});

describe('stopping on SIGTERM', () => {
  it('finishes the request in flight, refuses new connections, closes idle ones, and exits with 0', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-start-'));
    const port = await freePort();
    const { child, output } = await launch({
      PORT: String(port),
      DATABASE_PATH: join(folder, 'c.db'),
      SEED_DEMO: 'false',
      INITIAL_ROOT_PASSWORD: 'a-long-root-password',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    // A keep-alive connection that has had its answer and sits idle.
    const idle = rawConnection(port);
    idle.socket.write('GET /-/health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await until(() => idle.received().includes('{"status":"ok"}'));

    // A sign-in whose body is half sent when the signal comes.
    const body = 'username=root&password=a-long-root-password';
    const half = body.length >> 1;
    const inFlight = rawConnection(port);
    inFlight.socket.write(
      `POST /users/sign_in HTTP/1.1\r\nHost: localhost:${port}\r\nOrigin: http://localhost:${port}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, half)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalled = Date.now();
    child.kill('SIGTERM');
    await until(() => output().includes('Cascade is stopping'));

    await idle.closed;
    expect(await accepts('127.0.0.1', port)).toBe(false);
    inFlight.socket.write(body.slice(half));
    await inFlight.closed;
    expect(inFlight.received()).toMatch(/^HTTP\/1\.1 303 /);
    expect(inFlight.received()).toMatch(/\r\nlocation: \/\r\n/i);

    expect(await exited).toBe(0);
    // Well within the grace period: nothing was left to force-close.
    expect(Date.now() - signalled).toBeLessThan(5_000);
    expect(output()).toContain('"msg":"Cascade stopped"');
  });
});

describe('stopping on SIGTERM with a request that never ends', () => {
  it('closes its connection after 10 seconds and still exits with 0', { timeout: 30_000 }, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-start-'));
    const port = await freePort();
    const { child, output } = await launch({
      PORT: String(port),
      DATABASE_PATH: join(folder, 'c.db'),
      SEED_DEMO: 'false',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const stalled = rawConnection(port);
    stalled.socket.write(
      `POST /users/sign_in HTTP/1.1\r\nHost: localhost:${port}\r\nOrigin: http://localhost:${port}\r\n` +
        'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=ro',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalled = Date.now();
    child.kill('SIGTERM');

    await stalled.closed;
    expect(await exited).toBe(0);
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(9_900);
    expect(took).toBeLessThan(12_000);
    expect(output()).toContain('"msg":"Cascade stopped"');
  });
});

describe('the compiled server (npm run build, then dist/server.js)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  }, 60_000);

  it('migrates a new database and serves the health check, a page, its assets and htmx from dist/', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-start-'));
    const port = await freePort();
    const env = { PORT: String(port), DATABASE_PATH: join(folder, 'cascade.db'), SEED_DEMO: 'false' };
    expect(await start(env, COMPILED)).toMatch(/root: \S+ \(Administrator\)/);
    const base = `http://127.0.0.1:${port}`;

    expect((await fetch(`${base}/-/health`)).status).toBe(200);
    expect(await (await fetch(`${base}/users/sign_in`)).text()).toContain('<!DOCTYPE html>');
    for (const asset of ['/public/app.css', '/public/vendor/htmx.min.js']) {
      const response = await fetch(`${base}${asset}`, { redirect: 'manual' });
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('content-type'), asset).toMatch(/^text\/(css|javascript)/);
    }
  });
});

/**
 * Root writes through file modes: for the read-only cases, the server then runs without the
 * capabilities that let it (setpriv is part of util-linux), still as root, the owner of the checkout.
 */
const withoutWritingThroughModes: string[] =
  process.getuid?.() === 0 ? ['setpriv', '--inh-caps=-all', '--bounding-set=-dac_override,-dac_read_search'] : [];

/** Runs the server, behind `prefix` if given, until it exits by itself; it must, within 20 seconds. */
function runToExit(
  env: Record<string, string>,
  prefix: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command = process.execPath, ...args] = [...prefix, process.execPath, '--import', 'tsx', 'src/server.ts'];
  const child = spawn(command, args, {
    env: { ...process.env, SEED_DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after 20 s: ${stdout}${stderr}`)), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm start when it cannot start', () => {
  let occupier: Server | undefined;
  afterEach(() => {
    occupier?.close();
    occupier = undefined;
  });

  it('stops with exit code 1 and one line naming PORT when the port is in use, before creating the database or printing a password', async () => {
    const port = await freePort();
    occupier = await new Promise<Server>((resolve) => {
      const server = createServer().listen(port, () => resolve(server));
    });
    const folder = mkdtempSync(join(tmpdir(), 'cascade-start-'));
    const result = await runToExit({ PORT: String(port), DATABASE_PATH: join(folder, 'data', 'cascade.db') });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `Cascade could not start: PORT ${port} is already in use by another program.`,
    ]);
    expect(result.stdout).toBe('');
    expect(readdirSync(folder)).toEqual([]);
  });

  it('stops with exit code 1 and one line naming HOST when it is not an address of this machine', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-start-'));
    const result = await runToExit({
      HOST: '192.0.2.1',
      PORT: String(await freePort()),
      DATABASE_PATH: join(folder, 'c.db'),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'Cascade could not start: HOST 192.0.2.1 is not an address of this machine (EADDRNOTAVAIL).',
    ]);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('names DATABASE_PATH and the folder when the folder cannot be created', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-start-'));
    writeFileSync(join(folder, 'data'), 'a file where the folder should be');
    const path = join(folder, 'data', 'cascade.db');
    const result = await runToExit({ PORT: String(await freePort()), DATABASE_PATH: path });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `Cascade could not start: DATABASE_PATH ${path} cannot be created: its folder ${join(folder, 'data')} cannot be created (a file of that name is in the way).`,
    ]);
    expect(result.stdout).toBe('');
  });

  it('names DATABASE_PATH and the folder when the folder is read-only', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-start-'));
    const readOnly = join(folder, 'data');
    mkdirSync(readOnly, { mode: 0o555 });
    const path = join(readOnly, 'cascade.db');
    const result = await runToExit({ PORT: String(await freePort()), DATABASE_PATH: path }, withoutWritingThroughModes);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `Cascade could not start: DATABASE_PATH ${path} cannot be written: its folder ${readOnly} is not writable (permission denied).`,
    ]);
    expect(result.stdout).toBe('');
    expect(existsSync(path)).toBe(false);
  });

  it('names DATABASE_PATH when the database file is read-only, and leaves it unchanged', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cascade-start-'));
    const path = join(folder, 'cascade.db');
    writeFileSync(path, '');
    chmodSync(path, 0o444);
    const result = await runToExit({ PORT: String(await freePort()), DATABASE_PATH: path }, withoutWritingThroughModes);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `Cascade could not start: DATABASE_PATH ${path} cannot be written: the file is not writable (permission denied).`,
    ]);
    expect(result.stdout).toBe('');
    expect(statSync(path).size).toBe(0);
    expect(readdirSync(folder)).toEqual(['cascade.db']);
  });
});
