/**
 * The inheritance engine over a real store, without HTTP: the seed pages' rules as the service
 * applies them (first set-up, a change to the default, custom settings, switching back, a project
 * created later), and one save from a typed submission to what it ends in.
 */
import { openTestDatabase } from '../support/database.js';
import { describe, expect, it } from 'vitest';
import { firstRow, writeConnection, type Db } from '../../src/db/client.js';
import { sql } from 'drizzle-orm';
import { auditEvents, users, type User } from '../../src/db/schema.js';
import { findIntegrationType } from '../../src/integrations/index.js';
import type { IntegrationType } from '../../src/integrations/types.js';
import { createGroup, groupLineage } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import type { OutboundOptions, ResolvedAddress } from '../../src/outbound/request.js';
import { setEnforcement } from '../../src/settings/enforcement.js';
import { groupOwner, INSTANCE_OWNER, projectOwner, settingsChain } from '../../src/settings/owners.js';
import { saveSettings, type SaveResult } from '../../src/settings/save.js';
import { inheritedSettings, integrationStates, type SettingsLevel } from '../../src/settings/service.js';
import { SettingsStore } from '../../src/settings/store.js';
import type { SettingsMode, SettingsSubmission } from '../../src/settings/submission.js';
import { testResolve } from '../support/app.js';

const slack = findIntegrationType('slack')!;
const jira = findIntegrationType('jira')!;
const INSTANCE: SettingsLevel = { level: 'instance', owner: INSTANCE_OWNER, chain: [INSTANCE_OWNER] };
const WEBHOOK = 'https://hooks.slack.com/services/T/B/x';
/**
 * The query that loads a level's chain: the rows of the instance, of its groups and of the
 * project, as either database writes it (src/db/database.ts inJsonArray).
 */
const CHAIN_QUERY =
  /from "integration_settings" where .*"group_id" (in \(|= any\(array\()select value(::integer)? from json_(each|array_elements_text)\(/;

/** The tests' DNS: every name but localhost is a public address, answered at once. */
const outbound: OutboundOptions = { resolve: testResolve };

async function setup() {
  /** Every statement the database runs, in order. */
  const statements: string[] = [];
  const db = await openTestDatabase({ onStatement: (sql) => statements.push(sql) });
  const store = new SettingsStore(db, 'service-test-secret-key-base-long-enough-0123456789');
  const admin = (
    await writeConnection(db)
      .insert(users)
      .values({ username: 'admin', name: 'Admin', email: 'admin@example.com', passwordHash: 'x', isAdmin: true })
      .returning()
  )[0]!;
  const group = await createGroup(db, { name: 'Platform', path: 'platform' });
  if (!group.ok) throw new Error('group');
  const lineage = await groupLineage(db, group.value);
  const platformOwner = groupOwner(group.value, lineage);
  const platform: SettingsLevel = {
    level: 'group',
    owner: platformOwner,
    chain: settingsChain(platformOwner, lineage),
  };
  /** A new project in the group, as the level its settings are read and saved at. */
  const addProject = async (path: string): Promise<SettingsLevel> => {
    const project = await createProject(db, { name: path, path }, group.value);
    if (!project.ok) throw new Error('project');
    const owner = projectOwner(project.value, lineage);
    return { level: 'project', owner, chain: settingsChain(owner, lineage) };
  };
  /** How many of the statements run since the `since`th loaded a chain (the rows of every owner along a level's chain). */
  const chainLoads = (since: number) => statements.slice(since).filter((sql) => CHAIN_QUERY.test(sql)).length;
  return { db, store, admin, addProject, platform, statements, chainLoads };
}

/** A submission of `values` (custom settings unless `mode` says otherwise), made against the version the level has now, as a page loaded now would be. */
async function submissionAt(
  store: SettingsStore,
  at: SettingsLevel,
  values: SettingsSubmission['values'],
  {
    mode = 'custom',
    inherited = [],
    type = slack,
  }: { mode?: SettingsMode; inherited?: string[]; type?: IntegrationType } = {},
): Promise<SettingsSubmission> {
  return { mode, values, inherited, expectedVersion: (await store.findOwn(at.owner, type.slug))?.version ?? 0 };
}

/** Saves `values` confirmed, as the page does once the user confirmed; fails the test unless it is saved. */
async function save(
  store: SettingsStore,
  at: SettingsLevel,
  values: SettingsSubmission['values'],
  actor: User,
  mode: SettingsMode = 'custom',
) {
  const result = await saveSettings(
    { store, outbound },
    at,
    slack,
    await submissionAt(store, at, values, { mode }),
    actor,
    {
      confirmed: true,
    },
  );
  if (result.kind !== 'saved') throw new Error(JSON.stringify(result));
  return result;
}

const effectiveOf = async (store: SettingsStore, at: SettingsLevel) =>
  (await integrationStates(store, at, slack))[0]!.effective;
const defaults = (username: string): SettingsSubmission['values'] => ({ active: '1', webhook: WEBHOOK, username });

describe('settings service', () => {
  it('sets up a first default for every existing project without its own, leaves one with its own, and writes one row', async () => {
    const { db, store, admin, addProject } = await setup();
    const plain = await addProject('plain');
    const legacy = await addProject('legacy');
    await save(
      store,
      legacy,
      {
        active: '',
        webhook: 'https://hooks.slack.com/services/T/B/legacy',
        username: 'legacy-bot',
      },
      admin,
    );
    await save(store, INSTANCE, defaults('instance-bot'), admin);
    expect(await effectiveOf(store, plain)).toMatchObject({
      state: 'inherited',
      active: true,
      fields: { username: 'instance-bot' },
    });
    expect(await effectiveOf(store, legacy)).toMatchObject({
      state: 'custom',
      active: false,
      fields: { username: 'legacy-bot' },
    });
    expect((await firstRow<{ n: number }>(db, sql`select count(*) as n from integration_settings`))?.n).toBe(2);
  });

  it('changes every inheriting project when the default changes, with a single write', async () => {
    const { db, store, admin, addProject } = await setup();
    const projects = await Promise.all(['a', 'b', 'c'].map(addProject));
    await save(store, INSTANCE, defaults('v1'), admin);
    await save(store, INSTANCE, defaults('v2'), admin);
    for (const project of projects) expect((await effectiveOf(store, project)).fields.username).toBe('v2');
    expect((await firstRow<{ n: number }>(db, sql`select count(*) as n from integration_settings`))?.n).toBe(1);
  });

  it('shows what switching back would use before it is saved, and uses the default from then on', async () => {
    const { store, admin, addProject } = await setup();
    const project = await addProject('custom');
    await save(store, INSTANCE, defaults('instance-bot'), admin);
    await save(store, project, defaults('project-bot'), admin);
    const [state] = await integrationStates(store, project, slack);
    expect(state!.effective.fields.username).toBe('project-bot');
    expect(inheritedSettings(project, state!).fields.username).toBe('instance-bot');

    await save(store, project, {}, admin, 'inherit');
    expect(await store.findOwn(project.owner, slack.slug)).toBeUndefined();
    expect(await effectiveOf(store, project)).toMatchObject({
      state: 'inherited',
      fields: { username: 'instance-bot' },
    });
    await save(store, INSTANCE, defaults('instance-bot-v2'), admin);
    expect((await effectiveOf(store, project)).fields.username).toBe('instance-bot-v2');
  });

  it('gives a project created after the default the active default, without a row of its own', async () => {
    const { store, admin, addProject } = await setup();
    await save(store, INSTANCE, defaults('instance-bot'), admin);
    const later = await addProject('later');
    expect(await effectiveOf(store, later)).toMatchObject({
      state: 'inherited',
      active: true,
      fields: { username: 'instance-bot' },
    });
    expect(await store.findOwn(later.owner, slack.slug)).toBeUndefined();
  });
});

describe('integrationStates', () => {
  it("finds the level's own settings when its owner is an equal copy, not the chain's object", async () => {
    const { store, admin, addProject } = await setup();
    const at = await addProject('api');
    await save(store, at, defaults('project-bot'), admin);
    const copied: SettingsLevel = { ...at, owner: { ...at.owner } };
    const [state] = await integrationStates(store, copied, slack);
    expect(state!.own?.fields.username).toBe('project-bot');
    expect(state!.effective.state).toBe((await integrationStates(store, at, slack))[0]!.effective.state);
  });
});

describe('saveSettings', () => {
  const saveAt = (
    store: SettingsStore,
    at: SettingsLevel,
    submission: SettingsSubmission,
    actor: User,
    { confirmed = false, type = slack }: { confirmed?: boolean; type?: IntegrationType } = {},
  ): Promise<SaveResult> => saveSettings({ store, outbound }, at, type, submission, actor, { confirmed });
  const auditCount = async (db: Db) => (await db.select().from(auditEvents)).length;

  it('saves a project at once, with no confirmation, and says what the project uses now', async () => {
    const { store, admin, addProject } = await setup();
    const project = await addProject('app');
    const result = await saveAt(store, project, await submissionAt(store, project, defaults('project-bot')), admin);
    expect(result).toMatchObject({
      kind: 'saved',
      outcome: 'saved',
      effective: { state: 'custom', active: true, fields: { username: 'project-bot' } },
    });
    expect(await store.findOwn(project.owner, slack.slug)).toMatchObject({
      version: 1,
      fields: { username: 'project-bot' },
    });
  });

  it('reads the last of the values sent for one key, as a checkbox after its hidden "0" sends them', async () => {
    const { store, admin, addProject } = await setup();
    const project = await addProject('app');
    const values = { ...defaults('bot'), active: ['0', '1'], notify_only_broken_pipelines: ['0'] };
    const result = await saveAt(store, project, await submissionAt(store, project, values), admin);
    expect(result).toMatchObject({ kind: 'saved', effective: { active: true } });
    expect((await store.findOwn(project.owner, slack.slug))?.fields.notify_only_broken_pipelines).toBe(false);
  });

  it('says a save that changes nothing is unchanged, and writes and records nothing', async () => {
    const { db, store, admin, addProject } = await setup();
    const project = await addProject('app');
    await save(store, project, defaults('bot'), admin);
    const events = await auditCount(db);
    const again = await saveAt(store, project, await submissionAt(store, project, defaults('bot')), admin);
    expect(again).toMatchObject({ kind: 'saved', outcome: 'unchanged', effective: { active: true } });
    expect((await store.findOwn(project.owner, slack.slug))?.version).toBe(1);
    expect(await auditCount(db)).toBe(events);
  });

  it('asks for a confirmation, with what the change reaches, at a level with descendants, and writes nothing', async () => {
    const { store, admin, addProject, platform } = await setup();
    await addProject('a');
    await addProject('b');
    const asked = await saveAt(store, INSTANCE, await submissionAt(store, INSTANCE, defaults('instance-bot')), admin);
    expect(asked).toEqual({
      kind: 'needs_confirmation',
      usage: { inheritingProjects: 2, inheritingGroups: 1, customProjects: 0, customGroups: 0 },
    });
    expect(await store.findOwn(INSTANCE_OWNER, slack.slug)).toBeUndefined();

    const confirmed = await saveAt(
      store,
      INSTANCE,
      await submissionAt(store, INSTANCE, defaults('instance-bot')),
      admin,
      {
        confirmed: true,
      },
    );
    expect(confirmed).toMatchObject({ kind: 'saved', outcome: 'saved' });
    // A group asks too; a save that changes nothing reaches nobody, so asks nothing.
    const group = await saveAt(store, platform, await submissionAt(store, platform, defaults('group-bot')), admin);
    expect(group.kind).toBe('needs_confirmation');
    const unchanged = await saveAt(
      store,
      INSTANCE,
      await submissionAt(store, INSTANCE, defaults('instance-bot')),
      admin,
    );
    expect(unchanged).toMatchObject({ kind: 'saved', outcome: 'unchanged' });
  });

  it('switches a level back to the default with mode "inherit", and refuses it where there is no default', async () => {
    const { store, admin, addProject } = await setup();
    const project = await addProject('app');
    const nothingAbove = await saveAt(
      store,
      project,
      await submissionAt(store, project, {}, { mode: 'inherit' }),
      admin,
    );
    expect(nothingAbove).toEqual({
      kind: 'refused',
      errors: { inheritance: 'There are no default settings for Slack notifications to inherit; use custom settings' },
      enforcedOnly: false,
    });
    await save(store, INSTANCE, defaults('instance-bot'), admin);
    await save(store, project, defaults('project-bot'), admin);
    const back = await saveAt(store, project, await submissionAt(store, project, {}, { mode: 'inherit' }), admin);
    expect(back).toMatchObject({
      kind: 'saved',
      outcome: 'saved',
      effective: { fields: { username: 'instance-bot' } },
    });
    expect(await store.findOwn(project.owner, slack.slug)).toBeUndefined();
  });

  it('refuses invalid values and values a level above enforces, per field, saying which refusals are of enforced values only', async () => {
    const { db, store, admin, addProject } = await setup();
    const project = await addProject('app');
    const invalid = await saveAt(
      store,
      project,
      await submissionAt(store, project, { ...defaults('bot'), webhook: 'ftp://x' }),
      admin,
    );
    expect(invalid).toEqual({
      kind: 'refused',
      errors: { webhook: 'Webhook URL must be a valid URL (http or https)' },
      enforcedOnly: false,
    });

    await save(store, INSTANCE, defaults('company-bot'), admin);
    const version = (await store.findOwn(INSTANCE_OWNER, slack.slug))!.version;
    await setEnforcement(store, INSTANCE_OWNER, slack, { keys: ['username'], reason: 'one bot' }, version, admin);
    const events = await auditCount(db);
    const enforced = await saveAt(store, project, await submissionAt(store, project, defaults('my-bot')), admin);
    expect(enforced).toEqual({
      kind: 'refused',
      errors: { username: 'Username is enforced by Instance: one bot' },
      enforcedOnly: true,
    });
    expect(await store.findOwn(project.owner, slack.slug)).toBeUndefined();
    expect(await auditCount(db)).toBe(events);
  });

  it("refuses a URL into the local network with the Network settings' message, and writes nothing", async () => {
    const { store, admin, addProject } = await setup();
    const project = await addProject('app');
    for (const webhook of ['http://127.0.0.1/hook', 'http://localhost:8080/hook']) {
      const refused = await saveAt(
        store,
        project,
        await submissionAt(store, project, { ...defaults('bot'), webhook }),
        admin,
      );
      expect(refused).toEqual({
        kind: 'refused',
        errors: { webhook: 'Requests to the local network are not allowed' },
        enforcedOnly: false,
      });
    }
    expect(await store.findOwn(project.owner, slack.slug)).toBeUndefined();
  });

  it('asks for a secret again when a URL exposing it changes, and for one set above when the project points elsewhere', async () => {
    const { store, admin, addProject } = await setup();
    const project = await addProject('app');
    const jiraValues = { active: '1', url: 'https://jira.example.com', username: 'bot', jira_auth_type: '0' };
    const first = await saveAt(
      store,
      project,
      await submissionAt(store, project, { ...jiraValues, password: 'project-password' }, { type: jira }),
      admin,
      { type: jira },
    );
    expect(first.kind).toBe('saved');
    const moved = await saveAt(
      store,
      project,
      await submissionAt(store, project, { ...jiraValues, url: 'https://elsewhere.example.com' }, { type: jira }),
      admin,
      { type: jira },
    );
    expect(moved).toMatchObject({
      kind: 'refused',
      errors: {
        password: 'API token, password, or personal access token must be entered again because Web URL changed',
      },
    });

    const other = await addProject('other');
    const instanceSaved = await saveAt(
      store,
      INSTANCE,
      await submissionAt(store, INSTANCE, { ...jiraValues, password: 'instance-password' }, { type: jira }),
      admin,
      { type: jira, confirmed: true },
    );
    expect(instanceSaved.kind).toBe('saved');
    const withheld = await saveAt(
      store,
      other,
      await submissionAt(
        store,
        other,
        { active: '1', url: 'https://elsewhere.example.com' },
        { type: jira, inherited: ['password'] },
      ),
      admin,
      { type: jira },
    );
    expect(withheld).toMatchObject({
      kind: 'refused',
      errors: {
        password:
          "Enter the API token, password, or personal access token again: the one set in the instance is only sent to the instance's Web URL",
      },
    });
  });

  it("tells a submission made against an older version than the level's that someone else changed the settings", async () => {
    const { store, admin, addProject } = await setup();
    const project = await addProject('app');
    const stale = await submissionAt(store, project, defaults('mine'));
    await save(store, project, defaults('theirs'), admin);
    expect(await saveAt(store, project, stale, admin)).toEqual({
      kind: 'conflict',
      message:
        'Someone else changed these settings after you opened the form. Review the current values and save again.',
    });
    expect((await store.findOwn(project.owner, slack.slug))?.fields.username).toBe('theirs');
  });

  it('loads the chain once per save, confirmation or not', async () => {
    const { store, admin, addProject, statements, chainLoads } = await setup();
    const project = await addProject('app');
    await save(store, INSTANCE, defaults('instance-bot'), admin);
    for (const [at, confirmed] of [
      [project, false],
      [INSTANCE, false],
      [INSTANCE, true],
    ] as const) {
      const since = statements.length;
      await saveAt(store, at, await submissionAt(store, at, defaults(`bot-${at.level}-${confirmed}`)), admin, {
        confirmed,
      });
      expect(chainLoads(since)).toBe(1);
    }
  });

  it('without a version, turns the integration on unless Enabled is sent, inherited or enforced above', async () => {
    const { store, admin, addProject } = await setup();
    const lastWrite = (values: SettingsSubmission['values'], inherited: string[] = []): SettingsSubmission => ({
      mode: 'custom',
      values,
      inherited,
      activates: true,
    });
    const project = await addProject('app');
    const turnedOn = await saveAt(store, project, lastWrite({ webhook: WEBHOOK }), admin);
    expect(turnedOn).toMatchObject({ kind: 'saved', effective: { active: true } });
    const sentOff = await saveAt(store, project, lastWrite({ webhook: WEBHOOK, active: 'false' }), admin);
    expect(sentOff).toMatchObject({ kind: 'saved', effective: { active: false } });

    await save(store, INSTANCE, { ...defaults('instance-bot'), active: '0' }, admin);
    const inheriting = await addProject('inheriting');
    const inherited = await saveAt(store, inheriting, lastWrite({ channel: '#app' }, ['active']), admin);
    expect(inherited).toMatchObject({ kind: 'saved', effective: { active: false } });
    const version = (await store.findOwn(INSTANCE_OWNER, slack.slug))!.version;
    await setEnforcement(store, INSTANCE_OWNER, slack, { keys: ['active'], reason: 'off for now' }, version, admin);
    const enforced = await saveAt(store, await addProject('enforced'), lastWrite({ channel: '#app' }), admin);
    expect(enforced).toMatchObject({ kind: 'saved', effective: { active: false } });
  });

  it('without a version, builds on a save that landed during its URL check instead of refusing it', async () => {
    const { db, store, admin, addProject, statements, chainLoads } = await setup();
    const project = await addProject('app');
    await save(store, project, defaults('first-bot'), admin);
    let since = 0;
    const landingDuringCheck: OutboundOptions = {
      resolve: async (host): Promise<ResolvedAddress[]> => {
        await save(store, project, { username: 'landed-bot' }, admin);
        since = statements.length;
        return testResolve(host);
      },
    };
    const submission: SettingsSubmission = {
      mode: 'custom',
      values: { webhook: WEBHOOK, channel: '#mine' },
      inherited: [],
    };
    const result = await saveSettings({ store, outbound: landingDuringCheck }, project, slack, submission, admin, {
      confirmed: true,
    });
    expect(result).toMatchObject({
      kind: 'saved',
      outcome: 'saved',
      effective: { fields: { username: 'landed-bot', channel: '#mine' } },
    });
    expect(await store.findOwn(project.owner, slack.slug)).toMatchObject({
      version: 3,
      fields: { username: 'landed-bot', channel: '#mine' },
    });
    // Prepared again from the settings the other save left: the second time it loads the chain.
    expect(chainLoads(since)).toBe(1);
    const [landed, mine] = (await db.select().from(auditEvents))
      .slice(-2)
      .map((event) => JSON.parse(event.changes) as { key: string }[]);
    expect(landed).toContainEqual(
      expect.objectContaining({ key: 'username', before: 'first-bot', after: 'landed-bot' }),
    );
    expect(mine).toContainEqual(expect.objectContaining({ key: 'channel', after: '#mine' }));
    expect(mine!.map((change) => change.key)).not.toContain('username');
  });

  it('with a version, refuses as a conflict a save that landed during its URL check, as a page save does', async () => {
    const { store, admin, addProject } = await setup();
    const project = await addProject('app');
    const landingDuringCheck: OutboundOptions = {
      resolve: async (host) => {
        await save(store, project, { username: 'landed-bot' }, admin);
        return testResolve(host);
      },
    };
    const submission = await submissionAt(store, project, defaults('mine'));
    const result = await saveSettings({ store, outbound: landingDuringCheck }, project, slack, submission, admin, {
      confirmed: true,
    });
    expect(result.kind).toBe('conflict');
    expect((await store.findOwn(project.owner, slack.slug))?.fields.username).toBe('landed-bot');
  });
});
