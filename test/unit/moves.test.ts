/**
 * Moving groups and projects: paths and ancestor ids below are rewritten, and inherited
 * settings follow the new ancestors because nothing was copied.
 */
import { describe, expect, it } from 'vitest';
import { groups, projects } from '../../src/db/schema.js';
import { createGroup, findGroupById, groupLineage } from '../../src/model/groups.js';
import { moveGroup, moveProject } from '../../src/model/moves.js';
import { createProject, findProjectById } from '../../src/model/projects.js';
import { groupOwner, projectOwner, settingsChain } from '../../src/settings/owners.js';
import { listOverrides } from '../../src/settings/overrides.js';
import { integrationStates } from '../../src/settings/service.js';
import { SettingsStore } from '../../src/settings/store.js';
import { customDescendantCount, settingsUsage } from '../../src/settings/usage.js';
import { createTestApp } from '../support/app.js';
import { must } from '../support/world.js';

function tree() {
  const { db } = createTestApp();
  const a = must(createGroup(db, { name: 'A', path: 'a' }));
  const b = must(createGroup(db, { name: 'B', path: 'b' }, a));
  const c = must(createGroup(db, { name: 'C', path: 'c' }, b));
  const other = must(createGroup(db, { name: 'Other', path: 'other' }));
  const project = must(createProject(db, { name: 'P', path: 'p' }, c));
  const store = new SettingsStore(db, 'x'.repeat(40));
  return { db, a, b, c, other, project, store };
}

const slackOf = (db: ReturnType<typeof tree>['db'], store: SettingsStore, projectId: number) => {
  const project = findProjectById(db, projectId)!;
  const lineage = groupLineage(db, findGroupById(db, project.groupId)!);
  const owner = projectOwner(project, lineage);
  return integrationStates(store, { level: 'project', owner, chain: settingsChain(owner, lineage) }).find(
    (s) => s.type.slug === 'slack',
  )!.effective;
};

describe('moveGroup', () => {
  it('rewrites the full paths and ancestor ids of every group and project below', () => {
    const { db, b, other, project } = tree();
    const moved = must(moveGroup(db, b, other));
    expect(moved.fullPath).toBe('other/b');
    const all = db.select().from(groups).all();
    expect(all.find((g) => g.path === 'c')!.fullPath).toBe('other/b/c');
    expect(all.find((g) => g.path === 'c')!.traversalIds).toBe(
      `/${other.id}/${b.id}/${all.find((g) => g.path === 'c')!.id}/`,
    );
    expect(
      db
        .select()
        .from(projects)
        .all()
        .find((p) => p.id === project.id)!.fullPath,
    ).toBe('other/b/c/p');
  });

  it('makes the projects below inherit from their new ancestors at once', () => {
    const { db, a, b, other, project, store } = tree();
    store.save(groupOwner(a, [a]), 'slack', { active: true, fields: { username: 'from-a' }, events: {} }, 0, null);
    store.save(
      groupOwner(other, [other]),
      'slack',
      { active: true, fields: { username: 'from-other' }, events: {} },
      0,
      null,
    );
    expect(slackOf(db, store, project.id).fields.username).toBe('from-a');
    must(moveGroup(db, b, other));
    expect(slackOf(db, store, project.id).fields.username).toBe('from-other');
  });

  it('lists and counts the custom settings below a moved group under its new parent, and no longer under the old one', () => {
    const { db, a, b, c, other, project, store } = tree();
    const own = { active: true, fields: { username: 'own' }, events: {} };
    store.save(groupOwner(c, [a, b, c]), 'slack', own, 0, null);
    store.save(projectOwner(project, []), 'slack', own, 0, null);
    must(moveGroup(db, b, other));
    const paths = (owner: ReturnType<typeof groupOwner>) =>
      listOverrides(db, owner, 'slack', { search: '', after: '', limit: 20, visibleTo: null }).entries.map(
        (entry) => entry.owner.path,
      );
    const moved = groupOwner(other, [other]);
    expect(paths(moved)).toEqual(['other/b/c', 'other/b/c/p']);
    expect(customDescendantCount(db, moved, 'slack')).toBe(2);
    expect(paths(groupOwner(a, [a]))).toEqual([]);
    expect(customDescendantCount(db, groupOwner(a, [a]), 'slack')).toBe(0);
    expect(settingsUsage(db, moved, 'slack')).toEqual({
      inheritingProjects: 0,
      inheritingGroups: 1,
      customProjects: 1,
      customGroups: 1,
    });
  });

  it('refuses to move a group into its own subtree, to where it already is, or onto a taken path', () => {
    const { db, a, b, c } = tree();
    expect(moveGroup(db, a, c)).toEqual({
      ok: false,
      errors: { parent_id: 'A group cannot be moved into itself or one of its subgroups' },
    });
    expect(moveGroup(db, b, a).ok).toBe(false);
    must(createGroup(db, { name: 'C2', path: 'c' }, a));
    expect(moveGroup(db, c, a)).toEqual({
      ok: false,
      errors: { parent_id: 'a/c is already taken by another group or project' },
    });
  });
});

describe('moveProject', () => {
  it('keeps custom settings as they are', () => {
    const { db, a, other, project, store } = tree();
    store.save(groupOwner(a, [a]), 'slack', { active: true, fields: { username: 'from-a' }, events: {} }, 0, null);
    store.save(projectOwner(project, []), 'slack', { active: false, fields: { username: 'own' }, events: {} }, 0, null);
    must(moveProject(db, project, other));
    const effective = slackOf(db, store, project.id);
    expect(effective.state).toBe('custom');
    expect(effective.fields.username).toBe('own');
    expect(effective.inheritsFrom).toBeNull();
  });

  it('lists the moved project with custom settings under its new group', () => {
    const { db, a, other, project, store } = tree();
    store.save(projectOwner(project, []), 'slack', { active: true, fields: { username: 'own' }, events: {} }, 0, null);
    must(moveProject(db, project, other));
    const list = (group: typeof a) =>
      listOverrides(db, groupOwner(group, [group]), 'slack', { search: '', after: '', limit: 20, visibleTo: null })
        .entries;
    expect(list(other).map((entry) => entry.owner.path)).toEqual(['other/p']);
    expect(list(a)).toEqual([]);
  });
});
