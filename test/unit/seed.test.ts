/**
 * The demo a newcomer starts with (SEED_DEMO): its tree, and settings at every level that show
 * what Cascade does, each saved with its audit event as the pages save them.
 */
import { describe, expect, it } from 'vitest';
import { auditEvents, deliveries, deliveryAttempts, hostEvents, integrationHealth } from '../../src/db/schema.js';
import { findIntegrationType } from '../../src/integrations/index.js';
import { findGroupByFullPath, groupLineage } from '../../src/model/groups.js';
import { findProjectByFullPath } from '../../src/model/projects.js';
import { seedDemo, seedDemoDeliveries, seedRoot } from '../../src/seed.js';
import { groupOwner, INSTANCE_OWNER, projectOwner, settingsChain } from '../../src/settings/owners.js';
import { integrationStates, type SettingsLevel } from '../../src/settings/service.js';
import { SettingsStore } from '../../src/settings/store.js';
import { openTestDatabase } from '../support/database.js';

const SECRET_KEY_BASE = 'seed-test-secret-key-base-long-enough-0123456789';
const slack = findIntegrationType('slack')!;

async function seeded() {
  const db = await openTestDatabase();
  await db.transaction(async (tx) => {
    await seedRoot(tx, 'initial-root-password-1');
    await seedDemo(tx, SECRET_KEY_BASE);
  });
  const store = new SettingsStore(db, SECRET_KEY_BASE);
  const slackAt = async (path: string | null) => {
    let at: SettingsLevel = { level: 'instance', owner: INSTANCE_OWNER, chain: [INSTANCE_OWNER] };
    const group = path && (await findGroupByFullPath(db, path));
    if (group) {
      const lineage = await groupLineage(db, group);
      const owner = groupOwner(group, lineage);
      at = { level: 'group', owner, chain: settingsChain(owner, lineage) };
    } else if (path) {
      const project = (await findProjectByFullPath(db, path))!;
      const lineage = await groupLineage(db, (await findGroupByFullPath(db, path.slice(0, path.lastIndexOf('/'))))!);
      const owner = projectOwner(project, lineage);
      at = { level: 'project', owner, chain: settingsChain(owner, lineage) };
    }
    return (await integrationStates(store, at, slack))[0]!.effective;
  };
  return { db, slackAt };
}

describe('the demo', () => {
  it('sets an instance default that a project without settings of its own inherits', async () => {
    const { slackAt } = await seeded();
    const instance = await slackAt(null);
    expect(instance).toMatchObject({ state: 'custom', active: true });
    expect(instance.fields.channel).toBe('#engineering');
    const api = await slackAt('platform/infrastructure');
    expect(api.state).toBe('inherited');
    expect(api.fields.channel).toBe('#engineering');
  });

  it('has a group that overrides the default, and whose projects inherit the group', async () => {
    const { slackAt } = await seeded();
    expect((await slackAt('platform/backend')).fields.channel).toBe('#backend');
    const api = await slackAt('platform/backend/api');
    expect(api.state).toBe('inherited');
    expect(api.fields.channel).toBe('#backend');
    expect(api.inheritsFrom?.name).toContain('Backend');
  });

  it('has a project with custom settings and one that inherits every field but one', async () => {
    const { slackAt } = await seeded();
    const warehouse = await slackAt('data/warehouse');
    expect(warehouse.state).toBe('custom');
    expect(warehouse.fields.channel).toBe('#data-warehouse');
    const web = await slackAt('platform/frontend/web');
    expect(web.state).toBe('custom');
    expect(web.fields.channel).toBe('#web');
    expect(web.fields.username).toBe('Cascade');
    expect(web.source.channel).toMatchObject({ level: 'project' });
    expect(web.source.username).toMatchObject({ level: 'instance' });
  });

  it('enforces a value with its reason on every level below, over their own', async () => {
    const { slackAt } = await seeded();
    const backend = await slackAt('platform/backend');
    expect(backend.fields.branches_to_be_notified).toBe('default_and_protected');
    expect(backend.enforced.branches_to_be_notified?.reason).toMatch(/only the default and protected branches/);
  });

  it('records an audit event for every change, by the user who made it', async () => {
    const { db } = await seeded();
    const events = await db.select().from(auditEvents);
    const settings = events.filter((event) => event.action.startsWith('settings.'));
    expect(settings.map((event) => event.action)).toEqual([
      ...Array<string>(6).fill('settings.saved'),
      'settings.enforced',
    ]);
    expect(new Set(settings.map((event) => event.actorName))).toEqual(new Set(['root', 'olivia', 'pat']));
    // Secrets are written only sealed, never into the trail.
    expect(JSON.stringify(events)).not.toContain('cascadedemo');
  });

  it("has a few recent deliveries, planned with the demo's settings and answered, one of them refused", async () => {
    const { db } = await seeded();
    await seedDemoDeliveries(db, SECRET_KEY_BASE);
    const events = await db.select().from(hostEvents);
    const sent = await db.select().from(deliveries).orderBy(deliveries.id);
    expect(sent.map((delivery) => [delivery.integration, delivery.settingsLevel, delivery.state])).toEqual([
      ['slack', 'instance', 'delivered'],
      ['slack', 'group', 'delivered'],
      ['slack', 'project', 'failed'],
    ]);
    expect(new Set(sent.map((delivery) => delivery.hostEventId))).toEqual(new Set(events.map((event) => event.id)));
    const attempts = await db.select().from(deliveryAttempts);
    expect(attempts.map((attempt) => attempt.status).sort()).toEqual([200, 200, 403]);
    // The refused webhook is Warehouse's own: it is failing there, and only there.
    expect(await db.select().from(integrationHealth)).toMatchObject([
      { integration: 'slack', settingsLevel: 'project', recentFailures: 1 },
    ]);
    expect(JSON.stringify(sent.map((delivery) => delivery.target))).not.toContain('cascadedemo');
  });
});
