/**
 * Enforcing defaults and pushing them down: the instance or a group Owner imposes values on
 * every level below; a level below cannot change them, keeps its own values for when the
 * enforcement is lifted, and sees who enforces them and why. Pushing clears overrides.
 */
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../src/auth/permissions.js';
import { auditEvents, integrationSettings, members } from '../../src/db/schema.js';
import {
  controlOf,
  createTestApp,
  fieldErrorOf,
  flashOf,
  get,
  insertUser,
  post,
  sessionCookie,
  textOf,
  type TestApp,
} from '../support/app.js';
import {
  ADMIN_INTEGRATIONS,
  groupIntegrations,
  projectIntegrations,
  saveInstanceSlack,
  slackForm,
} from '../support/integrations.js';
import { buildWorld, type World } from '../support/world.js';
import { writeConnection } from '../../src/db/client.js';

type Setup = TestApp & { world: World; admin: string; maintainer: string };
const APP = projectIntegrations('top/sub/app');
const INSTANCE_ENFORCEMENT = `${ADMIN_INTEGRATIONS}/slack/enforcement`;
const REASON = 'One Slack workspace for the company';

/** Instance Slack default (version 1); the project keeps its own channel and username. */
async function setup(): Promise<Setup> {
  const test = await createTestApp();
  const world = await buildWorld(test.db);
  const admin = world.cookies.admin!;
  const maintainer = world.cookies.maintainer!;
  await saveInstanceSlack(test.app, admin, { channel: '#general' });
  const saved = await post(
    test.app,
    `${APP}/slack`,
    {
      ...slackForm({ webhook: '', channel: '#app', username: 'app-bot' }),
      inheritance: 'custom',
      _inherit: ['webhook'],
    },
    { cookie: maintainer },
  );
  expect(saved.status).toBe(303);
  return { ...test, world, admin, maintainer };
}

const enforce = (t: Setup, form: Record<string, string | string[]>, url = INSTANCE_ENFORCEMENT, cookie = t.admin) =>
  post(t.app, url, { _version: '1', ...form }, { cookie });
const projectRow = async (t: Setup) =>
  (await t.db.select().from(integrationSettings)).find((row) => row.projectId === t.world.project.id);
const instanceRow = async (t: Setup) =>
  (await t.db.select().from(integrationSettings)).find((row) => row.groupId === null && row.projectId === null);
const pageText = async (t: Setup, url: string, cookie: string) => (await get(t.app, url, { cookie })).text();

describe('enforcing instance settings', () => {
  it('previews how many descendants override the values and says that their values are kept', async () => {
    const t = await setup();
    const response = await enforce(t, { keys: ['channel', 'username'], reason: REASON });
    expect(response.status).toBe(200);
    const text = textOf(await response.text());
    expect(text).toContain('Enforce Default channel, Username of Slack notifications?');
    expect(text).toContain('1 project below sets its own values for Default channel, Username.');
    expect(text).toContain(
      'The values they set themselves are kept, unused, and apply again when the enforcement is lifted.',
    );
    expect((await instanceRow(t))!.enforced).toBeNull();
  });

  it('enforces the values: the project shows and uses them, disabled, with who enforces them and why', async () => {
    const t = await setup();
    const response = await enforce(t, { keys: ['channel'], reason: REASON, _confirmed: '1' });
    expect(response.status).toBe(303);
    expect(flashOf(response)).toBe('Slack notifications: Default channel enforced on everything below.');
    expect(JSON.parse((await instanceRow(t))!.enforced!)).toEqual({ keys: ['channel'], reason: REASON });

    const page = await pageText(t, `${APP}/slack`, t.maintainer);
    expect(controlOf(page, 'channel')).toMatch(/disabled="".*value="#general"/);
    expect(textOf(page)).toContain(`Enforced by Instance: ${REASON}`);
    expect(page).not.toContain('value="#app"');
    // The project's own value is kept for when the enforcement is lifted.
    expect(JSON.parse((await projectRow(t))!.fields)).toMatchObject({ channel: '#app' });

    const events = (await t.db.select().from(auditEvents)).filter((event) => event.action === 'settings.enforced');
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.changes)).toEqual([
      { key: 'enforced', label: 'Enforced settings', before: null, after: 'Default channel' },
      { key: 'enforcement_reason', label: 'Reason', before: null, after: REASON },
    ]);
  });

  it('refuses a project submission that changes an enforced value, and saves nothing', async () => {
    const t = await setup();
    await enforce(t, { keys: ['channel'], reason: REASON, _confirmed: '1' });
    const before = (await projectRow(t))!;
    const response = await post(
      t.app,
      `${APP}/slack`,
      {
        ...slackForm({ webhook: '', channel: '#mine', username: 'changed', _version: String(before.version) }),
        inheritance: 'custom',
        _inherit: ['webhook'],
      },
      { cookie: t.maintainer },
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'channel')).toBe(`Default channel is enforced by Instance: ${REASON}`);
    expect(await projectRow(t)).toEqual(before);
  });

  it('lets the project change other values, keeping its own enforced one, which applies again once lifted', async () => {
    const t = await setup();
    await enforce(t, { keys: ['channel'], _confirmed: '1' });
    const version = String((await projectRow(t))!.version);
    // The disabled channel field is not submitted, as a browser leaves disabled fields out.
    const saved = await post(
      t.app,
      `${APP}/slack`,
      { _version: version, active: '1', username: 'renamed', inheritance: 'custom', _inherit: ['webhook'] },
      { cookie: t.maintainer },
    );
    expect(saved.status).toBe(303);
    expect(JSON.parse((await projectRow(t))!.fields)).toMatchObject({ channel: '#app', username: 'renamed' });

    const preview = textOf(await (await enforce(t, { _version: '2', _action: 'lift' })).text());
    expect(preview).toContain('Lift the enforcement of Slack notifications?');
    const lifted = await enforce(t, { _version: '2', _action: 'lift', _confirmed: '1' });
    expect(flashOf(lifted)).toBe('The enforcement of Slack notifications was lifted.');
    expect((await instanceRow(t))!.enforced).toBeNull();
    expect(await pageText(t, `${APP}/slack`, t.maintainer)).toContain('value="#app"');
    expect(
      (await t.db.select().from(auditEvents)).some((event) => event.action === 'settings.enforcement_lifted'),
    ).toBe(true);
  });

  it('enforces the whole integration: every value is disabled below and the inherit boxes are gone', async () => {
    const t = await setup();
    await enforce(t, { keys: '*', _confirmed: '1' });
    const page = await pageText(t, `${APP}/slack`, t.maintainer);
    expect(controlOf(page, 'username')).toContain('disabled=""');
    expect(controlOf(page, 'active')).toContain('disabled=""');
    expect(page).not.toContain('name="_inherit"');
    expect(page).not.toContain('value="app-bot"');
  });

  it('shows the enforcement on the Enforce and push page, with the current choice checked', async () => {
    const t = await setup();
    await enforce(t, { keys: ['channel', 'push_events'], reason: REASON, _confirmed: '1' });
    const page = await pageText(t, INSTANCE_ENFORCEMENT, t.admin);
    expect(textOf(page)).toContain(`Enforced: Default channel, Push events. Reason: ${REASON}`);
    expect(page).toMatch(/value="channel" checked=""/);
    expect(page).toContain('Lift enforcement');
  });
});

describe('the Enforce and push tab', () => {
  /** The text of the settings to enforce, from the legend to the reason. */
  const choicesOf = (page: string) =>
    textOf(page.slice(page.indexOf('Settings to enforce'), page.indexOf('Reason (optional)')));

  it('groups the settings as the sections of the form: Connection details, Trigger, Notification settings', async () => {
    const t = await setup();
    const page = await pageText(t, INSTANCE_ENFORCEMENT, t.admin);
    const legends = [...page.matchAll(/<legend>([^<]+)<\/legend>/g)].map((match) => match[1]);
    const sections = ['Connection details', 'Trigger', 'Notification settings'];
    expect(legends).toEqual(['Settings to enforce', ...sections, 'Settings to push', ...sections]);
    const choices = choicesOf(page);
    expect(choices).toMatch(
      /^Settings to enforce All settings \(the whole integration\) Connection details Enabled .* Webhook .* Trigger Push events .* Push channel .* Notification settings .* Default channel/,
    );
  });

  it('shows each value as it is at this level, a secret only as set, a choice by its label', async () => {
    const t = await setup();
    const page = await pageText(t, INSTANCE_ENFORCEMENT, t.admin);
    const choices = choicesOf(page);
    expect(choices).toContain('Enabled Current value: on');
    expect(choices).toContain('Webhook URL Current value: set');
    expect(choices).toContain('Default channel Current value: #general');
    expect(choices).toContain('Labels to be notified behavior Current value: Match any of the labels');
    expect(choices).toContain('Push events Current value: on');
    expect(choices).toContain('Push channel Current value: (blank)');
    expect(page).not.toContain('hooks.slack.com/services/T000');
    expect(page).not.toContain('XXXX');
  });

  it('shows a group the values it has, inherited ones included, and a secret nobody set as not set', async () => {
    const test = await createTestApp();
    const world = await buildWorld(test.db);
    const saved = await post(
      test.app,
      `${groupIntegrations('top')}/jira`,
      {
        _version: '0',
        active: '0',
        url: 'https://jira.example.com',
        username: 'bot',
        inheritance: 'custom',
        _confirmed: '1',
      },
      { cookie: world.cookies.owner },
    );
    expect(saved.status).toBe(303);
    const page = await (
      await get(test.app, `${groupIntegrations('top')}/jira/enforcement`, { cookie: world.cookies.owner })
    ).text();
    const choices = choicesOf(page);
    expect(choices).toContain('Enabled Current value: off');
    expect(choices).toContain('Web URL Current value: https://jira.example.com');
    expect(choices).toContain('Authentication method Current value: Basic');
    expect(choices).toContain('API token, password, or personal access token Current value: not set');
    expect(choices).toContain('Comment on Jira issues Current value: on');
  });
});

describe('bad enforcement requests change nothing', () => {
  const cases: [string, Record<string, string | string[]>, string, string][] = [
    ['no setting chosen', { reason: 'x' }, 'keys', 'Choose the whole integration or at least one setting.'],
    [
      'a setting the type does not have',
      { keys: ['recipients'] },
      'keys',
      'Slack notifications has no setting named recipients.',
    ],
    [
      'a reason that is too long',
      { keys: ['channel'], reason: 'x'.repeat(501) },
      'reason',
      'Reason is too long (maximum is 500 characters)',
    ],
  ];
  it.each(cases)('%s: 422 with the message next to the field', async (_name, form, field, message) => {
    const t = await setup();
    const response = await enforce(t, { ...form, _confirmed: '1' });
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), field)).toBe(message);
    expect((await instanceRow(t))!.enforced).toBeNull();
  });

  it('a stale form is refused with a message', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin, { _version: '1', username: 'newer' });
    const response = await enforce(t, { keys: ['channel'], _confirmed: '1' });
    expect(response.status).toBe(303);
    expect(flashOf(response)).toMatch(/changed/);
    expect((await instanceRow(t))!.enforced).toBeNull();
  });

  it('a level without settings of its own has nothing to enforce (400)', async () => {
    const t = await setup();
    const response = await enforce(
      t,
      { keys: ['channel'], _confirmed: '1' },
      `${groupIntegrations('top')}/slack/enforcement`,
    );
    expect(response.status).toBe(400);
    expect((await t.db.select().from(integrationSettings)).some((row) => row.groupId === t.world.top.id)).toBe(false);
  });
});

describe('enforcing group settings', () => {
  it('is for group Owners: a Maintainer of the group is refused', async () => {
    const t = await setup();
    const groupMaintainer = await insertUser(t.db, 'group-maintainer');
    await writeConnection(t.db)
      .insert(members)
      .values({ userId: groupMaintainer.id, groupId: t.world.top.id, accessLevel: ROLES.maintainer });
    const cookie = await sessionCookie(t.db, groupMaintainer);
    await post(
      t.app,
      `${groupIntegrations('top')}/slack`,
      { ...slackForm({ webhook: '' }), inheritance: 'custom', _inherit: ['webhook'], _confirmed: '1' },
      { cookie },
    );
    const url = `${groupIntegrations('top')}/slack/enforcement`;

    const refused = await enforce(t, { keys: ['username'], _confirmed: '1' }, url, cookie);
    expect(refused.status).toBe(403);
    expect(textOf(await refused.text())).toContain('You need the Owner role to enforce settings.');
    expect(await pageText(t, url, cookie)).not.toContain('Settings to enforce');

    const enforced = await enforce(
      t,
      { keys: ['username'], reason: 'Team bot', _confirmed: '1' },
      url,
      t.world.cookies.owner,
    );
    expect(enforced.status).toBe(303);
    const page = await pageText(t, `${APP}/slack`, t.maintainer);
    expect(page).toContain('value="cascade"');
    // The group's name links to its settings (tags read as spaces here).
    expect(textOf(page)).toContain('Enforced by Group: Top : Team bot');
  });

  it('the topmost enforcement wins over a group below that sets the value itself', async () => {
    const t = await setup();
    await post(
      t.app,
      `${groupIntegrations('top')}/slack`,
      {
        ...slackForm({ webhook: '', username: 'top-bot' }),
        inheritance: 'custom',
        _inherit: ['webhook'],
        _confirmed: '1',
      },
      { cookie: t.admin },
    );
    await enforce(t, { keys: ['username'], _confirmed: '1' }, `${groupIntegrations('top')}/slack/enforcement`);
    await enforce(t, { keys: ['username'], reason: REASON, _confirmed: '1' });
    const page = await pageText(t, `${APP}/slack`, t.maintainer);
    expect(controlOf(page, 'username')).toMatch(/disabled="".*value="cascade"/);
    expect(textOf(page)).toContain(`Enforced by Instance: ${REASON}`);
  });
});

describe('pushing values to descendants', () => {
  it('previews, then clears the chosen values of the descendants that override them', async () => {
    const t = await setup();
    const preview = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack/push`,
      { push_keys: ['channel'] },
      { cookie: t.admin },
    );
    expect(preview.status).toBe(200);
    expect(textOf(await preview.text())).toContain('This changes 1 project.');
    expect(JSON.parse((await projectRow(t))!.fields)).toMatchObject({ channel: '#app' });

    const pushed = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack/push`,
      { push_keys: ['channel'], _confirmed: '1' },
      { cookie: t.admin },
    );
    expect(flashOf(pushed)).toBe('Pushed Default channel of Slack notifications: 1 project changed.');
    const fields = JSON.parse((await projectRow(t))!.fields);
    expect(fields).not.toHaveProperty('channel');
    expect(fields).toMatchObject({ username: 'app-bot' });
    expect(await pageText(t, `${APP}/slack`, t.maintainer)).toContain('value="#general"');

    const event = (await t.db.select().from(auditEvents)).find((e) => e.action === 'settings.pushed')!;
    expect(event.projectId).toBe(t.world.project.id);
    expect(JSON.parse(event.changes)).toEqual([
      { key: 'channel', label: 'Default channel', before: '#app', after: null, afterInherited: true },
    ]);
  });

  it('counts and clears subgroups that override the value too', async () => {
    const t = await setup();
    await post(
      t.app,
      `${groupIntegrations('top/sub')}/slack`,
      { ...slackForm({ webhook: '', channel: '#sub' }), inheritance: 'custom', _inherit: ['webhook'], _confirmed: '1' },
      { cookie: t.admin },
    );
    const preview = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack/push`,
      { push_keys: ['channel'] },
      { cookie: t.admin },
    );
    expect(textOf(await preview.text())).toContain('This changes 1 project and 1 group.');
    const pushed = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack/push`,
      { push_keys: ['channel'], _confirmed: '1' },
      { cookie: t.admin },
    );
    expect(flashOf(pushed)).toBe('Pushed Default channel of Slack notifications: 1 project and 1 group changed.');
    const subRow = (await t.db.select().from(integrationSettings)).find((row) => row.groupId === t.world.sub.id)!;
    expect(JSON.parse(subRow.fields)).not.toHaveProperty('channel');
  });

  it('pushing all settings switches the descendants back to inheriting', async () => {
    const t = await setup();
    const pushed = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack/push`,
      { push_keys: '*', _confirmed: '1' },
      { cookie: t.admin },
    );
    expect(flashOf(pushed)).toBe('Pushed all settings of Slack notifications: 1 project changed.');
    expect(await projectRow(t)).toBeUndefined();
  });

  it('refuses an empty or tampered choice with a message next to the field', async () => {
    const t = await setup();
    for (const form of [{}, { push_keys: 'nonsense' }] as Record<string, string>[]) {
      const response = await post(
        t.app,
        `${ADMIN_INTEGRATIONS}/slack/push`,
        { ...form, _confirmed: '1' },
        { cookie: t.admin },
      );
      expect(response.status).toBe(422);
      expect(fieldErrorOf(await response.text(), 'push_keys')).toBeTruthy();
    }
    expect(JSON.parse((await projectRow(t))!.fields)).toMatchObject({ channel: '#app' });
  });
});
