/**
 * Listing as GitLab does: GET /projects with membership, owned, simple, a literal search, every
 * order and keyset pagination; GET /groups with all_available and top_level_only; a group's
 * subgroups, descendant groups and projects (include_subgroups); GET /namespaces.
 */
import { openTestDatabase } from '../support/database.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { ROLES } from '../../src/auth/permissions.js';
import { writeConnection } from '../../src/db/client.js';
import { members, type Group, type Project } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { type ActorTokens, apiRequest, apiToken, apiTokens, json } from '../support/api.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { buildWorld, must, type World, openWorld } from '../support/world.js';

const API = '/api/v4';

let t: TestApp;
let w: World;
let tokens: ActorTokens;

beforeEach(async () => {
  const opened = await openWorld();
  t = await createTestApp({ db: opened.db });
  w = opened.world;
  tokens = await apiTokens(t.db, w);
});

const call = (url: string, token: string) => apiRequest(t.app, 'GET', `${API}${url}`, { token });
const listed = async <T = { id: number; path_with_namespace?: string; full_path?: string }>(
  url: string,
  token: string,
) => {
  const response = await call(url, token);
  expect(response.status, url).toBe(200);
  return json<T[]>(response);
};
const paths = async (url: string, token: string) =>
  (await listed(url, token)).map((item) => item.path_with_namespace ?? item.full_path);
const project = async (group: Group, path: string, name = path) =>
  must(await createProject(t.db, { name, path }, group));
const addMember = async (values: typeof members.$inferInsert) =>
  await writeConnection(t.db).insert(members).values(values);

describe('GET /projects', () => {
  it('lists only the projects where the user has a role with membership=true, administrators included', async () => {
    expect(await paths('/projects?order_by=path&sort=asc', tokens.admin)).toEqual(['top/sub/app', 'other/elsewhere']);
    expect(await paths('/projects?membership=true', tokens.admin)).toEqual([]);
    await addMember({ userId: w.users.admin.id, projectId: w.otherProject.id, accessLevel: ROLES.developer });
    expect(await paths('/projects?membership=true', tokens.admin)).toEqual(['other/elsewhere']);
    expect(await paths('/projects?membership=true', tokens.reporter)).toEqual(['top/sub/app']);
    expect(await paths('/projects?membership=1', tokens.nonMember)).toEqual([]);
  });

  it('lists the projects of the groups the user owns with owned=true', async () => {
    expect(await paths('/projects?owned=true', tokens.owner)).toEqual(['top/sub/app']);
    expect(await paths('/projects?owned=true', tokens.maintainer)).toEqual([]);
    expect(await paths('/projects?owned=true', tokens.admin)).toEqual([]);
    expect(await paths('/projects?owned=false', tokens.maintainer)).toEqual(['top/sub/app']);
  });

  it("answers simple=true with GitLab's simple entity", async () => {
    const [simple] = await listed<Record<string, unknown>>('/projects?simple=true', tokens.reporter);
    expect(Object.keys(simple!).sort()).toEqual(
      [
        'id',
        'description',
        'name',
        'name_with_namespace',
        'path',
        'path_with_namespace',
        'created_at',
        'default_branch',
        'tag_list',
        'topics',
        'ssh_url_to_repo',
        'http_url_to_repo',
        'web_url',
        'readme_url',
        'forks_count',
        'avatar_url',
        'star_count',
        'last_activity_at',
        'namespace',
      ].sort(),
    );
    expect(simple).toMatchObject({
      id: w.project.id,
      path_with_namespace: 'top/sub/app',
      web_url: 'http://localhost:3000/top/sub/app',
      namespace: { id: w.sub.id, kind: 'group', full_path: 'top/sub', parent_id: w.top.id, avatar_url: null },
    });
    const [full] = await listed<Record<string, unknown>>('/projects', tokens.reporter);
    expect(full).toHaveProperty('visibility', 'private');
  });

  it('matches % and _ in search literally', async () => {
    await project(w.sub, 'half', '50% off');
    await project(w.sub, 'fifty', '50 and more off');
    await project(w.sub, 'a_b');
    await project(w.sub, 'axb');
    expect(await paths('/projects?search=50%25', tokens.admin)).toEqual(['top/sub/half']);
    expect(await paths('/projects?search=a_b', tokens.admin)).toEqual(['top/sub/a_b']);
    expect(await paths('/projects?search=A_B', tokens.admin)).toEqual(['top/sub/a_b']);
    expect(await paths('/projects?search=%25', tokens.admin)).toEqual(['top/sub/half']);
  });

  it("orders by each of GitLab's order_by values, both ways", async () => {
    const zeta = await project(w.sub, 'zeta', 'Alpha');
    const alpha = await project(w.sub, 'alpha', 'Zeta');
    const ids = async (query: string) => (await listed(`/projects?${query}`, tokens.admin)).map((row) => row.id);
    const all = [w.project.id, w.otherProject.id, zeta.id, alpha.id];
    expect(await ids('order_by=id&sort=asc')).toEqual([...all].sort((a, b) => a - b));
    expect(await ids('order_by=id')).toEqual([...all].sort((a, b) => b - a));
    expect(await ids('order_by=name&sort=asc')).toEqual([zeta.id, w.project.id, w.otherProject.id, alpha.id]);
    expect(await ids('order_by=path&sort=asc')).toEqual([alpha.id, w.project.id, w.otherProject.id, zeta.id]);
    expect(await ids('order_by=path&sort=desc')).toEqual([zeta.id, w.otherProject.id, w.project.id, alpha.id]);
    // No update or activity times: those order as created_at does, the newest first by default.
    const created = await ids('order_by=created_at');
    expect(await ids('order_by=updated_at')).toEqual(created);
    expect(await ids('order_by=last_activity_at')).toEqual(created);
    expect(await ids('')).toEqual(created);
  });

  it('pages with pagination=keyset and order_by=id, following the Link rel="next", with no totals', async () => {
    const made: Project[] = [];
    for (const path of ['p1', 'p2', 'p3']) made.push(await project(w.sub, path));
    const every = [w.project, w.otherProject, ...made].map((row) => row.id);
    for (const sort of ['asc', 'desc'] as const) {
      const seen: number[] = [];
      let url: string | undefined = `${API}/projects?pagination=keyset&order_by=id&sort=${sort}&per_page=2`;
      let pages = 0;
      while (url) {
        const response = await apiRequest(t.app, 'GET', url.replace('http://localhost:3000', ''), {
          token: tokens.admin,
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('x-total')).toBeNull();
        expect(response.headers.get('x-total-pages')).toBeNull();
        seen.push(...(await json<{ id: number }[]>(response)).map((row) => row.id));
        const link = response.headers.get('link');
        if (link) expect(link).toMatch(new RegExp(`[?&]id_${sort === 'asc' ? 'after' : 'before'}=\\d+`));
        url = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1] : undefined;
        pages++;
      }
      expect(seen).toEqual([...every].sort((a, b) => (sort === 'asc' ? a - b : b - a)));
      expect(pages).toBe(3);
    }
  });

  it('keeps the other parameters in the keyset Link, and leaves it out on the last page', async () => {
    await project(w.sub, 'p1');
    const response = await call(
      '/projects?pagination=keyset&order_by=id&sort=asc&per_page=1&simple=true',
      tokens.admin,
    );
    const [first] = await json<{ id: number }[]>(response);
    expect(response.headers.get('link')).toBe(
      `<http://localhost:3000/api/v4/projects?pagination=keyset&order_by=id&sort=asc&per_page=1&simple=true&id_after=${first!.id}>; rel="next"`,
    );
    const last = await call('/projects?pagination=keyset&order_by=id&per_page=10', tokens.admin);
    expect(last.headers.get('link')).toBeNull();
  });

  it("refuses keyset pagination in another order with GitLab's 405", async () => {
    for (const query of ['pagination=keyset', 'pagination=keyset&order_by=name']) {
      const response = await call(`/projects?${query}`, tokens.admin);
      expect(response.status).toBe(405);
      expect(await json(response)).toEqual({
        error: 'Keyset pagination is not yet available for this type of request',
      });
    }
  });

  it.each([
    ['membership=maybe', 'membership is invalid'],
    ['owned=2', 'owned is invalid'],
    ['simple=yes%20please', 'simple is invalid'],
    ['id_after=abc', 'id_after is invalid'],
    ['id_before=-1', 'id_before is invalid'],
    ['order_by=similarity', 'order_by does not have a valid value'],
  ])('refuses %s with 400', async (query, error) => {
    const response = await call(`/projects?${query}`, tokens.owner);
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error });
  });
});

describe('GET /groups', () => {
  it('lists the groups where the user has a role, and every group they can read with all_available=true', async () => {
    expect(await paths('/groups', tokens.reporter)).toEqual(['top/sub']);
    expect(await paths('/groups', tokens.owner)).toEqual(['top/sub', 'top']);
    // The project's Maintainer has no group role: the groups above the project need all_available.
    expect(await paths('/groups', tokens.maintainer)).toEqual([]);
    expect(await paths('/groups?all_available=true', tokens.maintainer)).toEqual(['top/sub', 'top']);
    expect(await paths('/groups?all_available=true', tokens.nonMember)).toEqual([]);
  });

  it('lists every group to administrators unless all_available=false', async () => {
    expect(await paths('/groups', tokens.admin)).toEqual(['other', 'top/sub', 'top']);
    expect(await paths('/groups?all_available=false', tokens.admin)).toEqual([]);
  });

  it('lists only top-level groups with top_level_only=true, and searches literally', async () => {
    expect(await paths('/groups?top_level_only=true', tokens.admin)).toEqual(['other', 'top']);
    must(await createGroup(t.db, { name: 'x_y', path: 'x_y' }));
    must(await createGroup(t.db, { name: 'xzy', path: 'xzy' }));
    expect(await paths('/groups?search=x_y', tokens.admin)).toEqual(['x_y']);
  });

  it('orders by name, path or id, both ways', async () => {
    expect(await paths('/groups?order_by=id', tokens.admin)).toEqual(['top', 'top/sub', 'other']);
    expect(await paths('/groups?order_by=id&sort=desc', tokens.admin)).toEqual(['other', 'top/sub', 'top']);
    expect(await paths('/groups?order_by=path&sort=desc', tokens.admin)).toEqual(['top', 'top/sub', 'other']);
    const response = await call('/groups?order_by=created_at', tokens.admin);
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: 'order_by does not have a valid value' });
  });
});

describe("a group's subgroups, descendant groups and projects", () => {
  let deep: Group;
  beforeEach(async () => {
    deep = must(await createGroup(t.db, { name: 'Deep', path: 'deep' }, w.sub));
    await project(deep, 'svc');
  });

  it('lists the direct subgroups, and every group below with descendant_groups', async () => {
    expect(await paths(`/groups/${w.top.id}/subgroups`, tokens.owner)).toEqual(['top/sub']);
    expect(await paths(`/groups/${w.top.id}/descendant_groups`, tokens.owner)).toEqual(['top/sub/deep', 'top/sub']);
    expect(await paths(`/groups/top%2Fsub/descendant_groups`, tokens.reporter)).toEqual(['top/sub/deep']);
    const hidden = await call(`/groups/${w.other.id}/descendant_groups`, tokens.reporter);
    expect(hidden.status).toBe(404);
    expect(await json(hidden)).toEqual({ message: '404 Group Not Found' });
  });

  it("lists the group's own projects, and its subgroups' too with include_subgroups=true", async () => {
    expect(await paths(`/groups/${w.top.id}/projects`, tokens.owner)).toEqual([]);
    expect(
      await paths(`/groups/${w.top.id}/projects?include_subgroups=true&order_by=path&sort=asc`, tokens.owner),
    ).toEqual(['top/sub/app', 'top/sub/deep/svc']);
    // The project's Maintainer reads only that project of the tree.
    expect(await paths(`/groups/${w.top.id}/projects?include_subgroups=true`, tokens.maintainer)).toEqual([
      'top/sub/app',
    ]);
    expect(await paths(`/groups/${w.top.id}/projects?include_subgroups=true&simple=true`, tokens.owner)).toHaveLength(
      2,
    );
  });
});

describe('GET /namespaces', () => {
  it("lists the groups the user is a member of as GitLab's namespaces", async () => {
    const namespaces = await listed<Record<string, unknown>>('/namespaces', tokens.reporter);
    expect(namespaces).toEqual([
      {
        id: w.sub.id,
        name: 'Sub',
        path: 'sub',
        kind: 'group',
        full_path: 'top/sub',
        parent_id: w.top.id,
        avatar_url: null,
        web_url: 'http://localhost:3000/groups/top/sub',
      },
    ]);
    expect(await paths('/namespaces', tokens.owner)).toEqual(['top']);
    expect(await paths('/namespaces', tokens.maintainer)).toEqual([]);
    expect(await paths('/namespaces?owned_only=true', tokens.reporter)).toEqual([]);
    expect(await paths('/namespaces?owned_only=true', tokens.owner)).toEqual(['top']);
  });

  it('lists every group to administrators, by id, with search and top_level_only', async () => {
    expect(await paths('/namespaces', tokens.admin)).toEqual(['top', 'top/sub', 'other']);
    expect(await paths('/namespaces?top_level_only=true', tokens.admin)).toEqual(['top', 'other']);
    expect(await paths('/namespaces?search=su', tokens.admin)).toEqual(['top/sub']);
    const response = await call('/namespaces?per_page=1&page=2', tokens.admin);
    expect(response.headers.get('x-total')).toBe('3');
    expect((await json<{ full_path: string }[]>(response)).map((row) => row.full_path)).toEqual(['top/sub']);
  });
});

describe('queries per list', () => {
  /** An instance with `size` groups below "top", each with a subgroup and two projects. */
  async function instanceOf(size: number) {
    const statements: string[] = [];
    const db = await openTestDatabase({ onStatement: (sql) => statements.push(sql) });
    const { app } = await createTestApp({ db, pageCacheSize: 0 });
    const world = await buildWorld(db);
    for (let index = 0; index < size; index++) {
      const group = must(await createGroup(db, { name: `Team ${index}`, path: `team-${index}` }, world.top));
      const subgroup = must(await createGroup(db, { name: 'Services', path: 'services' }, group));
      for (const path of ['api', 'web']) must(await createProject(db, { name: path, path }, subgroup));
    }
    const token = await apiToken(db, world.users.owner);
    return async (url: string) => {
      expect((await apiRequest(app, 'GET', `${API}${url}`, { token })).status, url).toBe(200);
      statements.length = 0;
      expect((await apiRequest(app, 'GET', `${API}${url}`, { token })).status, url).toBe(200);
      return statements.length;
    };
  }

  it('reads every list page in as many queries whatever the number of groups and projects', async () => {
    const small = await instanceOf(1);
    const large = await instanceOf(8);
    for (const url of [
      '/projects?simple=true&membership=true&search=a',
      '/projects?pagination=keyset&order_by=id&per_page=3',
      '/groups?all_available=true&order_by=path',
      '/groups/top/subgroups',
      '/groups/top/descendant_groups?per_page=5',
      '/groups/top/projects?include_subgroups=true&per_page=5',
      '/namespaces',
    ]) {
      const count = await small(url);
      expect(await large(url), url).toBe(count);
      expect(count, url).toBeLessThanOrEqual(8);
    }
  });
});
