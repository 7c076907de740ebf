/**
 * Test support for the two-server test: Cascade processes started from src/ (as `npm start`
 * runs them, through tsx), and requests to them as a browser on the server's own origin sends
 * them (a session cookie, an Origin header on form posts, no redirects followed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { SESSION_COOKIE } from '../../src/auth/sessions.js';

export { freePort } from '../support/processes.js';

export interface CascadeServer {
  name: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output: () => string;
  /** Resolves once it says it is ready; rejects if it exits first. */
  ready: Promise<void>;
  /** Where requests go. */
  base: string;
  /** The origin its pages have (PUBLIC_URL unset: http://localhost:PORT), which its form posts must name. */
  origin: string;
}

/** Spawns a Cascade server listening on `port`; does not wait for it (see `ready`). */
export function spawnCascade(name: string, port: number, env: Record<string, string>): CascadeServer {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Cascade is ready')) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${output}`)));
  });
  return {
    name,
    child,
    output: () => output,
    ready,
    base: `http://127.0.0.1:${port}`,
    origin: `http://localhost:${port}`,
  };
}

/** Stops a server with SIGTERM and waits until it has exited. */
export async function stopCascade(server: CascadeServer): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill();
  await exited;
}

/** A page as a browser asks for it with `cookie`. */
export function getPage(server: CascadeServer, path: string, cookie?: string): Promise<Response> {
  return fetch(`${server.base}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

/** A form post as a browser on the server's own page sends it. */
export function postForm(
  server: CascadeServer,
  path: string,
  form: Record<string, string>,
  cookie?: string,
): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    origin: server.origin,
  };
  if (cookie) headers.cookie = cookie;
  return fetch(`${server.base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers,
    body: new URLSearchParams(form).toString(),
  });
}

/** Signs in through the sign-in form; answers the Cookie header of the new session. */
export async function signIn(server: CascadeServer, username: string, password: string): Promise<string> {
  const response = await postForm(server, '/users/sign_in', { username, password });
  if (response.status !== 303) throw new Error(`sign-in on ${server.name} answered ${response.status}`);
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
  return line!.split(';')[0]!;
}

/**
 * Posts a settings form as a browser does, and when the answer is the confirmation step (the
 * page without JavaScript), submits its form too; answers the last response.
 */
export async function saveSettingsForm(
  server: CascadeServer,
  path: string,
  form: Record<string, string>,
  cookie: string,
): Promise<Response> {
  const first = await postForm(server, path, form, cookie);
  if (first.status !== 200) return first;
  const html = await first.text();
  const sealed = /name="_sealed" value="([^"]+)"/.exec(html)?.[1];
  if (!sealed) return new Response(html, { status: first.status, headers: first.headers });
  return postForm(server, path, { _sealed: sealed, _confirmed: '1' }, cookie);
}
