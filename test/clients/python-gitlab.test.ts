/**
 * python-gitlab (Debian's python3-gitlab, run by /usr/bin/python3), unmodified, against a live
 * Cascade: it reads a project's integrations, sets Slack notifications with custom settings,
 * switches back to the inherited settings, and deletes the project's own settings, each result
 * checked on the project's integration page; and, as an administrator, builds part of the tree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANCE_CHANNEL, pythonSteps, startClientServer, type ClientServer } from './support.js';

let cascade: ClientServer;
const python = pythonSteps('python_gitlab_client.py', () => cascade);

beforeAll(async () => {
  cascade = await startClientServer();
});

afterAll(async () => {
  await cascade?.close();
});

describe('python-gitlab against Cascade', () => {
  it('authenticates with the token and reads the version', async () => {
    expect(await python('whoami')).toEqual({ username: 'mia', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('lists the projects page by page, following the Link headers, and finds the group', async () => {
    expect(await python('browse')).toEqual({
      projects: ['top/sub/app', 'top/sub/web', 'top/sub/worker'],
      group: 'top/sub',
    });
  });

  it("reads the project's integrations: Slack, inherited from the instance", async () => {
    const { listed, slack } = await python('list');
    expect(listed).toEqual([['slack', true]]);
    expect(slack).toMatchObject({
      slug: 'slack',
      inherited: true,
      attributes: { properties: { channel: INSTANCE_CHANNEL } },
    });
  });

  it('sets Slack notifications with custom settings', async () => {
    const slack = await python('custom');
    expect(slack).toMatchObject({
      inherited: false,
      active: true,
      attributes: { push_events: false, properties: { channel: '#python', username: 'python-bot' } },
    });
    expect(JSON.stringify(slack)).not.toContain('PYTHON');
    expect(await cascade.slackPage()).toMatchObject({
      status: 200,
      inheritance: 'custom',
      channel: '#python',
      username: 'python-bot',
    });
  });

  it('switches the project back to the inherited settings', async () => {
    expect(await python('inherit')).toMatchObject({
      inherited: true,
      attributes: { properties: { channel: INSTANCE_CHANNEL } },
    });
    expect(await cascade.slackPage()).toMatchObject({
      inheritance: 'inherit',
      channel: INSTANCE_CHANNEL,
      username: 'company-bot',
    });
  });

  it("disables the project's integration as GitLab does: custom settings, the rest inherited", async () => {
    await python('custom');
    expect(await cascade.slackPage()).toMatchObject({ inheritance: 'custom', channel: '#python' });
    expect(await python('delete')).toEqual({ deleted: true });
    expect(await cascade.slackPage()).toMatchObject({ inheritance: 'custom', channel: INSTANCE_CHANNEL });
  });

  it('creates a group, a subgroup and a project, adds a member, transfers and deletes, as an administrator', async () => {
    expect(await python('tree')).toEqual({
      group: 'python',
      subgroup: 'python/tools',
      project: ['py-tool', 'python/tools/py-tool'],
      members: [['mia', 30]],
      moved: 'python/py-tool',
      subgroup_moved: ['tools', null],
      after_delete: 404,
    });
  });

  it("gets GitLab's 403 when a maintainer tries to create a group", async () => {
    expect(await python('tree-refused')).toEqual({ error: 403, message: '403 Forbidden' });
  });

  it("gets GitLab's 404 for a project that does not exist", async () => {
    expect(await python('missing')).toEqual({ error: 404, message: '404 Project Not Found' });
  });
});
