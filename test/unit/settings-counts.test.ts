/**
 * settings_counts (src/db/schema.ts): the custom settings below each level, kept by triggers
 * on SQLite and PostgreSQL alike. After every change to the tree or to the settings rows, the
 * kept counts are those a count of the rows from scratch gives.
 */
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { rows, writeConnection, type Db } from '../../src/db/client.js';
import { integrationSettings, type Group, type Project, type User } from '../../src/db/schema.js';
import { createGroup, findGroupById } from '../../src/model/groups.js';
import { moveGroup, moveProject } from '../../src/model/moves.js';
import { createProject } from '../../src/model/projects.js';
import { deleteGroup, deleteProject } from '../../src/model/tree.js';
import { insertUser } from '../support/app.js';
import { openTestDatabase } from '../support/database.js';
import { must } from '../support/world.js';

type Count = { scope: number; type: string; projects: number; groups: number };

const byScopeAndType = (a: Count, b: Count) => a.scope - b.scope || a.type.localeCompare(b.type);

/** The kept counts, zeros left out. */
async function kept(db: Db): Promise<Count[]> {
  const found = await rows<Count>(
    db,
    sql`select scope_id as scope, type, custom_projects as projects, custom_groups as groups
          from settings_counts where custom_projects <> 0 or custom_groups <> 0`,
  );
  return found
    .map((row) => ({ ...row, projects: Number(row.projects), groups: Number(row.groups) }))
    .sort(byScopeAndType);
}

/** The counts from scratch: every row, for the instance (0) and each group above its owner. */
async function counted(db: Db): Promise<Count[]> {
  const owned = await rows<{ type: string; traversal: string; own: number | null }>(
    db,
    sql`select s.type, g.traversal_ids as traversal, null as own
          from integration_settings s join projects p on p.id = s.project_id join groups g on g.id = p.group_id
        union all
        select s.type, g.traversal_ids, g.id from integration_settings s join groups g on g.id = s.group_id`,
  );
  const counts = new Map<string, Count>();
  for (const { type, traversal, own } of owned) {
    const scopes = [0, ...traversal.split('/').filter(Boolean).map(Number)].filter((scope) => scope !== own);
    for (const scope of scopes) {
      const count = counts.get(`${scope}:${type}`) ?? { scope, type, projects: 0, groups: 0 };
      if (own === null) count.projects++;
      else count.groups++;
      counts.set(`${scope}:${type}`, count);
    }
  }
  return [...counts.values()].sort(byScopeAndType);
}

describe('settings_counts', () => {
  let db: Db;
  let admin: User;
  let top: Group, sub: Group, deep: Group, other: Group;
  let app: Project, api: Project, loose: Project;

  const customize = (owner: { groupId?: number; projectId?: number }, type = 'slack') =>
    writeConnection(db)
      .insert(integrationSettings)
      .values({ type, ...owner });

  beforeEach(async () => {
    db = await openTestDatabase();
    admin = await insertUser(db, 'admin', { isAdmin: true });
    top = must(await createGroup(db, { name: 'Top', path: 'top' }));
    sub = must(await createGroup(db, { name: 'Sub', path: 'sub' }, top));
    deep = must(await createGroup(db, { name: 'Deep', path: 'deep' }, sub));
    other = must(await createGroup(db, { name: 'Other', path: 'other' }));
    app = must(await createProject(db, { name: 'App', path: 'app' }, deep));
    api = must(await createProject(db, { name: 'API', path: 'api' }, sub));
    loose = must(await createProject(db, { name: 'Loose', path: 'loose' }, other));
    await customize({ projectId: app.id });
    await customize({ projectId: app.id }, 'jira');
    await customize({ projectId: api.id });
    await customize({ projectId: loose.id });
    await customize({ groupId: deep.id });
    await customize({ groupId: sub.id }, 'jira');
    await writeConnection(db).insert(integrationSettings).values({ type: 'slack' }); // the instance's own
  });

  it('counts each row for the instance and every group above its owner', async () => {
    expect(await kept(db)).toEqual(await counted(db));
    expect((await kept(db)).find((count) => count.scope === top.id && count.type === 'slack')).toEqual({
      scope: top.id,
      type: 'slack',
      projects: 2,
      groups: 1,
    });
    expect((await kept(db)).find((count) => count.scope === 0 && count.type === 'slack')).toMatchObject({
      projects: 3,
      groups: 1,
    });
  });

  it('follows a row removed, a project moved and a group moved', async () => {
    await writeConnection(db)
      .delete(integrationSettings)
      .where(sql`${integrationSettings.projectId} = ${api.id}`);
    expect(await kept(db)).toEqual(await counted(db));

    must(await moveProject(db, app, other, admin));
    expect(await kept(db)).toEqual(await counted(db));

    must(await moveGroup(db, sub, other, admin));
    expect(await kept(db)).toEqual(await counted(db));
    must(await moveGroup(db, (await findGroupById(db, deep.id))!, null, admin));
    expect(await kept(db)).toEqual(await counted(db));
  });

  it('counts off what a deleted project or group took with it', async () => {
    must(await deleteProject(db, app, admin));
    expect(await kept(db)).toEqual(await counted(db));
    must(await deleteGroup(db, top, admin));
    expect(await kept(db)).toEqual(await counted(db));
    expect(await kept(db)).toEqual([
      { scope: 0, type: 'slack', projects: 1, groups: 0 },
      { scope: other.id, type: 'slack', projects: 1, groups: 0 },
    ]);
  });
});
