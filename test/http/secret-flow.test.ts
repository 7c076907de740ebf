/**
 * Where an inherited secret may go: only to the servers of the level that set it. A project
 * Maintainer below a group that set Jira credentials points the project at a server of their
 * own ("the attacker's"), by every path the pages and the API offer, and must never receive
 * the group's secret there, nor find it paired with their URL in the effective settings.
 */
import { describe, expect, it } from 'vitest';
import { integrationSettings } from '../../src/db/schema.js';
import { integrationTypes } from '../../src/integrations/index.js';
import type { Field, IntegrationType } from '../../src/integrations/types.js';
import { isSecretField, settingKeys } from '../../src/integrations/validate.js';
import { groupLineage } from '../../src/model/groups.js';
import { groupOwner, projectOwner, settingsChain } from '../../src/settings/owners.js';
import { sameOwner, type SettingsOwner } from '../../src/settings/resolve.js';
import { integrationStates, type SettingsLevel } from '../../src/settings/service.js';
import { SettingsStore } from '../../src/settings/store.js';
import { apiRequest, apiToken } from '../support/api.js';
import { createTestApp, fieldErrorOf, get, post, textOf, type TestApp } from '../support/app.js';
import { allowLoopbackRequests, groupIntegrations, projectIntegrations } from '../support/integrations.js';
import { receiverForFile, type Receiver } from '../support/receiver.js';
import { buildWorld, type World } from '../support/world.js';
import { writeConnection } from '../../src/db/client.js';

const HTMX = { 'hx-request': 'true' };
const GROUP_PASSWORD = 'group-jira-password-0451';

/** The group's Jira server, and a server the project's Maintainer controls. */
const groupServer = receiverForFile();
const attackerServer = receiverForFile();

type Setup = TestApp & { world: World; projectJira: string };

/** Both servers on the allowlisted loopback address; group "top" with its Jira credentials. */
async function setup(): Promise<Setup> {
  const test = await createTestApp({ outbound: { timeoutMs: 500 } });
  const world = await buildWorld(test.db);
  await allowLoopbackRequests(test.app, world.cookies.admin!);
  const groupJira = {
    _version: '0',
    inheritance: 'custom',
    active: '1',
    url: `${groupServer().origin}/jira`,
    username: 'top-bot',
    password: GROUP_PASSWORD,
    jira_auth_type: '0',
    _confirmed: '1',
  };
  expect(
    (await post(test.app, `${groupIntegrations('top')}/jira`, groupJira, { cookie: world.cookies.owner })).status,
  ).toBe(303);
  return { ...test, world, projectJira: `${projectIntegrations(world.project.fullPath)}/jira` };
}

/** Everything a server was sent, Basic credentials decoded. */
function everythingSentTo(receiver: Receiver): string {
  return receiver.received
    .map(({ path, headers, body }) => {
      const basic = /^Basic (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
      return [path, JSON.stringify(headers), body, basic ? Buffer.from(basic, 'base64').toString('utf8') : ''].join(
        '\n',
      );
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
  it("is used for the group's own Web URL when the project inherits it (the servers work)", async () => {
    const t = await setup();
    const response = await post(
      t.app,
      `${t.projectJira}/test`,
      { _version: '0', inheritance: 'inherit' },
      { cookie: t.world.cookies.maintainer, headers: HTMX },
    );
    expect(textOf(await response.text())).toMatch(/^Connection successful\./);
    expect(everythingSentTo(groupServer())).toContain(`top-bot:${GROUP_PASSWORD}`);
  });

  it('never reaches a Web URL the project set, after a save with a dummy password and one inheriting the password', async () => {
    const t = await setup();
    const cookie = t.world.cookies.maintainer;
    expect(
      (await post(t.app, t.projectJira, { _version: '0', ...attackerForm({ password: 'dummy' }) }, { cookie })).status,
    ).toBe(303);

    const inheritingPassword = { _version: '1', ...attackerForm({ _inherit: 'password' }) };
    const saved = await post(t.app, t.projectJira, inheritingPassword, { cookie });
    const tested = await post(t.app, `${t.projectJira}/test`, inheritingPassword, { cookie, headers: HTMX });
    expect(everythingSentTo(attackerServer())).not.toContain(GROUP_PASSWORD);

    const entered =
      "Enter the API token, password, or personal access token again: the one set in Top is only sent to Top's Web URL";
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
    const token = await apiToken(t.db, t.world.users.maintainer);
    const url = `/api/v4/projects/${t.world.project.id}/integrations/jira`;
    const withoutPassword = await apiRequest(t.app, 'PUT', url, {
      token,
      params: { url: `${attackerServer().origin}/jira`, username: 'mallory' },
    });
    expect(withoutPassword.status).toBe(400);

    expect(
      (
        await apiRequest(t.app, 'PUT', url, {
          token,
          params: { url: `${attackerServer().origin}/jira`, username: 'mallory', password: 'dummy' },
        })
      ).status,
    ).toBe(200);
    const inheriting = await apiRequest(t.app, 'PUT', url, {
      token,
      params: { url: `${attackerServer().origin}/jira`, inherited_fields: ['password'] },
    });
    expect(inheriting.status).toBe(400);
    expect(await inheriting.json()).toEqual({
      message: {
        password: [
          "Enter the API token, password, or personal access token again: the one set in Top is only sent to Top's Web URL",
        ],
      },
    });

    await post(
      t.app,
      `${t.projectJira}/test`,
      { _version: '1', ...attackerForm({ _inherit: 'password' }) },
      { cookie: t.world.cookies.maintainer, headers: HTMX },
    );
    expect(everythingSentTo(attackerServer())).not.toContain(GROUP_PASSWORD);
  });

  it("asks for the project's own password again when a URL exposing it changes, typed, added or inherited instead", async () => {
    const t = await setup();
    const cookie = t.world.cookies.maintainer;
    expect(
      (
        await post(
          t.app,
          t.projectJira,
          { _version: '0', ...attackerForm({ password: 'project-password' }) },
          { cookie },
        )
      ).status,
    ).toBe(303);
    const entered = 'API token, password, or personal access token must be entered again because Web URL changed';
    const moved = await post(
      t.app,
      t.projectJira,
      { _version: '1', ...attackerForm({ url: `${attackerServer().origin}/elsewhere` }) },
      { cookie },
    );
    expect(fieldErrorOf(await moved.text(), 'password')).toBe(entered);
    const inheritingUrl = await post(
      t.app,
      t.projectJira,
      { _version: '1', ...attackerForm({ _inherit: 'url' }) },
      { cookie },
    );
    expect(fieldErrorOf(await inheritingUrl.text(), 'password')).toBe(entered);
    const apiUrlAdded = await post(
      t.app,
      t.projectJira,
      { _version: '1', ...attackerForm({ api_url: `${attackerServer().origin}/api` }) },
      { cookie },
    );
    expect(fieldErrorOf(await apiUrlAdded.text(), 'password')).toBe(
      'API token, password, or personal access token must be entered again because Jira API URL changed',
    );
    expect(
      (await post(t.app, t.projectJira, { _version: '1', ...attackerForm({ jira_issue_prefix: 'APP-' }) }, { cookie }))
        .status,
    ).toBe(303);
  });

  it("says on the page that a password set above must be entered again for the project's own Web URL", async () => {
    const t = await setup();
    const cookie = t.world.cookies.maintainer;
    // Saved before the rule existed: the project's own URL, the password left to the group.
    const fields = { url: `${attackerServer().origin}/jira`, username: 'mallory', jira_auth_type: '0' };
    await writeConnection(t.db)
      .insert(integrationSettings)
      .values({ type: 'jira', projectId: t.world.project.id, active: true, fields: JSON.stringify(fields) });
    const page = await (await get(t.app, t.projectJira, { cookie })).text();
    expect(textOf(page)).toContain(
      "Enter the API token, password, or personal access token again: the one set in Top is only sent to Top's Web URL",
    );

    await post(
      t.app,
      `${t.projectJira}/test`,
      { _version: '1', ...attackerForm({ _inherit: 'password' }) },
      { cookie, headers: HTMX },
    );
    await post(t.app, `${t.projectJira}/test`, { _version: '1', ...attackerForm() }, { cookie, headers: HTMX });
    expect(everythingSentTo(attackerServer())).not.toContain(GROUP_PASSWORD);
  });
});

/**
 * Settings a group sets for each type that has a secret and fields exposing it, pointing at the
 * group's server; the secrets are filled in by {@link secretsOf}.
 */
const SETTINGS_ABOVE: Record<string, (server: string) => Record<string, string>> = {
  jira: (server) => ({ url: `${server}/jira`, username: 'top-bot', jira_auth_type: '0' }),
  telegram: (server) => ({ hostname: `${server}/telegram`, room: '@top' }),
  datadog: (server) => ({ api_url: `${server}/datadog/api`, datadog_site: 'datadoghq.com' }),
};

/** Every type whose secrets a level above a project can set, with the fields that expose them. */
const EXPOSING = integrationTypes
  .filter((type) => type.levels.includes('group') && type.fields.some((field) => field.kind === 'secret'))
  .map((type) => ({ type, exposing: type.fields.filter((field) => field.exposesSecrets) }))
  .filter(({ exposing }) => exposing.length > 0);

/** A distinctive value for each secret of a type, set at the group. */
const secretsOf = (type: IntegrationType) =>
  Object.fromEntries(
    type.fields
      .filter(isSecretField)
      .map((field) => [field.name, `${type.slug.replace(/-/g, '_')}_${field.name}_of_top`]),
  );

/** A value of an exposing field that leads to the attacker's server. */
const elsewhere = (field: Field) =>
  field.kind === 'url' ? `${attackerServer().origin}/${field.name}` : 'attacker.localhost';

const SECRET_KEY_BASE = 'secret-flow-test-key-base-long-enough-0123456789';

type CatalogSetup = Setup & {
  type: IntegrationType;
  store: SettingsStore;
  levels: Record<'top' | 'sub' | 'project', SettingsLevel>;
};

async function catalogSetup(type: IntegrationType): Promise<CatalogSetup> {
  const test = await createTestApp({ outbound: { timeoutMs: 500 }, secretKeyBase: SECRET_KEY_BASE });
  const world = await buildWorld(test.db);
  await allowLoopbackRequests(test.app, world.cookies.admin!);
  const form = {
    _version: '0',
    inheritance: 'custom',
    active: '1',
    ...SETTINGS_ABOVE[type.slug]!(groupServer().origin),
    ...secretsOf(type),
    _confirmed: '1',
  };
  const saved = await post(test.app, `${groupIntegrations('top')}/${type.slug}`, form, { cookie: world.cookies.owner });
  expect(saved.status, await saved.clone().text()).toBe(303);
  const lineage = await groupLineage(test.db, world.sub);
  const levelOf = (owner: SettingsOwner): SettingsLevel => ({
    level: owner.level,
    owner,
    chain: settingsChain(owner, owner.level === 'project' || owner.id === world.sub.id ? lineage : lineage.slice(0, 1)),
  });
  const levels = {
    top: levelOf(groupOwner(world.top, lineage.slice(0, 1))),
    sub: levelOf(groupOwner(world.sub, lineage)),
    project: levelOf(projectOwner(world.project, lineage)),
  };
  return {
    ...test,
    world,
    type,
    store: new SettingsStore(test.db, SECRET_KEY_BASE),
    levels,
    projectJira: `${projectIntegrations(world.project.fullPath)}/${type.slug}`,
  };
}

/** Every key of the form but `kept`: what "Inherit <label>" is ticked for. */
const inheritingAllBut = (t: CatalogSetup, ...kept: string[]) =>
  settingKeys(t.type, 'project')
    .map(({ key }) => key)
    .filter((key) => !kept.includes(key));

const projectPage = (t: CatalogSetup) => `${projectIntegrations(t.world.project.fullPath)}/${t.type.slug}`;
const versionOf = async (t: CatalogSetup, level: SettingsLevel) =>
  String((await t.store.findOwn(level.owner, t.type.slug))?.version ?? 0);

/** Test settings of the project with what it has saved, and with the given form. */
async function pressTestSettings(t: CatalogSetup, form: Record<string, string | string[]> = {}) {
  const version = await versionOf(t, t.levels.project);
  await post(
    t.app,
    `${projectPage(t)}/test`,
    { _version: version, inheritance: 'custom', ...form },
    { cookie: t.world.cookies.maintainer, headers: HTMX },
  );
}

/** Neither the attacker's server nor the effective settings of any level pair a secret with URLs not set where it was. */
async function expectSecretsOnlyWithTheirUrls(t: CatalogSetup) {
  const sent = everythingSentTo(attackerServer());
  for (const secret of Object.values(secretsOf(t.type))) expect(sent).not.toContain(secret);
  for (const level of [t.levels.sub, t.levels.project]) {
    const [state] = await integrationStates(t.store, level, t.type);
    for (const field of t.type.fields.filter(isSecretField)) {
      const source = state!.effective.source[field.name]!;
      if (source === 'default' || sameOwner(source, level.owner)) continue;
      const setAt = Object.values(t.levels).find((candidate) => sameOwner(candidate.owner, source))!;
      const there = (await integrationStates(t.store, setAt, t.type))[0]!.effective.fields;
      for (const exposing of t.type.fields.filter((f) => f.exposesSecrets)) {
        expect(
          state!.effective.fields[exposing.name],
          `${level.owner.name}: ${field.name} with ${exposing.name}`,
        ).toEqual(there[exposing.name]);
      }
    }
  }
}

describe.each(EXPOSING)('the secrets of $type.slug, set at a group', ({ type, exposing }) => {
  it('has settings for the group in this test', () => {
    expect(SETTINGS_ABOVE[type.slug], `add ${type.slug} to SETTINGS_ABOVE`).toBeDefined();
  });

  it("reach the group's own server from a project that inherits them", async () => {
    const t = await catalogSetup(type);
    await pressTestSettings(t, { inheritance: 'inherit' });
    const sent = everythingSentTo(groupServer());
    for (const secret of Object.values(secretsOf(type))) expect(sent).toContain(secret);
  });

  describe.each(exposing.map((field) => ({ field })))('with $field.name pointed elsewhere below', ({ field }) => {
    it('by a page save that inherits the secrets', async () => {
      const t = await catalogSetup(type);
      const form = { active: '1', [field.name]: elsewhere(field), _inherit: inheritingAllBut(t, field.name, 'active') };
      await post(
        t.app,
        projectPage(t),
        { _version: '0', inheritance: 'custom', ...form },
        { cookie: t.world.cookies.maintainer },
      );
      await pressTestSettings(t, form);
      await pressTestSettings(t);
      await expectSecretsOnlyWithTheirUrls(t);
    });

    it('by an API save without the secrets', async () => {
      const t = await catalogSetup(type);
      const token = await apiToken(t.db, t.world.users.maintainer);
      const url = `/api/v4/projects/${t.world.project.id}/integrations/${type.slug}`;
      await apiRequest(t.app, 'PUT', url, { token, params: { [field.name]: elsewhere(field) } });
      await apiRequest(t.app, 'PUT', url, {
        token,
        params: { [field.name]: elsewhere(field), inherited_fields: inheritingAllBut(t, field.name, 'active') },
      });
      await pressTestSettings(t);
      await expectSecretsOnlyWithTheirUrls(t);
    });

    it('by inheriting the secrets after saving own ones', async () => {
      const t = await catalogSetup(type);
      const own = Object.fromEntries(Object.keys(secretsOf(type)).map((name) => [name, 'dummy']));
      const cookie = t.world.cookies.maintainer;
      const first = await post(
        t.app,
        projectPage(t),
        {
          _version: '0',
          inheritance: 'custom',
          active: '1',
          [field.name]: elsewhere(field),
          ...own,
          _inherit: inheritingAllBut(t, field.name, 'active', ...Object.keys(own)),
        },
        { cookie },
      );
      expect(first.status, fieldErrorsIn(await first.text())).toBe(303);
      const second = {
        active: '1',
        [field.name]: elsewhere(field),
        _inherit: inheritingAllBut(t, field.name, 'active'),
      };
      await post(t.app, projectPage(t), { _version: '1', inheritance: 'custom', ...second }, { cookie });
      await pressTestSettings(t, second);
      await pressTestSettings(t);
      await expectSecretsOnlyWithTheirUrls(t);
    });

    it('by a subgroup between them, for itself and the project that inherits from it', async () => {
      const t = await catalogSetup(type);
      const form = {
        _version: '0',
        inheritance: 'custom',
        active: '1',
        [field.name]: elsewhere(field),
        _inherit: inheritingAllBut(t, field.name, 'active'),
        _confirmed: '1',
      };
      await post(t.app, `${groupIntegrations(t.world.sub.fullPath)}/${type.slug}`, form, {
        cookie: t.world.cookies.owner,
      });
      await post(t.app, `${groupIntegrations(t.world.sub.fullPath)}/${type.slug}/test`, form, {
        cookie: t.world.cookies.owner,
        headers: HTMX,
      });
      await pressTestSettings(t, { inheritance: 'inherit' });
      await expectSecretsOnlyWithTheirUrls(t);
    });
  });
});

/** The messages next to the fields of a page, for a failing assertion. */
const fieldErrorsIn = (html: string) =>
  [...html.matchAll(/<p class="field-error"[^>]*>([^<]*)<\/p>/g)].map((match) => match[1]).join('; ');
