/**
 * Per-field inheritance: a project keeps the inherited webhook and username but sets its own
 * channel, or turns an inherited integration off for itself only.
 */
import { describe, expect, it } from 'vitest';
import { integrationSettings } from '../../src/db/schema.js';
import { findIntegrationType } from '../../src/integrations/index.js';
import { settingKeys } from '../../src/integrations/validate.js';
import { createTestApp, fieldErrorOf, flashOf, get, post, type TestApp } from '../support/app.js';
import { groupIntegrations, projectIntegrations, slackForm } from '../support/integrations.js';
import { buildWorld, type World } from '../support/world.js';

type Setup = TestApp & { world: World };
const APP = projectIntegrations('top/sub/app');
const slack = findIntegrationType('slack')!;

async function setup(): Promise<Setup> {
  const test = await createTestApp();
  const world = await buildWorld(test.db);
  await post(
    test.app,
    `${groupIntegrations('top')}/slack`,
    { ...slackForm({ username: 'top-bot' }), inheritance: 'custom', _confirmed: '1' },
    { cookie: world.cookies.owner },
  );
  return { ...test, world };
}

const projectRow = async (t: Setup) =>
  (await t.db.select().from(integrationSettings)).find((row) => row.projectId === t.world.project.id);
const text = async (response: Response | Promise<Response>) => (await response).text();

describe('per-field inheritance', () => {
  it('keeps inherited values inherited and stores only what the project sets itself', async () => {
    const t = await setup();
    const response = await post(
      t.app,
      `${APP}/slack`,
      {
        ...slackForm({ webhook: '', username: 'ignored', channel: '#app' }),
        inheritance: 'custom',
        _inherit: ['webhook', 'username'],
      },
      { cookie: t.world.cookies.maintainer },
    );
    expect(response.status).toBe(303);
    const row = (await projectRow(t))!;
    expect(JSON.parse(row.fields)).toMatchObject({ channel: '#app' });
    expect(JSON.parse(row.fields)).not.toHaveProperty('username');
    expect(row.secrets).toBeNull();

    await post(
      t.app,
      `${groupIntegrations('top')}/slack`,
      { ...slackForm({ username: 'top-bot-v2', _version: '1' }), inheritance: 'custom', _confirmed: '1' },
      { cookie: t.world.cookies.owner },
    );
    const page = await text(get(t.app, `${APP}/slack`, { cookie: t.world.cookies.maintainer }));
    expect(page).toContain('value="top-bot-v2"');
    expect(page).toContain('value="#app"');
    expect(page).toMatch(/name="_inherit" value="username" id="inherit-field-username" checked=""/);
    expect(page).toMatch(/name="_inherit" value="channel" id="inherit-field-channel" data-inherit-for/);
  });

  it('turns an inherited integration off for the project only', async () => {
    const t = await setup();
    await post(
      t.app,
      `${APP}/slack`,
      { ...slackForm({ webhook: '', active: '0' }), inheritance: 'custom', _inherit: ['webhook'] },
      { cookie: t.world.cookies.maintainer },
    );
    expect((await projectRow(t))!.active).toBe(false);
    const group = await text(get(t.app, groupIntegrations('top/sub'), { cookie: t.world.cookies.owner }));
    expect(group).toMatch(/Slack notifications[\s\S]*?badge-active/);
  });

  it('inherits a value the level above leaves blank, and takes it once the level above sets it', async () => {
    const t = await setup();
    const everyKeyButChannel = settingKeys(slack, 'project')
      .map(({ key }) => key)
      .filter((key) => key !== 'channel');
    const response = await post(
      t.app,
      `${APP}/slack`,
      { _version: '0', inheritance: 'custom', channel: '#app', _inherit: everyKeyButChannel },
      { cookie: t.world.cookies.maintainer },
    );
    expect(response.status).toBe(303);
    expect(JSON.parse((await projectRow(t))!.fields)).toEqual({ channel: '#app' });

    await post(
      t.app,
      `${groupIntegrations('top')}/slack`,
      { ...slackForm({ _version: '1', push_channel: '#pushes' }), inheritance: 'custom', _confirmed: '1' },
      { cookie: t.world.cookies.owner },
    );
    expect(await text(await get(t.app, `${APP}/slack`, { cookie: t.world.cookies.maintainer }))).toMatch(
      /name="push_channel"[^>]*value="#pushes"/,
    );
  });

  it('refuses an active integration whose required value is inherited blank, and says where from', async () => {
    const t = await setup();
    const telegram = {
      _version: '0',
      inheritance: 'custom',
      active: '0',
      token: '123:top-token',
      room: '',
      _confirmed: '1',
    };
    expect(
      (await post(t.app, `${groupIntegrations('top')}/telegram`, telegram, { cookie: t.world.cookies.owner })).status,
    ).toBe(303);
    const cookie = t.world.cookies.maintainer;
    expect(
      (
        await post(
          t.app,
          `${APP}/telegram`,
          { _version: '0', inheritance: 'custom', active: '1', room: '@app', _inherit: 'token' },
          { cookie },
        )
      ).status,
    ).toBe(303);

    // Inherited values are checked as they are above, not as the project had them.
    const response = await post(
      t.app,
      `${APP}/telegram`,
      { _version: '1', inheritance: 'custom', active: '1', room: '@ignored', _inherit: ['token', 'room'] },
      { cookie },
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'room')).toBe(
      'Channel identifier is required, and the value inherited from Top is blank',
    );
    expect(JSON.parse((await projectRow(t))!.fields)).toMatchObject({ room: '@app' });
  });

  it('checks the required values of an integration that inherits Enabled from an active level above', async () => {
    const t = await setup();
    const telegram = {
      _version: '0',
      inheritance: 'custom',
      active: '1',
      token: '123:top-token',
      room: '@top',
      _confirmed: '1',
    };
    expect(
      (await post(t.app, `${groupIntegrations('top')}/telegram`, telegram, { cookie: t.world.cookies.owner })).status,
    ).toBe(303);
    const response = await post(
      t.app,
      `${APP}/telegram`,
      { _version: '0', inheritance: 'custom', room: '', _inherit: ['active', 'token'] },
      { cookie: t.world.cookies.maintainer },
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'room')).toBe('Channel identifier is required');
  });

  it('says a save is active when Enabled is inherited from an active default', async () => {
    const t = await setup();
    const response = await post(
      t.app,
      `${APP}/slack`,
      { _version: '0', inheritance: 'custom', channel: '#app', _inherit: ['active', 'webhook'] },
      { cookie: t.world.cookies.maintainer },
    );
    expect(flashOf(response)).toBe('Slack notifications settings saved and active.');
  });

  it('refuses a tampered name in the inherited values', async () => {
    const t = await setup();
    const response = await post(
      t.app,
      `${APP}/slack`,
      { ...slackForm(), inheritance: 'custom', _inherit: ['recipients'] },
      { cookie: t.world.cookies.maintainer },
    );
    expect(response.status).toBe(400);
    expect(await projectRow(t)).toBeUndefined();
  });

  it('offers no per-field inheritance where there is nothing above', async () => {
    const t = await setup();
    const page = await text(
      get(t.app, `${projectIntegrations('other/elsewhere')}/slack`, { cookie: t.world.cookies.admin }),
    );
    expect(page).not.toContain('name="_inherit"');
    const response = await post(
      t.app,
      `${projectIntegrations('other/elsewhere')}/slack`,
      { ...slackForm(), inheritance: 'custom', _inherit: ['username'] },
      { cookie: t.world.cookies.admin },
    );
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('There is no level above to inherit from');
  });
});
