/**
 * The audit trail: every change is recorded with who, where, which type, and before and after
 * for each value (secrets only as "changed"); it can be filtered and paged, and never edited.
 */
import { describe, expect, it } from 'vitest';
import { auditEvents, integrationSettings } from '../../src/db/schema.js';
import { createTestApp, flashOf, get, post, type TestApp } from '../support/app.js';
import {
  ADMIN_INTEGRATIONS,
  groupIntegrations,
  projectIntegrations,
  saveInstanceSlack,
  slackForm,
} from '../support/integrations.js';
import { buildWorld, type World } from '../support/world.js';
import { execute } from '../../src/db/client.js';
import { sql } from 'drizzle-orm';

type Setup = TestApp & { world: World; admin: string };

async function setup(): Promise<Setup> {
  const test = await createTestApp();
  const world = await buildWorld(test.db);
  return { ...test, world, admin: world.cookies.admin! };
}

const events = async (t: TestApp) => await t.db.select().from(auditEvents);
const text = async (response: Response | Promise<Response>) => (await response).text();

describe('the audit trail', () => {
  it('records a save with who, where, the type, and each value before and after, secrets only as changed', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin, { username: 'first' });
    await saveInstanceSlack(t.app, t.admin, {
      username: 'second',
      webhook: 'https://hooks.slack.com/services/NEW',
      _version: '1',
    });
    const [, second] = await events(t);
    expect(second).toMatchObject({
      actorName: 'admin',
      action: 'settings.saved',
      level: 'instance',
      ownerName: 'Instance',
      integration: 'slack',
    });
    const changes = JSON.parse(second!.changes);
    expect(changes).toContainEqual({ key: 'username', label: 'Username', before: 'first', after: 'second' });
    expect(changes).toContainEqual({ key: 'webhook', label: 'Webhook URL', before: 'set', after: 'changed' });
    expect(second!.changes).not.toContain('hooks.slack.com');
  });

  it('records switching to inherited settings, Reset, switching descendants back, and moves', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin);
    await post(
      t.app,
      `${projectIntegrations('top/sub/app')}/slack`,
      { ...slackForm(), inheritance: 'custom' },
      { cookie: t.admin },
    );
    await post(
      t.app,
      `${projectIntegrations('top/sub/app')}/slack`,
      { inheritance: 'inherit', _version: '1' },
      { cookie: t.admin },
    );
    await post(
      t.app,
      `${groupIntegrations('top')}/slack`,
      { ...slackForm(), inheritance: 'custom', _confirmed: '1' },
      { cookie: t.admin },
    );
    await post(t.app, `${groupIntegrations('top')}/slack/reset`, { _confirmed: '1' }, { cookie: t.admin });
    await post(
      t.app,
      `${projectIntegrations('other/elsewhere')}/slack`,
      { ...slackForm(), inheritance: 'custom' },
      { cookie: t.admin },
    );
    await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack/overrides/reset`,
      { target: `project:${t.world.otherProject.id}`, _confirmed: '1' },
      { cookie: t.admin },
    );
    await post(
      t.app,
      `/admin/projects/${t.world.project.id}/move`,
      { group_id: String(t.world.other.id) },
      { cookie: t.admin },
    );
    expect((await events(t)).map((event) => `${event.action} ${event.ownerName}`)).toEqual([
      'settings.saved Instance',
      'settings.saved Top / Sub / App',
      'settings.inherited Top / Sub / App',
      'settings.saved Top',
      'settings.reset Top',
      'settings.saved Other / Elsewhere',
      'settings.switched_back other/elsewhere',
      'project.moved other/app',
    ]);
  });

  it('records nothing for a save that changes nothing, keeps the version, and says there was nothing to save', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin);
    const again = await saveInstanceSlack(t.app, t.admin, { _version: '1', webhook: '' });
    expect(flashOf(again)).toBe('No changes to save: Slack notifications settings are active.');
    // Nothing to confirm: no level below changes.
    const unconfirmed = await post(
      t.app,
      `${ADMIN_INTEGRATIONS}/slack`,
      { ...slackForm({ _version: '1', webhook: '' }) },
      { cookie: t.admin },
    );
    expect(flashOf(unconfirmed)).toBe('No changes to save: Slack notifications settings are active.');
    const stillInheriting = await post(
      t.app,
      `${projectIntegrations('top/sub/app')}/slack`,
      { inheritance: 'inherit', _version: '0' },
      { cookie: t.admin },
    );
    expect(flashOf(stillInheriting)).toBe('No changes to save: Slack notifications already uses the default settings.');
    expect((await events(t)).map((event) => event.action)).toEqual(['settings.saved']);
    expect((await t.db.select().from(integrationSettings)).map((row) => row.version)).toEqual([1]);
    // A form loaded before someone else's save is still refused, changed or not.
    expect((await saveInstanceSlack(t.app, t.admin, { _version: '0' })).status).toBe(409);
  });

  it('lists events in the Admin Area, filtered by type, level, owner and user, with pages', async () => {
    const t = await setup();
    for (let i = 0; i < 30; i++) await saveInstanceSlack(t.app, t.admin, { username: `bot-${i}`, _version: String(i) });
    await post(
      t.app,
      `${groupIntegrations('top')}/slack`,
      { ...slackForm(), inheritance: 'custom', _confirmed: '1' },
      { cookie: t.world.cookies.owner },
    );
    const first = await text(get(t.app, '/admin/audit_events', { cookie: t.admin }));
    expect(first.match(/<tr>/g)).toHaveLength(26);
    expect(first).toContain('Username: bot-28 → bot-29');
    const older = /href="([^"]+before=\d+)"/.exec(first)![1]!.replace(/&amp;/g, '&');
    expect((await text(await get(t.app, older, { cookie: t.admin }))).match(/<tr>/g)).toHaveLength(7);
    const byOwner = await text(get(t.app, '/admin/audit_events?level=group&owner=top&user=owner', { cookie: t.admin }));
    expect(byOwner.match(/<tr>/g)).toHaveLength(2);
    expect(byOwner).toContain('@owner');
    const none = await text(get(t.app, '/admin/audit_events?integration=jira', { cookie: t.admin }));
    expect(none).toContain('No audit events match.');
  });

  it("shows a group's Owner the group's own events only", async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin);
    await post(
      t.app,
      `${groupIntegrations('top')}/slack`,
      { ...slackForm({ username: 'top-bot' }), inheritance: 'custom', _confirmed: '1' },
      { cookie: t.world.cookies.owner },
    );
    const page = await text(get(t.app, '/groups/top/-/audit_events', { cookie: t.world.cookies.owner }));
    expect(page.match(/<tr>/g)).toHaveLength(2);
    expect(page).toContain('Username: (not set) → top-bot');
  });

  it('cannot be changed or deleted, even directly in the database', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin);
    const refusal = (statement: string) =>
      t.db
        .transaction((tx) => execute(tx, sql.raw(statement)))
        .then(
          () => 'written',
          (error: Error) => String((error.cause as Error | undefined)?.message ?? error.message),
        );
    expect(await refusal("update audit_events set actor_name = 'someone else'")).toBe('the audit trail is append-only');
    expect(await refusal('delete from audit_events')).toBe('the audit trail is append-only');
    expect(await events(t)).toHaveLength(1);
  });
});
