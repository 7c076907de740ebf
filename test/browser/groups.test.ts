/**
 * Groups in the chain, in Chromium with JavaScript on and off: an administrator sets an
 * instance default, a group Owner overrides it for the group, a project below uses the
 * group's, another switches to custom, and the overview and Reset behave.
 */
import { expect, it } from 'vitest';
import { ROLES } from '../../src/auth/permissions.js';
import { members } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { createUser } from '../../src/model/users.js';
import { BrowserTab, describeInChromium, flashOn, ROOT, type RunningServer, shownValue, signIn } from './support.js';
import { writeConnection } from '../../src/db/client.js';

const OWNER = { username: 'olga', password: 'olga-password-123' };

/** Clicks a button whose action asks for confirmation: in a dialog with JavaScript, on a page without. */
async function confirmed(tab: BrowserTab, button: string, confirmLabel = button) {
  const { page } = tab;
  if (tab.javaScriptEnabled) {
    await page.getByRole('button', { name: button, exact: true }).first().click();
    await tab.follow(page.getByRole('dialog').getByRole('button', { name: confirmLabel, exact: true }));
  } else {
    await tab.follow(page.getByRole('button', { name: button, exact: true }).first());
    await tab.follow(page.getByRole('button', { name: confirmLabel, exact: true }));
  }
}

/** Platform > Backend with two projects, and Olga as the Owner of Platform. */
async function addPlatformTreeAndOwner(server: RunningServer): Promise<void> {
  const platform = await createGroup(server.db, { name: 'Platform', path: 'platform' });
  if (!platform.ok) throw new Error('group');
  const backend = await createGroup(server.db, { name: 'Backend', path: 'backend' }, platform.value);
  if (!backend.ok) throw new Error('group');
  await createProject(server.db, { name: 'API', path: 'api' }, backend.value);
  await createProject(server.db, { name: 'Worker', path: 'worker' }, backend.value);
  const olga = await createUser(server.db, {
    name: 'Olga',
    username: OWNER.username,
    email: 'olga@example.com',
    password: OWNER.password,
  });
  if (!olga.ok) throw new Error('user');
  await writeConnection(server.db)
    .insert(members)
    .values({ userId: olga.value.id, groupId: platform.value.id, accessLevel: ROLES.owner });
}

describeInChromium(
  'groups in the chain',
  (run) => {
    it('lets the administrator set an instance default', async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.visit('/admin/application_settings/integrations/microsoft-teams');
      await page.getByLabel('Enabled').check();
      await page.getByLabel(/^Webhook URL/).fill('https://outlook.office.com/webhook/INSTANCE');
      await confirmed(run.tab, 'Save changes');
      expect(await flashOn(page)).toBe('Microsoft Teams notifications settings saved and active.');
      await run.tab.follow(page.getByRole('button', { name: 'Sign out' }));
    });

    it('lets the group Owner override it for the group, reaching the projects below', async () => {
      const { page } = run.tab;
      await signIn(run.tab, OWNER.username, OWNER.password);
      await run.tab.visit('/groups/platform');
      await run.tab.follow(page.getByRole('main').getByRole('link', { name: 'Settings › Integrations' }));
      await run.tab.follow(page.getByRole('link', { name: 'Microsoft Teams notifications' }));
      expect(await page.getByLabel('Settings to use').locator('option:checked').innerText()).toBe(
        'Use instance-level settings',
      );
      if (run.javaScriptEnabled) {
        await page.getByLabel('Settings to use').selectOption({ label: 'Use custom settings' });
        await page.waitForFunction(
          // Custom settings are inputs; inherited ones are text.
          () => document.querySelector('input#field-notify_only_broken_pipelines') !== null,
        );
      } else {
        await page.getByLabel('Settings to use').selectOption({ label: 'Use custom settings' });
        await run.tab.follow(page.getByRole('button', { name: 'Update form' }));
      }
      await page.getByLabel('Notify only broken pipelines', { exact: true }).uncheck();
      await confirmed(run.tab, 'Save changes');
      expect(await flashOn(page)).toBe('Microsoft Teams notifications settings saved and active.');

      await run.tab.visit('/platform/backend/api/-/settings/integrations/microsoft-teams');
      expect(await page.getByLabel('Settings to use').locator('option:checked').innerText()).toBe(
        'Use group-level settings',
      );
      expect(await shownValue(page, 'Notify only broken pipelines')).toBe('No');
      expect(await page.getByRole('link', { name: 'Platform' }).last().getAttribute('href')).toBe(
        '/groups/platform/-/settings/integrations/microsoft-teams',
      );
    });

    it('lists a project that switches to custom settings in the overview, and switches it back from there', async () => {
      const { page } = run.tab;
      await run.tab.visit('/platform/backend/worker/-/settings/integrations/microsoft-teams');
      await page.getByLabel('Settings to use').selectOption({ label: 'Use custom settings' });
      if (!run.javaScriptEnabled) await run.tab.follow(page.getByRole('button', { name: 'Update form' }));
      else
        await page.waitForFunction(
          // Custom settings are inputs; inherited ones are text.
          () => document.querySelector('input#field-notify_only_broken_pipelines') !== null,
        );
      await page.getByLabel('Notify only broken pipelines', { exact: true }).check();
      await run.tab.follow(page.getByRole('button', { name: 'Save changes' }));

      await run.tab.visit('/groups/platform/-/settings/integrations/microsoft-teams');
      await run.tab.follow(page.getByRole('link', { name: /Projects using custom settings/ }));
      const table = page.getByRole('table', { name: 'Projects and groups using custom settings' });
      expect(await table.innerText()).toContain('platform/backend/worker');
      expect(await table.innerText()).toContain('Notify only broken pipelines: on');

      await run.tab.follow(page.getByRole('button', { name: /Use default settings for platform\/backend\/worker/ }));
      expect(await page.getByRole('main').innerText()).toContain('Switch 1 project back to the default settings?');
      await run.tab.follow(page.getByRole('button', { name: 'Use default settings for 1 project' }));
      expect(await flashOn(page)).toBe('1 project now uses the default settings.');
      expect(await page.getByRole('main').innerText()).toContain('No project or group uses custom settings.');
    });

    it("resets the group's settings: projects fall back to the instance default", async () => {
      const { page } = run.tab;
      await run.tab.visit('/groups/platform/-/settings/integrations/microsoft-teams');
      await confirmed(run.tab, 'Reset');
      expect(await flashOn(page)).toBe('Microsoft Teams notifications was reset.');
      await run.tab.visit('/platform/backend/api/-/settings/integrations/microsoft-teams');
      expect(await page.getByLabel('Settings to use').locator('option:checked').innerText()).toBe(
        'Use instance-level settings',
      );
      expect(await shownValue(page, 'Notify only broken pipelines')).toBe('Yes');
      await run.tab.follow(page.getByRole('button', { name: 'Sign out' }));
    });
  },
  addPlatformTreeAndOwner,
);
