/**
 * @gitbeaker/rest, unmodified, against a live Cascade, for what issue 13 made GitLab-like in the
 * integrations API: `Integrations.disable` disables, GitLab's errors reach the client as its
 * statuses, and saves without a version are last-write-wins. Results are checked on the
 * project's integration page where a user would see them.
 */
import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClientServer, type ClientServer } from './support.js';

let cascade: ClientServer;
let api: InstanceType<typeof Gitlab>;

beforeAll(async () => {
  cascade = await startClientServer();
  api = new Gitlab({ host: cascade.url, token: cascade.token });
});

afterAll(async () => {
  await cascade?.close();
});

describe("@gitbeaker/rest and Cascade's GitLab-like integrations", () => {
  it('disables an integration: it reads back inactive, is no longer listed, and the page says so', async () => {
    await api.Integrations.edit(cascade.projectId, 'slack', {
      webhook: 'https://hooks.slack.com/services/T5/B5/GITBEAKER',
      channel: '#to-disable',
    });
    await api.Integrations.disable(cascade.projectId, 'slack');
    expect(await api.Integrations.show(cascade.projectId, 'slack')).toMatchObject({ active: false, inherited: false });
    expect(await api.Integrations.all(cascade.projectId)).toEqual([]);
    expect(await cascade.slackPage()).toMatchObject({ inheritance: 'custom' });
  });

  it("gets GitLab's statuses: 400 for a required parameter nobody sets, 404 for a type never configured", async () => {
    await expect(
      api.Integrations.edit(cascade.projectId, 'microsoft-teams', { branches_to_be_notified: 'all' }),
    ).rejects.toMatchObject({ cause: { response: { status: 400 }, description: 'webhook is missing' } });
    await expect(api.Integrations.show(cascade.projectId, 'jira')).rejects.toMatchObject({
      cause: { response: { status: 404 } },
    });
  });

  it('saves concurrent edits without a version, the last one winning, never a 409', async () => {
    const channels = ['#one', '#two', '#three', '#four'];
    await Promise.all(channels.map((channel) => api.Integrations.edit(cascade.projectId, 'slack', { channel })));
    const shown = await api.Integrations.show(cascade.projectId, 'slack');
    expect(channels).toContain((shown.properties as { channel: string }).channel);
    expect(await cascade.slackPage()).toMatchObject({ inheritance: 'custom' });
  });
});
