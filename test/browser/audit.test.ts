/**
 * Admin Area › Audit events in a real browser whose time zone is Tokyo: without JavaScript each
 * time reads in UTC, with it in the viewer's zone; the From/To filter goes into the address, and
 * the downloads carry the same filter.
 */
import { mkdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { writeConnection } from '../../src/db/client.js';
import { auditEvents } from '../../src/db/schema.js';
import { describeInChromium, heading, ROOT, signIn } from './support.js';

const SCREENS = '/tmp/screens';
const AT_NOON_UTC = new Date('2026-11-15T12:00:00Z');

describeInChromium(
  'audit events',
  (run) => {
    it("shows when each event happened, in the viewer's time zone with JavaScript and in UTC without", async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.visit('/admin/audit_events');
      expect(await heading(page)).toBe('Audit events');
      const row = page.getByRole('row', { name: /@root/ });
      const time = row.locator('time');
      expect(await time.getAttribute('datetime')).toBe(AT_NOON_UTC.toISOString());
      if (run.javaScriptEnabled) {
        expect(await time.innerText()).toBe('11/15/2026, 21:00:00 GMT+9');
        expect(await time.getAttribute('title')).toBe('2026-11-15 12:00:00 UTC');
      } else {
        expect(await time.innerText()).toBe('2026-11-15 12:00:00 UTC');
      }
      expect(await row.innerText()).toMatch(/ago/);
      expect(await row.innerText()).toContain(
        'Labels to be notified behavior: Match any of the labels → Match all of the labels',
      );
      mkdirSync(SCREENS, { recursive: true });
      await page.screenshot({
        path: `${SCREENS}/audit-events-${run.javaScriptEnabled ? 'js' : 'nojs'}.png`,
        fullPage: true,
      });
    });

    it('filters by date in the address, refuses a To before the From next to the field, and downloads the same', async () => {
      const { page } = run.tab;
      await run.tab.visit('/admin/audit_events');
      await page.getByLabel('From').fill('2026-11-16');
      await page.getByLabel('To').fill('2026-11-01');
      const refused = await run.tab.follow(page.getByRole('button', { name: 'Filter' }));
      expect(refused.status()).toBe(400);
      expect(await page.locator('#field-to-error').innerText()).toBe('To must be on or after From');
      await page.getByLabel('From').fill('2026-11-15');
      await page.getByLabel('To').fill('2026-11-15');
      await run.tab.follow(page.getByRole('button', { name: 'Filter' }));
      expect(run.tab.path()).toContain('from=2026-11-15&to=2026-11-15');
      expect(await page.getByRole('row', { name: /@root/ }).count()).toBe(1);
      const csvHref = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
      expect(csvHref).toBe('/admin/audit_events/export.csv?from=2026-11-15&to=2026-11-15');
      const csv = await page.request.get(csvHref!);
      expect(csv.headers()['content-disposition']).toMatch(/^attachment; filename="audit-events-[\d-]+\.csv"$/);
      expect(await csv.text()).toContain('"2026-11-15T12:00:00.000Z","root"');
    });
  },
  async (server) => {
    await writeConnection(server.db)
      .insert(auditEvents)
      .values({
        createdAt: AT_NOON_UTC,
        actorId: null,
        actorName: 'root',
        action: 'settings.saved',
        level: 'instance',
        ownerName: 'Instance',
        integration: 'slack',
        changes: JSON.stringify([
          {
            key: 'labels_to_be_notified_behavior',
            label: 'Labels to be notified behavior',
            before: 'match_any',
            after: 'match_all',
          },
        ]),
      });
  },
  undefined,
  { timezoneId: 'Asia/Tokyo', locale: 'en-US' },
);
