/** Recent deliveries in the API: the list with keyset pages and filters, one delivery, Resend, and redaction. */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { writeConnection } from '../../src/db/client.js';
import { auditEvents, projects } from '../../src/db/schema.js';
import { apiRequest, apiTokens, json } from '../support/api.js';
import { createTestApp } from '../support/app.js';
import { dispatchExample, finishDelivery, storedDeliveries } from '../support/deliveries.js';
import { saveInstanceSlack } from '../support/integrations.js';
import { buildWorld } from '../support/world.js';

const WEBHOOK = 'https://chat.example.com/incoming/plainsecretword';
const API = '/api/v4';

async function setUp() {
  const t = await createTestApp();
  const world = await buildWorld(t.db);
  await writeConnection(t.db).update(projects).set({ defaultBranch: 'master' });
  expect((await saveInstanceSlack(t.app, world.cookies.admin!, { webhook: WEBHOOK })).status).toBe(303);
  const tokens = await apiTokens(t.db, world);
  const dispatch = (project = world.project, kind: 'push' | 'merge_request' = 'push') =>
    dispatchExample(t.db, { codeHostId: world.codeHost.id, projectId: project.id }, kind);
  return { ...t, world, tokens, dispatch };
}

type Entity = Record<string, unknown> & { id: number };

describe('the deliveries API', () => {
  it("lists a project's deliveries newest first, a page at a time, with the next page in Link", async () => {
    const { app, world, tokens, dispatch } = await setUp();
    for (let i = 0; i < 3; i++) await dispatch(world.project);
    const url = `${API}/projects/${world.project.id}/integrations/slack/deliveries?per_page=2`;
    const first = await apiRequest(app, 'GET', url, { token: tokens.reporter });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect((await json<Entity[]>(first)).map((d) => d.id)).toEqual([3, 2]);
    const link = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    expect(link).toContain('id_before=2');
    const second = await apiRequest(app, 'GET', new URL(link!).pathname + new URL(link!).search, {
      token: tokens.reporter,
    });
    expect((await json<Entity[]>(second)).map((d) => d.id)).toEqual([1]);
    expect(second.headers.get('link')).toBeNull();
  });

  it('filters by project, state and event below a group and the instance, and refuses a state that is none', async () => {
    const { app, db, world, tokens, dispatch } = await setUp();
    const [push] = await dispatch(world.project);
    await finishDelivery(db, push!.id, 500);
    await dispatch(world.project, 'merge_request');
    await dispatch(world.otherProject);
    const ids = async (url: string) =>
      (await json<Entity[]>(await apiRequest(app, 'GET', url, { token: tokens.admin }))).map((d) => d.id);
    const instance = `${API}/admin/application_settings/integrations/slack/deliveries`;
    expect(await ids(`${instance}?state=failed`)).toEqual([1]);
    expect(await ids(`${instance}?event=merge_request`)).toEqual([2]);
    expect(await ids(`${instance}?project_id=${world.otherProject.id}`)).toEqual([3]);
    expect(await ids(`${API}/groups/top/integrations/slack/deliveries`)).toEqual([2, 1]);
    const bad = await apiRequest(app, 'GET', `${instance}?state=lost`, { token: tokens.admin });
    expect(bad.status).toBe(400);
    expect(await json(bad)).toEqual({ error: 'state does not have a valid value' });
  });

  it("shows one delivery with its attempts and the settings' levels, its webhook's token redacted", async () => {
    const { app, db, world, tokens, dispatch } = await setUp();
    const [delivery] = await dispatch(world.project);
    await finishDelivery(db, delivery!.id, 200, '{"ok":true}');
    const response = await apiRequest(
      app,
      'GET',
      `${API}/projects/${encodeURIComponent(world.project.fullPath)}/integrations/slack/deliveries/${delivery!.id}`,
      { token: tokens.maintainer },
    );
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain('plainsecretword');
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: delivery!.id,
      event: 'push',
      state: 'delivered',
      host_event: 'Push Hook',
      settings_level: 'instance',
      request: { method: 'POST', url: 'https://chat.example.com/[REDACTED]' },
      used: { username: { value: 'cascade', from: { level: 'instance' } } },
      attempt_log: [{ status: 200, duration_ms: 42, response_excerpt: '{"ok":true}', failure: null }],
    });
    const missing = await apiRequest(
      app,
      'GET',
      `${API}/projects/${world.project.id}/integrations/slack/deliveries/99`,
      {
        token: tokens.maintainer,
      },
    );
    expect(missing.status).toBe(404);
    expect(await json(missing)).toEqual({ message: '404 Delivery Not Found' });
  });

  it('resends a finished delivery as a new one (201), audited; 409 while it is pending', async () => {
    const { app, db, world, tokens, dispatch } = await setUp();
    const [delivery] = await dispatch(world.project);
    const url = `${API}/projects/${world.project.id}/integrations/slack/deliveries/${delivery!.id}/resend`;
    const pending = await apiRequest(app, 'POST', url, { token: tokens.maintainer });
    expect(pending.status).toBe(409);

    await finishDelivery(db, delivery!.id, 500);
    expect((await apiRequest(app, 'POST', url, { token: tokens.reporter })).status).toBe(403);
    const resent = await apiRequest(app, 'POST', url, { token: tokens.maintainer });
    expect(resent.status).toBe(201);
    expect(await json(resent)).toMatchObject({ id: 2, state: 'pending', resent_from_id: 1, attempt_log: [] });
    expect((await storedDeliveries(db)).map((d) => d.state)).toEqual(['failed', 'pending']);
    expect(await db.select().from(auditEvents).where(eq(auditEvents.action, 'delivery.resent'))).toHaveLength(1);
  });

  it('answers 404 for a type that delivers nothing', async () => {
    const { app, world, tokens } = await setUp();
    const response = await apiRequest(
      app,
      'GET',
      `${API}/projects/${world.project.id}/integrations/redmine/deliveries`,
      {
        token: tokens.reporter,
      },
    );
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ message: '404 Integration Not Found' });
  });
});
