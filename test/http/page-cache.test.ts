/**
 * Kept pages must never be stale: any change to the database shows on the next request.
 */
import { gunzipSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { groups } from '../../src/db/schema.js';
import { createTestApp, flashOf, get, insertUser, post, sessionCookie, textOf } from '../support/app.js';
import { deliver, hostHeaders, insertConnection, payload } from '../support/code-host-events.js';
import { buildWorld } from '../support/world.js';
import { writeConnection } from '../../src/db/client.js';
import { createMetrics } from '../../src/http/metrics.js';

describe('page cache', () => {
  it('shows a change made directly in the database on the next request', async () => {
    const { app, db } = await createTestApp();
    const world = await buildWorld(db);
    const cookie = world.cookies.owner;
    expect(await (await get(app, '/groups/top', { cookie })).text()).toContain('<h1>Top</h1>');
    await writeConnection(db).update(groups).set({ name: 'Renamed' }).where(eq(groups.id, world.top.id));
    expect(await (await get(app, '/groups/top', { cookie })).text()).toContain('<h1>Renamed</h1>');
  });

  it('keeps pages per user: another user never gets a page rendered for someone else', async () => {
    const { app, db } = await createTestApp();
    const world = await buildWorld(db);
    expect(await (await get(app, '/', { cookie: world.cookies.owner })).text()).toContain('@owner');
    const other = await (await get(app, '/', { cookie: world.cookies.reporter })).text();
    expect(other).toContain('@reporter');
    expect(other).not.toContain('@owner');
  });

  it('never keeps a page that shows a flash message, nor answers one from a kept page', async () => {
    const { app, db } = await createTestApp();
    const world = await buildWorld(db);
    const created = await post(app, '/admin/groups', { name: 'New', path: 'new' }, { cookie: world.cookies.admin });
    const flashCookie = created.headers
      .getSetCookie()
      .find((line) => line.startsWith('cascade_flash='))!
      .split(';')[0]!;
    expect(flashOf(created)).toBe('Group new was successfully created.');
    // Kept now, without the message (as if another tab loaded it first).
    expect(
      await (await get(app, created.headers.get('location')!, { cookie: world.cookies.admin })).text(),
    ).not.toContain('was successfully created');
    const withFlash = await get(app, created.headers.get('location')!, {
      cookie: `${world.cookies.admin}; ${flashCookie}`,
    });
    expect(await withFlash.text()).toContain('Group new was successfully created.');
    const after = await get(app, created.headers.get('location')!, { cookie: world.cookies.admin });
    expect(await after.text()).not.toContain('was successfully created');
  });

  it('serves a kept page gzip-compressed to a browser that accepts it, with the same content', async () => {
    const { app, db } = await createTestApp();
    const world = await buildWorld(db);
    const headers = { 'accept-encoding': 'gzip, deflate, br' };
    const first = await (await get(app, '/groups/top', { cookie: world.cookies.owner, headers })).text();
    const kept = await get(app, '/groups/top', { cookie: world.cookies.owner, headers });
    expect(kept.headers.get('content-encoding')).toBe('gzip');
    expect(kept.headers.get('vary')).toBe('Accept-Encoding');
    expect(kept.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(gunzipSync(Buffer.from(await kept.arrayBuffer())).toString()).toBe(first);
  });

  it('keeps pages while hooks arrive, and never keeps the page that lists them', async () => {
    const metrics = createMetrics();
    const { app, db } = await createTestApp({ metrics });
    const world = await buildWorld(db);
    const gitlab = await insertConnection(db, 'gitlab');
    const admin = await sessionCookie(db, await insertUser(db, 'hooks-admin', { isAdmin: true }));
    const events = `/admin/code_hosts/${gitlab.id}/events`;
    const listed = await get(app, events, { cookie: admin });
    expect(listed.headers.get('cache-control')).toBe('no-store');
    expect(textOf(await listed.text())).not.toContain('Push');
    await get(app, '/groups/top', { cookie: world.cookies.owner });
    const body = payload('gitlab-system-push');
    expect((await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body))).status).toBe(201);
    await get(app, '/groups/top', { cookie: world.cookies.owner });
    expect(textOf(await (await get(app, events, { cookie: admin })).text())).toContain('Push');
    const { text } = await metrics.render();
    // The group page: kept, then served from memory after the hook; the events page: never kept.
    expect(text).toContain('cascade_page_cache_requests_total{result="hit"} 1');
    expect(text).toContain('cascade_page_cache_requests_total{result="miss"} 3');
  });
});
