/**
 * The seed pages, through HTTP: instance-level defaults that every project without its own
 * integration inherits, custom settings per project, switching back, secrets, bad input,
 * concurrent edits.
 */
import { describe, expect, it } from 'vitest';
import { integrationSettings } from '../../src/db/schema.js';
import { firstRow } from '../../src/db/client.js';
import { sql } from 'drizzle-orm';
import { createProject } from '../../src/model/projects.js';
import { createTestApp, flashOf, get, post, shownValueOf, type TestApp } from '../support/app.js';
import { ADMIN_INTEGRATIONS, projectIntegrations, saveInstanceSlack, slackForm } from '../support/integrations.js';
import { buildWorld, type World } from '../support/world.js';

const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/XXXX';

async function setup(): Promise<TestApp & { world: World; admin: string; maintainer: string; projectUrl: string }> {
  const test = await createTestApp();
  const world = await buildWorld(test.db);
  return {
    ...test,
    world,
    admin: world.cookies.admin!,
    maintainer: world.cookies.maintainer!,
    projectUrl: projectIntegrations(world.project.fullPath),
  };
}

const rows = async (t: TestApp) => await t.db.select().from(integrationSettings);

describe('Admin Area > Settings > Integrations', () => {
  it('lists every type that can be set up for the instance as "Not configured", without the project-only Jenkins', async () => {
    const t = await setup();
    const html = await (await get(t.app, ADMIN_INTEGRATIONS, { cookie: t.admin })).text();
    expect(html).toContain('Slack notifications');
    expect(html).toContain('Pipeline status emails');
    expect(html).not.toContain('>Jenkins<');
    expect(html.match(/Not configured/g)?.length).toBe(17);
    // No project inherits a default that is not set up.
    expect(html).not.toMatch(/Not configured<\/span>\s*<\/td>\s*<td>[1-9]/);
  });

  it('asks for confirmation, with the number of projects the save reaches, before saving a default', async () => {
    const t = await setup();
    const response = await post(t.app, `${ADMIN_INTEGRATIONS}/slack`, slackForm(), { cookie: t.admin });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(
      'Saving will update the default settings for all projects that are not using custom settings.',
    );
    expect(html).toContain(
      'Saving changes the settings of 2 projects and 3 groups. No descendant uses custom settings.',
    );
    expect(html).not.toContain(WEBHOOK);
    expect(await rows(t)).toHaveLength(0);

    const sealed = /name="_sealed" value="([^"]+)"/.exec(html)![1]!;
    const confirmed = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack`,
      { _sealed: sealed, _confirmed: '1' },
      { cookie: t.admin },
    );
    expect(confirmed.status).toBe(303);
    expect(flashOf(confirmed)).toBe('Slack notifications settings saved and active.');
    expect(await rows(t)).toHaveLength(1);
  });

  it('shows validation errors before asking for confirmation', async () => {
    const t = await setup();
    const response = await post(t.app, `${ADMIN_INTEGRATIONS}/slack`, slackForm({ webhook: 'not a url' }), {
      cookie: t.admin,
    });
    expect(response.status).toBe(422);
    expect(await response.text()).not.toContain('name="_sealed"');
  });

  it('refuses a tampered confirmation and saves nothing', async () => {
    const t = await setup();
    const response = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack`,
      { _sealed: 'v1.AAAA', _confirmed: '1' },
      { cookie: t.admin },
    );
    expect(response.status).toBe(400);
    expect(await rows(t)).toHaveLength(0);
  });

  it('shows validation errors next to the fields, keeps the values, and saves nothing', async () => {
    const t = await setup();
    const response = await saveInstanceSlack(t.app, t.admin, {
      webhook: 'ftp://hooks.example.com/x',
      username: 'kept-name',
    });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('must be a valid URL (http or https)');
    expect(html).toContain('value="kept-name"');
    expect(await rows(t)).toHaveLength(0);
  });

  it('refuses a field of another type and an unknown type', async () => {
    const t = await setup();
    const tampered = await saveInstanceSlack(t.app, t.admin, { recipients: 'a@example.com' });
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('Unknown field: recipients');
    expect((await saveInstanceSlackTo(t, 'no-such-type')).status).toBe(404);
    expect(await rows(t)).toHaveLength(0);
  });

  it('refuses "inherit" at the instance level, which has nothing above it, and saves nothing', async () => {
    const t = await setup();
    const response = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack`,
      { ...slackForm(), inheritance: 'inherit', _confirmed: '1' },
      { cookie: t.admin },
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('The instance has no settings above it to inherit.');
    expect(await rows(t)).toHaveLength(0);
  });

  it('does not offer the project-only Jenkins at the instance level', async () => {
    const t = await setup();
    expect((await get(t.app, `${ADMIN_INTEGRATIONS}/jenkins`, { cookie: t.admin })).status).toBe(404);
    expect((await saveInstanceSlackTo(t, 'jenkins')).status).toBe(404);
    expect(await rows(t)).toHaveLength(0);
  });

  it('refuses a form post from another origin and saves nothing', async () => {
    const t = await setup();
    const response = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack`,
      { ...slackForm(), _confirmed: '1' },
      { cookie: t.admin, origin: 'https://evil.example' },
    );
    expect(response.status).toBe(403);
    expect(await rows(t)).toHaveLength(0);
  });
});

async function saveInstanceSlackTo(t: TestApp & { admin: string }, slug: string) {
  return post(t.app, `${ADMIN_INTEGRATIONS}/${slug}`, { ...slackForm(), _confirmed: '1' }, { cookie: t.admin });
}

describe('seed semantics', () => {
  it('sets up the default for every existing project without the integration, and leaves projects with their own alone', async () => {
    const t = await setup();
    const custom = await post(
      t.app,
      `${t.projectUrl}/slack`,
      {
        ...slackForm({ username: 'project-bot', webhook: 'https://hooks.slack.com/services/PROJECT' }),
        inheritance: 'custom',
      },
      { cookie: t.maintainer },
    );
    expect(custom.status).toBe(303);

    expect((await saveInstanceSlack(t.app, t.admin)).status).toBe(303);

    const otherList = await (
      await get(t.app, projectIntegrations(t.world.otherProject.fullPath), { cookie: t.admin })
    ).text();
    expect(otherList).toContain('Inherited from instance');
    const ownPage = await (await get(t.app, `${t.projectUrl}/slack`, { cookie: t.maintainer })).text();
    expect(ownPage).toContain('value="project-bot"');
    expect(ownPage).toContain('Custom settings');
  });

  it('changes every inheriting project at once when the default changes, and no project row is written', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin, { username: 'first' });
    await saveInstanceSlack(t.app, t.admin, { username: 'second', _version: '1' });
    const page = await (await get(t.app, `${t.projectUrl}/slack`, { cookie: t.maintainer })).text();
    expect(shownValueOf(page, 'username')).toBe('second');
    expect(page).toContain('Use instance-level settings');
    expect(await rows(t)).toHaveLength(1);
  });

  it('lets a project created later use the active default', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin);
    const later = await createProject(t.db, { name: 'Later', path: 'later' }, t.world.sub);
    expect(later.ok).toBe(true);
    const list = await (await get(t.app, projectIntegrations('top/sub/later'), { cookie: t.admin })).text();
    expect(list).toContain('Inherited from instance');
  });

  it('switches a project with custom settings back to the instance settings, deleting its own values', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin, { username: 'instance-bot' });
    await post(
      t.app,
      `${t.projectUrl}/slack`,
      { ...slackForm({ username: 'project-bot', _version: '0' }), inheritance: 'custom' },
      { cookie: t.maintainer },
    );
    const before = await (await get(t.app, `${t.projectUrl}/slack`, { cookie: t.maintainer })).text();
    expect(before).toContain('Choosing &quot;Use instance-level settings&quot; later deletes them.');

    const back = await post(
      t.app,
      `${t.projectUrl}/slack`,
      { inheritance: 'inherit', _version: '1' },
      { cookie: t.maintainer },
    );
    expect(back.status).toBe(303);
    expect(flashOf(back)).toBe('Slack notifications now uses the default settings.');
    const after = await (await get(t.app, `${t.projectUrl}/slack`, { cookie: t.maintainer })).text();
    expect(shownValueOf(after, 'username')).toBe('instance-bot');
    expect(await rows(t)).toHaveLength(1);
  });

  it('refuses to inherit when there is no default to inherit', async () => {
    const t = await setup();
    // A value no level sets is the type's own default.
    const fields = await (
      await get(t.app, `${t.projectUrl}/slack/fields?inheritance=custom`, { cookie: t.maintainer })
    ).text();
    expect(fields).toContain('<p class="section-source field-source">Default values: no level sets these.</p>');
    const response = await post(
      t.app,
      `${t.projectUrl}/slack`,
      { inheritance: 'inherit', _version: '0' },
      { cookie: t.maintainer },
    );
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('There are no default settings for Slack notifications to inherit');
  });
});

describe('the inheritance dropdown', () => {
  it('renders the fields for the chosen option as an htmx fragment: read-only when inherited, editable when custom', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin, { username: 'instance-bot' });
    const inherited = await (
      await get(t.app, `${t.projectUrl}/slack/fields?inheritance=inherit`, { cookie: t.maintainer })
    ).text();
    expect(inherited).not.toContain('<html');
    // Inherited values are text, not inputs: nothing to change and no Tab stop on the way to "Save changes".
    expect(inherited).not.toContain('name="username"');
    expect(shownValueOf(inherited, 'username')).toBe('instance-bot');
    expect(shownValueOf(inherited, 'webhook')).toBe('•••••••• Set, not shown');
    const custom = await (
      await get(t.app, `${t.projectUrl}/slack/fields?inheritance=custom`, { cookie: t.maintainer })
    ).text();
    expect(custom).not.toMatch(/id="field-username"[^>]*disabled/);
    expect(custom).toContain('value="instance-bot"');
    expect(custom).toContain('Leave blank to keep the current value');
    expect(inherited + custom).not.toContain(WEBHOOK);
  });

  it("shows the instance values, not the project's own, when a project with custom settings chooses to inherit", async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin, { username: 'instance-bot', active: '1' });
    await post(
      t.app,
      `${t.projectUrl}/slack`,
      { ...slackForm({ username: 'project-bot', active: '' }), inheritance: 'custom' },
      { cookie: t.maintainer },
    );
    const fragment = await (
      await get(t.app, `${t.projectUrl}/slack/fields?inheritance=inherit`, { cookie: t.maintainer })
    ).text();
    expect(shownValueOf(fragment, 'username')).toBe('instance-bot');
    expect(fragment).not.toContain('project-bot');
    expect(shownValueOf(fragment, 'active')).toBe('Yes');
    expect(fragment).toContain(
      'Saving deletes this project&#39;s custom settings for Slack notifications; from then on it uses the instance-level settings,',
    );

    const page = await post(
      t.app,
      `${t.projectUrl}/slack`,
      { inheritance: 'inherit', _action: 'update_form', _version: '1', username: 'typed-bot' },
      { cookie: t.maintainer },
    );
    const html = await page.text();
    expect(shownValueOf(html, 'username')).toBe('instance-bot');
    expect(html).not.toContain('typed-bot');
    expect(html).not.toContain('project-bot');
    // Nothing is saved before "Save changes": the project still shows its custom state.
    expect(html).toContain('badge-custom');
    expect(await rows(t)).toHaveLength(2);
  });

  it('re-renders the form for the chosen option without saving when "Update form" is pressed', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin);
    const response = await post(
      t.app,
      `${t.projectUrl}/slack`,
      { inheritance: 'custom', _action: 'update_form', _version: '0' },
      { cookie: t.maintainer },
    );
    expect(response.status).toBe(200);
    expect(await response.text()).not.toMatch(/id="field-username"[^>]*disabled/);
    expect(await rows(t)).toHaveLength(1);
  });
});

describe('per-event channels', () => {
  it("shows each event's channel beside its toggle, and never shows a saved Discord event webhook", async () => {
    const t = await setup();
    const slack = await (await get(t.app, `${ADMIN_INTEGRATIONS}/slack`, { cookie: t.admin })).text();
    const triggers = slack.slice(slack.indexOf('<h2 id="section-trigger">Trigger</h2>'));
    expect(triggers).toMatch(
      /name="push_events"[\s\S]*name="push_channel"[\s\S]*name="issues_events"[\s\S]*name="issue_channel"/,
    );

    const form = {
      _version: '0',
      _confirmed: '1',
      active: '1',
      webhook: 'https://discord.com/api/webhooks/main',
      push_channel: 'https://discord.com/api/webhooks/PUSHSECRET',
    };
    expect((await post(t.app, `${ADMIN_INTEGRATIONS}/discord`, form, { cookie: t.admin })).status).toBe(303);
    const discord = await (await get(t.app, `${ADMIN_INTEGRATIONS}/discord`, { cookie: t.admin })).text();
    expect(discord).toMatch(/id="field-push_channel"[^>]*type="password"/);
    expect(discord).not.toContain('PUSHSECRET');
    const project = await (await get(t.app, `${t.projectUrl}/discord`, { cookie: t.maintainer })).text();
    expect(project).not.toContain('PUSHSECRET');
  });
});

describe('secrets', () => {
  it('never shows a stored secret, keeps it on a blank submission, and stores it encrypted', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin);
    await saveInstanceSlack(t.app, t.admin, { webhook: '', username: 'renamed', _version: '1' });
    const stored = (await firstRow<{ fields: string; secrets: string }>(
      t.db,
      sql`select fields, secrets from integration_settings`,
    ))!;
    expect(stored.fields + stored.secrets).not.toContain('XXXX');
    for (const url of [
      `${ADMIN_INTEGRATIONS}/slack`,
      ADMIN_INTEGRATIONS,
      `${t.projectUrl}/slack`,
      `${t.projectUrl}/slack/fields?inheritance=custom`,
    ]) {
      expect(await (await get(t.app, url, { cookie: t.admin })).text()).not.toContain('XXXX');
    }
    // The project switched to custom without entering the webhook again still has it.
    await post(
      t.app,
      `${t.projectUrl}/slack`,
      { ...slackForm({ webhook: '' }), inheritance: 'custom' },
      { cookie: t.maintainer },
    );
    expect(await rows(t)).toHaveLength(2);
  });

  it('asks for the token again when the URL it belongs to changes', async () => {
    const t = await setup();
    const telegram = {
      _version: '0',
      _confirmed: '1',
      active: '1',
      token: '123456:ABC',
      room: '@team',
      hostname: 'https://api.telegram.org',
    };
    expect((await post(t.app, `${ADMIN_INTEGRATIONS}/telegram`, telegram, { cookie: t.admin })).status).toBe(303);
    const moved = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/telegram`,
      { ...telegram, _version: '1', token: '', hostname: 'https://telegram.example.com' },
      { cookie: t.admin },
    );
    expect(moved.status).toBe(422);
    expect((await rows(t))[0]!.version).toBe(1);
  });
});

describe('concurrent edits', () => {
  it("refuses a save from a stale form and keeps the other person's change", async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin, { username: 'first' });
    expect((await saveInstanceSlack(t.app, t.admin, { username: 'alice', _version: '1' })).status).toBe(303);
    const stale = await saveInstanceSlack(t.app, t.admin, { username: 'bob', _version: '1' });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('Someone else changed these settings');
    expect(JSON.parse((await rows(t))[0]!.fields).username).toBe('alice');
  });
});

describe('project roles', () => {
  it('shows Developers the settings read-only and refuses their saves', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin);
    const page = await (await get(t.app, `${t.projectUrl}/slack`, { cookie: t.world.cookies.developer })).text();
    expect(page).toContain('Changing them needs the Maintainer or Owner role');
    expect(page).not.toContain('Save changes');
    const attempt = await post(
      t.app,
      `${t.projectUrl}/slack`,
      { ...slackForm(), inheritance: 'custom' },
      { cookie: t.world.cookies.developer },
    );
    expect(attempt.status).toBe(403);
    expect(await rows(t)).toHaveLength(1);
  });
});

describe('yes/no values on the settings page', () => {
  it('reads the checkbox after its hidden "0", and GitLab\'s words for yes and no', async () => {
    const t = await setup();
    const saved = await post(
      t.app,
      `${t.projectUrl}/slack`,
      { ...slackForm({ active: 'unused' }), active: ['0', '1'], push_events: ['0'], inheritance: 'custom' },
      { cookie: t.maintainer },
    );
    expect(saved.status).toBe(303);
    expect(flashOf(saved)).toBe('Slack notifications settings saved and active.');
    expect((await rows(t))[0]).toMatchObject({ active: true });

    const again = await post(
      t.app,
      `${t.projectUrl}/slack`,
      { ...slackForm({ _version: '1', active: 'f' }), inheritance: 'custom' },
      { cookie: t.maintainer },
    );
    expect(flashOf(again)).toBe('Slack notifications settings saved, but not active.');
  });

  it('refuses a tampered value that is neither yes nor no next to its field, saving nothing', async () => {
    const t = await setup();
    const response = await post(
      t.app,
      `${t.projectUrl}/slack`,
      { ...slackForm({ active: 'maybe', push_events: 'sometimes' }), inheritance: 'custom' },
      { cookie: t.maintainer },
    );
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('Enabled must be yes or no');
    expect(html).toContain('Push events must be yes or no');
    expect(await rows(t)).toHaveLength(0);
  });
});
