/**
 * Admin Area › Integration health in a real browser, with JavaScript on and off: an instance
 * default disabled after repeated failures is counted and listed, and "Re-enable" on the page
 * re-enables it in one click and comes back to the page.
 */
import { mkdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { writeConnection } from '../../src/db/client.js';
import { integrationHealth } from '../../src/db/schema.js';
import { describeInChromium, flashOn, heading, ROOT, signIn } from './support.js';

const SCREENS = '/tmp/screens';

describeInChromium(
  'integration health',
  (run) => {
    const mode = () => (run.javaScriptEnabled ? 'js' : 'nojs');

    it('counts and lists the disabled integration, with the level and the last failure', async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.visit('/admin');
      await run.tab.follow(
        page.getByRole('navigation', { name: 'Admin Area' }).getByRole('link', { name: 'Integration health' }),
      );
      expect(run.tab.path()).toBe('/admin/integration_health');
      expect(await heading(page)).toBe('Integration health');
      const row = page.getByRole('row', { name: /Slack notifications/ });
      expect(await row.innerText()).toMatch(
        /Slack notifications\s+Instance\s+Disabled after repeated failures\s+0\s+The server answered with HTTP 500/,
      );
      mkdirSync(SCREENS, { recursive: true });
      await page.screenshot({ path: `${SCREENS}/integration-health-${mode()}.png`, fullPage: true });
    });

    it('re-enables it with one click and comes back to the page, where nothing is failing any more', async () => {
      const { page } = run.tab;
      await run.tab.follow(
        page.getByRole('row', { name: /Slack notifications/ }).getByRole('button', { name: 'Re-enable' }),
      );
      expect(run.tab.path()).toBe('/admin/integration_health');
      expect(await flashOn(page)).toContain('Slack notifications was re-enabled');
      expect(await page.getByText('Every integration delivers: none is failing.').count()).toBe(1);
      await page.screenshot({ path: `${SCREENS}/integration-health-reenabled-${mode()}.png`, fullPage: true });
    });
  },
  async (server) => {
    const now = new Date();
    await writeConnection(server.db).insert(integrationHealth).values({
      integration: 'slack',
      settingsLevel: 'instance',
      settingsOwnerId: 0,
      recentFailures: 40,
      disabledAt: now,
      lastFailure: 'The server answered with HTTP 500',
      lastFailureAt: now,
      updatedAt: now,
    });
  },
);
