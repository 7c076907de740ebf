/**
 * The inheritance engine over a real store, without HTTP: the seed pages' rules as the service
 * applies them (first set-up, a change to the default, custom settings, switching back, a project
 * created later).
 */
import { describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase } from '../../src/db/client.js';
import { users, type User } from '../../src/db/schema.js';
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
import type { SettingsMode, SettingsSubmission } from '../../src/settings/submission.js';

const slack = findIntegrationType('slack')!;
const INSTANCE: SettingsLevel = { level: 'instance', owner: INSTANCE_OWNER, chain: [INSTANCE_OWNER] };

function setup() {
  const db = openDatabase(':memory:');
  migrateDatabase(db);
  const store = new SettingsStore(db, 'service-test-secret-key-base-long-enough-0123456789');
  const admin = db
    .insert(users)
    .values({ username: 'admin', name: 'Admin', email: 'admin@example.com', passwordHash: 'x', isAdmin: true })
    .returning()
    .get();
  const group = createGroup(db, { name: 'Platform', path: 'platform' });
  if (!group.ok) throw new Error('group');
  const lineage = groupLineage(db, group.value);
  /** A new project in the group, as the level its settings are read and saved at. */
  const addProject = (path: string): SettingsLevel => {
    const project = createProject(db, { name: path, path }, group.value);
    if (!project.ok) throw new Error('project');
    const owner = projectOwner(project.value, lineage);
    return { level: 'project', owner, chain: settingsChain(owner, lineage) };
  };
  return { db, store, admin, addProject };
}

/** Validates and writes `values` as the page does, against the version the level has now; fails the test on validation errors. */
function save(
  store: SettingsStore,
  at: SettingsLevel,
  values: SettingsSubmission['values'],
  actor: User,
  mode: SettingsMode = 'custom',
) {
  const expectedVersion = store.findOwn(at.owner, slack.slug)?.version ?? 0;
  const prepared = prepareSettingsChange(store, at, slack, { mode, values, inherited: [], expectedVersion });
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.errors));
  commitSettingsChange(store, at, slack, prepared.change, actor);
}

const effectiveOf = (store: SettingsStore, at: SettingsLevel) => integrationStates(store, at, slack)[0]!.effective;
const defaults = (username: string): SettingsSubmission['values'] => ({
  active: '1',
  webhook: 'https://hooks.slack.com/services/T/B/x',
  username,
});

describe('settings service', () => {
  it('sets up a first default for every existing project without its own, leaves one with its own, and writes one row', () => {
    const { db, store, admin, addProject } = setup();
    const plain = addProject('plain');
    const legacy = addProject('legacy');
    save(
      store,
      legacy,
      {
        active: '',
        webhook: 'https://hooks.slack.com/services/T/B/legacy',
        username: 'legacy-bot',
      },
      admin,
    );
    save(store, INSTANCE, defaults('instance-bot'), admin);
    expect(effectiveOf(store, plain)).toMatchObject({
      state: 'inherited',
      active: true,
      fields: { username: 'instance-bot' },
    });
    expect(effectiveOf(store, legacy)).toMatchObject({
      state: 'custom',
      active: false,
      fields: { username: 'legacy-bot' },
    });
    expect(db.$client.prepare('select count(*) from integration_settings').pluck().get()).toBe(2);
  });

  it('changes every inheriting project when the default changes, with a single write', () => {
    const { db, store, admin, addProject } = setup();
    const projects = ['a', 'b', 'c'].map(addProject);
    save(store, INSTANCE, defaults('v1'), admin);
    save(store, INSTANCE, defaults('v2'), admin);
    for (const project of projects) expect(effectiveOf(store, project).fields.username).toBe('v2');
    expect(db.$client.prepare('select count(*) from integration_settings').pluck().get()).toBe(1);
  });

  it('shows what switching back would use before it is saved, and uses the default from then on', () => {
    const { store, admin, addProject } = setup();
    const project = addProject('custom');
    save(store, INSTANCE, defaults('instance-bot'), admin);
    save(store, project, defaults('project-bot'), admin);
    const [state] = integrationStates(store, project, slack);
    expect(state!.effective.fields.username).toBe('project-bot');
    expect(inheritedSettings(project, state!).fields.username).toBe('instance-bot');

    save(store, project, {}, admin, 'inherit');
    expect(store.findOwn(project.owner, slack.slug)).toBeUndefined();
    expect(effectiveOf(store, project)).toMatchObject({ state: 'inherited', fields: { username: 'instance-bot' } });
    save(store, INSTANCE, defaults('instance-bot-v2'), admin);
    expect(effectiveOf(store, project).fields.username).toBe('instance-bot-v2');
  });

  it('gives a project created after the default the active default, without a row of its own', () => {
    const { store, admin, addProject } = setup();
    save(store, INSTANCE, defaults('instance-bot'), admin);
    const later = addProject('later');
    expect(effectiveOf(store, later)).toMatchObject({
      state: 'inherited',
      active: true,
      fields: { username: 'instance-bot' },
    });
    expect(store.findOwn(later.owner, slack.slug)).toBeUndefined();
  });
});

describe('integrationStates', () => {
  it("finds the level's own settings when its owner is an equal copy, not the chain's object", () => {
    const { store, admin, addProject } = setup();
    const at = addProject('api');
    save(store, at, defaults('project-bot'), admin);
    const copied: SettingsLevel = { ...at, owner: { ...at.owner } };
    const [state] = integrationStates(store, copied, slack);
    expect(state!.own?.fields.username).toBe('project-bot');
    expect(state!.effective.state).toBe(integrationStates(store, at, slack)[0]!.effective.state);
  });
});
