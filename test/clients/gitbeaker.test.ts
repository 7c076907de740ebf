/**
 * @gitbeaker/rest, unmodified, against a live Cascade: it reads a project's integrations, sets
 * Slack notifications with custom settings, switches back to the inherited settings, and deletes
 * the project's own settings, each result checked on the project's integration page; and, as an
 * administrator, builds part of the tree.
 */
import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANCE_CHANNEL, PROJECT_PATH, startClientServer, type ClientServer } from './support.js';

let cascade: ClientServer;
let api: InstanceType<typeof Gitlab>;

beforeAll(async () => {
  cascade = await startClientServer();
  api = new Gitlab({ host: cascade.url, token: cascade.token });
});

afterAll(async () => {
  await cascade?.close();
});

describe('@gitbeaker/rest against Cascade', () => {
  it('signs in with the token and finds the project by its path', async () => {
    expect(await api.Users.showCurrentUser()).toMatchObject({ username: 'mia' });
    expect(await api.Projects.show(PROJECT_PATH)).toMatchObject({
      id: cascade.projectId,
      path_with_namespace: PROJECT_PATH,
    });
  });

  it('lists the projects page by page, with the pagination headers, and finds the group', async () => {
    const { data, paginationInfo } = await api.Projects.all({ perPage: 2, pagination: 'offset', showExpanded: true });
    expect(data.map((project) => project.path_with_namespace).sort()).toEqual([
      'top/sub/app',
      'top/sub/web',
      'top/sub/worker',
    ]);
    expect(paginationInfo).toMatchObject({ total: 3, totalPages: 2, perPage: 2 });
    expect(await api.Groups.show('top/sub')).toMatchObject({ full_path: 'top/sub' });
  });

  it("reads the project's integrations: Slack, inherited from the instance", async () => {
    const integrations = await api.Integrations.all(cascade.projectId);
    expect(integrations.map((integration) => [integration.slug, integration.inherited])).toEqual([['slack', true]]);
    expect(await api.Integrations.show(PROJECT_PATH, 'slack')).toMatchObject({
      properties: { channel: INSTANCE_CHANNEL },
    });
  });

  it('sets Slack notifications with custom settings', async () => {
    const saved = await api.Integrations.edit(cascade.projectId, 'slack', {
      webhook: 'https://hooks.slack.com/services/T1/B1/GITBEAKER',
      channel: '#gitbeaker',
      username: 'beaker-bot',
      push_events: false,
    });
    expect(saved).toMatchObject({
      active: true,
      inherited: false,
      push_events: false,
      properties: { channel: '#gitbeaker' },
    });
    expect(JSON.stringify(saved)).not.toContain('GITBEAKER');
    expect(await cascade.slackPage()).toMatchObject({
      status: 200,
      inheritance: 'custom',
      channel: '#gitbeaker',
      username: 'beaker-bot',
    });
  });

  it('switches the project back to the inherited settings', async () => {
    const saved = await api.Integrations.edit(cascade.projectId, 'slack', { use_inherited_settings: true });
    expect(saved).toMatchObject({ inherited: true, properties: { channel: INSTANCE_CHANNEL } });
    expect(await cascade.slackPage()).toMatchObject({
      inheritance: 'inherit',
      channel: INSTANCE_CHANNEL,
      username: 'company-bot',
    });
  });

  it("disables the project's integration as GitLab does: custom settings, the rest inherited", async () => {
    await api.Integrations.edit(cascade.projectId, 'slack', {
      webhook: 'https://hooks.slack.com/services/T1/B1/AGAIN',
      channel: '#again',
    });
    expect(await cascade.slackPage()).toMatchObject({ inheritance: 'custom', channel: '#again' });
    await api.Integrations.disable(cascade.projectId, 'slack');
    expect(await cascade.slackPage()).toMatchObject({ inheritance: 'custom', channel: INSTANCE_CHANNEL });
  });

  it('creates a group, a subgroup and a project, adds a member, transfers and deletes, as an administrator', async () => {
    const admin = new Gitlab({ host: cascade.url, token: cascade.adminToken });
    const group = await admin.Groups.create('Beaker', 'beaker');
    const subgroup = await admin.Groups.create('Tools', 'tools', { parentId: group.id });
    expect(subgroup).toMatchObject({ full_path: 'beaker/tools', parent_id: group.id });
    const project = await admin.Projects.create({ name: 'Beaker Tool', namespaceId: subgroup.id });
    expect(project).toMatchObject({ path: 'beaker-tool', path_with_namespace: 'beaker/tools/beaker-tool' });
    expect(await admin.ProjectMembers.add(project.id, 30, { userId: cascade.maintainerId })).toMatchObject({
      username: 'mia',
      access_level: 30,
    });
    const inherited = await admin.ProjectMembers.all(project.id, { includeInherited: true });
    expect(inherited.map((member) => [member.username, member.access_level])).toEqual([['mia', 30]]);
    // The new member sees the project with their own token.
    expect(await api.Projects.show(project.id)).toMatchObject({ path_with_namespace: 'beaker/tools/beaker-tool' });
    expect(await admin.Projects.transfer(project.id, 'beaker')).toMatchObject({
      path_with_namespace: 'beaker/beaker-tool',
    });
    await admin.Groups.transfer(subgroup.id);
    expect(await admin.Groups.show(subgroup.id)).toMatchObject({ full_path: 'tools', parent_id: null });
    await admin.Projects.remove(project.id);
    await expect(admin.Projects.show(project.id)).rejects.toMatchObject({ cause: { response: { status: 404 } } });
  });

  it('is refused with 403 when a maintainer tries to create a group', async () => {
    await expect(api.Groups.create('Mine', 'mine')).rejects.toMatchObject({ cause: { response: { status: 403 } } });
  });

  it("gets GitLab's errors for a project it cannot see", async () => {
    await expect(api.Integrations.all(999_999)).rejects.toMatchObject({ cause: { response: { status: 404 } } });
  });
});
