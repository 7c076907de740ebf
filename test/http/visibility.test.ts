/**
 * Lists show only what the viewer may open: a group's subgroups and projects, the projects and
 * groups using custom settings, and the API's lists. Where a count includes the others, it is a
 * number, never a name. Lists decide with the same rule as the pages they link to.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { can, groupsReadableBy, projectsReadableBy } from '../../src/auth/permissions.js';
import type { Db } from '../../src/db/client.js';
import { groups, projects, type Group, type Project, type User } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { addMember } from '../../src/model/members.js';
import { createProject } from '../../src/model/projects.js';
import { apiRequest, apiToken, json } from '../support/api.js';
import { createTestApp, get, insertUser, post, sessionCookie, textOf, type TestApp } from '../support/app.js';
import { groupIntegrations, projectIntegrations, slackForm } from '../support/integrations.js';
import { buildWorld, must } from '../support/world.js';

/**
 * Platform > Backend, Frontend, Tools; projects Platform/Infrastructure, Backend/API, Frontend/Web.
 * Max is a Maintainer of Backend only, Tess a Reporter of Tools only; Olivia owns Platform.
 */
async function platformWorld(db: Db) {
  const platform = must(await createGroup(db, { name: 'Platform', path: 'platform' }));
  const backend = must(await createGroup(db, { name: 'Backend', path: 'backend' }, platform));
  const frontend = must(await createGroup(db, { name: 'Frontend', path: 'frontend' }, platform));
  const tools = must(await createGroup(db, { name: 'Tools', path: 'tools' }, platform));
  must(await createProject(db, { name: 'Infrastructure', path: 'infrastructure' }, platform));
  must(await createProject(db, { name: 'API', path: 'api' }, backend));
  must(await createProject(db, { name: 'Web', path: 'web' }, frontend));
  const max = await insertUser(db, 'max');
  const olivia = await insertUser(db, 'olivia');
  const tess = await insertUser(db, 'tess');
  const root = await insertUser(db, 'root', { isAdmin: true });
  must(await addMember(db, { groupId: backend.id }, { username: 'max', role: 'maintainer' }));
  must(await addMember(db, { groupId: platform.id }, { username: 'olivia', role: 'owner' }));
  must(await addMember(db, { groupId: tools.id }, { username: 'tess', role: 'reporter' }));
  return { platform, backend, frontend, max, olivia, tess, root };
}

let t: TestApp;
let p: Awaited<ReturnType<typeof platformWorld>>;
const cookie = async (user: User) => ({ cookie: await sessionCookie(t.db, user) });
const pageText = async (path: string, user: User) => textOf(await (await get(t.app, path, await cookie(user))).text());

beforeAll(async () => {
  t = await createTestApp();
  p = await platformWorld(t.db);
  const saveSlack = async (path: string, username: string) =>
    post(
      t.app,
      `${projectIntegrations(path)}/slack`,
      { ...slackForm({ username }), inheritance: 'custom' },
      await cookie(p.root),
    );
  await saveSlack('platform/backend/api', 'api-bot');
  await saveSlack('platform/frontend/web', 'web-bot');
  await saveSlack('platform/infrastructure', 'infra-bot');
  await post(
    t.app,
    `${groupIntegrations('platform/frontend')}/slack`,
    { ...slackForm({ username: 'frontend-bot' }), inheritance: 'custom', _confirmed: '1' },
    await cookie(p.root),
  );
});

describe('a group page', () => {
  it('shows a Maintainer of Backend only Backend on the page of Platform, not the groups and projects they cannot open', async () => {
    const page = await pageText('/groups/platform', p.max);
    expect(page).toContain('Backend');
    expect(page).not.toContain('Frontend');
    expect(page).not.toContain('Infrastructure');
    expect(page).toContain('This group has no projects.');
    expect((await get(t.app, '/groups/platform/frontend', await cookie(p.max))).status).toBe(404);
  });

  it('shows the Owner of Platform every subgroup and project in it', async () => {
    const page = await pageText('/groups/platform', p.olivia);
    for (const name of ['Backend', 'Frontend', 'Tools', 'Infrastructure']) expect(page).toContain(name);
  });
});

describe('"Projects using custom settings"', () => {
  const overrides = `${groupIntegrations('platform')}/slack/overrides`;

  it('lists for a Maintainer of Backend only what they may open, with its values, and counts the others without naming them', async () => {
    const page = await pageText(overrides, p.max);
    expect(page).toContain('platform/backend/api Project');
    expect(page).toContain('api-bot');
    for (const hidden of ['platform/frontend', 'platform/infrastructure', 'web-bot', 'frontend-bot', 'infra-bot'])
      expect(page).not.toContain(hidden);
    expect(page).toContain('3 more projects or groups use custom settings; you cannot open them.');
  });

  it('finds nothing for a Maintainer of Backend who searches for a project they cannot open', async () => {
    const page = await pageText(`${overrides}?search=web`, p.max);
    expect(page).toContain('Nothing matches your search.');
    expect(page).not.toContain('platform/frontend/web');
  });

  it('tells a Reporter of Tools, who may open none of them, that nothing they can open uses custom settings', async () => {
    const page = await pageText(overrides, p.tess);
    expect(page).toContain('No project or group you can open uses custom settings.');
    expect(page).toContain('4 more projects or groups use custom settings; you cannot open them.');
  });

  it('lists everything for the Owner of Platform, with no one left out', async () => {
    const page = await pageText(overrides, p.olivia);
    for (const entry of [
      'platform/backend/api Project',
      'platform/frontend Group',
      'platform/frontend/web Project',
      'platform/infrastructure Project',
    ])
      expect(page).toContain(entry);
    expect(page).not.toContain('you cannot open');
  });
});

describe('the API', () => {
  const list = async (path: string, user: User) => {
    const response = await apiRequest(t.app, 'GET', `/api/v4${path}`, { token: await apiToken(t.db, user) });
    return {
      paths: (await json<{ full_path?: string; path_with_namespace?: string }[]>(response)).map(
        (item) => item.full_path ?? item.path_with_namespace,
      ),
      total: response.headers.get('x-total'),
    };
  };

  it('lists for a Maintainer of Backend only the groups and projects they may open, and counts only those in x-total', async () => {
    expect(await list('/groups?all_available=true', p.max)).toEqual({
      paths: ['platform/backend', 'platform'],
      total: '2',
    });
    // As in GitLab, without all_available only the groups where they have a group role.
    expect(await list('/groups', p.max)).toEqual({ paths: ['platform/backend'], total: '1' });
    expect(await list(`/groups/${p.platform.id}/subgroups`, p.max)).toEqual({
      paths: ['platform/backend'],
      total: '1',
    });
    expect(await list(`/groups/${p.platform.id}/projects`, p.max)).toEqual({ paths: [], total: '0' });
    expect(await list(`/groups/${p.backend.id}/projects`, p.max)).toEqual({
      paths: ['platform/backend/api'],
      total: '1',
    });
    expect(await list('/projects', p.max)).toEqual({ paths: ['platform/backend/api'], total: '1' });
  });

  it('lists for the Owner of Platform every group and project in it', async () => {
    expect((await list('/groups?search=platform', p.olivia)).paths).toEqual([
      'platform/backend',
      'platform/frontend',
      'platform',
      'platform/tools',
    ]);
    expect((await list(`/groups/${p.platform.id}/projects`, p.olivia)).paths).toEqual(['platform/infrastructure']);
  });

  it('answers 404 for the subgroups and projects of a group the user cannot open', async () => {
    for (const path of [`/groups/${p.frontend.id}/subgroups`, `/groups/${p.frontend.id}/projects`]) {
      const response = await apiRequest(t.app, 'GET', `/api/v4${path}`, { token: await apiToken(t.db, p.max) });
      expect(response.status).toBe(404);
      expect(await json(response)).toEqual({ message: '404 Group Not Found' });
    }
  });
});

describe('lists and pages decide alike', () => {
  it('lists a group or project in a query exactly when the one permission check lets the user open it', async () => {
    const db = (await createTestApp()).db;
    const w = await buildWorld(db);
    const extra = await platformWorld(db);
    const everyone = [...Object.values(w.users), extra.max, extra.olivia, extra.root];
    const allGroups = await db.select().from(groups);
    const allProjects = await db
      .select({ project: projects, group: groups })
      .from(projects)
      .innerJoin(groups, eq(groups.id, projects.groupId));
    for (const user of everyone) {
      const listedGroups = (await db.select({ id: groups.id }).from(groups).where(groupsReadableBy(user))).map(
        (row) => row.id,
      );
      const groupsOpenable = await Promise.all(
        allGroups.map((group: Group) => can(db, user, 'read', { kind: 'group', group })),
      );
      const openableGroups = allGroups.filter((_, index) => groupsOpenable[index]).map((group) => group.id);
      expect(listedGroups.sort(), `groups of ${user.username}`).toEqual(openableGroups.sort());
      const listedProjects = (
        await db
          .select({ id: projects.id })
          .from(projects)
          .innerJoin(groups, eq(groups.id, projects.groupId))
          .where(projectsReadableBy(user))
      ).map((row) => row.id);
      const projectsOpenable = await Promise.all(
        allProjects.map(({ project, group }: { project: Project; group: Group }) =>
          can(db, user, 'read', { kind: 'project', project, group }),
        ),
      );
      const openableProjects = allProjects.filter((_, index) => projectsOpenable[index]);
      expect(listedProjects.sort(), `projects of ${user.username}`).toEqual(
        openableProjects.map(({ project }) => project.id).sort(),
      );
    }
  });
});
