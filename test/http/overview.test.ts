/**
 * The administrators' home page: the instance's integrations at a glance (what is set where,
 * what is failing, what changed recently) on the demo a newcomer starts with; other users keep
 * their groups and projects.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { writeConnection } from '../../src/db/client.js';
import { integrationHealth, users } from '../../src/db/schema.js';
import { seedDemo, seedRoot } from '../../src/seed.js';
import { createTestApp, get, sessionCookie, TEST_SECRET_KEY_BASE } from '../support/app.js';

/** The app on a demo database, and a page's text as `username` sees it. */
async function demo() {
  const { app, db } = await createTestApp();
  await db.transaction(async (tx) => {
    await seedRoot(tx, 'initial-root-password-1');
    await seedDemo(tx, TEST_SECRET_KEY_BASE);
  });
  const home = async (username: string) => {
    const [user] = await db.select().from(users).where(eq(users.username, username));
    const response = await get(app, '/', { cookie: await sessionCookie(db, user!) });
    expect(response.status).toBe(200);
    return (await response.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  };
  return { db, home };
}

describe("the administrators' home page", () => {
  it('shows each integration set up somewhere: its instance default, who inherits it and who overrides it', async () => {
    const { home } = await demo();
    const text = await home('root');
    expect(text).toContain('Integrations across the instance');
    // 10 projects: Backend's 5 take the group's settings, Warehouse and Web have their own.
    expect(text).toMatch(/Slack notifications Active 3 1 group, 2 projects No failures/);
    expect(text).toMatch(/Pipeline status emails Inactive 8 1 group No failures/);
    expect(text).not.toContain('Jira');
    expect(text).toContain('Nothing is failing');
  });

  it('lists what changed recently, newest first, with who changed it', async () => {
    const { home } = await demo();
    const text = await home('root');
    const changes = text.slice(text.indexOf('Recent changes'));
    expect(
      changes.indexOf('@root: Enforced settings on everything below (Slack notifications) · Instance'),
    ).toBeGreaterThan(0);
    expect(changes).toContain('@olivia: Saved the settings (Slack notifications) · Platform / Frontend / Web');
    expect(changes.indexOf('Enforced')).toBeLessThan(changes.indexOf('Platform / Frontend / Web'));
  });

  it('lists a failing target with the projects it affects', async () => {
    const { db, home } = await demo();
    const now = new Date();
    await writeConnection(db).insert(integrationHealth).values({
      integration: 'slack',
      settingsLevel: 'instance',
      settingsOwnerId: 0,
      recentFailures: 40,
      disabledAt: now,
      lastFailure: 'The server answered with HTTP 404',
      lastFailureAt: now,
      updatedAt: now,
    });
    const text = await home('root');
    expect(text).toMatch(/Slack notifications Active 3 1 group, 2 projects 1 disabled/);
    expect(text).toContain('Instance: Slack notifications Disabled after repeated failures 3 projects affected');
  });

  it('keeps the groups and projects of a user who is no administrator, without the overview', async () => {
    const { home } = await demo();
    const text = await home('olivia');
    expect(text).not.toContain('Integrations across the instance');
    expect(text).toContain('Your projects');
  });

  it('shows an administrator who is a member of nothing the instance, not empty lists of their own', async () => {
    const { home } = await demo();
    const text = await home('root');
    expect(text).not.toContain('Your projects');
    expect(text).toContain('All top-level groups');
  });
});
