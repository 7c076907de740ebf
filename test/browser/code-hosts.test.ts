/**
 * Admin Area › Code hosts in a real browser, with JavaScript on and off: connect an (in-memory)
 * GitLab through the form, then follow its import to the end on the connection's page, updated
 * by htmx without a reload, or without JavaScript by the page reloading itself.
 */
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { hostSyncRuns } from '../../src/db/schema.js';
import type { AppDeps } from '../../src/http/context.js';
import { FakeHostClient, sampleTree } from '../support/fake-host-client.js';
import { describeInChromium, flashOn, heading, ROOT, signIn } from './support.js';

/** An in-memory GitLab behind the form, and an import that only starts a run: the test moves it on. */
function standIns(db: Db): Partial<AppDeps> {
  return {
    hostClients: () => new FakeHostClient(sampleTree()),
    hostImports: {
      start: (connection) =>
        void db.transaction(async (tx) => {
          await tx.insert(hostSyncRuns).values({
            codeHostId: connection.id,
            kind: 'import',
            status: 'running',
            phase: 'groups',
            counts: JSON.stringify({ groups: 0, groupsTotal: 3, projects: 0, projectsTotal: 3 }),
            startedAt: new Date(),
            updatedAt: new Date(),
          });
        }),
    },
  };
}

async function moveRun(db: Db, values: Partial<typeof hostSyncRuns.$inferInsert>) {
  await db.transaction(async (tx) => {
    await tx
      .update(hostSyncRuns)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(hostSyncRuns.status, 'running'));
  });
}

const progressRegion = (page: Page) => page.locator('#sync-progress');

describeInChromium(
  'code hosts',
  (run) => {
    let loads = 0;

    it('explains what a connection does, and connects a GitLab through the form', async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.visit('/admin');
      await run.tab.follow(
        page.getByRole('navigation', { name: 'Admin Area' }).getByRole('link', { name: 'Code hosts' }),
      );
      expect(await heading(page)).toBe('Code hosts');
      expect(await page.getByRole('main').innerText()).toContain('No code host is connected.');

      await run.tab.follow(page.getByRole('link', { name: 'Connect a code host' }));
      await page.getByLabel('Kind').selectOption('gitlab');
      await page.getByLabel('URL').fill('https://gitlab.example.com/');
      await page.getByLabel('Access token').fill('glpat-browser-test-token');
      await run.tab.follow(page.getByRole('button', { name: 'Connect' }));

      expect(run.tab.path()).toMatch(/^\/admin\/code_hosts\/\d+$/);
      expect(await flashOn(page)).toBe('Connected to gitlab.example.com. The import has started.');
      expect(await heading(page)).toBe('gitlab.example.com');
      expect(await page.content()).not.toContain('glpat-browser-test-token');
    });

    it('follows the import to the end: by htmx without a reload, or by the page reloading itself', async () => {
      const { page } = run.tab;
      // Opened once the run exists, so that the page knows it is running.
      await run.tab.visit(run.tab.path());
      expect(await progressRegion(page).getByRole('heading').innerText()).toBe('Import: Running (0%)');
      page.on('load', () => loads++);
      await page.evaluate(() => Object.assign(window, { stillTheSamePage: true })).catch(() => undefined);

      await moveRun(run.server.db, {
        phase: 'projects',
        counts: JSON.stringify({ groups: 3, groupsTotal: 3, projects: 0, projectsTotal: 3 }),
      });
      await progressRegion(page).getByRole('heading', { name: 'Import: Running (50%)' }).waitFor({ timeout: 8_000 });

      await moveRun(run.server.db, {
        status: 'finished',
        counts: JSON.stringify({ groups: 3, groupsTotal: 3, projects: 3, projectsTotal: 3 }),
        finishedAt: new Date(),
      });
      await progressRegion(page).getByRole('heading', { name: 'Import: Finished (100%)' }).waitFor({ timeout: 8_000 });
      expect(await progressRegion(page).innerText()).toContain('Projects\n3 of 3');

      if (run.javaScriptEnabled) {
        expect(loads).toBe(0);
        expect(await page.evaluate(() => 'stillTheSamePage' in window)).toBe(true);
        // The answer for an ended run has no trigger: htmx stops asking.
        expect(await progressRegion(page).getAttribute('hx-trigger')).toBeNull();
        // The connection's state came with it: the page opened while the import ran says it has ended.
        expect(await page.locator('#code-host-summary .badge').innerText()).toBe('Active');
      } else {
        expect(loads).toBeGreaterThanOrEqual(2);
        // The finished page no longer reloads itself.
        expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
        const settled = loads;
        await page.waitForTimeout(4_000);
        expect(loads).toBe(settled);
      }
    });
  },
  undefined,
  standIns,
);
