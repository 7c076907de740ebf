/**
 * Who a level's settings reach: the numbers behind the impact confirmation and the list columns.
 */
import { describe, expect, it } from 'vitest';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { groupOwner, INSTANCE_OWNER, projectOwner } from '../../src/settings/owners.js';
import { SettingsStore } from '../../src/settings/store.js';
import { customDescendantCount, settingsUsage, settingsUsages } from '../../src/settings/usage.js';
import { openTestDatabase } from '../support/database.js';
import { must } from '../support/world.js';

async function tree() {
  /** Every statement the database runs, in order. */
  const statements: string[] = [];
  const db = await openTestDatabase({ onStatement: (sql) => statements.push(sql) });
  const a = must(await createGroup(db, { name: 'A', path: 'a' }));
  const ab = must(await createGroup(db, { name: 'B', path: 'b' }, a));
  const c = must(await createGroup(db, { name: 'C', path: 'c' }));
  const projects = [
    must(await createProject(db, { name: 'P1', path: 'p1' }, a)),
    must(await createProject(db, { name: 'P2', path: 'p2' }, ab)),
    must(await createProject(db, { name: 'P3', path: 'p3' }, ab)),
    must(await createProject(db, { name: 'P4', path: 'p4' }, c)),
  ];
  const store = new SettingsStore(db, 'x'.repeat(40));
  const own = { active: true, fields: { username: 'bot' }, events: {} };
  return { db, a, ab, c, projects, store, own, statements };
}

describe('settingsUsage', () => {
  it('counts every project as inheriting the instance default when no level below has its own settings', async () => {
    const { db } = await tree();
    expect(await settingsUsage(db, INSTANCE_OWNER, 'slack')).toEqual({
      inheritingProjects: 4,
      inheritingGroups: 3,
      customProjects: 0,
      customGroups: 0,
    });
  });

  it('leaves out projects with custom settings and everything below a group with its own settings', async () => {
    const { db, ab, projects, store, own } = await tree();
    await store.save(projectOwner(projects[3]!, []), 'slack', own, 0, null);
    await store.save(groupOwner(ab, []), 'slack', own, 0, null);
    expect(await settingsUsage(db, INSTANCE_OWNER, 'slack')).toEqual({
      inheritingProjects: 1,
      inheritingGroups: 2,
      customProjects: 1,
      customGroups: 1,
    });
  });

  it('counts a group default reaching its subgroups and their projects, but not the group itself', async () => {
    const { db, a, ab, projects, store, own } = await tree();
    await store.save(projectOwner(projects[1]!, []), 'slack', own, 0, null);
    expect(await settingsUsage(db, groupOwner(a, [a]), 'slack')).toEqual({
      inheritingProjects: 2,
      inheritingGroups: 1,
      customProjects: 1,
      customGroups: 0,
    });
    expect((await settingsUsage(db, groupOwner(ab, [a, ab]), 'slack')).inheritingProjects).toBe(1);
  });

  it('counts per type: settings of another type change nothing', async () => {
    const { db, projects, store, own } = await tree();
    await store.save(projectOwner(projects[0]!, []), 'mattermost', own, 0, null);
    expect((await settingsUsage(db, INSTANCE_OWNER, 'slack')).inheritingProjects).toBe(4);
  });

  it('counts a project with custom settings below a group with its own once, as custom, and leaves out everything below the group', async () => {
    const { db, a, ab, projects, store, own } = await tree();
    await store.save(groupOwner(a, [a]), 'slack', own, 0, null);
    await store.save(groupOwner(ab, [a, ab]), 'slack', own, 0, null);
    await store.save(projectOwner(projects[2]!, []), 'slack', own, 0, null);
    expect(await settingsUsage(db, INSTANCE_OWNER, 'slack')).toEqual({
      inheritingProjects: 1,
      inheritingGroups: 1,
      customProjects: 1,
      customGroups: 2,
    });
    expect(await settingsUsage(db, groupOwner(a, [a]), 'slack')).toEqual({
      inheritingProjects: 1,
      inheritingGroups: 0,
      customProjects: 1,
      customGroups: 1,
    });
    expect(await customDescendantCount(db, INSTANCE_OWNER, 'slack')).toBe(3);
    expect(await customDescendantCount(db, groupOwner(a, [a]), 'slack')).toBe(2);
    expect(await customDescendantCount(db, groupOwner(ab, [a, ab]), 'slack')).toBe(1);
  });

  it('counts every type at once as it counts each alone', async () => {
    const { db, a, ab, c, projects, store, own } = await tree();
    await store.save(groupOwner(ab, [a, ab]), 'slack', own, 0, null);
    await store.save(projectOwner(projects[0]!, []), 'slack', own, 0, null);
    await store.save(groupOwner(c, [c]), 'mattermost', own, 0, null);
    await store.save(projectOwner(projects[1]!, []), 'mattermost', own, 0, null);
    const types = ['slack', 'mattermost', 'jira'];
    for (const owner of [INSTANCE_OWNER, groupOwner(a, [a]), groupOwner(c, [c])]) {
      const all = await settingsUsages(db, owner, types);
      for (const type of types)
        expect(all.get(type), `${type} at ${owner.name}`).toEqual(await settingsUsage(db, owner, type));
    }
    expect((await settingsUsages(db, INSTANCE_OWNER, types)).get('mattermost')).toEqual({
      inheritingProjects: 2,
      inheritingGroups: 2,
      customProjects: 1,
      customGroups: 1,
    });
  });

  it('reads the usage of every type of a level in one statement, whatever the groups with settings of their own', async () => {
    const { db, a, ab, c, projects, store, own, statements } = await tree();
    await store.save(groupOwner(ab, [a, ab]), 'slack', own, 0, null);
    await store.save(groupOwner(c, [c]), 'mattermost', own, 0, null);
    await store.save(projectOwner(projects[1]!, []), 'mattermost', own, 0, null);
    for (const owner of [INSTANCE_OWNER, groupOwner(a, [a])]) {
      const since = statements.length;
      await settingsUsages(db, owner, ['slack', 'mattermost', 'jira']);
      expect(statements.slice(since), owner.name).toHaveLength(1);
    }
  });
});
