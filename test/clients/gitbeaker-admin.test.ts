/**
 * @gitbeaker/rest, unmodified, as an administrator managing a live Cascade: renaming and deleting
 * groups and projects, every member call on groups and projects, and the users API (list, show,
 * create, edit, block and unblock). Each change is read back through the client.
 */
import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_PATH, startClientServer, type ClientServer } from './support.js';

let cascade: ClientServer;
let admin: InstanceType<typeof Gitlab>;

beforeAll(async () => {
  cascade = await startClientServer();
  admin = new Gitlab({ host: cascade.url, token: cascade.adminToken });
});

afterAll(async () => {
  await cascade?.close();
});

const DEVELOPER = 30;
const MAINTAINER = 40;
const OWNER = 50;

describe('@gitbeaker/rest managing Cascade as an administrator', () => {
  it('renames a group and a project, and deletes a group with what is in it', async () => {
    const group = await admin.Groups.create('Rename me', 'rename-me');
    expect(await admin.Groups.edit(group.id, { name: 'Renamed', description: 'By gitbeaker' })).toMatchObject({
      name: 'Renamed',
      path: 'rename-me',
      description: 'By gitbeaker',
    });
    const project = await admin.Projects.create({ name: 'Inside', namespaceId: group.id });
    expect(await admin.Projects.edit(project.id, { name: 'Inside, renamed' })).toMatchObject({
      name: 'Inside, renamed',
      path_with_namespace: 'rename-me/inside',
    });

    await admin.Groups.remove(group.id);
    await expect(admin.Groups.show(group.id)).rejects.toMatchObject({ cause: { response: { status: 404 } } });
    await expect(admin.Projects.show(project.id)).rejects.toMatchObject({ cause: { response: { status: 404 } } });
  });

  it("adds, shows, changes and removes a group's member, who is then an inherited member of its projects", async () => {
    const top = await admin.Groups.show('top');
    const added = await admin.GroupMembers.add(top.id, DEVELOPER, { userId: cascade.maintainerId });
    expect(added).toMatchObject({ id: cascade.maintainerId, username: 'mia', access_level: DEVELOPER });
    expect(await admin.GroupMembers.show(top.id, cascade.maintainerId)).toMatchObject({ access_level: DEVELOPER });
    expect(await admin.GroupMembers.edit(top.id, cascade.maintainerId, OWNER)).toMatchObject({ access_level: OWNER });
    expect((await admin.GroupMembers.all(top.id)).map((member) => member.username)).toContain('mia');
    const sub = await admin.Groups.show('top/sub');
    const inheritedInSub = await admin.GroupMembers.all(sub.id, { includeInherited: true });
    expect(inheritedInSub.find((member) => member.username === 'mia')).toMatchObject({ access_level: OWNER });

    const inherited = await admin.ProjectMembers.all(PROJECT_PATH, { includeInherited: true });
    expect(inherited.find((member) => member.username === 'mia')).toMatchObject({ access_level: OWNER });

    await admin.GroupMembers.remove(top.id, cascade.maintainerId);
    expect((await admin.GroupMembers.all(top.id)).map((member) => member.username)).not.toContain('mia');
  });

  it("shows, changes and removes a project's member", async () => {
    const member = await admin.ProjectMembers.show(PROJECT_PATH, cascade.maintainerId);
    expect(member).toMatchObject({ username: 'mia', access_level: MAINTAINER });
    expect(await admin.ProjectMembers.edit(PROJECT_PATH, cascade.maintainerId, DEVELOPER)).toMatchObject({
      access_level: DEVELOPER,
    });
    await admin.ProjectMembers.remove(PROJECT_PATH, cascade.maintainerId);
    await expect(admin.ProjectMembers.show(PROJECT_PATH, cascade.maintainerId)).rejects.toMatchObject({
      cause: { response: { status: 404 } },
    });
    expect(await admin.ProjectMembers.add(PROJECT_PATH, MAINTAINER, { userId: cascade.maintainerId })).toMatchObject({
      access_level: MAINTAINER,
    });
  });

  it('lists, shows, creates, edits, blocks and unblocks users', async () => {
    expect((await admin.Users.all({ search: 'mia' })).map((user) => user.username)).toEqual(['mia']);
    expect(await admin.Users.show(cascade.maintainerId)).toMatchObject({ username: 'mia', state: 'active' });

    const created = await admin.Users.create({
      name: 'Gita Beaker',
      username: 'gita',
      email: 'gita@example.com',
      password: 'gita-password-123',
    });
    expect(created).toMatchObject({ username: 'gita', name: 'Gita Beaker', state: 'active' });
    expect(await admin.Users.edit(created.id, { name: 'Gita B.' })).toMatchObject({ name: 'Gita B.' });

    await admin.Users.block(created.id);
    expect(await admin.Users.show(created.id)).toMatchObject({ state: 'blocked' });
    await admin.Users.unblock(created.id);
    expect(await admin.Users.show(created.id)).toMatchObject({ state: 'active' });
  });

  it("is refused the users API with a maintainer's token", async () => {
    const maintainer = new Gitlab({ host: cascade.url, token: cascade.token });
    await expect(maintainer.Users.all()).rejects.toMatchObject({ cause: { response: { status: 403 } } });
  });
});
