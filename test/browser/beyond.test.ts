/**
 * What Cascade adds to GitLab, in Chromium with JavaScript on and off: a project Maintainer
 * inherits some values and sets others (per-field inheritance), each value says where it comes
 * from (provenance, linked for those who may see that level), the administrator enforces a
 * value that the Maintainer then sees disabled with the reason, and the audit list shows it all.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { ROLES } from '../../src/auth/permissions.js';
import { members } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { createUser } from '../../src/model/users.js';
import { must } from '../support/world.js';
import {
  BrowserTab,
  describeInChromium,
  descriptionOf,
  flashOn,
  heading,
  ROOT,
  type RunningServer,
  signIn,
} from './support.js';
import { writeConnection } from '../../src/db/client.js';

const MAINTAINER = { username: 'mia', password: 'mia-password-1234' };
const ADMIN_SLACK = '/admin/application_settings/integrations/slack';
const PROJECT_SLACK = '/platform/api/-/settings/integrations/slack';
const REASON = 'One channel for every release';

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

/** Saves instance settings: with JavaScript the impact is confirmed in a dialog, without on a page. */
async function saveDefaults(tab: BrowserTab) {
  const { page } = tab;
  if (tab.javaScriptEnabled) {
    await page.getByRole('button', { name: 'Save changes', exact: true }).first().click();
    await tab.follow(page.getByRole('dialog').getByRole('button', { name: 'Save changes', exact: true }));
  } else {
    await tab.follow(page.getByRole('button', { name: 'Save changes', exact: true }).first());
    await tab.follow(page.getByRole('button', { name: 'Save changes', exact: true }));
  }
}

/** Platform / API, with Mia as its Maintainer. */
async function addApiProjectAndMaintainer(server: RunningServer): Promise<void> {
  const platform = must(await createGroup(server.db, { name: 'Platform', path: 'platform' }));
  const api = must(await createProject(server.db, { name: 'API', path: 'api' }, platform));
  const mia = must(
    await createUser(server.db, {
      name: 'Mia',
      username: MAINTAINER.username,
      email: 'mia@example.com',
      password: MAINTAINER.password,
    }),
  );
  await writeConnection(server.db)
    .insert(members)
    .values({ userId: mia.id, projectId: api.id, accessLevel: ROLES.maintainer });
}

describeInChromium(
  'beyond GitLab',
  (run) => {
    it('lets the administrator set up the instance default', async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.visit(ADMIN_SLACK);
      await field(page, 'Enabled').check();
      await page.getByLabel(/^Webhook URL/).fill('https://hooks.slack.com/services/T0/B0/INSTANCE');
      await field(page, 'Username').fill('cascade');
      await field(page, 'Default channel').fill('#general');
      await saveDefaults(run.tab);
      expect(await flashOn(page)).toBe('Slack notifications settings saved and active.');
      await run.tab.follow(page.getByRole('button', { name: 'Sign out' }));
    });

    it('lets the project Maintainer keep the inherited webhook and username and set its own channel', async () => {
      const { page } = run.tab;
      await signIn(run.tab, MAINTAINER.username, MAINTAINER.password);
      await run.tab.visit(PROJECT_SLACK);
      expect(await page.getByRole('main').innerText()).toContain('Inherited from Instance');
      // The Maintainer may not see the Admin Area: the source is named, not linked.
      expect(await page.getByRole('main').getByRole('link', { name: 'Instance' }).count()).toBe(0);

      await page.getByLabel('Settings to use').selectOption({ label: 'Use custom settings' });
      if (run.javaScriptEnabled)
        await page.waitForFunction(() => document.querySelector('input#field-channel') !== null);
      else await run.tab.follow(page.getByRole('button', { name: 'Update form' }));
      await page.getByLabel('Inherit Webhook URL').check();
      await page.getByLabel('Inherit Username').check();
      if (run.javaScriptEnabled) expect(await field(page, 'Username').isDisabled()).toBe(true);
      await field(page, 'Default channel').fill('#api');
      await run.tab.follow(page.getByRole('button', { name: 'Save changes' }));
      expect(await flashOn(page)).toBe('Slack notifications settings saved and active.');

      expect(await field(page, 'Default channel').inputValue()).toBe('#api');
      // Where a section mixes levels, a field names its level only where it is not the project's.
      expect(await descriptionOf(field(page, 'Username'))).toContain('Value from Instance');
      expect(await descriptionOf(field(page, 'Default channel'))).not.toContain('Value from');
      expect(await page.getByLabel('Inherit Username').isChecked()).toBe(true);
      await run.tab.follow(page.getByRole('button', { name: 'Sign out' }));
    });

    it('reaches the inherited values when the default changes, and links each source for the administrator', async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.visit(ADMIN_SLACK);
      await field(page, 'Username').fill('cascade-v2');
      await saveDefaults(run.tab);

      await run.tab.visit(PROJECT_SLACK);
      expect(await field(page, 'Username').inputValue()).toBe('cascade-v2');
      expect(await field(page, 'Default channel').inputValue()).toBe('#api');
      const source = page.locator('#field-username-help').getByRole('link', { name: 'Instance' });
      await run.tab.follow(source);
      expect(run.tab.path()).toBe(ADMIN_SLACK);
      expect(await heading(page)).toBe('Slack notifications');
    });

    it('lets the administrator enforce the channel after a preview of the projects that override it', async () => {
      const { page } = run.tab;
      await run.tab.follow(page.getByRole('link', { name: 'Enforce and push' }));
      await page
        .getByRole('group', { name: 'Settings to enforce' })
        .getByLabel('Default channel', { exact: true })
        .check();
      await page.getByLabel('Reason (optional)').fill(REASON);
      await run.tab.follow(page.getByRole('button', { name: 'Enforce', exact: true }));
      const preview = await page.getByRole('main').innerText();
      expect(preview).toContain('1 project below sets its own values for Default channel.');
      expect(preview).toContain(
        'The values they set themselves are kept, unused, and apply again when the enforcement is lifted.',
      );
      await run.tab.follow(page.getByRole('button', { name: 'Enforce', exact: true }));
      expect(await flashOn(page)).toBe('Slack notifications: Default channel enforced on everything below.');
      expect(await page.getByRole('main').innerText()).toContain(`Enforced: Default channel. Reason: ${REASON}`);
      await run.tab.follow(page.getByRole('button', { name: 'Sign out' }));
    });

    it('shows the Maintainer the enforced channel disabled, with who enforces it and why', async () => {
      const { page } = run.tab;
      await signIn(run.tab, MAINTAINER.username, MAINTAINER.password);
      await run.tab.visit(PROJECT_SLACK);
      const channel = field(page, 'Default channel');
      expect(await channel.isDisabled()).toBe(true);
      expect(await channel.inputValue()).toBe('#general');
      expect(await descriptionOf(channel)).toContain(`Enforced by Instance: ${REASON}`);
      expect(await page.getByLabel('Inherit Default channel').count()).toBe(0);
      expect(await page.getByRole('main').innerText()).toContain(
        'Some settings are enforced by Instance: they cannot be changed here.',
      );

      // The rest stays the project's to change.
      await page.getByLabel('Inherit Username').uncheck();
      await field(page, 'Username').fill('api-bot');
      await run.tab.follow(page.getByRole('button', { name: 'Save changes' }));
      expect(await flashOn(page)).toBe('Slack notifications settings saved and active.');
      expect(await field(page, 'Username').inputValue()).toBe('api-bot');
      expect(await field(page, 'Default channel').inputValue()).toBe('#general');
    });

    it("shows the project's own changes in its audit events", async () => {
      const { page } = run.tab;
      await run.tab.visit('/platform/api/-/audit_events');
      const table = await page.getByRole('table', { name: 'Audit events' }).innerText();
      expect(table).toContain('Username: cascade-v2 (inherited) → api-bot');
      expect(table).toContain('Default channel: #general (inherited) → #api');
      await run.tab.follow(page.getByRole('button', { name: 'Sign out' }));
    });

    it('lists every change in the Admin Area, filtered by user', async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.visit('/admin/audit_events');
      const all = await page.getByRole('table', { name: 'Audit events' }).innerText();
      expect(all).toContain('Enforced settings on everything below');
      expect(all).toContain(`Reason: (not set) → ${REASON}`);
      expect(all).toContain('Username: cascade → cascade-v2');

      await page.getByLabel('User').fill(MAINTAINER.username);
      await run.tab.follow(page.getByRole('button', { name: 'Filter' }));
      const mine = await page.getByRole('table', { name: 'Audit events' }).innerText();
      expect(mine).toContain('@mia');
      expect(mine).not.toContain('@root');
      expect(mine).not.toContain('Enforced settings');
    });
  },
  addApiProjectAndMaintainer,
);
