/**
 * Every page an administrator can reach by following links from the overview of a demo instance
 * (SEED_DEMO's groups, projects, settings, audit events and deliveries), checked as BrowserTab
 * checks each page: no server error, valid HTML, no serious axe violation at 1280 px and at
 * 390 px, nothing wider than the phone's screen. Pages of one shape (another project's copy of
 * the same page, another page of a list) are visited once; each integration type's form once, at
 * the instance, where it shows every field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { seedDemo, seedDemoDeliveries } from '../../src/seed.js';
import {
  BROWSER_SECRET_KEY_BASE,
  BrowserTab,
  launchChromium,
  ROOT,
  signIn,
  startServer,
  type RunningServer,
} from './support.js';

/** Links that leave the HTML pages: downloads, the API, static files, signing out. */
const NOT_A_PAGE = /\/sign_out|\/api\/|\/public\/|\/export|\.(csv|json)(\?|$)|[?&]format=/;

/**
 * What makes two paths the same page to check: the level (instance, group, project) and what
 * follows `/-/`, with ids as N; an integration's settings page at the instance keeps its type.
 */
function shapeOf(path: string): string {
  const bare = path.replace(/[?#].*/, '').replace(/\d+/g, 'N');
  const level = bare.startsWith('/admin') ? 'instance' : bare.startsWith('/groups/') ? 'group' : 'project';
  const inside = bare.includes('/-/') ? bare.slice(bare.indexOf('/-/')) : bare.startsWith('/admin') ? bare : '/';
  const [, slug, tab] = /settings\/integrations\/([^/]+)(\/.*)?$/.exec(inside) ?? [];
  const typed = !slug || (level === 'instance' && !tab) ? inside : inside.replace(`/${slug}`, '/TYPE');
  return `${level} ${typed}`;
}

describe('every page of a demo instance in Chromium with JavaScript on', () => {
  let browser: Browser;
  let server: RunningServer;
  let tab: BrowserTab;
  beforeAll(async () => {
    browser = await launchChromium();
    server = await startServer();
    await server.db.transaction((tx) => seedDemo(tx, BROWSER_SECRET_KEY_BASE));
    await seedDemoDeliveries(server.db, BROWSER_SECRET_KEY_BASE);
    tab = await BrowserTab.open(browser, server, true);
    tab.phoneAccessibility = true;
  });
  afterAll(async () => {
    await tab?.close();
    await server?.close();
    await browser?.close();
  });

  it('passes the checks of every page at both widths', { timeout: 600_000 }, async () => {
    await signIn(tab, ROOT.username, ROOT.password);
    const queue = ['/'];
    const shapes = new Set(queue.map(shapeOf));
    const visited: string[] = [];
    while (queue.length > 0) {
      const path = queue.shift()!;
      await tab.visit(path);
      visited.push(path);
      const links = await tab.page
        .locator('a[href^="/"]')
        .evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href')!));
      for (const link of links) {
        const shape = shapeOf(link);
        if (NOT_A_PAGE.test(link) || shapes.has(shape)) continue;
        shapes.add(shape);
        queue.push(link);
      }
    }
    // The walk reached the sections a demo shows: a sign that it followed the links at all.
    for (const expected of ['/admin/users', '/admin/audit_events', '/admin/code_hosts', '/admin/integration_health'])
      expect(visited).toContain(expected);
    expect(visited.some((path) => path.endsWith('/deliveries'))).toBe(true);
    expect(visited.length).toBeGreaterThan(40);
  });
});
