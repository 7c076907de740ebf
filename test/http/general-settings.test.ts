/**
 * A group's and a project's Settings › General through HTTP: renaming, changing the path (with
 * everything below following), deleting with a typed confirmation, and the refusals: a path in
 * use, a wrong confirmation, and what a code host manages.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/trail.js';
import { runImport } from '../../src/code-hosts/sync.js';
import { writeConnection } from '../../src/db/client.js';
import { groups, integrationHealth, integrationSettings, members, projects } from '../../src/db/schema.js';
import { ROLES } from '../../src/auth/permissions.js';
import { findGroupById } from '../../src/model/groups.js';
import { createProject, findProjectById } from '../../src/model/projects.js';
import { createGroup } from '../../src/model/groups.js';
import {
  controlOf,
  createTestApp,
  fieldErrorOf,
  flashOf,
  get,
  insertUser,
  post,
  sessionCookie,
  textOf,
} from '../support/app.js';
import { FakeHostClient, insertConnection, sampleTree } from '../support/fake-host-client.js';
import { groupIntegrations, projectIntegrations, slackForm } from '../support/integrations.js';
import { buildWorld, must } from '../support/world.js';

async function world() {
  const t = await createTestApp();
  const w = await buildWorld(t.db);
  return { ...t, w, owner: w.cookies.owner!, maintainer: w.cookies.maintainer!, admin: w.cookies.admin! };
}

const customSlack = () => ({ ...slackForm(), inheritance: 'custom', _confirmed: '1' });

const auditActions = async (db: Parameters<typeof listAuditEvents>[0]) =>
  (await listAuditEvents(db, { limit: 50 })).events.map((event) => ({
    action: event.action,
    owner: event.ownerPath,
    changes: event.changeList,
  }));

describe("a group's general settings", () => {
  it('rename the group for its Owner, recorded in the audit trail', async () => {
    const t = await world();
    const page = await get(t.app, '/groups/top/sub/-/edit', { cookie: t.owner });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(controlOf(html, 'name')).toContain('value="Sub"');
    expect(controlOf(html, 'path')).toContain('value="sub"');

    const saved = await post(
      t.app,
      '/groups/top/sub/-/edit',
      { name: 'Services', description: 'Our services' },
      {
        cookie: t.owner,
      },
    );
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/groups/top/sub/-/edit');
    expect(flashOf(saved)).toBe("Group 'Services' was successfully updated.");
    expect(await findGroupById(t.db, t.w.sub.id)).toMatchObject({ name: 'Services', description: 'Our services' });
    expect(await auditActions(t.db)).toEqual([
      {
        action: 'group.edited',
        owner: 'top/sub',
        changes: [
          { key: 'name', label: 'Name', before: 'Sub', after: 'Services' },
          { key: 'description', label: 'Description', before: null, after: 'Our services' },
        ],
      },
    ]);
  });

  it('change its path, and the paths of its project follow', async () => {
    const t = await world();
    const saved = await post(t.app, '/groups/top/sub/-/edit', { path: 'services' }, { cookie: t.owner });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/groups/top/services/-/edit');
    expect((await findGroupById(t.db, t.w.sub.id))?.fullPath).toBe('top/services');
    expect((await findProjectById(t.db, t.w.project.id))?.fullPath).toBe('top/services/app');
    expect((await get(t.app, '/top/services/app', { cookie: t.owner })).status).toBe(200);
    expect((await get(t.app, '/groups/top/sub', { cookie: t.owner })).status).toBe(404);
    expect((await auditActions(t.db))[0]).toMatchObject({ action: 'group.moved', owner: 'top/services' });
  });

  it('refuse a path another group or project uses, next to the field, and change nothing', async () => {
    const t = await world();
    must(await createGroup(t.db, { name: 'Taken', path: 'taken' }, t.w.top));
    const refused = await post(t.app, '/groups/top/sub/-/edit', { path: 'TAKEN' }, { cookie: t.owner });
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(fieldErrorOf(html, 'path')).toBe('top/TAKEN is already taken by another group or project');
    expect(controlOf(html, 'path')).toContain('value="TAKEN"');
    expect((await findGroupById(t.db, t.w.sub.id))?.fullPath).toBe('top/sub');
  });

  it('refuse a path the repo would not create, as it does when creating', async () => {
    const t = await world();
    const before = await findGroupById(t.db, t.w.sub.id);
    const refused = await post(t.app, '/groups/top/sub/-/edit', { path: 'no spaces' }, { cookie: t.owner });
    expect(refused.status).toBe(422);
    expect(fieldErrorOf(await refused.text(), 'path')).toMatch(/./);
    const blank = await post(t.app, '/groups/top/sub/-/edit', { name: '' }, { cookie: t.owner });
    expect(blank.status).toBe(422);
    expect(fieldErrorOf(await blank.text(), 'name')).toMatch(/./);
    expect(await findGroupById(t.db, t.w.sub.id)).toEqual(before);
  });

  it("are not for the group's Maintainers, who rename and delete its projects instead", async () => {
    const t = await world();
    const maintainer = await insertUser(t.db, 'group-maintainer');
    await writeConnection(t.db)
      .insert(members)
      .values({ userId: maintainer.id, groupId: t.w.sub.id, accessLevel: ROLES.maintainer });
    const cookie = await sessionCookie(t.db, maintainer);
    expect((await get(t.app, '/groups/top/sub/-/edit', { cookie })).status).toBe(403);
    expect((await post(t.app, '/groups/top/sub/-/delete', {}, { cookie })).status).toBe(403);
    expect((await get(t.app, '/top/sub/app/-/edit', { cookie })).status).toBe(200);
  });

  it('are not for a Maintainer of a project inside it, nor a Developer of the group: 403', async () => {
    const t = await world();
    const before = await findGroupById(t.db, t.w.sub.id);
    const response = await post(t.app, '/groups/top/sub/-/edit', { name: 'Mine' }, { cookie: t.w.cookies.developer });
    expect(response.status).toBe(403);
    expect(textOf(await response.text())).toContain('You need the Owner role to rename or delete this group.');
    expect((await post(t.app, '/groups/top/sub/-/delete', {}, { cookie: t.maintainer })).status).toBe(403);
    expect(await findGroupById(t.db, t.w.sub.id)).toEqual(before);
  });
});

describe('deleting a group', () => {
  /** Group "top/sub" with Slack settings of its own, a custom project "top/sub/app" and a health row of each. */
  async function withSettings() {
    const t = await world();
    expect(
      (await post(t.app, `${groupIntegrations('top/sub')}/slack`, customSlack(), { cookie: t.admin })).status,
    ).toBe(303);
    expect(
      (await post(t.app, `${projectIntegrations('top/sub/app')}/slack`, customSlack(), { cookie: t.admin })).status,
    ).toBe(303);
    const health = { integration: 'slack', recentFailures: 1, updatedAt: new Date() };
    await writeConnection(t.db)
      .insert(integrationHealth)
      .values([
        { ...health, settingsLevel: 'group', settingsOwnerId: t.w.sub.id },
        { ...health, settingsLevel: 'project', settingsOwnerId: t.w.project.id },
        { ...health, settingsLevel: 'project', settingsOwnerId: t.w.otherProject.id },
      ]);
    return t;
  }

  it('asks first, saying what goes with it, with the counts', async () => {
    const t = await withSettings();
    const asked = await post(t.app, '/groups/top/sub/-/delete', {}, { cookie: t.owner });
    expect(asked.status).toBe(200);
    const text = textOf(await asked.text());
    expect(text).toContain('Delete top/sub?');
    expect(text).toContain('This permanently deletes the group with its 0 subgroups and 1 project.');
    expect(text).toContain('2 integration settings of the group, its subgroups and projects');
    // reporter and developer of the group, the maintainer of its project
    expect(text).toContain('3 memberships are removed');
    expect(text).toContain('Enter the following to confirm: top/sub');
    expect(await findGroupById(t.db, t.w.sub.id)).toBeDefined();
  });

  it('is refused when the typed path does not match, next to the field, and deletes nothing', async () => {
    const t = await withSettings();
    const refused = await post(
      t.app,
      '/groups/top/sub/-/delete',
      { _confirmed: '1', confirm_path: 'sub' },
      { cookie: t.owner },
    );
    expect(refused.status).toBe(422);
    expect(fieldErrorOf(await refused.text(), 'confirm_path')).toBe('Enter top/sub to confirm the deletion');
    expect(await findGroupById(t.db, t.w.sub.id)).toBeDefined();
    const unconfirmed = await post(t.app, '/groups/top/sub/-/delete', { confirm_path: 'top/sub' }, { cookie: t.owner });
    expect(unconfirmed.status).toBe(200);
    expect(await findGroupById(t.db, t.w.sub.id)).toBeDefined();
  });

  it('deletes it with its projects, their settings, memberships and health, once confirmed', async () => {
    const t = await withSettings();
    const deleted = await post(
      t.app,
      '/groups/top/sub/-/delete',
      { _confirmed: '1', confirm_path: 'top/sub' },
      { cookie: t.owner },
    );
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/');
    expect(flashOf(deleted)).toBe("Group 'Sub' was successfully deleted.");
    expect(await findGroupById(t.db, t.w.sub.id)).toBeUndefined();
    expect(await findProjectById(t.db, t.w.project.id)).toBeUndefined();
    expect(await findGroupById(t.db, t.w.top.id)).toBeDefined();
    expect(await t.db.select().from(integrationSettings)).toEqual([]);
    const left = await t.db.select({ groupId: members.groupId, projectId: members.projectId }).from(members);
    expect(left).toEqual([
      { groupId: t.w.top.id, projectId: null },
      { groupId: t.w.top.id, projectId: null },
    ]);
    // Another project's health is not this group's to delete.
    expect(await t.db.select({ owner: integrationHealth.settingsOwnerId }).from(integrationHealth)).toEqual([
      { owner: t.w.otherProject.id },
    ]);
    expect((await auditActions(t.db))[0]).toMatchObject({
      action: 'group.deleted',
      owner: 'top/sub',
      changes: [
        { key: 'subgroups', before: '0' },
        { key: 'projects', before: '1' },
      ],
    });
  });
});

describe("a project's general settings", () => {
  it('rename it and change its path for its Maintainer', async () => {
    const t = await world();
    const renamed = await post(t.app, '/top/sub/app/-/edit', { name: 'Application' }, { cookie: t.maintainer });
    expect(renamed.status).toBe(303);
    expect(flashOf(renamed)).toBe("Project 'Application' was successfully updated.");
    const moved = await post(t.app, '/top/sub/app/-/edit', { path: 'application' }, { cookie: t.maintainer });
    expect(moved.status).toBe(303);
    expect(moved.headers.get('location')).toBe('/top/sub/application/-/edit');
    expect(await findProjectById(t.db, t.w.project.id)).toMatchObject({
      name: 'Application',
      fullPath: 'top/sub/application',
    });
    expect((await auditActions(t.db)).map((event) => event.action)).toEqual(['project.moved', 'project.edited']);
  });

  it('refuse a path in use in its group, next to the field', async () => {
    const t = await world();
    must(await createProject(t.db, { name: 'Web', path: 'web' }, t.w.sub));
    const refused = await post(t.app, '/top/sub/app/-/edit', { path: 'web' }, { cookie: t.maintainer });
    expect(refused.status).toBe(422);
    expect(fieldErrorOf(await refused.text(), 'path')).toBe('top/sub/web is already taken by another group or project');
  });

  it('are not for its Developers: 403', async () => {
    const t = await world();
    const response = await get(t.app, '/top/sub/app/-/edit', { cookie: t.w.cookies.developer });
    expect(response.status).toBe(403);
    expect(textOf(await response.text())).toContain(
      'You need the Maintainer or Owner role to rename or delete this project.',
    );
  });

  it('delete it once its full path is typed, with its settings', async () => {
    const t = await world();
    await post(t.app, `${projectIntegrations('top/sub/app')}/slack`, customSlack(), { cookie: t.admin });
    await writeConnection(t.db).insert(integrationHealth).values({
      integration: 'slack',
      settingsLevel: 'project',
      settingsOwnerId: t.w.project.id,
      recentFailures: 1,
      updatedAt: new Date(),
    });
    const asked = await post(t.app, '/top/sub/app/-/delete', {}, { cookie: t.maintainer });
    const text = textOf(await asked.text());
    expect(text).toContain('This permanently deletes the project. No other group or project inherits settings');
    expect(text).toContain('1 integration setting of the project');
    const wrong = await post(
      t.app,
      '/top/sub/app/-/delete',
      { _confirmed: '1', confirm_path: 'App' },
      {
        cookie: t.maintainer,
      },
    );
    expect(wrong.status).toBe(422);
    expect(await findProjectById(t.db, t.w.project.id)).toBeDefined();
    const deleted = await post(
      t.app,
      '/top/sub/app/-/delete',
      { _confirmed: '1', confirm_path: 'top/sub/app' },
      {
        cookie: t.maintainer,
      },
    );
    expect(deleted.status).toBe(303);
    expect(flashOf(deleted)).toBe("Project 'App' was successfully deleted.");
    expect(await findProjectById(t.db, t.w.project.id)).toBeUndefined();
    expect(await t.db.select().from(integrationHealth)).toEqual([]);
    expect(
      await t.db.select().from(integrationSettings).where(eq(integrationSettings.projectId, t.w.project.id)),
    ).toEqual([]);
  });
});

describe('groups and projects a code host manages', () => {
  const MANAGED = 'platform/backend/api is managed by gitlab.example.com: change its name, path and place there';

  async function imported() {
    const t = await createTestApp();
    await runImport(t.db, await insertConnection(t.db), new FakeHostClient(sampleTree()));
    const root = await insertUser(t.db, 'root', { isAdmin: true });
    const api = (await t.db.select().from(projects).where(eq(projects.hostId, 100)))[0]!;
    const backend = (await t.db.select().from(groups).where(eq(groups.hostId, 11)))[0]!;
    return { ...t, api, backend, cookie: await sessionCookie(t.db, root) };
  }

  it('offer no form to rename or delete them, only where to change them', async () => {
    const t = await imported();
    const html = await (await get(t.app, `/${t.api.fullPath}/-/edit`, { cookie: t.cookie })).text();
    expect(textOf(html)).toContain('This project was imported from gitlab.example.com.');
    expect(controlOf(html, 'name')).toBeUndefined();
    expect(controlOf(html, 'path')).toBeUndefined();
    expect(html).not.toContain('/-/delete');
  });

  it('refuse a rename or a deletion posted anyway, with why', async () => {
    const t = await imported();
    const renamed = await post(t.app, `/${t.api.fullPath}/-/edit`, { name: 'Renamed' }, { cookie: t.cookie });
    expect(renamed.status).toBe(422);
    expect(textOf(await renamed.text())).toContain(`The form has 1 error ${MANAGED}`);
    const deleted = await post(
      t.app,
      `/${t.api.fullPath}/-/delete`,
      { _confirmed: '1', confirm_path: t.api.fullPath },
      { cookie: t.cookie },
    );
    expect(deleted.status).toBe(422);
    expect(textOf(await deleted.text())).toContain(MANAGED);
    const group = await post(
      t.app,
      `/groups/${t.backend.fullPath}/-/delete`,
      { _confirmed: '1', confirm_path: t.backend.fullPath },
      { cookie: t.cookie },
    );
    expect(group.status).toBe(422);
    expect(await findProjectById(t.db, t.api.id)).toEqual(t.api);
    expect(await findGroupById(t.db, t.backend.id)).toEqual(t.backend);
  });
});
