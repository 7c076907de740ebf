/**
 * Every parameter GitLab documents for Slack, Jira, Microsoft Teams, Pipeline status emails and
 * Datadog (doc/api/integrations.md): a PUT at project and group level takes each one, and a GET
 * reads each back, value by value, with GitLab's JSON type. Secrets are taken and never read back.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { apiRequest, apiToken, json } from '../support/api.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { buildWorld, type World } from '../support/world.js';
import { DOCUMENTED, formParams } from '../support/integration-parameters.js';

const API = '/api/v4';

let t: TestApp;
let w: World;
let tokens: { maintainer: string; owner: string };

beforeEach(async () => {
  t = await createTestApp();
  w = await buildWorld(t.db);
  tokens = { maintainer: await apiToken(t.db, w.users.maintainer), owner: await apiToken(t.db, w.users.owner) };
});

const LEVELS = [
  {
    level: 'project',
    base: () => `/projects/${w.project.id}/integrations`,
    token: () => tokens.maintainer,
    form: false,
  },
  { level: 'group', base: () => `/groups/${w.top.id}/integrations`, token: () => tokens.owner, form: true },
] as const;

describe.each(LEVELS)('every documented parameter at the $level level', ({ base, token, form }) => {
  it.each(Object.keys(DOCUMENTED))('%s: PUT takes each one, GET reads each back with its type', async (slug) => {
    const documented = DOCUMENTED[slug]!;
    const sent = Object.fromEntries(Object.entries(documented).map(([name, { sent: value }]) => [name, value]));
    const url = `${API}${base()}/${slug}`;
    const put = await apiRequest(t.app, 'PUT', url, { token: token(), params: form ? formParams(sent) : sent });
    expect(put.status, JSON.stringify(await put.clone().json())).toBe(200);

    const text = await (await apiRequest(t.app, 'GET', url, { token: token() })).text();
    const body = JSON.parse(text) as Record<string, unknown> & { properties: Record<string, unknown> };
    for (const [name, { sent: value, read = value, at = 'properties' }] of Object.entries(documented)) {
      if (at === 'secret') {
        expect(body.properties, name).not.toHaveProperty(name);
        expect(text, name).not.toContain(String(value));
        continue;
      }
      const shown = at === 'top' ? body[name] : body.properties[name];
      expect(shown, `${slug}.${name}`).toStrictEqual(read);
    }
  });
});

describe('GitLab types and deprecated parameters', () => {
  const url = (slug: string) => `${API}/projects/${w.project.id}/integrations/${slug}`;
  const put = (slug: string, params: Record<string, unknown>, asForm = false) =>
    apiRequest(t.app, 'PUT', url(slug), { token: tokens.maintainer, params, form: asForm });
  const properties = async (slug: string) =>
    (
      await json<{ properties: Record<string, unknown> }>(
        await apiRequest(t.app, 'GET', url(slug), { token: tokens.maintainer }),
      )
    ).properties;
  const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/XXXX';

  it("reads Jira's jira_auth_type as an integer, whether it was sent as a number or as text", async () => {
    const jira = { url: 'https://jira.example.com', username: 'bot', password: 'p' };
    for (const [sent, read] of [
      [1, 1],
      ['0', 0],
    ] as const) {
      expect((await put('jira', { ...jira, jira_auth_type: sent })).status).toBe(200);
      expect((await properties('jira')).jira_auth_type).toBe(read);
    }
    expect((await put('jira', { ...jira, jira_auth_type: 7 })).status).toBe(400);
    expect((await properties('jira')).jira_auth_type).toBe(0);
  });

  it('refuses Jira transition IDs that are not numbers separated by , or ;', async () => {
    const jira = { url: 'https://jira.example.com', username: 'bot', password: 'p' };
    const response = await put('jira', { ...jira, jira_issue_transition_id: 'done' });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({
      message: { jira_issue_transition_id: ['Jira transition IDs must be numbers separated by , or ;'] },
    });
    expect((await put('jira', { ...jira, jira_issue_transition_id: '11; 21,31' })).status).toBe(200);
  });

  it("reads Jira's comment_on_event_enabled beside the events, as GitLab does: on by default, off once turned off", async () => {
    const get = async () => json(await apiRequest(t.app, 'GET', url('jira'), { token: tokens.maintainer }));
    await put('jira', { url: 'https://jira.example.com', username: 'bot', password: 'p' });
    expect(await get()).toMatchObject({ comment_on_event_enabled: true });
    await put('jira', { comment_on_event_enabled: false });
    const jira = await get();
    expect(jira).toMatchObject({ comment_on_event_enabled: false });
    expect(jira.properties).not.toHaveProperty('comment_on_event_enabled');
  });

  it('gives an empty list for Jira project keys nobody set, as GitLab does', async () => {
    await put('jira', { url: 'https://jira.example.com', username: 'bot', password: 'p' });
    expect((await properties('jira')).project_keys).toEqual([]);
  });

  it.each(['slack', 'mattermost', 'microsoft-teams', 'hangouts-chat', 'pipelines-email'])(
    '%s: notify_only_default_branch sets branches_to_be_notified (true: default, false: all) unless that is sent too',
    async (slug) => {
      const base =
        slug === 'pipelines-email'
          ? { recipients: 'dev@example.com' }
          : { webhook: slug === 'hangouts-chat' ? 'https://chat.googleapis.com/v1/spaces/x' : WEBHOOK };
      await put(slug, { ...base, notify_only_default_branch: false });
      expect(await properties(slug)).toMatchObject({
        branches_to_be_notified: 'all',
        notify_only_default_branch: false,
      });
      await put(slug, { notify_only_default_branch: 'true' }, true);
      expect(await properties(slug)).toMatchObject({
        branches_to_be_notified: 'default',
        notify_only_default_branch: true,
      });
      await put(slug, { notify_only_default_branch: true, branches_to_be_notified: 'protected' });
      expect(await properties(slug)).toMatchObject({
        branches_to_be_notified: 'protected',
        notify_only_default_branch: false,
      });
    },
  );

  it('refuses a notify_only_default_branch that is not yes or no, and changes nothing', async () => {
    await put('slack', { webhook: WEBHOOK, branches_to_be_notified: 'protected' });
    const response = await put('slack', { notify_only_default_branch: 'sometimes' });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: 'notify_only_default_branch is invalid' });
    expect((await properties('slack')).branches_to_be_notified).toBe('protected');
  });

  it("reports the events of types without toggles: pipeline emails' pipelines, Datadog's following CI Visibility", async () => {
    const get = async (slug: string) => json(await apiRequest(t.app, 'GET', url(slug), { token: tokens.maintainer }));
    await put('pipelines-email', { recipients: 'dev@example.com', pipeline_events: true });
    expect(await get('pipelines-email')).toMatchObject({ pipeline_events: true, push_events: false });
    const pipelineEvents = await put('pipelines-email', { pipeline_events: 'often' });
    expect(pipelineEvents.status).toBe(400);
    expect(await json(pipelineEvents)).toEqual({ error: 'pipeline_events is invalid' });

    await put('datadog', { api_key: 'key123', datadog_ci_visibility: false });
    expect(await get('datadog')).toMatchObject({ pipeline_events: false, job_events: false });
    await put('datadog', { datadog_ci_visibility: true });
    expect(await get('datadog')).toMatchObject({ pipeline_events: true, job_events: true });
  });
});

describe('the integration entity of a level that inherits', () => {
  it('has the id, created_at and updated_at of the settings it inherits, and its own once it has some', async () => {
    const groupUrl = `${API}/groups/${w.top.id}/integrations/slack`;
    const projectUrl = `${API}/projects/${w.project.id}/integrations/slack`;
    const group = await json(
      await apiRequest(t.app, 'PUT', groupUrl, {
        token: tokens.owner,
        params: { webhook: 'https://hooks.slack.com/services/T000/B000/XXXX' },
      }),
    );
    expect(group.id).toEqual(expect.any(Number));
    const inheriting = await json(await apiRequest(t.app, 'GET', projectUrl, { token: tokens.maintainer }));
    expect(inheriting).toMatchObject({
      inherited: true,
      id: group.id,
      created_at: group.created_at,
      updated_at: group.updated_at,
    });
    expect(inheriting.created_at).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));

    const own = await json(
      await apiRequest(t.app, 'PUT', projectUrl, { token: tokens.maintainer, params: { channel: '#app' } }),
    );
    expect(own).toMatchObject({ inherited: false });
    expect(own.id).toEqual(expect.any(Number));
    expect(own.id).not.toBe(group.id);
  });
});
