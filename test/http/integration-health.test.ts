/**
 * Integration health on the pages: the state of a failing target on the lists and pages of
 * every level (naming the level it comes from when inherited), "Re-enable" for those who may
 * change that level's settings, with its audit event, and Admin Area › Integration health.
 */
import { describe, expect, it } from 'vitest';
import { writeConnection } from '../../src/db/client.js';
import { auditEvents, integrationHealth } from '../../src/db/schema.js';
import { createTestApp, flashOf, get, post, textOf, type TestApp } from '../support/app.js';
import {
  ADMIN_INTEGRATIONS,
  groupIntegrations,
  projectIntegrations,
  saveInstanceSlack,
  slackForm,
} from '../support/integrations.js';
import { buildWorld, type World } from '../support/world.js';

type Setup = TestApp & { world: World };

async function setup(): Promise<Setup> {
  const test = await createTestApp();
  const world = await buildWorld(test.db);
  await saveInstanceSlack(test.app, world.cookies.admin!);
  return { ...test, world };
}

const HOUR = 3600_000;
const page = async (t: Setup, url: string, who: keyof World['cookies'] = 'admin') =>
  textOf(await (await get(t.app, url, { cookie: t.world.cookies[who] })).text());

/** A stored health row, as the worker leaves it. */
async function failing(
  t: Setup,
  level: 'instance' | 'group' | 'project',
  ownerId: number,
  state: 'failing' | 'paused' | 'disabled',
) {
  const now = Date.now();
  await writeConnection(t.db)
    .insert(integrationHealth)
    .values({
      integration: 'slack',
      settingsLevel: level,
      settingsOwnerId: ownerId,
      recentFailures: state === 'disabled' ? 40 : state === 'paused' ? 3 : 1,
      pausedUntil: state === 'paused' ? new Date(Math.ceil((now + HOUR) / 1000) * 1000) : null,
      disabledAt: state === 'disabled' ? new Date(now) : null,
      lastFailure: 'The server answered with HTTP 500',
      lastFailureAt: new Date(now),
      updatedAt: new Date(now),
    });
}

const utc = (date: Date) => `${date.toISOString().replace('T', ' ').slice(0, 19)} UTC`;

describe('integration health on the pages', () => {
  it("shows an instance default's pause on the instance's list and on a project that inherits it, naming the instance", async () => {
    const t = await setup();
    await failing(t, 'instance', 0, 'paused');
    const [row] = await t.db.select().from(integrationHealth);
    const until = `Paused until ${utc(row!.pausedUntil!)}`;
    const instanceList = await page(t, ADMIN_INTEGRATIONS);
    expect(instanceList).toContain(until);
    expect(instanceList).not.toContain("(from the instance's settings)");
    expect(await page(t, projectIntegrations(t.world.project.fullPath), 'maintainer')).toContain(
      `${until} (from the instance's settings)`,
    );
    const projectPage = await page(t, `${projectIntegrations(t.world.project.fullPath)}/slack`, 'maintainer');
    expect(projectPage).toContain(
      "The target set in the instance's settings failed to connect 3 times in a row: The server answered with HTTP 500",
    );
    expect(projectPage).toContain("It is re-enabled in the instance's settings");
    expect(projectPage).not.toContain('Re-enable</button>');
  });

  it('shows nothing for a project whose custom settings supply their own target', async () => {
    const t = await setup();
    await failing(t, 'instance', 0, 'disabled');
    await post(
      t.app,
      `${projectIntegrations(t.world.project.fullPath)}/slack`,
      { ...slackForm({ webhook: 'https://hooks.slack.com/services/T1/B1/own' }), inheritance: 'custom' },
      { cookie: t.world.cookies.maintainer },
    );
    const list = await page(t, projectIntegrations(t.world.project.fullPath), 'maintainer');
    expect(list).not.toContain('Disabled after repeated failures');
    expect(await page(t, projectIntegrations(t.world.otherProject.fullPath))).toContain(
      "Disabled after repeated failures (from the instance's settings)",
    );
  });

  it("names the group whose settings supply a failing target, on the group's subgroups' projects", async () => {
    const t = await setup();
    await post(
      t.app,
      `${groupIntegrations(t.world.sub.fullPath)}/slack`,
      {
        ...slackForm({ webhook: 'https://hooks.slack.com/services/T2/B2/sub' }),
        inheritance: 'custom',
        _confirmed: '1',
      },
      { cookie: t.world.cookies.owner },
    );
    await failing(t, 'group', t.world.sub.id, 'failing');
    expect(await page(t, projectIntegrations(t.world.project.fullPath), 'maintainer')).toContain(
      'Failing (from the settings of Top / Sub)',
    );
    const groupPage = await page(t, `${groupIntegrations(t.world.sub.fullPath)}/slack`, 'owner');
    expect(groupPage).toContain('The target set in these settings failed to connect 1 time in a row');
  });

  it('re-enables a disabled integration in one POST, with an audit event, for those who may change its settings', async () => {
    const t = await setup();
    await failing(t, 'instance', 0, 'disabled');
    const instancePage = await page(t, `${ADMIN_INTEGRATIONS}/slack`);
    expect(instancePage).toContain('Disabled after repeated failures');
    expect(instancePage).toContain('Its notifications wait until it is re-enabled.');

    // A project's maintainer re-enables the project's own target, never the instance's.
    const byMaintainer = await post(
      t.app,
      `${projectIntegrations(t.world.project.fullPath)}/slack/reenable`,
      {},
      {
        cookie: t.world.cookies.maintainer,
      },
    );
    expect(flashOf(byMaintainer)).toBe('Slack notifications is not paused or disabled.');
    expect(await t.db.select().from(integrationHealth)).toMatchObject([{ recentFailures: 40 }]);

    const response = await post(t.app, `${ADMIN_INTEGRATIONS}/slack/reenable`, {}, { cookie: t.world.cookies.admin });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${ADMIN_INTEGRATIONS}/slack`);
    expect(flashOf(response)).toBe('Slack notifications was re-enabled: its waiting notifications are sent now.');
    expect(await t.db.select().from(integrationHealth)).toMatchObject([
      { recentFailures: 0, disabledAt: null, pausedUntil: null },
    ]);
    expect(await t.db.select().from(auditEvents)).toContainEqual(
      expect.objectContaining({ action: 'integration.reenabled', level: 'instance', integration: 'slack' }),
    );
    expect(await page(t, `${ADMIN_INTEGRATIONS}/slack`)).not.toContain('Disabled after repeated failures');
  });

  it('lists the failing integrations on Admin Area › Integration health, counted by state, those affecting most projects first', async () => {
    const t = await setup();
    await failing(t, 'project', t.world.project.id, 'failing');
    await failing(t, 'instance', 0, 'disabled');
    const response = await get(t.app, '/admin/integration_health', { cookie: t.world.cookies.admin });
    const html = await response.text();
    const text = textOf(html);
    expect(text).toContain('Failing 1 Paused 0 Disabled after repeated failures 1');
    const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1).map(([, row]) => textOf(row!));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^Slack notifications Instance Disabled after repeated failures 2 /);
    expect(rows[1]).toMatch(/^Slack notifications Project Top \/ Sub \/ App Failing 1 /);
    expect(html).toContain(`action="${ADMIN_INTEGRATIONS}/slack/reenable"`);

    const back = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack/reenable`,
      { back: 'health' },
      {
        cookie: t.world.cookies.admin,
      },
    );
    expect(back.headers.get('location')).toBe('/admin/integration_health');
  });
});
