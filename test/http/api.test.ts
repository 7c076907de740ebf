/**
 * The API through app.request on a fresh database: token authentication, GitLab's shapes and
 * statuses, and the integrations endpoints writing exactly what the web pages write.
 */
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { can } from '../../src/auth/permissions.js';
import { revokeToken } from '../../src/auth/tokens.js';
import { auditEvents, personalAccessTokens, projects } from '../../src/db/schema.js';
import { createProject } from '../../src/model/projects.js';
import { INSTANCE_OWNER } from '../../src/settings/owners.js';
import { SettingsStore } from '../../src/settings/store.js';
import { type ActorTokens, apiRequest, apiToken, apiTokens, json } from '../support/api.js';
import { createTestApp, get, sessionCookie, shownValueOf, type TestApp } from '../support/app.js';
import { projectIntegrations, saveInstanceSlack } from '../support/integrations.js';
import { must, type World, openWorld } from '../support/world.js';
import { writeConnection } from '../../src/db/client.js';

const API = '/api/v4';
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/SECRET-PART';

let t: TestApp;
let w: World;
/** Tokens (scope api) of the world's users. */
let tokens: ActorTokens;

beforeEach(async () => {
  const opened = await openWorld();
  t = await createTestApp({ db: opened.db });
  w = opened.world;
  tokens = await apiTokens(t.db, w);
});

const call = (method: string, url: string, token: string | undefined, params?: Record<string, unknown>, form = false) =>
  apiRequest(t.app, method, `${API}${url}`, { token, params, form });
const slackOfApp = (token = tokens.maintainer) => call('GET', `/projects/${w.project.id}/integrations/slack`, token);
const events = async () => await t.db.select().from(auditEvents);

describe('authentication', () => {
  it('answers 401 without a token, with an unknown one, and to a session cookie alone', async () => {
    for (const response of [
      await call('GET', '/user', undefined),
      await call('GET', '/user', 'glpat-not-a-real-token'),
      await call('GET', '/user', 'something-else'),
      await get(t.app, `${API}/user`, { cookie: await sessionCookie(t.db, w.users.admin) }),
    ]) {
      expect(response.status).toBe(401);
      expect(await json(response)).toEqual({ message: '401 Unauthorized' });
    }
  });

  it('takes the token from PRIVATE-TOKEN or Authorization: Bearer', async () => {
    expect(await json(await call('GET', '/user', tokens.reporter))).toMatchObject({
      username: 'reporter',
      state: 'active',
      is_admin: false,
    });
    const bearer = await t.app.request(`${API}/user`, { headers: { authorization: `Bearer ${tokens.owner}` } });
    expect(await json(bearer)).toMatchObject({ username: 'owner' });
  });

  it('stops a revoked token, an expired one and every token of a blocked user', async () => {
    const [reporterToken] = await t.db
      .select()
      .from(personalAccessTokens)
      .where(eq(personalAccessTokens.userId, w.users.developer.id));
    await revokeToken(t.db, reporterToken!.id);
    await writeConnection(t.db)
      .update(personalAccessTokens)
      .set({ expiresAt: '2020-01-01' })
      .where(eq(personalAccessTokens.userId, w.users.owner.id));
    const blocked = await call('GET', '/user', tokens.blocked);
    expect(blocked.status).toBe(401);
    expect(await json(blocked)).toEqual({ message: '401 Unauthorized' });
    for (const [token, reason] of [
      [tokens.developer, 'Token was revoked. You have to re-authorize from the user.'],
      [tokens.owner, 'Token is expired. You can either do re-authorization or token refresh.'],
    ] as const) {
      const response = await call('GET', '/user', token);
      expect(response.status).toBe(401);
      expect(await json(response)).toEqual({ error: 'invalid_token', error_description: reason });
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="${reason}"`,
      );
    }
  });

  it('lets a token work through its expiry day', async () => {
    const today = new Date().toISOString().slice(0, 10);
    await writeConnection(t.db)
      .update(personalAccessTokens)
      .set({ expiresAt: today })
      .where(eq(personalAccessTokens.userId, w.users.owner.id));
    expect((await call('GET', '/user', tokens.owner)).status).toBe(200);
  });

  it("lets a read_api token read but not write, with GitLab's insufficient_scope answer", async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!);
    const readOnly = await apiToken(t.db, w.users.maintainer, ['read_api']);
    expect((await slackOfApp(readOnly)).status).toBe(200);
    for (const method of ['PUT', 'DELETE']) {
      const response = await call(method, `/projects/${w.project.id}/integrations/slack`, readOnly, {
        webhook: WEBHOOK,
      });
      expect(response.status).toBe(403);
      expect(await json(response)).toEqual({
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
        scope: 'api',
      });
    }
    expect((await events()).filter((event) => event.projectId === w.project.id)).toEqual([]);
  });

  it('notes when a token was last used, without writing on every request', async () => {
    const lastUsed = async () =>
      (
        await t.db
          .select()
          .from(personalAccessTokens)
          .where(eq(personalAccessTokens.userId, w.users.reporter.id))
          .orderBy(personalAccessTokens.id)
      ).map((row) => row.lastUsedAt);
    expect(await lastUsed()).toEqual([null, null]);
    await call('GET', '/user', tokens.reporter);
    const [, first] = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await call('GET', '/version', tokens.reporter);
    expect((await lastUsed())[1]).toEqual(first);
  });

  it('is not refused by the CSRF check, and answers are never cached', async () => {
    const response = await apiRequest(t.app, 'PUT', `${API}/projects/${w.project.id}/integrations/slack`, {
      token: tokens.maintainer,
      params: { webhook: WEBHOOK },
      headers: { origin: 'https://elsewhere.example' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect((await call('GET', '/nothing/here', tokens.reporter)).headers.get('cache-control')).toBe('no-store');
  });
});

describe('GET /version, /user, /projects, /groups', () => {
  it('reports the version', async () => {
    expect(await json(await call('GET', '/version', tokens.reporter))).toMatchObject({
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      revision: expect.any(String),
    });
  });

  it('finds a project by id or by URL-encoded full path, and hides one the user cannot see', async () => {
    const byId = await json(await call('GET', `/projects/${w.project.id}`, tokens.reporter));
    const byPath = await json(await call('GET', '/projects/top%2Fsub%2Fapp', tokens.reporter));
    expect(byPath).toEqual(byId);
    expect(byId).toMatchObject({
      id: w.project.id,
      path_with_namespace: 'top/sub/app',
      name_with_namespace: 'Top / Sub / App',
      web_url: 'http://localhost:3000/top/sub/app',
      namespace: { id: w.sub.id, full_path: 'top/sub', kind: 'group' },
    });
    for (const url of [
      `/projects/${w.otherProject.id}`,
      '/projects/other%2Felsewhere',
      '/projects/999999',
      '/projects/no%2Fsuch',
    ]) {
      const response = await call('GET', url, tokens.reporter);
      expect(response.status).toBe(404);
      expect(await json(response)).toEqual({ message: '404 Project Not Found' });
    }
  });

  it('finds a group by id or path and hides one the user cannot see', async () => {
    expect(await json(await call('GET', '/groups/top%2Fsub', tokens.reporter))).toMatchObject({
      id: w.sub.id,
      full_name: 'Top / Sub',
      full_path: 'top/sub',
      parent_id: w.top.id,
    });
    const hidden = await call('GET', `/groups/${w.other.id}`, tokens.reporter);
    expect(hidden.status).toBe(404);
    expect(await json(hidden)).toEqual({ message: '404 Group Not Found' });
  });

  it('lists exactly the projects each user can read', async () => {
    for (const [actor, token] of Object.entries(tokens)) {
      if (actor === 'blocked') continue;
      const listed = (await json<{ id: number }[]>(await call('GET', '/projects', token)))
        .map((project) => project.id)
        .sort();
      const user = w.users[actor as keyof typeof w.users];
      const all = await t.db.select().from(projects);
      const openable = await Promise.all(
        all.map((project) =>
          can(t.db, user, 'read', { kind: 'project', project, group: project.groupId === w.sub.id ? w.sub : w.other }),
        ),
      );
      const readable = all
        .filter((_, index) => openable[index])
        .map((project) => project.id)
        .sort();
      expect(listed, actor).toEqual(readable);
    }
  });

  it('reads a GET sent with a JSON content type and no body, as python-gitlab sends it', async () => {
    const response = await t.app.request(`${API}/projects?per_page=1`, {
      headers: { 'private-token': tokens.maintainer, 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-per-page')).toBe('1');
  });

  it("pages with GitLab's headers and Link", async () => {
    for (const path of ['api', 'web', 'docs'])
      must(await createProject(t.db, { name: path.toUpperCase(), path }, w.sub));
    const response = await call('GET', '/projects?per_page=2&page=2&order_by=path&sort=asc', tokens.owner);
    expect(
      (await json<{ path_with_namespace: string }[]>(response)).map((project) => project.path_with_namespace),
    ).toEqual(['top/sub/docs', 'top/sub/web']);
    expect(
      Object.fromEntries(
        ['x-page', 'x-per-page', 'x-total', 'x-total-pages', 'x-next-page', 'x-prev-page'].map((name) => [
          name,
          response.headers.get(name),
        ]),
      ),
    ).toEqual({
      'x-page': '2',
      'x-per-page': '2',
      'x-total': '4',
      'x-total-pages': '2',
      'x-next-page': '',
      'x-prev-page': '1',
    });
    const link = response.headers.get('link')!;
    expect(link).toContain(
      '<http://localhost:3000/api/v4/projects?per_page=2&page=1&order_by=path&sort=asc>; rel="prev"',
    );
    expect(link).toContain('rel="first"');
    expect(link).toContain('rel="last"');
    expect(link).not.toContain('rel="next"');
  });

  it.each([
    ['page=abc', { error: 'page is invalid' }],
    ['per_page=1.5', { error: 'per_page is invalid' }],
    ['order_by=password', { error: 'order_by does not have a valid value' }],
    ['sort=sideways', { error: 'sort does not have a valid value' }],
  ])('refuses %s with 400', async (query, body) => {
    const response = await call('GET', `/projects?${query}`, tokens.owner);
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual(body);
  });

  it('answers an unknown path with 404 JSON', async () => {
    const response = await call('GET', '/projects/1/pipelines', tokens.admin);
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ error: '404 Not Found' });
  });
});

describe('project integrations', () => {
  const url = () => `/projects/${w.project.id}/integrations`;

  it('lists the active integrations only, as GitLab does', async () => {
    expect(await json(await call('GET', url(), tokens.reporter))).toEqual([]);
    await saveInstanceSlack(t.app, w.cookies.admin!);
    const [slack, ...rest] = await json<Record<string, unknown>[]>(await call('GET', url(), tokens.reporter));
    expect(rest).toEqual([]);
    expect(slack).toMatchObject({
      slug: 'slack',
      title: 'Slack notifications',
      active: true,
      inherited: true,
      id: expect.any(Number),
    });
    expect(slack).not.toHaveProperty('properties');
  });

  it('answers 404 for a type nobody configured', async () => {
    const response = await call('GET', `${url()}/slack`, tokens.reporter);
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ message: '404 Integration Not Found' });
  });

  it("saves custom settings from JSON, in GitLab's shape, never showing the webhook, with the audit event the page writes", async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!, { channel: '#general' });
    const response = await call('PUT', `${url()}/slack`, tokens.maintainer, {
      webhook: WEBHOOK,
      username: 'deploy-bot',
      notify_only_broken_pipelines: false,
      push_events: false,
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain('SECRET-PART');
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body).toMatchObject({
      slug: 'slack',
      active: true,
      inherited: false,
      push_events: false,
      issues_events: true,
      properties: { username: 'deploy-bot', channel: '#general', notify_only_broken_pipelines: false },
      inherits_from: { level: 'instance', id: null, full_path: null },
      sources: { webhook: 'project', username: 'project', channel: 'project', push_events: 'project' },
      enforced: {},
    });
    expect(body.id).toEqual(expect.any(Number));
    expect(body.created_at).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(body.properties).not.toHaveProperty('webhook');
    const [event] = (await events()).filter((e) => e.projectId === w.project.id);
    expect(event).toMatchObject({ action: 'settings.saved', actorName: 'maintainer', integration: 'slack' });

    const page = await (
      await get(t.app, `${projectIntegrations('top/sub/app')}/slack`, { cookie: w.cookies.maintainer })
    ).text();
    expect(page).toContain('value="deploy-bot"');
    expect(page).not.toContain('SECRET-PART');
  });

  it('takes form-encoded parameters and keeps the stored webhook when none is sent', async () => {
    await call('PUT', `${url()}/slack`, tokens.maintainer, { webhook: WEBHOOK, channel: '#first' });
    const response = await call(
      'PUT',
      `${url()}/slack`,
      tokens.maintainer,
      { channel: '#second', tag_push_events: 'false' },
      true,
    );
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({
      properties: { channel: '#second' },
      tag_push_events: false,
      active: true,
    });
  });

  it('reads booleans as GitLab does: active=t saves the integration active, like use_inherited_settings=t', async () => {
    const response = await call(
      'PUT',
      `${url()}/slack`,
      tokens.maintainer,
      { webhook: WEBHOOK, active: 't', push_events: 'NO' },
      true,
    );
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ active: true, push_events: false });
    expect(await json(await slackOfApp())).toMatchObject({ active: true, push_events: false });
  });

  it.each([
    ['active', { active: 'maybe' }],
    ['push_events', { push_events: 'yes please' }],
    ['notify_only_broken_pipelines', { notify_only_broken_pipelines: 'tRuE' }],
    ['use_inherited_settings', { use_inherited_settings: 'sometimes' }],
  ])('refuses %s that is not a boolean with 400 and changes nothing', async (name, params) => {
    await call('PUT', `${url()}/slack`, tokens.maintainer, { webhook: WEBHOOK, channel: '#kept' });
    const before = await json(await slackOfApp());
    const response = await call('PUT', `${url()}/slack`, tokens.maintainer, { channel: '#changed', ...params }, true);
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: `${name} is invalid` });
    expect(await json(await slackOfApp())).toEqual(before);
    expect((await events()).filter((e) => e.projectId === w.project.id)).toHaveLength(1);
  });

  it('takes values from the level above with inherited_fields, and says where each comes from', async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!, { channel: '#general', username: 'instance-bot' });
    const response = await call(
      'PUT',
      `${url()}/slack`,
      tokens.maintainer,
      { channel: '#app', 'inherited_fields[]': ['webhook', 'username'] },
      true,
    );
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({
      properties: { channel: '#app', username: 'instance-bot' },
      sources: { webhook: 'instance', username: 'instance', channel: 'project' },
    });
  });

  it('switches back to the inherited settings with use_inherited_settings', async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!, { channel: '#general' });
    await call('PUT', `${url()}/slack`, tokens.maintainer, { webhook: WEBHOOK, channel: '#app' });
    const response = await call('PUT', `${url()}/slack`, tokens.maintainer, { use_inherited_settings: true });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({
      inherited: true,
      id: expect.any(Number),
      properties: { channel: '#general' },
      sources: { channel: 'instance' },
    });
    expect((await events()).filter((e) => e.projectId === w.project.id).map((e) => e.action)).toEqual([
      'settings.saved',
      'settings.inherited',
    ]);
  });

  it.each([
    [
      'a webhook that is not a URL',
      { webhook: 'not a url' },
      { webhook: ['Webhook URL must be a valid URL (http or https)'] },
    ],
    [
      'a choice not offered',
      { webhook: WEBHOOK, branches_to_be_notified: 'some' },
      {
        branches_to_be_notified: ['Branches for which notifications are to be sent is not one of the offered choices'],
      },
    ],
  ])('refuses %s with 400 and the message per field, saving nothing', async (_case, params, message) => {
    const response = await call('PUT', `${url()}/slack`, tokens.maintainer, params);
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ message });
    expect(await events()).toEqual([]);
  });

  it.each([
    ['a parameter of the wrong kind', { webhook: { url: WEBHOOK } }, 'webhook is invalid'],
    [
      'an unknown inherited field',
      { inherited_fields: ['password'] },
      'inherited_fields does not have a valid value: password',
    ],
  ])('refuses %s with 400', async (_case, params, error) => {
    const response = await call('PUT', `${url()}/slack`, tokens.maintainer, params);
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error });
  });

  it('refuses a body that is not JSON, and one that is too large', async () => {
    const broken = await t.app.request(`${API}${url()}/slack`, {
      method: 'PUT',
      headers: { 'private-token': tokens.maintainer, 'content-type': 'application/json' },
      body: '{"webhook":',
    });
    expect(broken.status).toBe(400);
    expect(await json(broken)).toEqual({ error: 'The request body is not valid JSON.' });
    const huge = await call('PUT', `${url()}/slack`, tokens.maintainer, { channel: 'x'.repeat(300 * 1024) });
    expect(huge.status).toBe(413);
  });

  it('refuses a URL into the local network, as the page does, and saves nothing', async () => {
    for (const webhook of ['http://127.0.0.1/hook', 'http://169.254.169.254/latest', 'http://localhost:8080/hook']) {
      const refused = await call('PUT', `${url()}/slack`, tokens.maintainer, { webhook });
      expect(refused.status).toBe(400);
      expect(await json(refused)).toEqual({ message: { webhook: ['Requests to the local network are not allowed'] } });
    }
    expect((await slackOfApp()).status).toBe(404);
  });

  it('refuses to change a value the instance enforces, with 422 and the reason', async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!, { username: 'company-bot' });
    const store = new SettingsStore(t.db, 'any-key-base-is-fine-for-enforcement-0123456789');
    await store.setEnforcement(
      INSTANCE_OWNER,
      'slack',
      { keys: ['username'], reason: 'one bot for the company' },
      (await store.findOwn(INSTANCE_OWNER, 'slack'))!.version,
    );

    const shown = await json(await slackOfApp());
    expect(shown).toMatchObject({
      enforced: { username: { level: 'instance', reason: 'one bot for the company' } },
      properties: { username: 'company-bot' },
    });

    const refused = await call('PUT', `${url()}/slack`, tokens.maintainer, { webhook: WEBHOOK, username: 'my-bot' });
    expect(refused.status).toBe(422);
    expect(await json(refused)).toEqual({
      message: { username: ['Username is enforced by Instance: one bot for the company'] },
    });

    const allowed = await call('PUT', `${url()}/slack`, tokens.maintainer, { webhook: WEBHOOK, channel: '#app' });
    expect(allowed.status).toBe(200);
  });

  it("accepts GitLab's underscored slugs", async () => {
    const response = await call('PUT', `${url()}/microsoft_teams`, tokens.maintainer, {
      webhook: 'https://example.webhook.office.com/x',
    });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ slug: 'microsoft-teams', active: true });
  });

  it('lets a reporter read but not write, and hides the project from a stranger', async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!);
    expect((await slackOfApp(tokens.reporter)).status).toBe(200);
    const refused = await call('PUT', `${url()}/slack`, tokens.reporter, { webhook: WEBHOOK });
    expect(refused.status).toBe(403);
    expect(await json(refused)).toEqual({ message: '403 Forbidden' });
    const hidden = await call('GET', `/projects/${w.otherProject.id}/integrations`, tokens.maintainer);
    expect(hidden.status).toBe(404);
    expect(await json(hidden)).toEqual({ message: '404 Project Not Found' });
  });
});

describe('group and instance integrations', () => {
  it('saves a group default that its project then inherits', async () => {
    const saved = await call('PUT', '/groups/top%2Fsub/integrations/slack', tokens.owner, {
      webhook: WEBHOOK,
      channel: '#sub',
    });
    expect(saved.status).toBe(200);
    expect(await json(saved)).toMatchObject({
      inherited: false,
      properties: { channel: '#sub' },
      sources: { channel: 'group' },
    });
    expect(await json(await slackOfApp())).toMatchObject({
      inherited: true,
      properties: { channel: '#sub' },
      inherits_from: { level: 'group', full_path: 'top/sub' },
    });
  });

  it('lets administrators set the instance default, and nobody else', async () => {
    const base = '/admin/application_settings/integrations/slack';
    const refused = await call('PUT', base, tokens.owner, { webhook: WEBHOOK });
    expect(refused.status).toBe(403);
    expect(await json(refused)).toEqual({ message: '403 Forbidden' });

    const saved = await call('PUT', base, tokens.admin, { webhook: WEBHOOK, channel: '#all' });
    expect(saved.status).toBe(200);
    expect(await json(saved)).toMatchObject({
      inherited: false,
      inherits_from: null,
      sources: { channel: 'instance' },
    });
    expect(await json(await slackOfApp())).toMatchObject({ properties: { channel: '#all' } });
    expect((await events()).map((e) => [e.action, e.level])).toEqual([['settings.saved', 'instance']]);

    const nothingAbove = await call('PUT', base, tokens.admin, { use_inherited_settings: true });
    // Beyond GitLab (which has no instance level): the instance inherits from nothing, ever.
    expect(nothingAbove.status).toBe(400);
    expect(await json(nothingAbove)).toEqual({
      error: 'use_inherited_settings is not available for the instance: it inherits from nothing',
    });

    expect((await call('DELETE', base, tokens.admin)).status).toBe(204);
    expect(await json(await slackOfApp())).toMatchObject({ active: false, inherited: true });
  });
});

/** The project's Slack page as its maintainer sees it: which settings it uses, and whether Enabled is on (ticked, or "Yes" where inherited). */
async function slackPageOfApp() {
  const html = await (
    await get(t.app, `${projectIntegrations('top/sub/app')}/slack`, { cookie: w.cookies.maintainer })
  ).text();
  return {
    inheritance: /<option value="(inherit|custom)" selected/.exec(html)?.[1],
    enabled:
      /<input\b[^>]*\btype="checkbox"[^>]*\bname="active"[^>]*\bchecked\b/.test(html) ||
      shownValueOf(html, 'active') === 'Yes',
  };
}

describe('disabling an integration as GitLab does (DELETE)', () => {
  const url = () => `/projects/${w.project.id}/integrations/slack`;

  it('leaves an inheriting project with settings of its own that say "not active", audited, and the page says so', async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!, { channel: '#general' });
    expect(await slackPageOfApp()).toEqual({ inheritance: 'inherit', enabled: true });

    const response = await call('DELETE', url(), tokens.maintainer);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');

    const shown = await slackOfApp();
    expect(shown.status).toBe(200);
    expect(await json(shown)).toMatchObject({ active: false, inherited: false, sources: { active: 'project' } });
    expect(await json(await call('GET', `/projects/${w.project.id}/integrations`, tokens.maintainer))).toEqual([]);
    expect(await slackPageOfApp()).toEqual({ inheritance: 'custom', enabled: false });
    const [event] = (await events()).filter((e) => e.projectId === w.project.id);
    expect(event).toMatchObject({ action: 'settings.disabled', actorName: 'maintainer', integration: 'slack' });
  });

  it('drops the custom values of a project that had its own, so it keeps nothing but "not active"', async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!, { channel: '#general' });
    await call('PUT', url(), tokens.maintainer, { webhook: WEBHOOK, channel: '#app', push_events: false });
    expect((await call('DELETE', url(), tokens.maintainer)).status).toBe(204);
    expect(await json(await slackOfApp())).toMatchObject({
      active: false,
      inherited: false,
      push_events: true,
      properties: { channel: '#general' },
      sources: { active: 'project', channel: 'instance', push_events: 'instance', webhook: 'instance' },
    });
    expect((await events()).filter((e) => e.projectId === w.project.id).map((e) => e.action)).toEqual([
      'settings.saved',
      'settings.disabled',
    ]);
  });

  it('disables a group default for the projects that inherit it', async () => {
    await call('PUT', '/groups/top%2Fsub/integrations/slack', tokens.owner, { webhook: WEBHOOK, channel: '#sub' });
    expect((await call('DELETE', '/groups/top%2Fsub/integrations/slack', tokens.owner)).status).toBe(204);
    expect(await json(await call('GET', '/groups/top%2Fsub/integrations/slack', tokens.owner))).toMatchObject({
      active: false,
      inherited: false,
    });
    expect(await json(await slackOfApp())).toMatchObject({
      active: false,
      inherited: true,
      inherits_from: { level: 'group', full_path: 'top/sub' },
    });
  });

  it('answers 404 for a type no level configured, and writes nothing', async () => {
    const response = await call('DELETE', url(), tokens.maintainer);
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ message: '404 Integration Not Found' });
    expect((await slackOfApp()).status).toBe(404);
    expect(await events()).toEqual([]);
  });

  it('records a second DELETE of a disabled integration once: it is already as asked', async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!);
    expect((await call('DELETE', url(), tokens.maintainer)).status).toBe(204);
    expect((await call('DELETE', url(), tokens.maintainer)).status).toBe(204);
    expect((await events()).filter((e) => e.projectId === w.project.id)).toHaveLength(1);
  });

  it('refuses to turn off what a level above enforces as enabled, with 422, changing nothing', async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!);
    const store = new SettingsStore(t.db, 'any-key-base-is-fine-for-enforcement-0123456789');
    await store.setEnforcement(
      INSTANCE_OWNER,
      'slack',
      { keys: ['active'], reason: 'every project reports' },
      (await store.findOwn(INSTANCE_OWNER, 'slack'))!.version,
    );
    const response = await call('DELETE', url(), tokens.maintainer);
    expect(response.status).toBe(422);
    expect(await json(response)).toEqual({
      message: { active: ['Enabled is enforced by Instance: every project reports'] },
    });
    expect(await json(await slackOfApp())).toMatchObject({ active: true, inherited: true });
    expect((await events()).filter((e) => e.projectId === w.project.id)).toEqual([]);
  });

  it('is refused to a reporter (403) before anything else', async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!);
    const refused = await call('DELETE', url(), tokens.reporter);
    expect(refused.status).toBe(403);
    expect(await json(await slackOfApp())).toMatchObject({ active: true, inherited: true });
  });
});

describe("GitLab's errors on the integrations API", () => {
  const url = () => `/projects/${w.project.id}/integrations`;
  const rows = async () => (await t.db.select().from(auditEvents)).length;

  it.each([
    ['nothing at all', {}, 'webhook is missing'],
    ['other values only', { channel: '#app', push_events: false }, 'webhook is missing'],
  ])(
    'answers a PUT that leaves out a required value nobody sets (%s) with "webhook is missing"',
    async (_case, params, error) => {
      for (const form of [false, true]) {
        const response = await call('PUT', `${url()}/slack`, tokens.maintainer, params, form);
        expect(response.status).toBe(400);
        expect(await json(response)).toEqual({ error });
      }
      expect((await slackOfApp()).status).toBe(404);
      expect(await rows()).toBe(0);
    },
  );

  it('names every missing parameter, as grape does', async () => {
    const response = await call('PUT', `${url()}/jira`, tokens.maintainer, { username: 'bot' });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: 'url is missing, password is missing' });
  });

  it('takes the required value from a level above that sets it, as before', async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!);
    const response = await call('PUT', `${url()}/slack`, tokens.maintainer, { channel: '#app' });
    expect(response.status).toBe(200);
  });

  it('keeps the per-parameter message for a required value that is sent blank', async () => {
    const response = await call('PUT', `${url()}/slack`, tokens.maintainer, { webhook: '' });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ message: { webhook: ['Webhook URL is required'] } });
  });

  it.each(['GET', 'DELETE'])(
    'answers %s of a slug that is no type with 400 "slug does not have a valid value"',
    async (method) => {
      for (const slug of ['no-such-thing', 'SLACK', '%E2%98%83']) {
        const response = await call(method, `${url()}/${slug}`, tokens.maintainer);
        expect(response.status).toBe(400);
        expect(await json(response)).toEqual({ error: 'slug does not have a valid value' });
      }
      expect(await rows()).toBe(0);
    },
  );

  it('answers PUT of a slug that is no type with the 404 of a route that does not exist', async () => {
    const response = await call('PUT', `${url()}/no-such-thing`, tokens.maintainer, { webhook: WEBHOOK });
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ error: '404 Not Found' });
  });

  it.each(['GET', 'PUT', 'DELETE'])(
    'answers %s of a project-only type on a group with "400 Integration not available"',
    async (method) => {
      const response = await call(
        method,
        '/groups/top%2Fsub/integrations/jenkins',
        tokens.owner,
        method === 'PUT' ? {} : undefined,
      );
      expect(response.status).toBe(400);
      expect(await json(response)).toEqual({ message: '400 Integration not available' });
    },
  );

  it('answers use_inherited_settings with nothing to inherit as GitLab does, saving nothing', async () => {
    const response = await call('PUT', `${url()}/slack`, tokens.maintainer, { use_inherited_settings: true });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ message: 'Default integration not found.' });
    expect(await rows()).toBe(0);
  });

  it.each([
    ['text/plain', 'webhook=https://hooks.slack.com/services/T/B/X'],
    ['application/xml', '<webhook>https://hooks.slack.com/services/T/B/X</webhook>'],
    ['text/plain; charset=utf-8', '{"webhook": "https://hooks.slack.com/services/T/B/X"}'],
  ])('refuses a body of type %s with 415, never saving it as "no parameters"', async (contentType, body) => {
    await saveInstanceSlack(t.app, w.cookies.admin!);
    const response = await t.app.request(`${API}${url()}/slack`, {
      method: 'PUT',
      headers: { 'private-token': tokens.maintainer, 'content-type': contentType },
      body,
    });
    expect(response.status).toBe(415);
    expect(await json(response)).toEqual({
      error: `The provided content-type '${contentType.split(';')[0]}' is not supported.`,
    });
    expect(await json(await slackOfApp())).toMatchObject({ inherited: true });
    expect((await events()).filter((e) => e.projectId === w.project.id)).toEqual([]);
  });

  it('reads a body without a Content-Type as JSON, as grape does', async () => {
    const response = await t.app.request(`${API}${url()}/slack`, {
      method: 'PUT',
      headers: { 'private-token': tokens.maintainer },
      body: new TextEncoder().encode(JSON.stringify({ webhook: WEBHOOK, channel: '#raw' })),
    });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ properties: { channel: '#raw' } });
  });

  it('sends no WWW-Authenticate without a token, with an unknown one, or to a token without the api scope', async () => {
    const readOnly = await apiToken(t.db, w.users.maintainer, ['read_api']);
    for (const [token, status] of [
      [undefined, 401],
      ['glpat-not-a-real-token', 401],
      [readOnly, 403],
    ] as const) {
      const response = await call('PUT', `${url()}/slack`, token, { webhook: WEBHOOK });
      expect(response.status).toBe(status);
      expect(response.headers.get('www-authenticate')).toBeNull();
    }
  });
});

describe('versions: without one the last write wins, with a stale one a 409', () => {
  const url = () => `/projects/${w.project.id}/integrations/slack`;

  it('shows the version of the own settings, 0 while the level has none', async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!);
    expect(await json(await slackOfApp())).toMatchObject({ version: 0, inherited: true });
    const saved = await json(await call('PUT', url(), tokens.maintainer, { channel: '#one' }));
    expect(saved.version).toEqual(expect.any(Number));
    expect(saved.version).toBeGreaterThan(0);
  });

  it('saves with the version it read, and refuses a save made after it with 409, changing nothing', async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!);
    const { version } = await json<{ version: number }>(
      await call('PUT', url(), tokens.maintainer, { channel: '#first' }),
    );
    const second = await call('PUT', url(), tokens.maintainer, { channel: '#second', version });
    expect(second.status).toBe(200);
    const stale = await call('PUT', url(), tokens.maintainer, { channel: '#stale', version: String(version) }, true);
    expect(stale.status).toBe(409);
    expect(await json(stale)).toEqual({
      message: `409 Conflict: The settings changed after version ${version}; read them again and retry.`,
    });
    expect(await json(await slackOfApp())).toMatchObject({ properties: { channel: '#second' } });
    // Without a version, the same client simply wins.
    const unversioned = await call('PUT', url(), tokens.maintainer, { channel: '#last' });
    expect(unversioned.status).toBe(200);
    expect(await json(unversioned)).toMatchObject({ properties: { channel: '#last' } });
  });

  it('takes version 0 as "no settings of its own yet"', async () => {
    await saveInstanceSlack(t.app, w.cookies.admin!);
    expect((await call('PUT', url(), tokens.maintainer, { channel: '#new', version: 0 })).status).toBe(200);
    expect((await call('PUT', url(), tokens.maintainer, { channel: '#again', version: 0 })).status).toBe(409);
  });

  it.each([['-1'], ['1.5'], ['one'], [{ n: 1 }], [true]])(
    'refuses version %j with 400, saving nothing',
    async (version) => {
      await saveInstanceSlack(t.app, w.cookies.admin!);
      const response = await call('PUT', url(), tokens.maintainer, { channel: '#x', version });
      expect(response.status).toBe(400);
      expect(await json(response)).toEqual({ error: 'version is invalid' });
      expect(await json(await slackOfApp())).toMatchObject({ inherited: true });
    },
  );
});

describe('/projects/:id/services, the older name', () => {
  const services = () => `/projects/${w.project.id}/services`;
  const integrations = () => `/projects/${w.project.id}/integrations`;

  it('answers as /integrations does: save, read, list and disable', async () => {
    const saved = await call('PUT', `${services()}/slack`, tokens.maintainer, { webhook: WEBHOOK, channel: '#old' });
    expect(saved.status).toBe(200);
    expect(await json(saved)).toEqual(await json(await call('GET', `${integrations()}/slack`, tokens.maintainer)));
    expect(await json(await call('GET', `${services()}/slack`, tokens.maintainer))).toEqual(
      await json(await call('GET', `${integrations()}/slack`, tokens.maintainer)),
    );
    expect(await json(await call('GET', services(), tokens.reporter))).toEqual(
      await json(await call('GET', integrations(), tokens.reporter)),
    );
    expect((await call('DELETE', `${services()}/slack`, tokens.maintainer)).status).toBe(204);
    expect(await json(await call('GET', `${integrations()}/slack`, tokens.maintainer))).toMatchObject({
      active: false,
    });
  });

  it("gives the same errors and permissions: GitLab's 400 for an unknown slug, 403 to a reporter", async () => {
    const unknown = await call('GET', `${services()}/no-such-thing`, tokens.maintainer);
    expect(unknown.status).toBe(400);
    expect(await json(unknown)).toEqual({ error: 'slug does not have a valid value' });
    const refused = await call('PUT', `${services()}/slack`, tokens.reporter, { webhook: WEBHOOK });
    expect(refused.status).toBe(403);
  });

  it('is not offered for groups, as in GitLab', async () => {
    const response = await call('GET', '/groups/top%2Fsub/services', tokens.owner);
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ error: '404 Not Found' });
  });
});
