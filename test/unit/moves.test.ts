/**
 * Moving groups and projects: paths and ancestor ids below are rewritten, and inherited
 * settings follow the new ancestors because nothing was copied.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { groups, projects } from '../../src/db/schema.js';
import { createGroup, findGroupById, groupLineage } from '../../src/model/groups.js';
import { moveGroup, moveProject } from '../../src/model/moves.js';
import { deleteGroup, deleteProject } from '../../src/model/tree.js';
import { createProject, findProjectById } from '../../src/model/projects.js';
import { groupOwner, projectOwner, settingsChain } from '../../src/settings/owners.js';
import { listOverrides } from '../../src/settings/overrides.js';
import { integrationStates } from '../../src/settings/service.js';
import { SettingsStore } from '../../src/settings/store.js';
import { customDescendantCount, settingsUsage } from '../../src/settings/usage.js';
import { createTestApp } from '../support/app.js';
import { must } from '../support/world.js';

/** Who moves things in these tests: the audit trail names them. */
const MOVER = { id: 1, username: 'root' };

async function tree() {
  const { db } = await createTestApp();
  const a = must(await createGroup(db, { name: 'A', path: 'a' }));
  const b = must(await createGroup(db, { name: 'B', path: 'b' }, a));
  const c = must(await createGroup(db, { name: 'C', path: 'c' }, b));
  const other = must(await createGroup(db, { name: 'Other', path: 'other' }));
  const project = must(await createProject(db, { name: 'P', path: 'p' }, c));
  const store = new SettingsStore(db, 'x'.repeat(40));
  return { db, a, b, c, other, project, store };
}

const slackOf = async (db: Db, store: SettingsStore, projectId: number) => {
  const project = (await findProjectById(db, projectId))!;
  const lineage = await groupLineage(db, (await findGroupById(db, project.groupId))!);
  const owner = projectOwner(project, lineage);
  return (await integrationStates(store, { level: 'project', owner, chain: settingsChain(owner, lineage) })).find(
    (s) => s.type.slug === 'slack',
  )!.effective;
};

describe('moveGroup', () => {
  it('rewrites the full paths and ancestor ids of every group and project below', async () => {
    const { db, b, other, project } = await tree();
    const moved = must(await moveGroup(db, b, other, MOVER));
    expect(moved.fullPath).toBe('other/b');
    const all = await db.select().from(groups);
    expect(all.find((g) => g.path === 'c')!.fullPath).toBe('other/b/c');
    expect(all.find((g) => g.path === 'c')!.traversalIds).toBe(
      `/${other.id}/${b.id}/${all.find((g) => g.path === 'c')!.id}/`,
    );
    expect((await db.select().from(projects)).find((p) => p.id === project.id)!.fullPath).toBe('other/b/c/p');
  });

  it('makes the projects below inherit from their new ancestors at once', async () => {
    const { db, a, b, other, project, store } = await tree();
    await store.save(
      groupOwner(a, [a]),
      'slack',
      { active: true, fields: { username: 'from-a' }, events: {} },
      0,
      null,
    );
    await store.save(
      groupOwner(other, [other]),
      'slack',
      { active: true, fields: { username: 'from-other' }, events: {} },
      0,
      null,
    );
    expect((await slackOf(db, store, project.id)).fields.username).toBe('from-a');
    must(await moveGroup(db, b, other, MOVER));
    expect((await slackOf(db, store, project.id)).fields.username).toBe('from-other');
  });

  it('lists and counts the custom settings below a moved group under its new parent, and no longer under the old one', async () => {
    const { db, a, b, c, other, project, store } = await tree();
    const own = { active: true, fields: { username: 'own' }, events: {} };
    await store.save(groupOwner(c, [a, b, c]), 'slack', own, 0, null);
    await store.save(projectOwner(project, []), 'slack', own, 0, null);
    must(await moveGroup(db, b, other, MOVER));
    const paths = async (owner: ReturnType<typeof groupOwner>) =>
      (await listOverrides(db, owner, 'slack', { search: '', after: '', limit: 20, visibleTo: null })).entries.map(
        (entry) => entry.owner.path,
      );
    const moved = groupOwner(other, [other]);
    expect(await paths(moved)).toEqual(['other/b/c', 'other/b/c/p']);
    expect(await customDescendantCount(db, moved, 'slack')).toBe(2);
    expect(await paths(groupOwner(a, [a]))).toEqual([]);
    expect(await customDescendantCount(db, groupOwner(a, [a]), 'slack')).toBe(0);
    expect(await settingsUsage(db, moved, 'slack')).toEqual({
      inheritingProjects: 0,
      inheritingGroups: 1,
      customProjects: 1,
      customGroups: 1,
    });
  });

  it('refuses to move a group into its own subtree, to where it already is, or onto a taken path', async () => {
    const { db, a, b, c } = await tree();
    expect(await moveGroup(db, a, c, MOVER)).toEqual({
      ok: false,
      errors: { parent_id: 'A group cannot be moved into itself or one of its subgroups' },
    });
    expect((await moveGroup(db, b, a, MOVER)).ok).toBe(false);
    must(await createGroup(db, { name: 'C2', path: 'c' }, a));
    expect(await moveGroup(db, c, a, MOVER)).toEqual({
      ok: false,
      errors: { parent_id: 'a/c is already taken by another group or project' },
    });
  });
});

describe('moveProject', () => {
  it('keeps custom settings as they are', async () => {
    const { db, a, other, project, store } = await tree();
    await store.save(
      groupOwner(a, [a]),
      'slack',
      { active: true, fields: { username: 'from-a' }, events: {} },
      0,
      null,
    );
    await store.save(
      projectOwner(project, []),
      'slack',
      { active: false, fields: { username: 'own' }, events: {} },
      0,
      null,
    );
    must(await moveProject(db, project, other, MOVER));
    const effective = await slackOf(db, store, project.id);
    expect(effective.state).toBe('custom');
    expect(effective.fields.username).toBe('own');
    expect(effective.inheritsFrom).toBeNull();
  });

  it('lists the moved project with custom settings under its new group', async () => {
    const { db, a, other, project, store } = await tree();
    await store.save(
      projectOwner(project, []),
      'slack',
      { active: true, fields: { username: 'own' }, events: {} },
      0,
      null,
    );
    must(await moveProject(db, project, other, MOVER));
    const list = async (group: typeof a) =>
      (
        await listOverrides(db, groupOwner(group, [group]), 'slack', {
          search: '',
          after: '',
          limit: 20,
          visibleTo: null,
        })
      ).entries;
    expect((await list(other)).map((entry) => entry.owner.path)).toEqual(['other/p']);
    expect(await list(a)).toEqual([]);
  });
});

describe("each group's project count", () => {
  const counts = async (db: Db) =>
    Object.fromEntries(
      (await db.select({ path: groups.fullPath, count: groups.projectCount }).from(groups)).map((g) => [
        g.path,
        g.count,
      ]),
    );

  it('follows projects as they are created, moved and deleted, and groups as they are deleted', async () => {
    const { db, a, c, other, project } = await tree();
    must(await createProject(db, { name: 'Q', path: 'q' }, c));
    expect(await counts(db)).toEqual({ a: 0, 'a/b': 0, 'a/b/c': 2, other: 0 });

    must(await moveProject(db, project, other, MOVER));
    expect(await counts(db)).toEqual({ a: 0, 'a/b': 0, 'a/b/c': 1, other: 1 });

    // A group's move rewrites its projects' paths, not their group: no count changes.
    must(await moveGroup(db, (await findGroupById(db, c.id))!, other, MOVER));
    expect(await counts(db)).toEqual({ a: 0, 'a/b': 0, 'other/c': 1, other: 1 });

    await deleteProject(db, (await findProjectById(db, project.id))!, MOVER);
    await deleteGroup(db, (await findGroupById(db, a.id))!, MOVER);
    expect(await counts(db)).toEqual({ 'other/c': 1, other: 0 });
  });
});
