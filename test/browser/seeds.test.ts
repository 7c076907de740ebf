/**
 * Both seed pages ("Instance level integrations" and "Project integration management"), step by
 * step in Chromium, with JavaScript on and off: an administrator sets up a default, a project
 * inherits it, overrides it with custom settings, switches back, and sees the administrator's
 * next change at once.
 */
import { expect, it } from 'vitest';
import { ROLES } from '../../src/auth/permissions.js';
import { integrationSettings, members } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { createUser } from '../../src/model/users.js';
import {
  BrowserTab,
  describeInChromium,
  flashOn,
  heading,
  ROOT,
  type RunningServer,
  shownValue,
  signIn,
} from './support.js';
import { writeConnection } from '../../src/db/client.js';

const MAINTAINER = { username: 'mia', password: 'mia-password-123' };
const PROJECT = 'platform/api';
/** Has its own Slack integration, switched off, before the instance default is set up. */
const LEGACY_PROJECT = 'platform/legacy';
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/SEEDSECRET';

async function signOut(tab: BrowserTab) {
  await tab.follow(tab.page.getByRole('button', { name: 'Sign out' }));
}

/** "Save changes", then confirm: in the dialog with JavaScript, on the confirmation page without. */
async function saveDefaults(tab: BrowserTab) {
  const { page } = tab;
  if (tab.javaScriptEnabled) {
    await page.getByRole('button', { name: 'Save changes' }).first().click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.innerText()).toContain(
      'Saving will update the default settings for all projects that are not using custom settings.',
    );
    await tab.follow(dialog.getByRole('button', { name: 'Save changes' }));
  } else {
    await tab.follow(page.getByRole('button', { name: 'Save changes' }));
    expect(await page.getByRole('main').innerText()).toContain(
      'Saving will update the default settings for all projects that are not using custom settings. Projects using custom settings will not be impacted unless the project owner chooses to use parent level defaults.',
    );
    await tab.follow(page.getByRole('button', { name: 'Save changes' }));
  }
}

/** Picks an option of the inheritance dropdown: htmx swaps the fields in place, or "Update form" reloads them. */
async function chooseSettings(tab: BrowserTab, option: string) {
  const { page } = tab;
  if (tab.javaScriptEnabled) {
    await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));
    await page.getByLabel('Settings to use').selectOption({ label: option });
    // Custom settings are inputs; inherited ones are text.
    await page.waitForFunction((editable) => {
      const field = document.querySelector('#field-username');
      return field !== null && (field.tagName === 'INPUT') === editable;
    }, option === 'Use custom settings');
    // No full page load: the marker set before the change is still there.
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
  } else {
    await page.getByLabel('Settings to use').selectOption({ label: option });
    await tab.follow(page.getByRole('button', { name: 'Update form' }));
  }
}

/** Platform with three projects (Legacy with its own Slack integration, switched off), and Mia as Maintainer of Platform. */
async function addPlatformAndMaintainer(server: RunningServer): Promise<void> {
  const platform = await createGroup(server.db, { name: 'Platform', path: 'platform' });
  if (!platform.ok) throw new Error('group');
  for (const path of ['api', 'web']) await createProject(server.db, { name: path.toUpperCase(), path }, platform.value);
  const legacy = await createProject(server.db, { name: 'Legacy', path: 'legacy' }, platform.value);
  if (!legacy.ok) throw new Error('project');
  await writeConnection(server.db)
    .insert(integrationSettings)
    .values({
      type: 'slack',
      projectId: legacy.value.id,
      active: false,
      fields: JSON.stringify({ username: 'legacy-bot' }),
    });
  const mia = await createUser(server.db, {
    name: 'Mia',
    username: MAINTAINER.username,
    email: 'mia@example.com',
    password: MAINTAINER.password,
  });
  if (!mia.ok) throw new Error('user');
  await writeConnection(server.db)
    .insert(members)
    .values({ userId: mia.value.id, groupId: platform.value.id, accessLevel: ROLES.maintainer });
}

describeInChromium(
  'the seed pages',
  (run) => {
    it('sets up an instance-level integration: Admin Area > Settings > Integrations, choose it, fill out the details, save', async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.follow(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin Area' }));
      await run.tab.follow(
        page.getByRole('navigation', { name: 'Admin Area' }).getByRole('link', { name: 'Settings › Integrations' }),
      );
      expect(await heading(page)).toBe('Integrations');

      await run.tab.follow(page.getByRole('link', { name: 'Slack notifications' }));
      await page.getByLabel('Enabled', { exact: true }).check();
      await page.getByLabel(/^Webhook/).fill(WEBHOOK);
      await page.getByLabel(/^Username/).fill('instance-bot');
      await saveDefaults(run.tab);

      expect(await flashOn(page)).toBe('Slack notifications settings saved and active.');
      expect(await page.content()).not.toContain('SEEDSECRET');
      await run.tab.visit('/admin/application_settings/integrations');
      const row = page.getByRole('row', { name: /Slack notifications/ });
      expect(await row.innerText()).toContain('Active');
      await signOut(run.tab);
    });

    it('lets every existing project inherit it, shown read-only with the secret masked', async () => {
      const { page } = run.tab;
      await signIn(run.tab, MAINTAINER.username, MAINTAINER.password);
      await run.tab.visit(`/${PROJECT}`);
      await run.tab.follow(page.getByRole('main').getByRole('link', { name: 'Settings › Integrations' }));
      expect(await page.getByRole('row', { name: /Slack notifications/ }).innerText()).toContain(
        'Inherited from instance',
      );

      await run.tab.follow(page.getByRole('link', { name: 'Slack notifications' }));
      expect(await page.getByLabel('Settings to use').locator('option:checked').innerText()).toBe(
        'Use instance-level settings',
      );
      expect(await shownValue(page, 'Username')).toBe('instance-bot');
      expect(await shownValue(page, 'Enabled')).toBe('Yes');
      expect(await shownValue(page, 'Webhook URL')).toContain('Set, not shown');
      // Read-only: nothing on the page can change them.
      expect(await page.getByRole('textbox', { name: /^Username/ }).count()).toBe(0);
      expect(await page.getByRole('checkbox', { name: 'Enabled', exact: true }).count()).toBe(0);
      expect(await page.content()).not.toContain('SEEDSECRET');
    });

    it('leaves a project with an existing integration of the same type unchanged', async () => {
      const { page } = run.tab;
      await run.tab.visit(`/${LEGACY_PROJECT}/-/settings/integrations`);
      const row = await page.getByRole('row', { name: /Slack notifications/ }).innerText();
      expect(row).toContain('Custom settings');
      expect(row).toContain('Inactive');
      await run.tab.visit(`/${LEGACY_PROJECT}/-/settings/integrations/slack`);
      expect(await page.getByLabel('Settings to use').locator('option:checked').innerText()).toBe(
        'Use custom settings',
      );
      expect(await page.getByLabel(/^Username/).inputValue()).toBe('legacy-bot');
      await run.tab.visit(`/${PROJECT}/-/settings/integrations/slack`);
    });

    it('overwrites the integration on the project level with "Use custom settings"', async () => {
      const { page } = run.tab;
      await chooseSettings(run.tab, 'Use custom settings');
      expect(await page.getByLabel(/^Username/).inputValue()).toBe('instance-bot');
      expect(await page.getByLabel(/^Webhook/).getAttribute('placeholder')).toBe(
        'Leave blank to keep the current value',
      );
      // "Ensure the toggle is set to Enabled and enter all required settings."
      await page.getByLabel('Enabled', { exact: true }).check();
      await page.getByLabel(/^Webhook/).fill('https://hooks.slack.com/services/T111/B111/PROJECTSECRET');
      await page.getByLabel(/^Username/).fill('project-bot');
      await run.tab.follow(page.getByRole('button', { name: 'Save changes' }));

      expect(await flashOn(page)).toBe('Slack notifications settings saved and active.');
      expect(await page.getByLabel(/^Username/).inputValue()).toBe('project-bot');
      expect(await page.content()).not.toContain('PROJECTSECRET');
      await run.tab.visit(`/${PROJECT}/-/settings/integrations`);
      expect(await page.getByRole('row', { name: /Slack notifications/ }).innerText()).toContain('Custom settings');
      await signOut(run.tab);
    });

    it('keeps the custom project unchanged and updates inheriting projects when the administrator changes the default', async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.visit('/admin/application_settings/integrations/slack');
      await page.getByLabel(/^Username/).fill('instance-bot-v2');
      await saveDefaults(run.tab);
      expect(await flashOn(page)).toBe('Slack notifications settings saved and active.');

      await run.tab.visit('/platform/web/-/settings/integrations/slack');
      expect(await shownValue(page, 'Username')).toBe('instance-bot-v2');
      await run.tab.visit(`/${PROJECT}/-/settings/integrations/slack`);
      expect(await page.getByLabel(/^Username/).inputValue()).toBe('project-bot');
      await signOut(run.tab);
    });

    it('switches back with "Use instance-level settings" and then shows the instance values', async () => {
      const { page } = run.tab;
      await signIn(run.tab, MAINTAINER.username, MAINTAINER.password);
      await run.tab.visit(`/${PROJECT}/-/settings/integrations/slack`);
      await chooseSettings(run.tab, 'Use instance-level settings');
      expect(await page.getByRole('main').innerText()).toContain(
        "Saving deletes this project's custom settings for Slack notifications",
      );
      // Before saving, the fields already show what the project will use.
      expect(await shownValue(page, 'Username')).toBe('instance-bot-v2');
      await run.tab.follow(page.getByRole('button', { name: 'Save changes' }));

      expect(await flashOn(page)).toBe('Slack notifications now uses the default settings.');
      expect(await shownValue(page, 'Username')).toBe('instance-bot-v2');
      expect(await shownValue(page, 'Enabled')).toBe('Yes');
      await run.tab.visit(`/${PROJECT}/-/settings/integrations`);
      expect(await page.getByRole('row', { name: /Slack notifications/ }).innerText()).toContain(
        'Inherited from instance',
      );
    });

    it('lets a project without the integration enabled use the latest instance-level defaults', async () => {
      const { page } = run.tab;
      await run.tab.visit(`/${LEGACY_PROJECT}/-/settings/integrations/slack`);
      expect(await page.getByLabel('Enabled', { exact: true }).isChecked()).toBe(false);
      await chooseSettings(run.tab, 'Use instance-level settings');
      // "Ensure the toggle is set to Enabled": the instance's, shown read-only.
      expect(await shownValue(page, 'Enabled')).toBe('Yes');
      expect(await shownValue(page, 'Username')).toBe('instance-bot-v2');
      await run.tab.follow(page.getByRole('button', { name: 'Save changes' }));

      expect(await flashOn(page)).toBe('Slack notifications now uses the default settings.');
      await run.tab.visit(`/${LEGACY_PROJECT}/-/settings/integrations`);
      const row = await page.getByRole('row', { name: /Slack notifications/ }).innerText();
      expect(row).toContain('Inherited from instance');
      expect(row).toContain('Active');
      await signOut(run.tab);
    });
  },
  addPlatformAndMaintainer,
);
