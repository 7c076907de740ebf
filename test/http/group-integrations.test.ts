/**
 * Groups in the chain: group defaults reach every subgroup and project below at once, the
 * nearest default wins, moves follow the new ancestors, and the overrides tab and Reset behave.
 */
import { describe, expect, it } from 'vitest';
import { integrationSettings } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { createTestApp, flashOf, get, post, shownValueOf, textOf, type TestApp } from '../support/app.js';
import {
  ADMIN_INTEGRATIONS,
  groupIntegrations,
  projectIntegrations,
  saveInstanceSlack,
  slackForm,
} from '../support/integrations.js';
import { buildWorld, type World } from '../support/world.js';

type Setup = TestApp & { world: World };

async function setup(): Promise<Setup> {
  const test = await createTestApp();
  return { ...test, world: await buildWorld(test.db) };
}

const text = async (response: Response | Promise<Response>) => (await response).text();
const rows = async (t: TestApp) => await t.db.select().from(integrationSettings);

function saveGroupSlack(t: Setup, fullPath: string, overrides: Record<string, string> = {}) {
  return post(
    t.app,
    `${groupIntegrations(fullPath)}/slack`,
    { ...slackForm(overrides), inheritance: 'custom', _confirmed: '1' },
    { cookie: t.world.cookies.owner },
  );
}

function saveProjectSlack(t: Setup, fullPath: string, overrides: Record<string, string> = {}) {
  return post(
    t.app,
    `${projectIntegrations(fullPath)}/slack`,
    { ...slackForm(overrides), inheritance: 'custom' },
    { cookie: t.world.cookies.admin },
  );
}

describe('group-level defaults', () => {
  it('shows the group Owner how far a save reaches before it happens', async () => {
    const t = await setup();
    const unconfirmed = await post(
      t.app,
      `${groupIntegrations('top')}/slack`,
      { ...slackForm(), inheritance: 'custom' },
      { cookie: t.world.cookies.owner },
    );
    expect(unconfirmed.status).toBe(200);
    expect(await unconfirmed.text()).toContain(
      'Saving changes the settings of 1 project and 1 group. No descendant uses custom settings.',
    );
    expect(await rows(t)).toHaveLength(0);
  });

  it('reaches every subgroup and project below the group, at any depth, and names the group in the dropdown', async () => {
    const t = await setup();
    expect((await saveGroupSlack(t, 'top', { username: 'top-bot' })).status).toBe(303);
    const page = await text(
      get(t.app, `${projectIntegrations('top/sub/app')}/slack`, { cookie: t.world.cookies.maintainer }),
    );
    expect(page).toContain('Use group-level settings');
    expect(shownValueOf(page, 'username')).toBe('top-bot');
    expect(page).toContain(`href="/groups/top/-/settings/integrations/slack"`);
    const subgroup = await text(get(t.app, groupIntegrations('top/sub'), { cookie: t.world.cookies.owner }));
    expect(subgroup).toContain('Inherited from group Top');
    expect(await rows(t)).toHaveLength(1);
  });

  it('uses the nearest default: the subgroup over the group over the instance', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.world.cookies.admin!, { username: 'instance-bot' });
    await saveGroupSlack(t, 'top', { username: 'top-bot' });
    await saveGroupSlack(t, 'top/sub', { username: 'sub-bot' });
    expect(
      shownValueOf(
        await text(get(t.app, `${projectIntegrations('top/sub/app')}/slack`, { cookie: t.world.cookies.admin })),
        'username',
      ),
    ).toBe('sub-bot');
    expect(
      shownValueOf(
        await text(get(t.app, `${projectIntegrations('other/elsewhere')}/slack`, { cookie: t.world.cookies.admin })),
        'username',
      ),
    ).toBe('instance-bot');
  });

  it('resolves ten levels deep', async () => {
    const t = await setup();
    let parent = t.world.top;
    for (let depth = 2; depth <= 10; depth++) {
      const group = await createGroup(t.db, { name: `L${depth}`, path: `l${depth}` }, parent);
      if (!group.ok) throw new Error('group');
      parent = group.value;
    }
    const deep = await createProject(t.db, { name: 'Deep', path: 'deep' }, parent);
    expect(deep.ok).toBe(true);
    await saveGroupSlack(t, 'top', { username: 'from-the-top' });
    const page = await text(
      get(t.app, `${projectIntegrations(`${parent.fullPath}/deep`)}/slack`, { cookie: t.world.cookies.owner }),
    );
    expect(shownValueOf(page, 'username')).toBe('from-the-top');
  });

  it('refuses a save from a group Maintainer of another group', async () => {
    const t = await setup();
    const response = await post(
      t.app,
      `${groupIntegrations('other')}/slack`,
      { ...slackForm(), inheritance: 'custom', _confirmed: '1' },
      { cookie: t.world.cookies.owner },
    );
    expect(response.status).toBe(404);
    expect(await rows(t)).toHaveLength(0);
  });
});

describe('moving', () => {
  it('makes a moved project follow its new ancestors and keeps custom settings as they are', async () => {
    const t = await setup();
    await saveGroupSlack(t, 'top', { username: 'top-bot' });
    const moved = await post(
      t.app,
      `/admin/projects/${t.world.project.id}/move`,
      { group_id: String(t.world.other.id) },
      { cookie: t.world.cookies.admin },
    );
    expect(moved.status).toBe(303);
    expect(flashOf(moved)).toBe('Project top/sub/app was moved to other/app.');
    expect(await text(await get(t.app, projectIntegrations('other/app'), { cookie: t.world.cookies.admin }))).toContain(
      'Not configured',
    );

    await saveProjectSlack(t, 'other/elsewhere', { username: 'custom-bot' });
    await post(
      t.app,
      `/admin/projects/${t.world.otherProject.id}/move`,
      { group_id: String(t.world.top.id) },
      { cookie: t.world.cookies.admin },
    );
    expect(
      await text(await get(t.app, `${projectIntegrations('top/elsewhere')}/slack`, { cookie: t.world.cookies.admin })),
    ).toContain('value="custom-bot"');
  });

  it('moves a subgroup with everything in it, and refuses to move a group into itself', async () => {
    const t = await setup();
    const response = await post(
      t.app,
      `/admin/groups/${t.world.sub.id}/move`,
      { parent_id: String(t.world.other.id) },
      { cookie: t.world.cookies.admin },
    );
    expect(response.status).toBe(303);
    expect((await get(t.app, '/other/sub/app', { cookie: t.world.cookies.admin })).status).toBe(200);
    const loop = await post(
      t.app,
      `/admin/groups/${t.world.other.id}/move`,
      { parent_id: String(t.world.sub.id) },
      { cookie: t.world.cookies.admin },
    );
    expect(loop.status).toBe(422);
    expect(await loop.text()).toContain('A group cannot be moved into itself or one of its subgroups');
  });
});

describe('projects using custom settings', () => {
  it('lists the descendants with custom settings and what they change, secrets only as "differs"', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.world.cookies.admin!, { username: 'instance-bot' });
    await saveProjectSlack(t, 'top/sub/app', { username: 'app-bot', webhook: 'https://hooks.slack.com/services/APP' });
    const html = await text(get(t.app, `${ADMIN_INTEGRATIONS}/slack/overrides`, { cookie: t.world.cookies.admin }));
    expect(html).toContain('top/sub/app');
    expect(html).toContain('Username: app-bot');
    expect(html).toContain('Webhook URL: <em>differs</em>');
    expect(html).not.toContain('services/APP');
  });

  it('searches and pages through them with a keyset', async () => {
    const t = await setup();
    for (let i = 0; i < 25; i++) {
      const project = await createProject(
        t.db,
        { name: `Service ${i}`, path: `service-${String(i).padStart(2, '0')}` },
        t.world.sub,
      );
      if (!project.ok) throw new Error('project');
      await saveProjectSlack(t, project.value.fullPath, { username: `bot-${i}` });
    }
    const first = await text(get(t.app, `${ADMIN_INTEGRATIONS}/slack/overrides`, { cookie: t.world.cookies.admin }));
    expect(first.match(/name="target"/g)).toHaveLength(20);
    const next = /href="([^"]+after=[^"]+)"/.exec(first)![1]!.replace(/&amp;/g, '&');
    const second = await text(get(t.app, next, { cookie: t.world.cookies.admin }));
    expect(second.match(/name="target"/g)).toHaveLength(5);
    expect(second).toContain('top/sub/service-24');
    const searched = await text(
      get(t.app, `${ADMIN_INTEGRATIONS}/slack/overrides?search=service-07`, { cookie: t.world.cookies.admin }),
    );
    expect(searched.match(/name="target"/g)).toHaveLength(1);
  });

  it('switches a selection back to the default after a confirmation that counts them', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.world.cookies.admin!);
    await saveProjectSlack(t, 'top/sub/app');
    await saveProjectSlack(t, 'other/elsewhere');
    const targets = [`project:${t.world.project.id}`, `project:${t.world.otherProject.id}`];
    const confirm = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack/overrides/reset`,
      { targets },
      { cookie: t.world.cookies.admin },
    );
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('Switch 2 projects back to the default settings?');
    expect(await rows(t)).toHaveLength(3);
    const done = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack/overrides/reset`,
      { targets, _confirmed: '1' },
      { cookie: t.world.cookies.admin },
    );
    expect(flashOf(done)).toBe('2 projects now use the default settings.');
    expect(await rows(t)).toHaveLength(1);
  });

  it("refuses targets outside the group's subtree and changes nothing", async () => {
    const t = await setup();
    await saveProjectSlack(t, 'other/elsewhere');
    const response = await post(
      t.app,
      `${groupIntegrations('top')}/slack/overrides/reset`,
      { target: `project:${t.world.otherProject.id}`, _confirmed: '1' },
      { cookie: t.world.cookies.owner },
    );
    expect(response.status).toBe(400);
    expect(await rows(t)).toHaveLength(1);
  });
});

describe('Reset', () => {
  it('removes a group default: descendants fall back to the instance, custom ones are untouched', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.world.cookies.admin!, { username: 'instance-bot' });
    await saveGroupSlack(t, 'top', { username: 'top-bot' });
    await saveProjectSlack(t, 'top/sub/app', { username: 'app-bot' });
    const confirm = await post(t.app, `${groupIntegrations('top')}/slack/reset`, {}, { cookie: t.world.cookies.owner });
    expect(await confirm.text()).toContain('Resetting this integration will clear this group');
    const reset = await post(
      t.app,
      `${groupIntegrations('top')}/slack/reset`,
      { _confirmed: '1' },
      { cookie: t.world.cookies.owner },
    );
    expect(flashOf(reset)).toBe('Slack notifications was reset.');
    expect(
      shownValueOf(
        await text(get(t.app, `${groupIntegrations('top/sub')}/slack`, { cookie: t.world.cookies.owner })),
        'username',
      ),
    ).toBe('instance-bot');
    expect(
      await text(await get(t.app, `${projectIntegrations('top/sub/app')}/slack`, { cookie: t.world.cookies.owner })),
    ).toContain('value="app-bot"');
  });

  it('leaves inheriting projects not configured when the instance default is reset', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.world.cookies.admin!);
    await post(t.app, `${ADMIN_INTEGRATIONS}/slack/reset`, { _confirmed: '1' }, { cookie: t.world.cookies.admin });
    const list = await text(get(t.app, projectIntegrations('top/sub/app'), { cookie: t.world.cookies.admin }));
    expect(list).not.toContain('Inherited from instance');
    expect(await rows(t)).toHaveLength(0);
  });
});

describe('provenance', () => {
  it('says once per section where its values come from, linking the levels the user may see', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.world.cookies.admin!, { username: 'instance-bot' });
    await post(
      t.app,
      `${groupIntegrations('top')}/slack`,
      { ...slackForm({ username: 'top-bot' }), inheritance: 'custom', _confirmed: '1' },
      { cookie: t.world.cookies.owner },
    );
    const asAdmin = await text(
      get(t.app, `${projectIntegrations('other/elsewhere')}/slack`, { cookie: t.world.cookies.admin }),
    );
    expect(asAdmin).toContain('Inherited from <a href="/admin/application_settings/integrations/slack">Instance</a>');
    expect(asAdmin.match(/Inherited from <a/g)).toHaveLength(3);
    expect(asAdmin).not.toContain('Value from');
    const asMaintainer = await text(
      get(t.app, `${projectIntegrations('top/sub/app')}/slack`, { cookie: t.world.cookies.maintainer }),
    );
    expect(asMaintainer).toContain('Inherited from <a href="/groups/top/-/settings/integrations/slack">Group: Top</a>');
    await saveProjectSlack(t, 'top/sub/app');
    const own = await text(
      get(t.app, `${projectIntegrations('top/sub/app')}/slack`, { cookie: t.world.cookies.maintainer }),
    );
    // Its own values throughout: the dropdown and the note say so, the sections and fields add nothing.
    expect(textOf(own)).toContain('Custom settings belong to this project only');
    expect(own).not.toContain('Inherited from <');
    expect(own).not.toContain('Value from');
  });

  it('says nothing of where values come from on the instance, which has nothing to inherit from', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.world.cookies.admin!, { username: 'instance-bot' });
    const page = await text(get(t.app, `${ADMIN_INTEGRATIONS}/slack`, { cookie: t.world.cookies.admin }));
    expect(page).toContain('value="instance-bot"');
    for (const wording of ['Value from', 'Inherited from', 'This instance', 'Default value'])
      expect(page, wording).not.toContain(wording);
  });

  it('names on a field the level its value comes from where that differs from the rest of its section', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.world.cookies.admin!, { username: 'instance-bot' });
    const saved = await post(
      t.app,
      `${projectIntegrations('top/sub/app')}/slack`,
      { ...slackForm({ webhook: '', channel: '#app' }), inheritance: 'custom', _inherit: ['webhook', 'username'] },
      { cookie: t.world.cookies.admin },
    );
    expect(saved.status).toBe(303);
    const page = await text(
      get(t.app, `${projectIntegrations('top/sub/app')}/slack`, { cookie: t.world.cookies.admin }),
    );
    const helpOf = (name: string) =>
      new RegExp(`<p class="field-help" id="field-${name}-help">(.*?)</p>`).exec(page)?.[1] ?? '';
    expect(textOf(helpOf('username'))).toContain('Value from Instance');
    expect(textOf(helpOf('webhook'))).toContain('Value from Instance');
    expect(textOf(helpOf('channel'))).not.toContain('Value from');
    expect(page).not.toContain('Inherited from <');
  });

  it('names the instance without a link for users who may not open the Admin Area', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.world.cookies.admin!, { username: 'instance-bot' });
    const page = await text(
      get(t.app, `${projectIntegrations('top/sub/app')}/slack`, { cookie: t.world.cookies.maintainer }),
    );
    expect(page).toContain('Inherited from Instance');
    expect(page).not.toContain('href="/admin/application_settings');
  });
});
