/**
 * Settings › Integrations at every level, as GitLab lists them: "Active integrations" first,
 * then "Add an integration", each type with its logo, one wording for a type nobody set up.
 */
import { describe, expect, it } from 'vitest';
import { integrationTypes } from '../../src/integrations/index.js';
import { iconUrl } from '../../src/integrations/icons.js';
import { createTestApp, get, textOf, type TestApp } from '../support/app.js';
import {
  ADMIN_INTEGRATIONS,
  groupIntegrations,
  projectIntegrations,
  saveInstanceSlack,
} from '../support/integrations.js';
import { buildWorld, type World } from '../support/world.js';

async function setup(): Promise<TestApp & { world: World }> {
  const test = await createTestApp();
  return { ...test, world: await buildWorld(test.db) };
}

/** The page's two sections, as text: what is listed under "Active integrations" and under "Add an integration". */
async function sectionsOf(t: TestApp & { world: World }, url: string) {
  const response = await get(t.app, url, { cookie: t.world.cookies.admin });
  expect(response.status).toBe(200);
  const html = await response.text();
  const active = html.indexOf('<h2 id="active-integrations">');
  const add = html.indexOf('<h2 id="add-integration">');
  expect(active).toBeGreaterThan(-1);
  expect(add).toBeGreaterThan(active);
  return { html, active: textOf(html.slice(active, add)), add: textOf(html.slice(add)) };
}

const LEVELS = [
  ['the instance', ADMIN_INTEGRATIONS],
  ['a group', groupIntegrations('top/sub')],
  ['a project', projectIntegrations('top/sub/app')],
] as const;

describe('the integration lists', () => {
  it.each(LEVELS)('on %s, say in one line that nothing is active yet, and list every type to add', async (_, url) => {
    const t = await setup();
    const { active, add } = await sectionsOf(t, url);
    expect(active).toBe('Active integrations No integration is active here yet.');
    expect(add).toContain('Slack notifications');
    expect(add).toContain('Jira issues');
  });

  it.each(LEVELS)('on %s, list an active integration under "Active integrations" and not below', async (_, url) => {
    const t = await setup();
    expect((await saveInstanceSlack(t.app, t.world.cookies.admin!)).status).toBe(303);
    const { active, add } = await sectionsOf(t, url);
    expect(active).toContain('Slack notifications');
    expect(active).toContain('Active');
    expect(active).not.toContain('No integration is active');
    expect(add).not.toContain('Slack notifications');
    expect(add).toContain('Jira issues');
  });

  it('keeps the usage columns on the instance and group lists, and leaves them out on a project', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.world.cookies.admin!);
    const instance = await sectionsOf(t, ADMIN_INTEGRATIONS);
    // Both projects of the world inherit the default; none has custom settings.
    expect(instance.active).toMatch(/Projects inheriting Projects with custom settings .*Slack notifications.* 2 0/);
    expect(instance.add).toContain('Projects inheriting');
    const project = await sectionsOf(t, projectIntegrations('top/sub/app'));
    expect(project.html).not.toContain('Projects inheriting');
  });

  it.each(LEVELS)('on %s, says "Not configured" for a type nobody set up, never "Not set up"', async (_, url) => {
    const t = await setup();
    const { html, add } = await sectionsOf(t, url);
    expect(add).toMatch(/Jira issues .* Not configured/);
    expect(html).not.toContain('Not set up');
  });

  it('shows each type with its logo, or its category’s icon where the brand has none to ship, as decoration', async () => {
    const t = await setup();
    const { html } = await sectionsOf(t, projectIntegrations('top/sub/app'));
    expect(html).toContain('<img src="/public/icons/jira.svg" alt="" class="integration-icon"/>');
    expect(html).toContain('<img src="/public/icons/chat.svg" alt="" class="integration-icon"/>');
    expect(html).toContain('<img src="/public/icons/jenkins.svg" alt="" class="integration-icon"/>');
  });
});

describe('the integration icons', () => {
  it('are served from public/ as SVG with the static files’ cache headers', async () => {
    const t = await createTestApp();
    for (const icon of ['jira', 'googlechat', 'chat', 'issue-tracker']) {
      const response = await get(t.app, `/public/icons/${icon}.svg`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect(response.headers.get('cache-control')).toBe('public, max-age=300');
      expect(await response.text()).toContain('<svg');
    }
  });

  it('exist for every integration type, each in one colour', async () => {
    const t = await createTestApp();
    for (const type of integrationTypes) {
      const response = await get(t.app, iconUrl(type));
      expect(response.status, type.slug).toBe(200);
      const colours = new Set((await response.text()).match(/#[0-9A-Fa-f]{6}\b/g));
      expect(colours.size, type.slug).toBe(1);
    }
  });
});
