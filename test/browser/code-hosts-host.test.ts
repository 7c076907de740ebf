/**
 * Connecting a real code host in a real browser, with JavaScript on and off: the test GitLab with a
 * small nested tree, reached through the real host client and imported by the real background
 * work. The administrator allows the local network, connects through the form, follows the import
 * to its end (htmx in place, or the page reloading itself), finds the imported groups and projects
 * marked with their host, saves an imported project's own Slack settings, and finds no control to
 * rename, move or delete it. Screenshots go to /tmp/screens/.
 */
import { mkdirSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCodeHostBackground, type CodeHostBackground } from '../../src/code-hosts/background.js';
import { createHostClient } from '../../src/code-hosts/clients.js';
import { startDelivery, type Delivery } from '../../src/delivery/background.js';
import { createPlanner } from '../../src/delivery/planner.js';
import type { Db } from '../../src/db/client.js';
import { hostSyncRuns } from '../../src/db/schema.js';
import type { AppDeps } from '../../src/http/context.js';
import { createLogger } from '../../src/logger.js';
import { ALLOWLIST_LABEL } from '../../src/model/network-settings.js';
import { pushEvent } from '../support/host-payloads/gitlab.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { HostTree, type TreeProject, type TreeUser } from '../support/test-host.js';
import { startTestGitLab, type TestGitLab } from '../support/test-gitlab.js';
import { BROWSER_SECRET_KEY_BASE, describeInChromium, flashOn, heading, ROOT, signIn } from './support.js';

const SCREENS = '/tmp/screens';
/** The local network the test GitLab is on. */
const LOOPBACK = '127.0.0.1';
const PROJECT = '/platform/backend/api';
const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

/** Platform › Backend with API and Jobs, Platform's Web, and Ops with Infra; Ada owns Platform. */
function nestedTree(): { tree: HostTree; api: TreeProject; ada: TreeUser } {
  const tree = new HostTree();
  const ada = tree.addUser({ username: 'ada', name: 'Ada Lovelace' });
  const platform = tree.addGroup({ name: 'Platform' });
  const backend = tree.addGroup({ name: 'Backend', parentId: platform.id });
  const ops = tree.addGroup({ name: 'Ops' });
  const api = tree.addProject({ name: 'API', groupId: backend.id });
  tree.addProject({ name: 'Jobs', groupId: backend.id });
  tree.addProject({ name: 'Web', groupId: platform.id });
  tree.addProject({ name: 'Infra', groupId: ops.id });
  tree.groupMembers.set(platform.id, new Map([[ada.id, 50]]));
  return { tree, api, ada };
}

let gitlab: TestGitLab;
let hosted: ReturnType<typeof nestedTree>;
/** Stands in for Slack: the imported project's webhook points here. */
let slack: Receiver;
/** The connection's name: the host's address and port. */
let HOST: string;
const backgrounds: (CodeHostBackground | Delivery)[] = [];
const backgroundLog: string[] = [];

beforeAll(async () => {
  hosted = nestedTree();
  gitlab = await startTestGitLab({ tree: hosted.tree });
  slack = await startReceiver();
  HOST = new URL(gitlab.url).host;
  mkdirSync(SCREENS, { recursive: true });
});
afterAll(async () => {
  await gitlab?.close();
  await slack?.close();
});

/** What src/server.ts runs beside the requests, on the test server's database. */
function realBackground(db: Db): Partial<AppDeps> {
  const background = startCodeHostBackground(db, {
    clients: createHostClient,
    secretKeyBase: BROWSER_SECRET_KEY_BASE,
    logger: createLogger('info', (line) => backgroundLog.push(line)),
  });
  const delivery = startDelivery({
    db,
    planner: createPlanner(db, BROWSER_SECRET_KEY_BASE),
    secretKeyBase: BROWSER_SECRET_KEY_BASE,
    schedule: [1_000],
  });
  backgrounds.push(background, delivery);
  return { hostImports: background.imports, hostEventProcessor: background.processor, delivery };
}

const progressRegion = (page: Page) => page.locator('#sync-progress');

async function runsGoing(db: Db): Promise<number> {
  return (await db.select().from(hostSyncRuns).where(eq(hostSyncRuns.status, 'running'))).length;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}. Background log:\n${backgroundLog.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeInChromium(
  'a connected test GitLab',
  (run) => {
    const mode = () => (run.javaScriptEnabled ? 'js-on' : 'js-off');
    // Registered after the server's own afterAll, so it runs first: the work stops before the database closes.
    afterAll(async () => {
      await Promise.all(backgrounds.splice(0).map((background) => background.stop()));
    });

    it('allows the local network in Admin Area › Network settings', async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.visit('/admin');
      await run.tab.follow(
        page.getByRole('navigation', { name: 'Admin Area' }).getByRole('link', { name: 'Settings › Network' }),
      );
      await page.getByLabel(ALLOWLIST_LABEL).fill(LOOPBACK);
      await run.tab.follow(page.getByRole('button', { name: 'Save changes' }));
      expect(await page.getByLabel(ALLOWLIST_LABEL).inputValue()).toBe(LOOPBACK);
    });

    it('connects the test GitLab through the form, and follows the import until it has finished', async () => {
      const { page } = run.tab;
      // Two answers of "429, retry after 2 s" on the project pages keep the import going for a while.
      gitlab.fail({
        match: ({ path }) => path.startsWith('/api/v4/projects?'),
        status: 429,
        retryAfter: '2',
        times: 2,
      });
      await run.tab.visit('/admin');
      await run.tab.follow(
        page.getByRole('navigation', { name: 'Admin Area' }).getByRole('link', { name: 'Code hosts' }),
      );
      await run.tab.follow(page.getByRole('link', { name: 'Connect a code host' }));
      await page.getByLabel('Kind').selectOption('gitlab');
      await page.getByLabel('URL').fill(gitlab.url);
      await page.getByLabel('Access token').fill(gitlab.token);
      await run.tab.follow(page.getByRole('button', { name: 'Connect' }));
      expect(run.tab.path()).toMatch(/^\/admin\/code_hosts\/\d+$/);
      expect(await flashOn(page)).toBe(`Connected to ${HOST}. The import has started.`);
      expect(await page.content()).not.toContain(gitlab.token);

      // Opened once the background has started the run, so that the page knows it is running.
      await until(async () => (await runsGoing(run.server.db)) > 0, 'the import to start');
      await run.tab.visit(run.tab.path());
      expect(await progressRegion(page).getByRole('heading').innerText()).toMatch(/^Import: Running/);
      let loads = 0;
      page.on('load', () => loads++);
      await page.evaluate(() => Object.assign(window, { stillTheSamePage: true })).catch(() => undefined);

      // The import ends, and the first reconcile right after it.
      await progressRegion(page)
        .getByRole('heading', { name: /^(Import|Reconcile): Finished/ })
        .waitFor({ timeout: 20_000 });
      await until(async () => (await runsGoing(run.server.db)) === 0, 'the runs to end');
      if (run.javaScriptEnabled) {
        expect(loads).toBe(0);
        expect(await page.evaluate(() => 'stillTheSamePage' in window)).toBe(true);
      } else {
        expect(loads).toBeGreaterThanOrEqual(1);
      }
      await run.tab.visit(run.tab.path());
      expect(await progressRegion(page).getByRole('heading').innerText()).toMatch(/Finished/);
      expect(await page.getByRole('main').innerText()).toContain('3 groups, 4 projects, 1 user, 1 membership');
      await page.screenshot({ path: `${SCREENS}/connection-${mode()}.png`, fullPage: true });
    });

    it('lists the imported groups and projects marked "Managed by" the connection', async () => {
      const { page } = run.tab;
      await run.tab.visit('/admin/groups');
      // A group's own line of the tree, without the subgroups nested in it.
      const groupLines = page.getByRole('list', { name: 'Groups and their subgroups' }).locator('.group-tree-item');
      for (const name of ['Platform', 'Backend', 'Ops']) {
        const row = groupLines.filter({ has: page.getByRole('link', { name, exact: true }) });
        expect(await row.innerText()).toContain(`Managed by ${HOST}`);
      }
      await run.tab.visit('/admin/projects');
      const projectRows = page.getByRole('table', { name: 'Projects' }).getByRole('row');
      expect(await projectRows.filter({ hasText: 'platform/backend/api' }).innerText()).toContain(`Managed by ${HOST}`);

      await run.tab.visit('/groups/platform');
      // For the administrator the badge leads to the connection's page.
      await run.tab.follow(
        page
          .getByRole('main')
          .getByRole('link', { name: `Managed by ${HOST}` })
          .first(),
      );
      expect(run.tab.path()).toMatch(/^\/admin\/code_hosts\/\d+$/);
      expect(await heading(page)).toBe(HOST);
    });

    it("saves an imported project's own Slack settings", async () => {
      const { page } = run.tab;
      await run.tab.visit(PROJECT);
      expect(await page.getByRole('main').innerText()).toContain(`Managed by ${HOST}`);
      await page.screenshot({ path: `${SCREENS}/project-${mode()}.png`, fullPage: true });
      await run.tab.follow(page.getByRole('link', { name: 'Settings › Integrations' }).first());
      await run.tab.follow(page.getByRole('main').getByRole('link', { name: 'Slack notifications' }).first());
      const settingsToUse = page.getByLabel('Settings to use');
      if ((await settingsToUse.count()) > 0 && (await settingsToUse.inputValue()) !== 'custom') {
        await settingsToUse.selectOption({ label: 'Use custom settings' });
        if (!run.javaScriptEnabled) await run.tab.follow(page.getByRole('button', { name: 'Update form' }));
      }
      await field(page, 'Enabled').check();
      await page.getByLabel(/^Webhook URL/).fill(`${slack.origin}/services/T0/B0/API`);
      await field(page, 'Username').fill('api-bot');
      await run.tab.follow(page.getByRole('button', { name: 'Save changes' }));
      expect(await flashOn(page)).toBe('Slack notifications settings saved and active.');
      expect(await field(page, 'Username').inputValue()).toBe('api-bot');
    });

    it("delivers a push the host sends to the project's Slack, and Recent events says so", async () => {
      const { page } = run.tab;
      slack.received = [];
      const push = pushEvent(hosted.tree, gitlab.url, hosted.api, hosted.ada);
      expect((await gitlab.sendHook(gitlab.hooks.at(-1)!, push)).status).toBe(201);
      await until(async () => slack.received.length > 0, 'the push to reach Slack');
      const [message] = slack.received;
      expect(message!.path).toBe('/services/T0/B0/API');
      const payload = JSON.parse(new URLSearchParams(message!.body).get('payload')!) as { text: string };
      expect(payload.text).toContain('Ada Lovelace pushed to branch');

      await run.tab.visit('/admin/code_hosts');
      await run.tab.follow(page.getByRole('main').getByRole('link', { name: HOST }).first());
      await run.tab.follow(page.getByRole('link', { name: 'Recent events' }));
      const row = page.getByRole('row').filter({ hasText: 'platform/backend/api' }).first();
      expect(await row.innerText()).toMatch(/Push[\s\S]*Dispatched/);
      await page.screenshot({ path: `${SCREENS}/events-${mode()}.png`, fullPage: true });
    });

    it('offers no control to rename, move or delete it: why, and where on the host', async () => {
      const { page } = run.tab;
      await run.tab.visit(PROJECT);
      await run.tab.follow(page.getByRole('link', { name: 'Manage in Admin Area' }));
      const main = page.getByRole('main');
      for (const control of [/move/i, /rename/i, /delete/i])
        expect(await main.getByRole('button', { name: control }).count()).toBe(0);
      expect(await main.innerText()).toContain(`Its name, path and place are managed on ${HOST}: change them there.`);
      expect(await main.getByRole('link', { name: `Open platform/backend/api on ${HOST}` }).getAttribute('href')).toBe(
        `${gitlab.url}/platform/backend/api`,
      );
      await page.screenshot({ path: `${SCREENS}/admin-project-${mode()}.png`, fullPage: true });
      // Ada's membership came from the host: shown with it, not changed here.
      const ada = main.getByRole('row').filter({ hasText: '@ada' });
      expect(await ada.count()).toBe(0); // she is a member of Platform, not of the project
      await run.tab.visit('/admin/groups');
      await run.tab.follow(page.getByRole('link', { name: 'Platform', exact: true }));
      const adaRow = page.getByRole('main').getByRole('row').filter({ hasText: '@ada' });
      expect(await adaRow.innerText()).toContain(`from ${HOST}`);
      expect(await adaRow.getByRole('button').count()).toBe(0);
    });
  },
  undefined,
  realBackground,
);
