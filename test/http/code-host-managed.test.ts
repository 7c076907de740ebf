/**
 * Groups and projects imported from a code host, through HTTP: the Admin Area and the API refuse
 * to rename, move or delete them (the host is their source of truth), and a member with a role
 * only the host gives (Guest) is shown with it.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../src/code-hosts/sync.js';
import { groups, projects } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { findProjectById } from '../../src/model/projects.js';
import { apiRequest, apiToken, json } from '../support/api.js';
import { createTestApp, fieldErrorOf, get, insertUser, post, sessionCookie, textOf } from '../support/app.js';
import { FakeHostClient, insertConnection, sampleTree } from '../support/fake-host-client.js';
import { must } from '../support/world.js';

const MANAGED = 'platform/backend/api is managed by gitlab.example.com: change its name, path and place there';

async function imported() {
  const t = await createTestApp();
  const tree = sampleTree();
  tree.members.set('group:11', [{ userHostId: 3, accessLevel: 10 }]);
  await runImport(t.db, await insertConnection(t.db), new FakeHostClient(tree));
  const root = await insertUser(t.db, 'root', { isAdmin: true });
  const api = (await t.db.select().from(projects).where(eq(projects.hostId, 100)))[0]!;
  const backend = (await t.db.select().from(groups).where(eq(groups.hostId, 11)))[0]!;
  const local = must(await createGroup(t.db, { name: 'Local', path: 'local' }));
  return { ...t, api, backend, local, cookie: await sessionCookie(t.db, root), token: await apiToken(t.db, root) };
}

describe('imported groups and projects', () => {
  it('are not moved from the Admin Area: a move posted anyway is refused with why, with a 422', async () => {
    const t = await imported();
    const response = await post(
      t.app,
      `/admin/projects/${t.api.id}/move`,
      { group_id: String(t.local.id) },
      { cookie: t.cookie },
    );
    expect(response.status).toBe(422);
    // The page offers no move form, only the refusal and where to change it.
    const html = await response.text();
    expect(textOf(html)).toContain(`The form has 1 error ${MANAGED}`);
    expect(fieldErrorOf(html, 'group_id')).toBeUndefined();
    const group = await post(
      t.app,
      `/admin/groups/${t.backend.id}/move`,
      { parent_id: String(t.local.id) },
      { cookie: t.cookie },
    );
    expect(group.status).toBe(422);
    expect(await findProjectById(t.db, t.api.id)).toEqual(t.api);
  });

  it('are not renamed, transferred or deleted through the API', async () => {
    const t = await imported();
    const call = (method: string, url: string, params?: Record<string, unknown>) =>
      apiRequest(t.app, method, `/api/v4${url}`, { token: t.token, params });
    const renamed = await call('PUT', `/projects/${t.api.id}`, { name: 'Renamed' });
    expect(renamed.status).toBe(400);
    expect(JSON.stringify(await json(renamed))).toContain(MANAGED);
    expect((await call('PUT', `/projects/${t.api.id}/transfer`, { namespace: t.local.id })).status).toBe(400);
    const deleted = await call('DELETE', `/projects/${t.api.id}`);
    expect(deleted.status).toBe(403);
    expect(await json(deleted)).toEqual({ message: MANAGED });
    expect((await call('DELETE', `/groups/${t.backend.id}`)).status).toBe(403);
    expect((await call('POST', `/groups/${t.backend.id}/transfer`, { group_id: t.local.id })).status).toBe(400);
    expect(await findProjectById(t.db, t.api.id)).toEqual(t.api);
    // Their integration settings stay Cascade's: the settings page opens as for any project.
    expect((await get(t.app, `/${t.api.fullPath}/-/settings/integrations`, { cookie: t.cookie })).status).toBe(200);
  });

  it('show a member with a role only the host gives by its label, with no form offering it', async () => {
    const t = await imported();
    const html = await (await get(t.app, `/admin/groups/${t.backend.id}`, { cookie: t.cookie })).text();
    expect(textOf(html)).toContain('Carol @carol Guest');
    expect(html).not.toContain('value="guest"');
  });
});
