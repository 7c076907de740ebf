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
import { execute, writeConnection } from '../../src/db/client.js';
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
    expect(page).toContain('Switched to custom settings');
    expect(page).toContain('Username: cascade (inherited) → top-bot');
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

/** An event as an older version or another writer stored it, at a chosen moment. */
async function insertEvent(t: TestApp, values: Partial<typeof auditEvents.$inferInsert> = {}) {
  await writeConnection(t.db)
    .insert(auditEvents)
    .values({
      createdAt: new Date(),
      actorName: 'admin',
      action: 'settings.saved',
      level: 'instance',
      ownerName: 'Instance',
      integration: 'slack',
      changes: '[]',
      ...values,
    });
}

/** The text of each change line of the page's events, newest first. */
const changeLines = (page: string) =>
  [...page.matchAll(/<ul class="differences">(.*?)<\/ul>/g)].map((list) =>
    [...list[1]!.matchAll(/<li>(.*?)<\/li>/g)].map((item) => item[1]!.replace(/&gt;/g, '>')),
  );

/** The folded lines of each event, newest first: the line that opens them and what it folds. */
const foldedLines = (page: string) =>
  [
    ...page.matchAll(
      /<details class="folded-changes"><summary>(.*?)<\/summary><ul class="differences-folded">(.*?)<\/ul>/g,
    ),
  ].map((folded) => ({
    summary: folded[1]!,
    lines: [...folded[2]!.matchAll(/<li>(.*?)<\/li>/g)].map((item) => item[1]!.replace(/&gt;/g, '>')),
  }));

describe('the audit trail in words', () => {
  it('shows only the values that changed, by their labels, choices by their label and toggles as yes or no', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin, {
      labels_to_be_notified_behavior: 'match_any',
      notify_only_broken_pipelines: '1',
    });
    await saveInstanceSlack(t.app, t.admin, {
      labels_to_be_notified_behavior: 'match_all',
      notify_only_broken_pipelines: '0',
      _version: '1',
    });
    const page = await text(get(t.app, '/admin/audit_events', { cookie: t.admin }));
    expect(changeLines(page)[0]).toEqual([
      'Notify only broken pipelines: Yes → No',
      'Labels to be notified behavior: Match any of the labels → Match all of the labels',
    ]);
    expect(page).not.toContain('match_a');
    expect(page).not.toContain('notify_only_broken_pipelines');
  });

  it('folds the values of settings set up for the first time under one line that opens to them', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin, { username: 'first-bot' });
    const page = await text(get(t.app, '/admin/audit_events', { cookie: t.admin }));
    const [setUp] = foldedLines(page);
    expect(setUp!.summary).toBe(`Set up with ${setUp!.lines.length} values`);
    const { lines } = setUp!;
    expect(lines).toContain('Username: (not set) → first-bot');
    expect(lines).toContain('Webhook URL: set');
    expect(changeLines(page)).toEqual([]);
  });

  it('says when a level switches to custom settings, takes one value from above again, and inherits again', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin);
    const app = `${projectIntegrations('top/sub/app')}/slack`;
    await post(t.app, app, { ...slackForm({ username: 'app-bot' }), inheritance: 'custom' }, { cookie: t.admin });
    await post(
      t.app,
      app,
      { ...slackForm({ username: 'app-bot', _version: '1' }), inheritance: 'custom', _inherit: 'username' },
      { cookie: t.admin },
    );
    await post(t.app, app, { inheritance: 'inherit', _version: '2' }, { cookie: t.admin });
    const page = await text(get(t.app, '/top/sub/app/-/audit_events', { cookie: t.admin }));
    const [inherits, oneValue, custom] = changeLines(page);
    // What changed is listed; the values that only moved, as they were, fold under one line.
    expect(inherits).toEqual(['Now inherits Slack notifications from Instance', 'Webhook URL: removed, now inherited']);
    expect(oneValue).toEqual(['Username: app-bot → cascade (inherited)']);
    expect(custom).toEqual([
      'Switched to custom settings',
      'Webhook URL: set here, no longer inherited',
      'Username: cascade (inherited) → app-bot',
    ]);
    const [givenBack, takenOver] = foldedLines(page);
    expect(givenBack!.summary).toBe(`${givenBack!.lines.length} values now inherited, the same as they were`);
    expect(takenOver!.summary).toBe(`${takenOver!.lines.length} values now set here, the same as they inherited`);
    expect(takenOver!.lines).toContain('Enabled: Yes (inherited) → Yes');
    expect(takenOver!.lines).not.toContain('Username: cascade (inherited) → app-bot');
  });

  it('never shows a secret, on the page or in either download', async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin, { webhook: 'https://hooks.slack.com/services/T1/B1/FIRSTSECRET' });
    await saveInstanceSlack(t.app, t.admin, {
      webhook: 'https://hooks.slack.com/services/T1/B1/SECONDSECRET',
      _version: '1',
    });
    // An event written by an older version, or by hand, that holds more than it should.
    await insertEvent(t, {
      changes: JSON.stringify([{ key: 'webhook', label: 'Webhook URL', before: 'set', after: 'THIRDSECRET' }]),
    });
    for (const url of ['/admin/audit_events', '/admin/audit_events/export.csv', '/admin/audit_events/export.json']) {
      const body = await text(get(t.app, url, { cookie: t.admin }));
      expect(body).toContain('Webhook URL: changed');
      expect(body).toContain('Webhook URL: set');
      expect(body).not.toMatch(/SECRET|hooks\.slack\.com/);
    }
  });

  it('still shows the events recorded before it spoke in words', async () => {
    const t = await setup();
    await insertEvent(t, {
      changes: JSON.stringify([
        {
          key: 'labels_to_be_notified_behavior',
          label: 'Labels to be notified behavior',
          before: 'match_any',
          after: 'match_all',
        },
        { key: 'notify_only_broken_pipelines', label: 'Notify only broken pipelines', before: 'true', after: 'false' },
        { key: 'username', label: 'Username', before: null, after: 'bot' },
      ]),
    });
    await insertEvent(t, {
      action: 'network.updated',
      integration: null,
      changes: JSON.stringify([
        { key: 'allow_local_requests', label: 'Allow local requests', before: 'false', after: 'true' },
      ]),
    });
    const page = await text(get(t.app, '/admin/audit_events', { cookie: t.admin }));
    expect(changeLines(page)).toEqual([
      ['Allow local requests: No → Yes'],
      [
        'Labels to be notified behavior: Match any of the labels → Match all of the labels',
        'Notify only broken pipelines: Yes → No',
        'Username: (not set) → bot',
      ],
    ]);
  });

  it('shows when in UTC, readable without JavaScript, and how long ago', async () => {
    const t = await setup();
    const threeHoursAgo = new Date(Date.now() - 3 * 3600 * 1000 - 60_000);
    await insertEvent(t, { createdAt: threeHoursAgo });
    const page = await text(get(t.app, '/admin/audit_events', { cookie: t.admin }));
    const utc = `${threeHoursAgo.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
    expect(page).toContain(`<time datetime="${threeHoursAgo.toISOString()}" data-local-time="true">${utc}</time>`);
    expect(page).toContain('3 hours ago');
  });
});

describe('the audit trail by date', () => {
  const day = (date: string, hour = 12) => new Date(`${date}T${String(hour).padStart(2, '0')}:00:00Z`);

  async function datedTrail(t: TestApp) {
    await insertEvent(t, { createdAt: day('2026-10-31', 23), actorName: 'before' });
    await insertEvent(t, { createdAt: day('2026-11-01', 0), actorName: 'first-day' });
    for (let i = 0; i < 30; i++) await insertEvent(t, { createdAt: day('2026-11-15'), actorName: `middle-${i}` });
    await insertEvent(t, { createdAt: day('2026-11-30', 23), actorName: 'last-day' });
    await insertEvent(t, { createdAt: day('2026-12-01', 0), actorName: 'after' });
  }

  it('shows the events from the From day to the To day, both included, with the other filters, on every page', async () => {
    const t = await setup();
    await datedTrail(t);
    const first = await text(get(t.app, '/admin/audit_events?from=2026-11-01&to=2026-11-30', { cookie: t.admin }));
    expect(first).toContain('value="2026-11-01"');
    expect(first).toContain('@last-day');
    expect(first).not.toContain('@after');
    const older = /href="([^"]+before=\d+)"/.exec(first)![1]!.replace(/&amp;/g, '&');
    expect(older).toContain('from=2026-11-01&to=2026-11-30');
    const second = await text(get(t.app, older, { cookie: t.admin }));
    expect(second.match(/<tr>/g)).toHaveLength(8);
    expect(second).toContain('@first-day');
    expect(second).not.toContain('@before');
    const oneUser = await text(
      get(t.app, '/admin/audit_events?from=2026-11-15&to=2026-11-15&user=middle-3', { cookie: t.admin }),
    );
    expect(oneUser.match(/<tr>/g)).toHaveLength(2);
  });

  it('refuses a To before the From, and a day that does not exist, with the message next to the field', async () => {
    const t = await setup();
    await datedTrail(t);
    const reversed = await get(t.app, '/admin/audit_events?from=2026-11-30&to=2026-11-01', { cookie: t.admin });
    expect(reversed.status).toBe(400);
    const page = await reversed.text();
    expect(page).toContain('<p class="field-error" id="field-to-error">To must be on or after From</p>');
    expect(page).toContain('aria-invalid="true"');
    expect(page).not.toContain('@middle-');
    const impossible = await get(t.app, '/admin/audit_events?from=2026-02-30', { cookie: t.admin });
    expect(impossible.status).toBe(400);
    expect(await impossible.text()).toContain('From must be a date (YYYY-MM-DD)');
    const download = await get(t.app, '/admin/audit_events/export.csv?to=yesterday', { cookie: t.admin });
    expect(download.status).toBe(400);
    expect(await download.text()).toContain('To must be a date (YYYY-MM-DD)');
  });
});

describe('the audit trail downloads', () => {
  it('downloads what the filter shows, every page of it, as CSV and as JSON', async () => {
    const t = await setup();
    const rows = Array.from({ length: 1203 }, (_, i) => ({
      createdAt: new Date(Date.UTC(2026, 10, 10, 0, 0, i)),
      actorName: i % 3 === 0 ? 'alice' : 'bob',
      action: 'settings.saved',
      level: 'instance' as const,
      ownerName: 'Instance',
      integration: 'slack',
      changes: JSON.stringify([{ key: 'username', label: 'Username', before: `bot-${i}`, after: `bot-${i + 1}` }]),
    }));
    for (let i = 0; i < rows.length; i += 200)
      await writeConnection(t.db)
        .insert(auditEvents)
        .values(rows.slice(i, i + 200));
    const csv = await get(t.app, '/admin/audit_events/export.csv?user=alice&from=2026-11-10', { cookie: t.admin });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="audit-events-\d{4}-\d\d-\d\d\.csv"$/,
    );
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('"Time (UTC)","User","Level","Group or project","Integration","Action","Changes"');
    expect(lines).toHaveLength(1 + 401);
    expect(lines[1]).toBe(
      '"2026-11-10T00:20:00.000Z","alice","instance","Instance","Slack notifications","Saved the settings","Username: bot-1200 → bot-1201"',
    );
    expect(lines.at(-1)).toContain('"Username: bot-0 → bot-1"');
    const json = await get(t.app, '/admin/audit_events/export.json?user=bob', { cookie: t.admin });
    expect(json.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-events-[\d-]+\.json"$/);
    const records = (await json.json()) as { user: string; changes: { label: string; text: string }[] }[];
    expect(records).toHaveLength(802);
    expect(records.every((record) => record.user === 'bob')).toBe(true);
    expect(records[0]!.changes).toEqual([
      {
        key: 'username',
        label: 'Username',
        before: 'bot-1202',
        after: 'bot-1203',
        text: 'Username: bot-1202 → bot-1203',
      },
    ]);
  });

  it('quotes every cell, and keeps a spreadsheet from running a cell as a formula', async () => {
    const t = await setup();
    await insertEvent(t, {
      actorName: '@evil',
      ownerName: '=HYPERLINK("https://example.com","click")',
      integration: null,
      action: 'group.updated',
      changes: JSON.stringify([{ key: 'name', label: 'Name', before: 'a, "b"', after: '+1' }]),
    });
    const csv = await text(get(t.app, '/admin/audit_events/export.csv', { cookie: t.admin }));
    expect(csv.split('\r\n')[1]).toMatch(
      /^"[^"]+","'@evil","instance","'=HYPERLINK\(""https:\/\/example\.com"",""click""\)","","Updated the group from the code host","Name: a, ""b"" → \+1"$/,
    );
  });

  it("gives a group's download the group's events only, named after the group", async () => {
    const t = await setup();
    await saveInstanceSlack(t.app, t.admin);
    await post(
      t.app,
      `${groupIntegrations('top')}/slack`,
      { ...slackForm({ username: 'top-bot' }), inheritance: 'custom', _confirmed: '1' },
      { cookie: t.world.cookies.owner },
    );
    const json = await get(t.app, '/groups/top/-/audit_events/export.json', { cookie: t.world.cookies.owner });
    expect(json.headers.get('content-disposition')).toMatch(/filename="audit-events-top-[\d-]+\.json"/);
    const records = (await json.json()) as { owner: string }[];
    expect(records.map((record) => record.owner)).toEqual(['Top']);
  });
});
