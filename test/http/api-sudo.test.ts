/**
 * Sudo as GitLab allows it: an administrator's token with the `sudo` scope acts as another user
 * (by username or id, in the Sudo header or the sudo parameter), with that user's permissions and
 * in the audit trail as them; every other token gets GitLab's refusals. Only administrators may
 * give a token the scope.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createPersonalAccessToken, daysAhead } from '../../src/auth/tokens.js';
import { writeConnection } from '../../src/db/client.js';
import { auditEvents, users } from '../../src/db/schema.js';
import { eq } from 'drizzle-orm';
import { apiRequest, apiToken, json } from '../support/api.js';
import { createTestApp, get, post, type TestApp } from '../support/app.js';
import { type World, openWorld } from '../support/world.js';

const API = '/api/v4';
const TOKENS = '/-/user_settings/personal_access_tokens';
const SLACK = { webhook: 'https://hooks.slack.com/services/T000/B000/SUDO', channel: '#sudo' };

let t: TestApp;
let w: World;
/** The administrator's token with the api and sudo scopes. */
let sudoToken: string;

beforeEach(async () => {
  const opened = await openWorld();
  t = await createTestApp({ db: opened.db });
  w = opened.world;
  sudoToken = await apiToken(t.db, w.users.admin, ['api', 'sudo']);
});

const call = (method: string, url: string, token: string, sudo?: string, params?: Record<string, unknown>) =>
  apiRequest(t.app, method, `${API}${url}`, { token, params, headers: sudo === undefined ? {} : { sudo } });

describe('acting as another user', () => {
  it('runs the request as the user the Sudo header names, by username (any case) or id', async () => {
    for (const sudo of ['reporter', 'REPORTER', String(w.users.reporter.id)]) {
      const response = await call('GET', '/user', sudoToken, sudo);
      expect(response.status, sudo).toBe(200);
      expect(await json(response)).toMatchObject({ id: w.users.reporter.id, username: 'reporter', is_admin: false });
    }
    const byParameter = await apiRequest(t.app, 'GET', `${API}/user?sudo=developer`, { token: sudoToken });
    expect(await json(byParameter)).toMatchObject({ username: 'developer' });
    expect(await json(await call('GET', '/user', sudoToken))).toMatchObject({ username: 'admin' });
  });

  it("has the user's permissions, not the administrator's", async () => {
    const hidden = await call('GET', `/projects/${w.otherProject.id}`, sudoToken, 'reporter');
    expect(hidden.status).toBe(404);
    expect(await json(hidden)).toEqual({ message: '404 Project Not Found' });
    const listed = await json<{ id: number }[]>(await call('GET', '/projects', sudoToken, 'reporter'));
    expect(listed.map((project) => project.id)).toEqual([w.project.id]);
    const refused = await call('PUT', `/projects/${w.project.id}/integrations/slack`, sudoToken, 'developer', SLACK);
    expect(refused.status).toBe(403);
    expect(await t.db.select().from(auditEvents)).toEqual([]);
  });

  it('records the change in the audit trail as the user it acts as', async () => {
    const saved = await call('PUT', `/projects/${w.project.id}/integrations/slack`, sudoToken, 'maintainer', SLACK);
    expect(saved.status).toBe(200);
    const [event] = await t.db.select().from(auditEvents);
    expect(event).toMatchObject({ actorId: w.users.maintainer.id, actorName: 'maintainer', action: 'settings.saved' });
  });
});

describe("GitLab's refusals", () => {
  it('refuses Sudo to a token whose user is not an administrator', async () => {
    const response = await call('GET', '/user', await apiToken(t.db, w.users.owner), 'reporter');
    expect(response.status).toBe(403);
    expect(await json(response)).toEqual({ message: '403 Forbidden - Must be admin to use sudo' });
  });

  it("refuses Sudo to an administrator's token without the sudo scope, as insufficient_scope", async () => {
    const response = await call('GET', '/user', await apiToken(t.db, w.users.admin, ['api']), 'reporter');
    expect(response.status).toBe(403);
    expect(await json(response)).toEqual({
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the access token.',
      scope: 'sudo',
    });
  });

  it('answers 404 for a user that does not exist', async () => {
    for (const sudo of ['nobody', '999999', '99999999999999999999']) {
      const response = await call('GET', '/user', sudoToken, sudo);
      expect(response.status).toBe(404);
      expect(await json(response)).toEqual({ message: `404 User with ID or username '${sudo}' Not Found` });
    }
  });

  it('still needs the api scope to write', async () => {
    const readOnly = await apiToken(t.db, w.users.admin, ['read_api', 'sudo']);
    const response = await call('PUT', `/projects/${w.project.id}/integrations/slack`, readOnly, 'maintainer', SLACK);
    expect(response.status).toBe(403);
    expect(await json(response)).toMatchObject({ error: 'insufficient_scope', scope: 'api' });
    expect(await json(await call('GET', '/user', readOnly, 'maintainer'))).toMatchObject({ username: 'maintainer' });
  });

  it("stops working for Sudo when the token's user is no longer an administrator", async () => {
    await writeConnection(t.db).update(users).set({ isAdmin: false }).where(eq(users.id, w.users.admin.id));
    const response = await call('GET', '/user', sudoToken, 'reporter');
    expect(response.status).toBe(403);
    expect(await json(response)).toEqual({ message: '403 Forbidden - Must be admin to use sudo' });
  });
});

describe('the sudo scope on the token form', () => {
  it('is offered to administrators only', async () => {
    const admin = await (await get(t.app, TOKENS, { cookie: w.cookies.admin! })).text();
    expect(admin).toContain('name="scopes" value="sudo"');
    const owner = await (await get(t.app, TOKENS, { cookie: w.cookies.owner! })).text();
    expect(owner).not.toContain('value="sudo"');
  });

  it('gives an administrator a sudo token, and refuses the scope to anyone else', async () => {
    const created = await post(
      t.app,
      TOKENS,
      { name: 'Support', scopes: ['api', 'sudo'], expires_at: daysAhead(new Date(), 5) },
      { cookie: w.cookies.admin! },
    );
    expect(created.status).toBe(201);
    const token = /value="(glpat-[^"]+)"/.exec(await created.text())![1]!;
    expect(await json(await call('GET', '/user', token, 'owner'))).toMatchObject({ username: 'owner' });

    const refused = await post(
      t.app,
      TOKENS,
      { name: 'Sneaky', scopes: ['api', 'sudo'], expires_at: daysAhead(new Date(), 5) },
      { cookie: w.cookies.owner! },
    );
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('Scopes can be api or read_api');
    const direct = await createPersonalAccessToken(t.db, w.users.owner, {
      name: 'Sneaky',
      scopes: ['sudo'],
      expires_at: daysAhead(new Date(), 5),
    });
    expect(direct.ok).toBe(false);
  });
});
