/**
 * Where an inherited secret may go: only to the servers of the level that set it. A project
 * Maintainer below a group that set Jira credentials points the project at a server of their
 * own ("the attacker's"), by every path the pages and the API offer, and must never receive
 * the group's secret there, nor find it paired with their URL in the effective settings.
 */
import { describe, expect, it } from 'vitest';
import { integrationSettings } from '../../src/db/schema.js';
import { apiRequest, apiToken } from '../support/api.js';
import { createTestApp, fieldErrorOf, get, post, textOf, type TestApp } from '../support/app.js';
import { groupIntegrations, projectIntegrations } from '../support/integrations.js';
import { receiverForFile, type Receiver } from '../support/receiver.js';
import { buildWorld, type World } from '../support/world.js';

const HTMX = { 'hx-request': 'true' };
const NETWORK = '/admin/application_settings/network';
const GROUP_PASSWORD = 'group-jira-password-0451';

/** The group's Jira server, and a server the project's Maintainer controls. */
const groupServer = receiverForFile();
const attackerServer = receiverForFile();

type Setup = TestApp & { world: World; projectJira: string };

/** Both servers on the allowlisted loopback address; group "top" with its Jira credentials. */
async function setup(): Promise<Setup> {
  const test = createTestApp({ outbound: { timeoutMs: 500 } });
  const world = await buildWorld(test.db);
  await post(test.app, NETWORK, { allow_local_requests: '0', outbound_allowlist: '127.0.0.1' }, { cookie: world.cookies.admin });
  const groupJira = { _version: '0', inheritance: 'custom', active: '1', url: `${groupServer().origin}/jira`, username: 'top-bot', password: GROUP_PASSWORD, jira_auth_type: '0', _confirmed: '1' };
  expect((await post(test.app, `${groupIntegrations('top')}/jira`, groupJira, { cookie: world.cookies.owner })).status).toBe(303);
  return { ...test, world, projectJira: `${projectIntegrations(world.project.fullPath)}/jira` };
}

/** Everything a server was sent, Basic credentials decoded. */
function everythingSentTo(receiver: Receiver): string {
  return receiver.received
    .map(({ path, headers, body }) => {
      const basic = /^Basic (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
      return [path, JSON.stringify(headers), body, basic ? Buffer.from(basic, 'base64').toString('utf8') : ''].join('\n');
    })
    .join('\n');
}

const attackerForm = (extra: Record<string, string | string[]> = {}) => ({
  inheritance: 'custom',
  active: '1',
  url: `${attackerServer().origin}/jira`,
  username: 'mallory',
  jira_auth_type: '0',
  ...extra,
});

describe('an inherited Jira password', () => {
  it('is used for the group\'s own Web URL when the project inherits it (the servers work)', async () => {
    const t = await setup();
    const response = await post(t.app, `${t.projectJira}/test`, { _version: '0', inheritance: 'inherit' }, { cookie: t.world.cookies.maintainer, headers: HTMX });
    expect(textOf(await response.text())).toMatch(/^Connection successful\./);
    expect(everythingSentTo(groupServer())).toContain(`top-bot:${GROUP_PASSWORD}`);
  });

  it('never reaches a Web URL the project set, after a save with a dummy password and one inheriting the password', async () => {
    const t = await setup();
    const cookie = t.world.cookies.maintainer;
    expect((await post(t.app, t.projectJira, { _version: '0', ...attackerForm({ password: 'dummy' }) }, { cookie })).status).toBe(303);

    const inheritingPassword = { _version: '1', ...attackerForm({ _inherit: 'password' }) };
    const saved = await post(t.app, t.projectJira, inheritingPassword, { cookie });
    const tested = await post(t.app, `${t.projectJira}/test`, inheritingPassword, { cookie, headers: HTMX });
    expect(everythingSentTo(attackerServer())).not.toContain(GROUP_PASSWORD);

    const entered = "Enter the API token, password, or personal access token again: the one set in Top is only sent to Top's Web URL";
    expect(saved.status).toBe(422);
    expect(fieldErrorOf(await saved.text(), 'password')).toBe(entered);
    expect(tested.status).toBe(422);
    expect(textOf(await tested.text())).toContain(entered);
  });

  it('never reaches a Web URL the project set in one save that inherits the password', async () => {
    const t = await setup();
    const cookie = t.world.cookies.maintainer;
    const form = { _version: '0', ...attackerForm({ _inherit: 'password' }) };
    const saved = await post(t.app, t.projectJira, form, { cookie });
    expect(saved.status).toBe(422);
    await post(t.app, `${t.projectJira}/test`, form, { cookie, headers: HTMX });
    expect(everythingSentTo(attackerServer())).not.toContain(GROUP_PASSWORD);
  });

  it('never reaches a Web URL the project set through the API, and the API asks for the password', async () => {
    const t = await setup();
    const token = apiToken(t.db, t.world.users.maintainer);
    const url = `/api/v4/projects/${t.world.project.id}/integrations/jira`;
    const withoutPassword = await apiRequest(t.app, 'PUT', url, { token, params: { url: `${attackerServer().origin}/jira`, username: 'mallory' } });
    expect(withoutPassword.status).toBe(400);

    expect((await apiRequest(t.app, 'PUT', url, { token, params: { url: `${attackerServer().origin}/jira`, username: 'mallory', password: 'dummy' } })).status).toBe(200);
    const inheriting = await apiRequest(t.app, 'PUT', url, { token, params: { url: `${attackerServer().origin}/jira`, inherited_fields: ['password'] } });
    expect(inheriting.status).toBe(400);
    expect(await inheriting.json()).toEqual({
      message: { password: ["Enter the API token, password, or personal access token again: the one set in Top is only sent to Top's Web URL"] },
    });

    await post(t.app, `${t.projectJira}/test`, { _version: '1', ...attackerForm({ _inherit: 'password' }) }, { cookie: t.world.cookies.maintainer, headers: HTMX });
    expect(everythingSentTo(attackerServer())).not.toContain(GROUP_PASSWORD);
  });

  it("asks for the project's own password again when its Web URL changes, typed or inherited instead", async () => {
    const t = await setup();
    const cookie = t.world.cookies.maintainer;
    expect((await post(t.app, t.projectJira, { _version: '0', ...attackerForm({ password: 'project-password' }) }, { cookie })).status).toBe(303);
    const entered = 'API token, password, or personal access token must be entered again because Web URL changed';
    const moved = await post(t.app, t.projectJira, { _version: '1', ...attackerForm({ url: `${attackerServer().origin}/elsewhere` }) }, { cookie });
    expect(fieldErrorOf(await moved.text(), 'password')).toBe(entered);
    const inheritingUrl = await post(t.app, t.projectJira, { _version: '1', ...attackerForm({ _inherit: 'url' }) }, { cookie });
    expect(fieldErrorOf(await inheritingUrl.text(), 'password')).toBe(entered);
    expect((await post(t.app, t.projectJira, { _version: '1', ...attackerForm({ jira_issue_prefix: 'APP-' }) }, { cookie })).status).toBe(303);
  });

  it('says on the page that a password set above must be entered again for the project\'s own Web URL', async () => {
    const t = await setup();
    const cookie = t.world.cookies.maintainer;
    // Saved before the rule existed: the project's own URL, the password left to the group.
    const fields = { url: `${attackerServer().origin}/jira`, username: 'mallory', jira_auth_type: '0' };
    t.db.insert(integrationSettings).values({ type: 'jira', projectId: t.world.project.id, active: true, fields: JSON.stringify(fields) }).run();
    const page = await (await get(t.app, t.projectJira, { cookie })).text();
    expect(textOf(page)).toContain("Enter the API token, password, or personal access token again: the one set in Top is only sent to Top's Web URL");

    await post(t.app, `${t.projectJira}/test`, { _version: '1', ...attackerForm({ _inherit: 'password' }) }, { cookie, headers: HTMX });
    await post(t.app, `${t.projectJira}/test`, { _version: '1', ...attackerForm() }, { cookie, headers: HTMX });
    expect(everythingSentTo(attackerServer())).not.toContain(GROUP_PASSWORD);
  });
});
