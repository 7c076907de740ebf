/**
 * Recent deliveries and Resend in Chromium, with JavaScript on and off: a project's tab lists
 * the delivery of a push with its webhook's token redacted, the delivery's page shows its
 * attempt, Resend queues it again, and a group's list filters by status. Screenshots go to
 * /tmp/screens/.
 */
import { mkdirSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { writeConnection } from '../../src/db/client.js';
import { projects } from '../../src/db/schema.js';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { findUserByUsername } from '../../src/model/users.js';
import { insertConnection } from '../support/code-host-events.js';
import { dispatchExample, finishDelivery } from '../support/deliveries.js';
import { must } from '../support/world.js';
import {
  BROWSER_SECRET_KEY_BASE,
  describeInChromium,
  flashOn,
  heading,
  ROOT,
  signIn,
  type RunningServer,
} from './support.js';

const SCREENS = '/tmp/screens';
const PROJECT_SLACK = '/platform/api/-/settings/integrations/slack';
const GROUP_DELIVERIES = '/groups/platform/-/settings/integrations/slack/deliveries';
const WEBHOOK = 'https://chat.example.com/incoming/plainsecretword';

/** Platform / API below an instance Slack default, and a push to it whose delivery failed with a 500. */
async function seedFailedDelivery(server: RunningServer): Promise<void> {
  const platform = must(await createGroup(server.db, { name: 'Platform', path: 'platform' }));
  const api = must(await createProject(server.db, { name: 'API', path: 'api' }, platform));
  await writeConnection(server.db).update(projects).set({ defaultBranch: 'master' }).where(eq(projects.id, api.id));
  const cookie = `${SESSION_COOKIE}=${await createSession(server.db, (await findUserByUsername(server.db, ROOT.username))!.id)}`;
  const form = { _version: '0', _confirmed: '1', active: '1', webhook: WEBHOOK, username: 'cascade', channel: '#dev' };
  const saved = await fetch(`${server.origin}/admin/application_settings/integrations/slack`, {
    method: 'POST',
    headers: { cookie, origin: server.origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    redirect: 'manual',
  });
  if (saved.status !== 303) throw new Error(`Could not save the instance default: ${saved.status}`);
  const gitlab = await insertConnection(server.db, 'gitlab');
  const [delivery] = await dispatchExample(
    server.db,
    { codeHostId: gitlab.id, projectId: api.id },
    'push',
    BROWSER_SECRET_KEY_BASE,
  );
  await finishDelivery(server.db, delivery!.id, 500, 'Internal Server Error from the receiver');
  await dispatchExample(server.db, { codeHostId: gitlab.id, projectId: api.id }, 'push', BROWSER_SECRET_KEY_BASE);
}

describeInChromium(
  'Recent deliveries',
  (run) => {
    const mode = () => (run.javaScriptEnabled ? 'js' : 'no-js');
    beforeAll(async () => {
      mkdirSync(SCREENS, { recursive: true });
      await signIn(run.tab, ROOT.username, ROOT.password);
    });

    it("lists a project's deliveries on the integration's Recent deliveries tab, the webhook's token redacted", async () => {
      const { page } = run.tab;
      await run.tab.visit(PROJECT_SLACK);
      const response = await run.tab.follow(
        page.getByRole('navigation', { name: 'Integration' }).getByRole('link', { name: 'Recent deliveries' }),
      );
      expect(response.headers()['cache-control']).toBe('no-store');
      expect(run.tab.path()).toBe(`${PROJECT_SLACK}/deliveries`);
      expect(await page.getByRole('heading', { level: 2 }).first().innerText()).toBe('Recent deliveries');
      const rows = page.getByRole('table', { name: 'Recent deliveries' }).locator('tbody tr');
      expect(await rows.count()).toBe(2);
      expect(await rows.nth(1).innerText()).toMatch(
        /#1\s+Push\s+POST https:\/\/chat\.example\.com\/\[REDACTED\]\s+Failed HTTP 500\s+1/,
      );
      expect(await page.content()).not.toContain('plainsecretword');
      await page.screenshot({ path: `${SCREENS}/deliveries-${mode()}.png`, fullPage: true });
    });

    it("shows a delivery's attempt and the levels its settings came from, and resends it", async () => {
      const { page } = run.tab;
      await run.tab.follow(page.getByRole('link', { name: '#1', exact: true }));
      expect(await heading(page)).toBe('Slack notifications: delivery #1');
      const attempts = await page.getByRole('table', { name: 'Attempts' }).innerText();
      expect(attempts).toContain('The server answered with HTTP 500');
      expect(attempts).toContain('Internal Server Error from the receiver');
      expect(await page.getByRole('table', { name: 'Settings used' }).innerText()).toMatch(
        /Default channel\s+#dev\s+Instance/,
      );
      expect(await page.content()).not.toContain('plainsecretword');
      await page.screenshot({ path: `${SCREENS}/delivery-${mode()}.png`, fullPage: true });

      await run.tab.follow(page.getByRole('button', { name: 'Resend' }));
      expect(run.tab.path()).toBe(`${PROJECT_SLACK}/deliveries/3`);
      expect(await flashOn(page)).toContain('Delivery #1 was queued again as #3');
      const details = await page.locator('.details-list').innerText();
      expect(details).toMatch(/Status\s+Pending/);
      expect(details).toMatch(/Resent from\s+#1/);
      expect(await page.getByRole('button', { name: 'Resend' }).count()).toBe(0);
      await page.screenshot({ path: `${SCREENS}/resent-${mode()}.png`, fullPage: true });
    });

    it("filters a group's deliveries by status", async () => {
      const { page } = run.tab;
      await run.tab.visit(GROUP_DELIVERIES);
      expect(await page.locator('tbody tr').count()).toBe(3);
      await page.getByLabel('Status').selectOption('failed');
      await run.tab.follow(page.getByRole('button', { name: 'Filter' }));
      expect(run.tab.path()).toContain('state=failed');
      const rows = page.locator('tbody tr');
      expect(await rows.count()).toBe(1);
      expect(await rows.first().innerText()).toContain('platform/api');
      await page.screenshot({ path: `${SCREENS}/group-deliveries-${mode()}.png`, fullPage: true });
    });
  },
  seedFailedDelivery,
);
