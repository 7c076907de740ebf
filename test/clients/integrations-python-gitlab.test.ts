/**
 * python-gitlab (Debian's python3-gitlab, run by /usr/bin/python3), unmodified, against a live
 * Cascade, for what issue 13 made GitLab-like in the integrations API: DELETE disables, GitLab's
 * errors, the older `/services` path, and the optional version. Results are checked on the
 * project's integration page where a user would see them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonSteps, startClientServer, type ClientServer } from './support.js';

let cascade: ClientServer;
const python = pythonSteps('integrations_python_client.py', () => cascade);

beforeAll(async () => {
  cascade = await startClientServer();
});

afterAll(async () => {
  await cascade?.close();
});

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
