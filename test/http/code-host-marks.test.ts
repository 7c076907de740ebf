/**
 * What a code host imported is marked on every page that shows it ("Managed by <connection>",
 * "from <connection>"), its name, path and place are not offered for editing, memberships the
 * host gave are refused on the server, and integration settings stay editable.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../src/code-hosts/sync.js';
import { groups, members, projects, users, type Member } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { hostPageUrl } from '../../src/model/managed.js';
import { apiRequest, apiToken, json } from '../support/api.js';
import { createTestApp, get, insertUser, post, sessionCookie, textOf } from '../support/app.js';
import { FakeHostClient, insertConnection, sampleTree } from '../support/fake-host-client.js';
import { projectIntegrations, slackForm } from '../support/integrations.js';
import { must } from '../support/world.js';

const EXPLANATION = 'Its name, path and place are managed on gitlab.example.com: change them there.';
const ALICE_REFUSED = 'The membership of alice comes from gitlab.example.com: change it there';

async function imported() {
  const t = await createTestApp();
  const connection = await insertConnection(t.db);
  await runImport(t.db, connection, new FakeHostClient(sampleTree()));
  const root = await insertUser(t.db, 'root', { isAdmin: true });
  await insertUser(t.db, 'dave');
  const byHostId = async <T extends typeof groups | typeof projects>(table: T, hostId: number) =>
    (await t.db.select().from(table).where(eq(table.hostId, hostId)))[0]!;
  const alice = (await t.db.select().from(users).where(eq(users.username, 'alice')))[0]!;
  return {
    ...t,
    connection,
    platform: await byHostId(groups, 10),
    backend: await byHostId(groups, 11),
    api: await byHostId(projects, 100),
    local: must(await createGroup(t.db, { name: 'Local', path: 'local' })),
    alice,
    cookie: await sessionCookie(t.db, root),
    aliceCookie: await sessionCookie(t.db, alice),
    token: await apiToken(t.db, root),
  };
}

type Imported = Awaited<ReturnType<typeof imported>>;

const page = async (t: Imported, path: string, cookie = t.cookie) => {
  const response = await get(t.app, path, { cookie });
  expect(response.status).toBe(200);
  return response.text();
};

/** The connections the page's "Managed by" badges link to, one entry a badge. */
const linkedBadges = (html: string) =>
  [...html.matchAll(/<a class="badge badge-managed" href="([^"]*)">Managed by ([^<]*)<\/a>/g)].map(
    ([, href, name]) => `${name} ${href}`,
  );

const plainBadges = (html: string) =>
  [...html.matchAll(/<span class="badge badge-managed">Managed by ([^<]*)<\/span>/g)].map(([, name]) => name);

const membershipOf = async (t: Imported, username: string, groupId: number): Promise<Member | undefined> =>
  (
    await t.db
      .select({ member: members, username: users.username })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(eq(members.groupId, groupId))
  ).find((row) => row.username === username)?.member;

describe('imported groups and projects', () => {
  it('carry "Managed by" their connection on every list and page, a link for administrators', async () => {
    const t = await imported();
    const badge = `gitlab.example.com /admin/code_hosts/${t.connection.id}`;
    expect(linkedBadges(await page(t, '/admin/groups'))).toEqual([badge, badge, badge]);
    expect(linkedBadges(await page(t, '/admin/projects'))).toEqual([badge, badge, badge]);
    expect(linkedBadges(await page(t, `/admin/groups/${t.platform.id}`))).toHaveLength(3); // itself, backend, web
    expect(linkedBadges(await page(t, `/admin/projects/${t.api.id}`))).toEqual([badge]);
    expect(linkedBadges(await page(t, '/groups/platform'))).toHaveLength(3);
    expect(linkedBadges(await page(t, '/platform/backend/api'))).toEqual([badge]);
    expect(linkedBadges(await page(t, '/'))).toEqual([badge, badge]); // platform and ops; not local
    // Cascade's own are not marked.
    expect(linkedBadges(await page(t, `/admin/groups/${t.local.id}`))).toEqual([]);
  });

  it('carry the badge as plain text for others', async () => {
    const t = await imported();
    const dashboard = await page(t, '/', t.aliceCookie);
    expect(plainBadges(dashboard)).toEqual(['gitlab.example.com']);
    expect(dashboard).not.toContain('/admin/code_hosts/');
    expect(plainBadges(await page(t, '/groups/platform', t.aliceCookie))).toHaveLength(3);
  });

  it('offer no move form, but why and a link to the object on the host', async () => {
    const t = await imported();
    const project = await page(t, `/admin/projects/${t.api.id}`);
    expect(project).not.toContain(`action="/admin/projects/${t.api.id}/move"`);
    expect(textOf(project)).toContain(EXPLANATION);
    expect(project).toContain('href="https://gitlab.example.com/platform/backend/api"');
    const group = await page(t, `/admin/groups/${t.backend.id}`);
    expect(group).not.toContain(`action="/admin/groups/${t.backend.id}/move"`);
    expect(textOf(group)).toContain(EXPLANATION);
    expect(group).toContain('href="https://gitlab.example.com/platform/backend"');
    // A group made in Cascade keeps its move form, and no explanation.
    const local = await page(t, `/admin/groups/${t.local.id}`);
    expect(local).toContain(`action="/admin/groups/${t.local.id}/move"`);
    expect(textOf(local)).not.toContain('managed on');
  });

  it('link to the organisation and repository on Gitea and Forgejo', () => {
    const gitea = { id: 1, kind: 'gitea' as const, name: 'gitea.example.com', url: 'https://gitea.example.com' };
    expect(hostPageUrl(gitea, { fullPath: 'platform/api' })).toBe('https://gitea.example.com/platform/api');
    expect(hostPageUrl(gitea, { fullPath: 'platform' })).toBe('https://gitea.example.com/platform');
  });

  it('keep their integration settings editable: a project saves its own Slack settings', async () => {
    const t = await imported();
    const url = `${projectIntegrations(t.api.fullPath)}/slack`;
    const saved = await post(
      t.app,
      url,
      { ...slackForm({ username: 'api-bot' }), inheritance: 'custom' },
      {
        cookie: t.cookie,
      },
    );
    expect(saved.status).toBe(303);
    expect(await page(t, url)).toContain('value="api-bot"');
  });
});

describe('memberships imported from the host', () => {
  it('are shown "from" the host, with no form to change or remove them', async () => {
    const t = await imported();
    const html = await page(t, `/admin/groups/${t.platform.id}`);
    const alice = (await membershipOf(t, 'alice', t.platform.id))!;
    expect(textOf(html)).toContain('Alice @alice Owner from gitlab.example.com Changed on the host');
    expect(html).not.toContain(`action="/admin/groups/${t.platform.id}/members/${alice.id}"`);
    expect(html).not.toContain(`action="/admin/groups/${t.platform.id}/members/${alice.id}/delete"`);
  });

  it('are not changed or removed from the Admin Area: 422 with why, nothing changed', async () => {
    const t = await imported();
    const alice = (await membershipOf(t, 'alice', t.platform.id))!;
    const base = `/admin/groups/${t.platform.id}/members/${alice.id}`;
    const changed = await post(t.app, base, { role: 'developer' }, { cookie: t.cookie });
    expect(changed.status).toBe(422);
    expect(textOf(await changed.text())).toContain(ALICE_REFUSED);
    const removed = await post(t.app, `${base}/delete`, {}, { cookie: t.cookie });
    expect(removed.status).toBe(422);
    expect(textOf(await removed.text())).toContain(ALICE_REFUSED);
    expect(await membershipOf(t, 'alice', t.platform.id)).toEqual(alice);
  });

  it('are not changed or removed through the API: 403 with why, nothing changed', async () => {
    const t = await imported();
    const alice = (await membershipOf(t, 'alice', t.platform.id))!;
    const url = `/api/v4/groups/${t.platform.id}/members/${t.alice.id}`;
    const changed = await apiRequest(t.app, 'PUT', url, { token: t.token, params: { access_level: 30 } });
    expect(changed.status).toBe(403);
    expect(await json(changed)).toEqual({ message: ALICE_REFUSED });
    const removed = await apiRequest(t.app, 'DELETE', url, { token: t.token });
    expect(removed.status).toBe(403);
    expect(await json(removed)).toEqual({ message: ALICE_REFUSED });
    expect(await membershipOf(t, 'alice', t.platform.id)).toEqual(alice);
  });

  it('leave memberships given in Cascade on an imported group editable', async () => {
    const t = await imported();
    const base = `/admin/groups/${t.platform.id}/members`;
    expect((await post(t.app, base, { username: 'dave', role: 'developer' }, { cookie: t.cookie })).status).toBe(303);
    const dave = (await membershipOf(t, 'dave', t.platform.id))!;
    expect(dave.codeHostId).toBeNull();
    expect(await page(t, `/admin/groups/${t.platform.id}`)).toContain(`action="${base}/${dave.id}/delete"`);
    expect((await post(t.app, `${base}/${dave.id}`, { role: 'maintainer' }, { cookie: t.cookie })).status).toBe(303);
    expect((await membershipOf(t, 'dave', t.platform.id))!.accessLevel).toBe(40);
    expect((await post(t.app, `${base}/${dave.id}/delete`, {}, { cookie: t.cookie })).status).toBe(303);
    expect(await membershipOf(t, 'dave', t.platform.id)).toBeUndefined();
  });
});

describe('imported users in Admin Area › Users', () => {
  it('are marked "from" the host, signing in through it', async () => {
    const t = await imported();
    const text = textOf(await page(t, '/admin/users'));
    expect(text).toContain('Alice @alice from gitlab.example.com');
    expect(text).toContain('Signs in through gitlab.example.com: no password in Cascade');
    expect(text).not.toContain('@dave from');
  });
});
