/**
 * Browser test support: a real Cascade server on a free local port, Chromium driven by
 * playwright-core, and a tab that checks every page it reaches (no server error, no script
 * error, HTML without structural errors as html-validate reads it, and with JavaScript on, no
 * serious accessibility violation found by axe-core, and nothing wider than a phone's screen).
 */
import { openTestDatabase } from '../support/database.js';
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { serve } from '@hono/node-server';
import { HtmlValidate } from 'html-validate';
import type { Hono } from 'hono';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
  type Response as PageResponse,
} from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { createApp } from '../../src/app.js';
import { SignInThrottle } from '../../src/auth/throttle.js';
import { loadConfig } from '../../src/config.js';
import { type Db } from '../../src/db/client.js';
import type { AppDeps, AppEnv } from '../../src/http/context.js';
import { createLogger } from '../../src/logger.js';
import { createUser } from '../../src/model/users.js';
import { testResolve } from '../support/app.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The key the test servers seal secrets with, for tests that store sealed secrets themselves. */
export const BROWSER_SECRET_KEY_BASE = 'browser-test-secret-key-base-long-enough-0123456789';

/** The administrator every test server starts with. */
export const ROOT = { username: 'root', password: 'root-password-for-browser-tests' } as const;

/** Each scenario runs twice: the pages must work before htmx and app.js add anything. */
export const JAVASCRIPT_MODES = [
  ['JavaScript on', true],
  ['JavaScript off', false],
] as const;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails (never skips) when the system Chromium is missing: browser tests must not pass silently. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}, so the browser tests cannot run. ` +
        'Install it with: apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface RunningServer {
  /** "http://127.0.0.1:<port>": the URL the browser uses, and the origin form posts must come from. */
  origin: string;
  db: Db;
  /** Request and error lines the app logged, for failure messages. */
  logLines: string[];
  close(): Promise<void>;
}

/**
 * Starts Cascade on a fresh in-memory database with {@link ROOT}, listening on 127.0.0.1 at a
 * free port. The app is built once the port is known, because its CSRF check compares the
 * Origin of form posts with PUBLIC_URL. `deps` gives the app stand-ins made for its database
 * (an in-memory code host, a stand-in import).
 */
export async function startServer(deps?: (db: Db) => Partial<AppDeps>): Promise<RunningServer> {
  const db = await openTestDatabase();
  const root = await createUser(db, {
    name: 'Administrator',
    username: ROOT.username,
    email: 'root@example.com',
    password: ROOT.password,
    is_admin: '1',
  });
  if (!root.ok) throw new Error(`Could not create the root user: ${JSON.stringify(root.errors)}`);

  // Assigned once the port is known, before the browser can make its first request.
  // eslint-disable-next-line prefer-const -- the server's fetch reads it, so it is declared before serve()
  let app!: Hono<AppEnv>;
  let server!: Server;
  const address = await new Promise<AddressInfo>((resolve) => {
    server = serve(
      { fetch: (request, env) => app.fetch(request, env), hostname: '127.0.0.1', port: 0 },
      resolve,
    ) as Server;
  });
  const origin = `http://127.0.0.1:${address.port}`;
  const logLines: string[] = [];
  app = createApp({
    db,
    config: loadConfig({ PUBLIC_URL: origin, SEED_DEMO: 'false' }),
    secretKeyBase: BROWSER_SECRET_KEY_BASE,
    throttle: new SignInThrottle(db),
    logger: createLogger('info', (line) => logLines.push(line)),
    outbound: { resolve: testResolve },
    ...deps?.(db),
  });

  return {
    origin,
    db,
    logLines,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }).finally(() => db.close()),
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core on the page and fails on any violation of impact "serious" or "critical".
 * The script is evaluated over the DevTools protocol, which the page's strict CSP does not
 * restrict, so the page is checked with its real headers.
 */
export async function expectNoSeriousAccessibilityViolations(page: Page): Promise<void> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: AxeViolation[] }> } }).axe;
    const { violations } = await axe.run(document);
    return violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.map(({ target }) => ({ target })),
    }));
  });
  const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  if (serious.length > 0) {
    const lines = serious.map(
      (violation) =>
        `  ${violation.id} (${violation.impact}): ${violation.help}\n` +
        violation.nodes.map((node) => `    at ${node.target.map(String).join(' ')}`).join('\n'),
    );
    throw new Error(`Accessibility violations on ${page.url()}:\n${lines.join('\n')}`);
  }
}

/** The phone width every page is checked at besides the desktop one (an iPhone 12 to 15's). */
export const PHONE_VIEWPORT = { width: 390, height: 844 } as const;

/**
 * Fails where the page does not fit the width of its viewport: the page scrolls sideways, a box
 * in it scrolls sideways (code and text areas may: they are the only things that cannot wrap),
 * or a link, button, field or table cell ends beyond the right edge.
 */
export async function expectFitsWidth(page: Page): Promise<void> {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const width = document.documentElement.clientWidth;
    const describe = (element: Element) =>
      `${element.tagName.toLowerCase()} "${(element.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40)}"`;
    if (document.documentElement.scrollWidth > width)
      found.push(`the page scrolls sideways (${document.documentElement.scrollWidth} px wide)`);
    for (const element of document.body.querySelectorAll('*')) {
      const { overflowX } = getComputedStyle(element);
      const scrolls = (overflowX === 'auto' || overflowX === 'scroll') && element.scrollWidth > element.clientWidth + 1;
      if (scrolls && !element.matches('pre, pre *, textarea')) found.push(`${describe(element)} scrolls sideways`);
    }
    for (const element of document.body.querySelectorAll('a, button, input, select, textarea, th, td')) {
      const box = element.getBoundingClientRect();
      // A visually hidden element (a table's header row on phones) is 1 px wide, clipped.
      const hidden = box.width <= 1 || element.closest('.visually-hidden, thead')?.getBoundingClientRect().width === 1;
      if (!hidden && box.right > width + 1) found.push(`${describe(element)} ends at ${Math.round(box.right)} px`);
    }
    return [...new Set(found)];
  });
  if (problems.length > 0) {
    const width = page.viewportSize()?.width;
    throw new Error(`Wider than ${width} px on ${page.url()}:\n  ${problems.slice(0, 10).join('\n  ')}`);
  }
}

/**
 * html-validate's rules of correct HTML (its `standard` preset: nesting, duplicate ids, attributes
 * that do not exist or are misused, forms and labels), without its preferences of style.
 */
const htmlValidator = new HtmlValidate({ extends: ['html-validate:standard'] });

/** Fails on any structural error in a page's HTML as the server sent it. */
export async function expectValidHtml(url: string, html: string): Promise<void> {
  const report = await htmlValidator.validateString(html);
  if (report.valid) return;
  const lines = report.results.flatMap((result) =>
    result.messages.map((message) => `  ${message.ruleId} at ${message.line}:${message.column}: ${message.message}`),
  );
  throw new Error(`HTML errors on ${url}:\n${lines.join('\n')}`);
}

/** The browser reports every 4xx page as a failed resource; those statuses are asserted by the tests. */
const isExpectedHttpError = (text: string) =>
  /Failed to load resource: the server responded with a status of 4\d\d/.test(text);

/**
 * One browser tab on a {@link RunningServer}. Every page it reaches through {@link visit} or
 * {@link follow} is checked: no 5xx, no script or CSP error in the console, valid HTML, and with
 * JavaScript on, no serious accessibility violation at the tab's width, and nothing wider than a
 * phone's screen (with {@link phoneAccessibility}, no violation there either).
 */
export class BrowserTab {
  private readonly browserErrors: string[] = [];
  /**
   * Whether axe also runs at the phone's width on every page (every-page.test.ts walks each kind
   * of page so; the other tests check the fit there, and axe at their own width, to stay quick).
   */
  phoneAccessibility = false;

  private constructor(
    readonly page: Page,
    private readonly context: BrowserContext,
    private readonly server: RunningServer,
    readonly javaScriptEnabled: boolean,
  ) {
    page.on('pageerror', (error) => this.browserErrors.push(`Uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !isExpectedHttpError(message.text())) this.browserErrors.push(message.text());
    });
  }

  /** `options`: how the browser presents itself beyond JavaScript, e.g. its `timezoneId`. */
  static async open(
    browser: Browser,
    server: RunningServer,
    javaScriptEnabled: boolean,
    options: TabOptions = {},
  ): Promise<BrowserTab> {
    const context = await browser.newContext({ ...options, javaScriptEnabled, baseURL: server.origin });
    context.setDefaultTimeout(5_000);
    context.setDefaultNavigationTimeout(10_000);
    return new BrowserTab(await context.newPage(), context, server, javaScriptEnabled);
  }

  /** Types a path in the address bar. */
  async visit(path: string): Promise<PageResponse> {
    const response = await this.page.goto(path);
    if (!response) throw new Error(`No response for ${path}`);
    await this.checkPage(response);
    return response;
  }

  /** Clicks a link or a submit button and waits for the page it leads to (after any redirect). */
  async follow(target: Locator): Promise<PageResponse> {
    const [response] = await Promise.all([this.page.waitForNavigation(), target.click()]);
    if (!response) throw new Error(`Clicking ${String(target)} did not load a page`);
    await this.checkPage(response);
    return response;
  }

  /** The path (and query) of the page shown. */
  path(): string {
    const url = new URL(this.page.url());
    return `${url.pathname}${url.search}`;
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  /** Runs `check` with the viewport at {@link PHONE_VIEWPORT}, then gives the page its size back. */
  private async atPhoneWidth(check: () => Promise<void>): Promise<void> {
    const size = this.page.viewportSize();
    if (!size || size.width <= PHONE_VIEWPORT.width) return check();
    await this.page.setViewportSize(PHONE_VIEWPORT);
    try {
      await check();
    } finally {
      await this.page.setViewportSize(size);
    }
  }

  private async checkPage(response: PageResponse): Promise<void> {
    if (response.status() >= 500) {
      throw new Error(
        `${response.url()} answered ${response.status()}. Server log:\n${this.server.logLines.slice(-20).join('\n')}`,
      );
    }
    if ((response.headers()['content-type'] ?? '').startsWith('text/html'))
      await expectValidHtml(response.url(), await response.text());
    if (this.javaScriptEnabled) {
      await expectNoSeriousAccessibilityViolations(this.page);
      await this.atPhoneWidth(async () => {
        await expectFitsWidth(this.page);
        if (this.phoneAccessibility) await expectNoSeriousAccessibilityViolations(this.page);
      });
    }
    if (this.browserErrors.length > 0) {
      const errors = this.browserErrors.splice(0);
      throw new Error(`The browser reported errors on ${this.page.url()}:\n  ${errors.join('\n  ')}`);
    }
  }
}

/** What a tab may set of its browser context besides JavaScript and the server's URL. */
export type TabOptions = Pick<BrowserContextOptions, 'timezoneId' | 'locale' | 'viewport'>;

/** What the tests of one JavaScript mode run against; `server` and `tab` are set before the first test. */
export interface ChromiumRun {
  javaScriptEnabled: boolean;
  server: RunningServer;
  tab: BrowserTab;
}

/**
 * Declares the tests of `body` twice, with JavaScript on and off. Each mode gets its own server on
 * a fresh database, prepared by `seed` before the tab opens, and a tab in the one Chromium the
 * file's tests share.
 *
 * @example
 * describeInChromium('personal access tokens', (run) => {
 *   it('opens the token page', async () => { await run.tab.visit('/-/user_settings/personal_access_tokens'); });
 * });
 */
export function describeInChromium(
  title: string,
  body: (run: ChromiumRun) => void,
  seed?: (server: RunningServer) => void | Promise<void>,
  deps?: (db: Db) => Partial<AppDeps>,
  tabOptions?: TabOptions,
): void {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  describe.each(JAVASCRIPT_MODES)(`${title} in Chromium with %s`, (_mode, javaScriptEnabled) => {
    const run = { javaScriptEnabled } as ChromiumRun;
    beforeAll(async () => {
      run.server = await startServer(deps);
      await seed?.(run.server);
      run.tab = await BrowserTab.open(browser!, run.server, javaScriptEnabled, tabOptions);
    });
    afterAll(async () => {
      await run.tab?.close();
      await run.server?.close();
    });
    body(run);
  });
}

/** The text of the elements an input's aria-describedby points at: its help and its error. */
export async function descriptionOf(field: Locator): Promise<string> {
  const ids = (await field.getAttribute('aria-describedby')) ?? '';
  const texts = await Promise.all(
    ids
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => field.page().locator(`[id="${id}"]`).innerText()),
  );
  return texts.join(' ');
}

/**
 * The value a read-only settings section shows for a label (inherited settings are text, not
 * inputs): the definition next to the term.
 */
export function shownValue(page: Page, label: string): Promise<string> {
  const term = page.locator('dt', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
  return page.locator('.settings-value').filter({ has: term }).locator('dd').first().innerText();
}

/** The one-time message a redirect leaves on the next page ("Group ... was successfully created."). */
export const flashOn = (page: Page) => page.getByRole('status').innerText();

export const heading = (page: Page) => page.getByRole('heading', { level: 1 }).innerText();

/** Signs in through the form, opening the sign-in page first unless the tab shows it already. */
export async function signIn(tab: BrowserTab, username: string, password: string): Promise<PageResponse> {
  if (!tab.path().startsWith('/users/sign_in')) await tab.visit('/users/sign_in');
  await tab.page.getByLabel('Username').fill(username);
  await tab.page.getByLabel('Password').fill(password);
  return tab.follow(tab.page.getByRole('button', { name: 'Sign in' }));
}
