/**
 * @gitbeaker/rest, unmodified, listing a live Cascade as it lists GitLab: projects with
 * membership, simple and keyset pagination (following the Link header), groups with
 * all_available, a group's subgroups, descendant groups and projects with include_subgroups,
 * namespaces; and an administrator's sudo token acting as the maintainer.
 */
import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserByUsername } from '../../src/model/users.js';
import { ROOT } from '../browser/support.js';
import { apiToken } from '../support/api.js';
import { startClientServer, type ClientServer } from './support.js';

let cascade: ClientServer;
let api: InstanceType<typeof Gitlab>;

beforeAll(async () => {
  cascade = await startClientServer();
  api = new Gitlab({ host: cascade.url, token: cascade.token });
});

afterAll(async () => {
  await cascade?.close();
});

const pathsOf = (projects: readonly object[]) =>
  projects.map((project) => (project as { path_with_namespace: string }).path_with_namespace);

describe('@gitbeaker/rest listing Cascade', () => {
  it('follows keyset pages of the simple project entity to the end, in id order', async () => {
    const projects = await api.Projects.all({
      membership: true,
      simple: true,
      orderBy: 'id',
      sort: 'asc',
      pagination: 'keyset',
      perPage: 2,
    });
    expect(pathsOf(projects)).toEqual(['top/sub/app', 'top/sub/web', 'top/sub/worker']);
    expect(projects[0]).toMatchObject({ namespace: { kind: 'group', full_path: 'top/sub' }, star_count: 0 });
    const searched = await api.Projects.all({ search: 'wor', simple: true });
    expect(pathsOf(searched)).toEqual(['top/sub/worker']);
  });

  it("lists the groups the maintainer reaches only with all_available, and the tree's descendants and projects", async () => {
    expect(await api.Groups.all()).toEqual([]);
    const available = await api.Groups.all({ allAvailable: true, orderBy: 'path', sort: 'asc' });
    expect(available.map((group) => group.full_path)).toEqual(['top/sub', 'top']);
    const descendants = await api.Groups.allDescendantGroups('top', {});
    expect(descendants.map((group) => group.full_path)).toEqual(['top/sub']);
    expect((await api.Groups.allSubgroups('top')).map((group) => group.full_path)).toEqual(['top/sub']);
    expect(await api.Groups.allProjects('top')).toEqual([]);
    const tree = await api.Groups.allProjects('top', { includeSubgroups: true, orderBy: 'path', sort: 'asc' });
    expect(pathsOf(tree)).toEqual(['top/sub/app', 'top/sub/web', 'top/sub/worker']);
    expect(await api.Namespaces.all()).toEqual([]);
  });

  it("acts as the maintainer with an administrator's sudo token", async () => {
    const root = (await findUserByUsername(cascade.server.db, ROOT.username))!;
    const admin = new Gitlab({
      host: cascade.url,
      token: await apiToken(cascade.server.db, root, ['api', 'sudo']),
      sudo: 'mia',
    });
    expect(await admin.Users.showCurrentUser()).toMatchObject({ username: 'mia', is_admin: false });
    const asAdmin = new Gitlab({ host: cascade.url, token: await apiToken(cascade.server.db, root, ['api', 'sudo']) });
    expect((await asAdmin.Namespaces.all()).map((namespace) => namespace.full_path)).toEqual(['top', 'top/sub']);
    await expect(api.Users.showCurrentUser({ sudo: 'root' })).rejects.toMatchObject({
      cause: { description: '403 Forbidden - Must be admin to use sudo' },
    });
  });
});
