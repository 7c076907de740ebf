/**
 * The settings form as a keyboard and screen reader user meets it, in Chromium with JavaScript on
 * and off: GitLab's sections, an inheriting project's values as text so that "Save changes" is a
 * few Tab presses from the dropdown, and the dropdown's swap announced in place with the focus
 * kept on the dropdown.
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { findUserByUsername } from '../../src/model/users.js';
import { must } from '../support/world.js';
import {
  describeInChromium,
  expectNoSeriousAccessibilityViolations,
  ROOT,
  type RunningServer,
  shownValue,
  signIn,
} from './support.js';

const INHERITING = '/platform/api/-/settings/integrations/slack';
const CUSTOM = '/platform/web/-/settings/integrations/slack';
const MAX_TABS_TO_SAVE = 15;

/** An instance Slack default; Platform / API inherits it, Platform / Web has custom settings. */
async function seed(server: RunningServer): Promise<void> {
  const platform = must(await createGroup(server.db, { name: 'Platform', path: 'platform' }));
  must(await createProject(server.db, { name: 'API', path: 'api' }, platform));
  must(await createProject(server.db, { name: 'Web', path: 'web' }, platform));
  const cookie = `${SESSION_COOKIE}=${await createSession(server.db, (await findUserByUsername(server.db, ROOT.username))!.id)}`;
  const save = async (path: string, form: Record<string, string>) => {
    const saved = await fetch(`${server.origin}${path}`, {
      method: 'POST',
      headers: { cookie, origin: server.origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
      redirect: 'manual',
    });
    if (saved.status !== 303) throw new Error(`Could not save ${path}: ${saved.status}`);
  };
  const webhook = 'https://hooks.slack.com/services/T0/B0/SECRET';
  await save('/admin/application_settings/integrations/slack', {
    _version: '0',
    _confirmed: '1',
    active: '1',
    webhook,
    username: 'cascade',
    channel: '#general',
  });
  await save(CUSTOM, { _version: '0', inheritance: 'custom', active: '1', webhook, username: 'web-bot' });
}

/** Tab presses from the inheritance dropdown until "Save changes" has the focus. */
async function tabsFromDropdownToSave(page: Page): Promise<number> {
  await page.getByLabel('Settings to use').focus();
  for (let presses = 1; presses <= 200; presses++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    if (focused === 'Save changes') return presses;
  }
  throw new Error('"Save changes" never got the focus');
}

describeInChromium(
  'the settings form',
  (run) => {
    it("shows GitLab's sections, with a help line and the type's documentation each", async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.visit(INHERITING);
      const headings = await page.getByRole('main').getByRole('heading', { level: 2 }).allInnerTexts();
      expect(headings).toEqual(['Connection details', 'Trigger', 'Notification settings']);
      for (const name of headings) {
        const section = page.getByRole('region', { name });
        expect(await section.getByRole('link', { name: 'Slack notifications documentation' }).count(), name).toBe(1);
        // Every value comes from the instance: said once for the section, on no field.
        const source = await section.locator('.section-source').textContent();
        expect(source?.replace(/\s+/g, ' ').trim(), name).toBe('Inherited from Instance');
        expect(await section.innerText(), name).not.toContain('Value from');
      }
    });

    it(`reaches "Save changes" from the dropdown in at most ${MAX_TABS_TO_SAVE} Tab presses on an inheriting project`, async () => {
      const { page } = run.tab;
      await run.tab.visit(INHERITING);
      const inheriting = await tabsFromDropdownToSave(page);
      await run.tab.visit(CUSTOM);
      const custom = await tabsFromDropdownToSave(page);
      console.info(
        `Tab presses from the dropdown to "Save changes": ${inheriting} inheriting, ${custom} in custom settings`,
      );
      expect(inheriting).toBeLessThanOrEqual(MAX_TABS_TO_SAVE);
      // The values stay readable: text next to their labels, the secret masked.
      await run.tab.visit(INHERITING);
      expect(await shownValue(page, 'Username')).toBe('cascade');
      expect(await shownValue(page, 'Default channel')).toBe('#general');
      expect(await shownValue(page, 'Webhook URL')).toContain('Set, not shown');
      expect(await page.content()).not.toContain('SECRET');
    });

    it('swaps the fields in a live region that stays in place, the focus staying on the dropdown', async () => {
      const { page } = run.tab;
      await run.tab.visit(INHERITING);
      const region = page.locator('#settings-fields');
      expect(await region.getAttribute('aria-live')).toBe('polite');
      const dropdown = page.getByLabel('Settings to use');
      if (!run.javaScriptEnabled) {
        await dropdown.selectOption({ label: 'Use custom settings' });
        await run.tab.follow(page.getByRole('button', { name: 'Update form' }));
        expect(await page.getByRole('textbox', { name: /^Username/ }).inputValue()).toBe('cascade');
        return;
      }
      await region.evaluate((element) => ((element as HTMLElement & { marked?: boolean }).marked = true));
      await dropdown.focus();
      await dropdown.selectOption({ label: 'Use custom settings' });
      await page.locator('input#field-username').waitFor();
      // The same element: a live region announces changes to its content, not a region put in its place.
      expect(await region.evaluate((element) => (element as HTMLElement & { marked?: boolean }).marked)).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('field-inheritance');
      expect(await page.getByRole('textbox', { name: /^Username/ }).inputValue()).toBe('cascade');
      await expectNoSeriousAccessibilityViolations(page);

      await dropdown.selectOption({ label: 'Use instance-level settings' });
      await page.locator('dd#field-username').waitFor();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('field-inheritance');
    });

    it('has no serious accessibility violation at phone width, inheriting or custom', async () => {
      const { page } = run.tab;
      await page.setViewportSize({ width: 390, height: 844 });
      for (const path of [INHERITING, CUSTOM]) {
        await run.tab.visit(path);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, path).toBeLessThanOrEqual(0);
        if (run.javaScriptEnabled) await expectNoSeriousAccessibilityViolations(page);
      }
    });
  },
  seed,
);
