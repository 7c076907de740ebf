/**
 * python-gitlab (Debian's python3-gitlab, run by /usr/bin/python3), unmodified, against a live
 * Cascade, for what issue 13 made GitLab-like in the integrations API: DELETE disables, GitLab's
 * errors, the older `/services` path, and the optional version. Results are checked on the
 * project's integration page where a user would see them.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_PATH, startClientServer, type ClientServer } from './support.js';

const PYTHON = '/usr/bin/python3';
const CLIENT = fileURLToPath(new URL('./integrations_python_client.py', import.meta.url));

let cascade: ClientServer;

beforeAll(async () => {
  cascade = await startClientServer();
});

afterAll(async () => {
  await cascade?.close();
});

/** Runs one step of the Python client; fails (never skips) when python-gitlab is missing. */
async function python(step: string): Promise<Record<string, unknown>> {
  try {
    const { stdout } = await promisify(execFile)(PYTHON, [CLIENT, step], {
      env: { PATH: process.env.PATH ?? '', CASCADE_URL: cascade.url, CASCADE_TOKEN: cascade.token, PROJECT_PATH },
      timeout: 20_000,
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(
      `python-gitlab step "${step}" failed (install it with apt-get install python3-gitlab):\n${stderr ?? String(error)}`,
      { cause: error },
    );
  }
}

describe("python-gitlab and Cascade's GitLab-like integrations", () => {
  it('disables an integration with delete(): it reads back inactive, is no longer listed, and the page says so', async () => {
    expect(await python('disable')).toEqual({ active: false, inherited: false, listed: [] });
    expect(await cascade.slackPage()).toMatchObject({ inheritance: 'custom' });
  });

  it("gets GitLab's errors: 400 for an unknown slug, and a missing required parameter by name", async () => {
    expect(await python('errors')).toEqual({
      unknown_get: { status: 400, message: 'slug does not have a valid value' },
      unknown_delete: { status: 400, message: 'slug does not have a valid value' },
      missing: { status: 400, message: 'webhook is missing' },
    });
  });

  it('saves and reads through the older /services path, with the same answers', async () => {
    expect(await python('services')).toEqual({ saved: '#services', read: '#services', same: true });
    expect(await cascade.slackPage()).toMatchObject({ inheritance: 'custom', channel: '#services' });
  });

  it('saves without a version, and gets a 409 for a stale one', async () => {
    expect(await python('version')).toEqual({
      stale: { status: 409, message: expect.stringMatching(/^409 Conflict: The settings changed after version \d+/) },
    });
    expect(await cascade.slackPage()).toMatchObject({ channel: '#careful' });
  });
});
