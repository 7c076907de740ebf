/**
 * The inheritance engine over a real store, without HTTP: the seed pages' rules as the service
 * applies them (first set-up, a change to the default, custom settings, switching back, a project
 * created later).
 */
import { describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, writeConnection } from '../../src/db/client.js';
import { users, type User } from '../../src/db/schema.js';
import type { FormInput } from '../../src/form-values.js';
import { findIntegrationType } from '../../src/integrations/index.js';
import { createGroup, groupLineage } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { INSTANCE_OWNER, projectOwner, settingsChain } from '../../src/settings/owners.js';
import {
  commitSettingsChange,
  inheritedSettings,
  integrationStates,
  prepareSettingsChange,
  type SettingsLevel,
} from '../../src/settings/service.js';
import { SettingsStore } from '../../src/settings/store.js';

const slack = findIntegrationType('slack')!;
const INSTANCE: SettingsLevel = { level: 'instance', owner: INSTANCE_OWNER, chain: [INSTANCE_OWNER] };

async function setup() {
  const db = openDatabase(':memory:');
  migrateDatabase(db);
  const store = new SettingsStore(db, 'service-test-secret-key-base-long-enough-0123456789');
  const admin = writeConnection(db)
    .insert(users)
    .values({ username: 'admin', name: 'Admin', email: 'admin@example.com', passwordHash: 'x', isAdmin: true })
    .returning()
    .get();
  const group = await createGroup(db, { name: 'Platform', path: 'platform' });
  if (!group.ok) throw new Error('group');
  const lineage = await groupLineage(db, group.value);
  /** A new project in the group, as the level its settings are read and saved at. */
  const addProject = async (path: string): Promise<SettingsLevel> => {
    const project = await createProject(db, { name: path, path }, group.value);
    if (!project.ok) throw new Error('project');
    const owner = projectOwner(project.value, lineage);
    return { level: 'project', owner, chain: settingsChain(owner, lineage) };
  };
  return { db, store, admin, addProject };
}

/** Validates and writes a form as the page does; fails the test on validation errors. */
async function save(store: SettingsStore, at: SettingsLevel, form: FormInput, actor: User) {
  const version = String((await store.findOwn(at.owner, slack.slug))?.version ?? 0);
  const prepared = await prepareSettingsChange(store, at, slack, { _version: version, ...form });
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.errors));
  await commitSettingsChange(store, at, slack, prepared.change, actor);
}

const effectiveOf = async (store: SettingsStore, at: SettingsLevel) =>
  (await integrationStates(store, at, slack))[0]!.effective;
const defaults = (username: string): FormInput => ({
  active: '1',
  webhook: 'https://hooks.slack.com/services/T/B/x',
  username,
});

describe('settings service', () => {
  it('sets up a first default for every existing project without its own, leaves one with its own, and writes one row', async () => {
    const { db, store, admin, addProject } = await setup();
    const plain = await addProject('plain');
    const legacy = await addProject('legacy');
    await save(
      store,
      legacy,
      {
        inheritance: 'custom',
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
    expect(db.$client.prepare('select count(*) from integration_settings').pluck().get()).toBe(2);
  });

  it('changes every inheriting project when the default changes, with a single write', async () => {
    const { db, store, admin, addProject } = await setup();
    const projects = await Promise.all(['a', 'b', 'c'].map(addProject));
    await save(store, INSTANCE, defaults('v1'), admin);
    await save(store, INSTANCE, defaults('v2'), admin);
    for (const project of projects) expect((await effectiveOf(store, project)).fields.username).toBe('v2');
    expect(db.$client.prepare('select count(*) from integration_settings').pluck().get()).toBe(1);
  });

  it('shows what switching back would use before it is saved, and uses the default from then on', async () => {
    const { store, admin, addProject } = await setup();
    const project = await addProject('custom');
    await save(store, INSTANCE, defaults('instance-bot'), admin);
    await save(store, project, { inheritance: 'custom', ...defaults('project-bot') }, admin);
    const [state] = await integrationStates(store, project, slack);
    expect(state!.effective.fields.username).toBe('project-bot');
    expect(inheritedSettings(project, state!).fields.username).toBe('instance-bot');

    await save(store, project, { inheritance: 'inherit' }, admin);
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
    await save(store, at, { ...defaults('project-bot'), inheritance: 'custom' }, admin);
    const copied: SettingsLevel = { ...at, owner: { ...at.owner } };
    const [state] = await integrationStates(store, copied, slack);
    expect(state!.own?.fields.username).toBe('project-bot');
    expect(state!.effective.state).toBe((await integrationStates(store, at, slack))[0]!.effective.state);
  });
});
