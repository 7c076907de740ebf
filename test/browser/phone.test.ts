/**
 * Phone widths (390 px) in Chromium, with JavaScript on and off: the section's navigation folds
 * behind one line that names where you are, so that the page starts near the top; the tabs wrap,
 * so that the current one is in view; a table's rows become blocks with each value under its
 * column's name. Every page any browser test reaches is also checked at this width (nothing
 * wider than the screen, no serious axe violation) by BrowserTab; this file checks what the
 * reader sees.
 */
import { expect, it } from 'vitest';
import { describeInChromium, heading, PHONE_VIEWPORT, ROOT, signIn } from './support.js';

describeInChromium(
  'phone widths',
  (run) => {
    it('folds the Admin Area navigation behind the current page, and opens it', async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.visit('/admin/users');
      const menu = page.getByRole('navigation', { name: 'Admin Area' });
      const summary = menu.locator('summary');
      expect(await summary.innerText()).toMatch(/^Admin Area\s*Users$/);
      await expect.poll(() => menu.getByRole('link', { name: 'Audit events' }).isVisible()).toBe(false);
      // The page's own content starts in the first third of the screen.
      const top = await page.getByRole('heading', { level: 1 }).evaluate((h1) => h1.getBoundingClientRect().top);
      expect(top).toBeLessThan(PHONE_VIEWPORT.height / 3);

      await summary.click();
      await run.tab.follow(menu.getByRole('link', { name: 'Audit events' }));
      expect(await heading(page)).toBe('Audit events');
    });

    it('shows every tab of an integration, the current one marked', async () => {
      const { page } = run.tab;
      await run.tab.visit('/admin/application_settings/integrations/slack');
      const tabs = page.getByRole('navigation', { name: 'Integration' }).getByRole('link');
      expect(await tabs.count()).toBeGreaterThanOrEqual(3);
      for (const tab of await tabs.all()) {
        const box = (await tab.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
      }
      expect(await page.locator('.tabs a[aria-current="page"]').innerText()).toBe('Settings');
    });

    it("reflows a table: each value under its column's name, the table still a table", async () => {
      const { page } = run.tab;
      await run.tab.visit('/admin/users');
      const users = page.getByRole('table', { name: 'Users' });
      const row = users.getByRole('row').filter({ hasText: '@root' });
      const email = row.getByRole('cell').filter({ hasText: 'root@example.com' });
      const label = await email.evaluate((cell) => getComputedStyle(cell, '::before').content);
      expect(label).toBe('"Email"');
      // Name and e-mail one above the other, not side by side.
      const name = row.getByRole('cell').first();
      const [nameBox, emailBox] = [(await name.boundingBox())!, (await email.boundingBox())!];
      expect(emailBox.y).toBeGreaterThanOrEqual(nameBox.y + nameBox.height);
      expect(emailBox.x).toBe(nameBox.x);
    });
  },
  undefined,
  undefined,
  { viewport: PHONE_VIEWPORT },
);

describeInChromium('desktop widths', (run) => {
  it('shows the Admin Area navigation whole, without a disclosure', async () => {
    const { page } = run.tab;
    await signIn(run.tab, ROOT.username, ROOT.password);
    await run.tab.visit('/admin/users');
    const menu = page.getByRole('navigation', { name: 'Admin Area' });
    expect(await menu.locator('summary').isVisible()).toBe(false);
    expect(await menu.getByRole('link', { name: 'Audit events' }).isVisible()).toBe(true);
    await run.tab.follow(menu.getByRole('link', { name: 'Audit events' }));
    expect(await heading(page)).toBe('Audit events');
  });
});
