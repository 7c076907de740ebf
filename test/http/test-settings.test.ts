/**
 * "Test settings" through HTTP, against a local receiver standing in for Slack and the issue
 * trackers: the exact request each sends with the form's unsaved values, merged with inherited
 * values and stored secrets; the result with and without htmx; the Network settings refusing
 * the local network at save and at test time; bad input and the rate limit.
 */
import { describe, expect, it } from 'vitest';
import { integrationSettings } from '../../src/db/schema.js';
import { createTestApp, fieldErrorOf, get, post, textOf, type TestApp } from '../support/app.js';
import {
  ADMIN_INTEGRATIONS,
  allowLoopbackRequests,
  groupIntegrations,
  projectIntegrations,
  saveInstanceSlack,
} from '../support/integrations.js';
import { neverAnswer, receiverForFile, redirectTo } from '../support/receiver.js';
import { buildWorld, type World } from '../support/world.js';

const HTMX = { 'hx-request': 'true' };
const NETWORK = '/admin/application_settings/network';
const MESSAGE = 'This is a test message from Cascade for the Slack notifications settings of Top / Sub / App.';

const receiver = receiverForFile();

type Setup = TestApp & { world: World; admin: string; maintainer: string; projectUrl: string };

async function setup({ allowLocal }: { allowLocal: boolean }): Promise<Setup> {
  const test = await createTestApp({ outbound: { timeoutMs: 300 } });
  const world = await buildWorld(test.db);
  const admin = world.cookies.admin!;
  if (allowLocal)
    await post(test.app, NETWORK, { allow_local_requests: '1', outbound_allowlist: '' }, { cookie: admin });
  return {
    ...test,
    world,
    admin,
    maintainer: world.cookies.maintainer!,
    projectUrl: projectIntegrations(world.project.fullPath),
  };
}

const projectSlack = (webhook: string, extra: Record<string, string> = {}) => ({
  _version: '0',
  inheritance: 'custom',
  active: '1',
  webhook,
  ...extra,
});
const rows = async (t: TestApp) => await t.db.select().from(integrationSettings);

describe('Test settings with local requests allowed', () => {
  it('posts a Slack message with the unsaved values and shows the result in place, saving nothing', async () => {
    const t = await setup({ allowLocal: true });
    const webhook = `${receiver().origin}/services/T000/B000/SECRET`;
    const response = await post(
      t.app,
      `${t.projectUrl}/slack/test`,
      projectSlack(webhook, { username: 'cascade-bot', channel: '#ops, #dev' }),
      {
        cookie: t.maintainer,
        headers: HTMX,
      },
    );

    expect(response.status).toBe(200);
    const [request] = receiver().received;
    expect(receiver().received).toHaveLength(1);
    expect(request).toMatchObject({ method: 'POST', path: '/services/T000/B000/SECRET' });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({ text: MESSAGE, username: 'cascade-bot', channel: '#ops' });

    const html = await response.text();
    expect(html).toMatch(/^<div id="test-result"/);
    expect(textOf(html)).toMatch(/^Connection successful\. The server answered HTTP 200\. Took \d+ ms\.$/);
    expect(html).not.toContain('SECRET');
    expect(await rows(t)).toEqual([]);
  });

  it('uses the inherited settings and the stored secret when the form leaves them', async () => {
    const t = await setup({ allowLocal: true });
    expect(
      (
        await saveInstanceSlack(t.app, t.admin, {
          webhook: `${receiver().origin}/stored-hook`,
          username: 'from-instance',
        })
      ).status,
    ).toBe(303);

    await post(
      t.app,
      `${t.projectUrl}/slack/test`,
      { _version: '0', inheritance: 'inherit' },
      { cookie: t.maintainer, headers: HTMX },
    );
    // Custom settings with the webhook left blank: the inherited secret, and the typed username.
    await post(
      t.app,
      `${groupIntegrations('top')}/slack/test`,
      { _version: '0', inheritance: 'custom', active: '1', webhook: '', username: 'typed' },
      { cookie: t.admin, headers: HTMX },
    );
    // The username taken from the level above.
    await post(
      t.app,
      `${t.projectUrl}/slack/test`,
      { ...projectSlack(''), username: 'ignored', _inherit: 'username' },
      { cookie: t.maintainer, headers: HTMX },
    );

    expect(receiver().received.map((r) => r.path)).toEqual(['/stored-hook', '/stored-hook', '/stored-hook']);
    expect(receiver().received.map((r) => JSON.parse(r.body).username)).toEqual([
      'from-instance',
      'typed',
      'from-instance',
    ]);
    expect(JSON.parse(receiver().received[1]!.body).text).toBe(
      'This is a test message from Cascade for the Slack notifications settings of Top.',
    );
    expect(await rows(t)).toHaveLength(1);
  });

  it('asks Jira for its server info with basic authentication, never showing the token', async () => {
    const t = await setup({ allowLocal: true });
    const form = {
      _version: '0',
      active: '1',
      url: `${receiver().origin}/jira`,
      username: 'bot@example.com',
      password: 'jira-api-token',
      jira_auth_type: '0',
    };
    const response = await post(t.app, `${ADMIN_INTEGRATIONS}/jira/test`, form, { cookie: t.admin, headers: HTMX });

    expect(receiver().received).toHaveLength(1);
    const [request] = receiver().received;
    expect(request).toMatchObject({ method: 'GET', path: '/jira/rest/api/2/serverInfo', body: '' });
    expect(request!.headers.authorization).toBe(
      `Basic ${Buffer.from('bot@example.com:jira-api-token').toString('base64')}`,
    );
    expect(request!.headers.accept).toBe('application/json');
    expect(await response.text()).not.toContain('jira-api-token');
  });

  it('fetches the project URL of an issue tracker (Redmine)', async () => {
    const t = await setup({ allowLocal: true });
    const base = `${receiver().origin}/redmine`;
    const form = {
      _version: '0',
      inheritance: 'custom',
      active: '1',
      project_url: `${base}/projects/app`,
      issues_url: `${base}/issues/:id`,
      new_issue_url: `${base}/projects/app/issues/new`,
    };
    const response = await post(t.app, `${t.projectUrl}/redmine/test`, form, { cookie: t.maintainer, headers: HTMX });
    expect(textOf(await response.text())).toMatch(/^Connection successful\./);
    expect(receiver().received.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /redmine/projects/app']);
  });

  it('without JavaScript, answers with the page: the form as submitted and the result below it', async () => {
    const t = await setup({ allowLocal: true });
    const response = await post(
      t.app,
      `${t.projectUrl}/slack/test`,
      projectSlack(`${receiver().origin}/hook-secret-path`, { username: 'kept-name' }),
      { cookie: t.maintainer },
    );
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<h1>Slack notifications</h1>');
    expect(html).toMatch(/name="username"[^>]*value="kept-name"/);
    expect(textOf(html)).toMatch(
      /Test settings Cancel Connection successful\. The server answered HTTP 200\. Took \d+ ms\./,
    );
    expect(html).not.toContain('hook-secret-path');
    expect(await rows(t)).toEqual([]);
  });

  it('reports the status of a server that answers with an error, still as a completed test (200)', async () => {
    const t = await setup({ allowLocal: true });
    receiver().answer = (response) => {
      response.statusCode = 404;
      response.end('no_team');
    };
    const response = await post(t.app, `${t.projectUrl}/slack/test`, projectSlack(`${receiver().origin}/gone`), {
      cookie: t.maintainer,
      headers: HTMX,
    });
    expect(response.status).toBe(200);
    expect(textOf(await response.text())).toMatch(
      /^Connection failed\. The server answered with HTTP 404\. Took \d+ ms\.$/,
    );
  });

  it('reports a timeout when the server never answers', async () => {
    const t = await setup({ allowLocal: true });
    receiver().answer = neverAnswer;
    const response = await post(t.app, `${t.projectUrl}/slack/test`, projectSlack(`${receiver().origin}/slow`), {
      cookie: t.maintainer,
      headers: HTMX,
    });
    expect(textOf(await response.text())).toMatch(
      new RegExp(
        `^Connection failed\\. No response from 127\\.0\\.0\\.1:${receiver().port} within 0\\.3 seconds \\(timed out\\)\\. Took \\d+ ms\\.$`,
      ),
    );
  });
});

const BLOCKED_URLS = [
  ['loopback', 'http://127.0.0.1:PORT/hook'],
  ['loopback, decimal', 'http://2130706433:PORT/hook'],
  ['loopback, octal', 'http://0177.0.0.1:PORT/hook'],
  ['loopback, hexadecimal', 'http://0x7f.0.0.1:PORT/hook'],
  ['loopback IPv6', 'http://[::1]:PORT/hook'],
  ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]:PORT/hook'],
  ['private 10/8', 'http://10.1.2.3/hook'],
  ['private 172.16/12', 'http://172.20.0.1/hook'],
  ['private 192.168/16', 'http://192.168.1.1/hook'],
  ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
  ['link-local IPv6', 'http://[fe80::1]/hook'],
  ['unspecified', 'http://0.0.0.0:PORT/hook'],
  ['unspecified IPv6', 'http://[::]:PORT/hook'],
  ['unique local IPv6', 'http://[fd00::1]/hook'],
  ['a host name resolving to 127.0.0.1', 'http://localhost:PORT/hook'],
] as const;

describe('Test settings and saving with local requests not allowed (the default)', () => {
  it.each(BLOCKED_URLS)('refuses to save a webhook pointing at %s', async (_class, pattern) => {
    const t = await setup({ allowLocal: false });
    const response = await post(
      t.app,
      `${t.projectUrl}/slack`,
      projectSlack(pattern.replace('PORT', String(receiver().port))),
      { cookie: t.maintainer },
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'webhook')).toBe('Requests to the local network are not allowed');
    expect(await rows(t)).toEqual([]);
    expect(receiver().received).toEqual([]);
  });

  it.each(BLOCKED_URLS)('refuses to test a webhook pointing at %s, without connecting', async (_class, pattern) => {
    const t = await setup({ allowLocal: false });
    const response = await post(
      t.app,
      `${t.projectUrl}/slack/test`,
      projectSlack(pattern.replace('PORT', String(receiver().port))),
      { cookie: t.maintainer, headers: HTMX },
    );
    expect(response.status).toBe(200);
    expect(textOf(await response.text())).toMatch(
      /^Connection failed\. Requests to the local network are not allowed: .+ is an? [a-z -]+ address\. An administrator can allow it in Admin Area › Settings › Network\. Took \d+ ms\.$/,
    );
    expect(receiver().received).toEqual([]);
  });

  it('checks an issue tracker URL at save time too', async () => {
    const t = await setup({ allowLocal: false });
    const form = { _version: '0', inheritance: 'custom', active: '1', external_wiki_url: 'http://192.168.0.10/wiki' };
    const response = await post(t.app, `${t.projectUrl}/external-wiki`, form, { cookie: t.maintainer });
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'external_wiki_url')).toBe(
      'Requests to the local network are not allowed',
    );
  });

  it('lets an allowlisted address through, at save and at test time', async () => {
    const t = await setup({ allowLocal: false });
    await allowLoopbackRequests(t.app, t.admin);
    const form = projectSlack(`${receiver().origin}/allowed`);
    expect((await post(t.app, `${t.projectUrl}/slack`, form, { cookie: t.maintainer })).status).toBe(303);
    const response = await post(
      t.app,
      `${t.projectUrl}/slack/test`,
      { ...form, _version: '1' },
      { cookie: t.maintainer, headers: HTMX },
    );
    expect(textOf(await response.text())).toMatch(/^Connection successful\./);
  });

  it('does not follow a redirect to a local address', async () => {
    const t = await setup({ allowLocal: false });
    await allowLoopbackRequests(t.app, t.admin);
    receiver().answer = redirectTo('http://169.254.169.254/latest/meta-data/');
    const response = await post(t.app, `${t.projectUrl}/slack/test`, projectSlack(`${receiver().origin}/moved`), {
      cookie: t.maintainer,
      headers: HTMX,
    });
    expect(textOf(await response.text())).toMatch(
      /^Connection failed\. Requests to the local network are not allowed: 169\.254\.169\.254 is a link-local address\./,
    );
    expect(receiver().received.map((r) => r.path)).toEqual(['/moved']);
  });
});

describe('Test settings with bad input', () => {
  it('without JavaScript, shows invalid values next to their fields with 422', async () => {
    const t = await setup({ allowLocal: true });
    const response = await post(t.app, `${t.projectUrl}/slack/test`, projectSlack('not a url'), {
      cookie: t.maintainer,
    });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(fieldErrorOf(html, 'webhook')).toBe('Webhook URL must be a valid URL (http or https)');
    expect(html.match(/class="error-summary"/g)).toHaveLength(1);
    expect(receiver().received).toEqual([]);
  });

  it('with htmx, lists the errors in place, linked to their fields, with 422', async () => {
    const t = await setup({ allowLocal: true });
    const response = await post(t.app, `${t.projectUrl}/slack/test`, projectSlack('not a url'), {
      cookie: t.maintainer,
      headers: HTMX,
    });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('<a href="#field-webhook">Webhook URL must be a valid URL (http or https)</a>');
    expect(html).not.toContain('<html');
  });

  it('needs the required values even while the integration is not active', async () => {
    const t = await setup({ allowLocal: true });
    const response = await post(
      t.app,
      `${t.projectUrl}/slack/test`,
      { _version: '0', inheritance: 'custom', active: '0', webhook: '' },
      { cookie: t.maintainer },
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'webhook')).toBe('Webhook URL is required to test the settings');
  });

  it('has no Test settings for email integrations, which send nothing from here', async () => {
    const t = await setup({ allowLocal: true });
    const page = await (await get(t.app, `${t.projectUrl}/pipelines-email`, { cookie: t.maintainer })).text();
    expect(page).not.toContain('Test settings');
    expect((await get(t.app, `${t.projectUrl}/slack`, { cookie: t.maintainer })).status).toBe(200);
    const response = await post(
      t.app,
      `${t.projectUrl}/pipelines-email/test`,
      { _version: '0', inheritance: 'custom', recipients: 'a@example.com' },
      { cookie: t.maintainer },
    );
    expect(response.status).toBe(404);
  });

  it('refuses a cross-site post', async () => {
    const t = await setup({ allowLocal: true });
    const response = await post(t.app, `${t.projectUrl}/slack/test`, projectSlack(`${receiver().origin}/x`), {
      cookie: t.maintainer,
      origin: 'https://evil.example',
    });
    expect(response.status).toBe(403);
    expect(receiver().received).toEqual([]);
  });

  it('allows ten tests a minute per user, then answers 429 with when to try again', async () => {
    const t = await setup({ allowLocal: true });
    const form = projectSlack(`${receiver().origin}/hook`);
    for (let i = 0; i < 10; i++)
      expect(
        (await post(t.app, `${t.projectUrl}/slack/test`, form, { cookie: t.maintainer, headers: HTMX })).status,
      ).toBe(200);

    const limited = await post(t.app, `${t.projectUrl}/slack/test`, form, { cookie: t.maintainer, headers: HTMX });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(textOf(await limited.text())).toMatch(
      /^Too many tests\. You can test settings 10 times a minute\. Try again in \d+ seconds\.$/,
    );
    const withoutJs = await post(t.app, `${t.projectUrl}/slack/test`, form, { cookie: t.maintainer });
    expect(withoutJs.status).toBe(429);
    expect(await withoutJs.text()).toContain('<h1>Slack notifications</h1>');
    expect(receiver().received).toHaveLength(10);
    // Another user has tests of their own.
    expect((await post(t.app, `${t.projectUrl}/slack/test`, form, { cookie: t.admin, headers: HTMX })).status).toBe(
      200,
    );
  });

  it('counts the tests sent through every server sharing the database against one limit', async () => {
    const t = await setup({ allowLocal: true });
    const otherServer = (await createTestApp({ db: t.db, outbound: { timeoutMs: 300 } })).app;
    const form = projectSlack(`${receiver().origin}/hook`);
    const testThrough = (app: TestApp['app']) =>
      post(app, `${t.projectUrl}/slack/test`, form, { cookie: t.maintainer, headers: HTMX });
    for (let i = 0; i < 5; i++) {
      expect((await testThrough(t.app)).status).toBe(200);
      expect((await testThrough(otherServer)).status).toBe(200);
    }
    expect((await testThrough(t.app)).status).toBe(429);
    expect((await testThrough(otherServer)).status).toBe(429);
    expect(receiver().received).toHaveLength(10);
  });

  it('sends exactly ten of fifteen tests posted at once through two servers', async () => {
    const t = await setup({ allowLocal: true });
    const servers = [t.app, (await createTestApp({ db: t.db, outbound: { timeoutMs: 300 } })).app];
    const form = projectSlack(`${receiver().origin}/hook`);
    const responses = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        post(servers[i % 2]!, `${t.projectUrl}/slack/test`, form, { cookie: t.maintainer, headers: HTMX }),
      ),
    );
    expect(responses.map(({ status }) => status).sort()).toEqual([...Array(10).fill(200), ...Array(5).fill(429)]);
    expect(receiver().received).toHaveLength(10);
  });
});
