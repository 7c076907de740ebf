/**
 * Recent deliveries on an integration's pages at each level: who sees which deliveries, the
 * filters, one delivery with its secrets redacted, and Resend.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { writeConnection } from '../../src/db/client.js';
import { auditEvents, deliveries, projects } from '../../src/db/schema.js';
import { createTestApp, flashOf, get, post, textOf } from '../support/app.js';
import { dispatchExample, finishDelivery, storedDeliveries } from '../support/deliveries.js';
import {
  ADMIN_INTEGRATIONS,
  groupIntegrations,
  projectIntegrations,
  saveInstanceSlack,
} from '../support/integrations.js';
import { createProject } from '../../src/model/projects.js';
import { buildWorld, must } from '../support/world.js';

/** A webhook whose token no pattern would guess: only the secret field says it is one. */
const WEBHOOK = 'https://chat.example.com/incoming/plainsecretword';

async function setUp() {
  const t = await createTestApp();
  const world = await buildWorld(t.db);
  const admin = world.cookies.admin!;
  // GitLab's example push is to `master`, which Slack notifies by default as the default branch.
  await writeConnection(t.db).update(projects).set({ defaultBranch: 'master' });
  expect((await saveInstanceSlack(t.app, admin, { webhook: WEBHOOK, channel: '#dev' })).status).toBe(303);
  const dispatch = (project = world.project, kind: 'push' | 'merge_request' = 'push') =>
    dispatchExample(t.db, { codeHostId: world.codeHost.id, projectId: project.id }, kind);
  return { ...t, world, admin, dispatch };
}

const deliveriesOf = (base: string, query = '') => `${base}/slack/deliveries${query}`;

describe('Recent deliveries', () => {
  it("lists a project's own deliveries, and every project's below a group and the instance, never kept", async () => {
    const { app, world, admin, dispatch } = await setUp();
    await dispatch(world.project);
    const [, elsewhere] = await dispatch(world.otherProject);

    const own = await get(app, deliveriesOf(projectIntegrations(world.project.fullPath)), {
      cookie: world.cookies.maintainer,
    });
    expect(own.status).toBe(200);
    expect(own.headers.get('cache-control')).toBe('no-store');
    const ownText = textOf(await own.text());
    expect(ownText).toContain('Recent deliveries');
    expect(ownText).toContain('Push');
    expect(ownText).not.toContain(`#${elsewhere!.id}`);

    const group = textOf(await (await get(app, deliveriesOf(groupIntegrations('top')), { cookie: admin })).text());
    expect(group).toContain(world.project.fullPath);
    expect(group).not.toContain(world.otherProject.fullPath);

    const instance = textOf(await (await get(app, deliveriesOf(ADMIN_INTEGRATIONS), { cookie: admin })).text());
    expect(instance).toContain(world.project.fullPath);
    expect(instance).toContain(world.otherProject.fullPath);
  });

  it("shows a group's reader only the projects below it that they can read", async () => {
    const { app, db, world, dispatch } = await setUp();
    const hidden = must(await createProject(db, { name: 'Hidden', path: 'hidden' }, world.sub));
    await writeConnection(db).update(projects).set({ defaultBranch: 'master' });
    await dispatch(world.project);
    await dispatch(hidden);
    const asMember = async (cookie: string | undefined) =>
      textOf(await (await get(app, deliveriesOf(groupIntegrations('top/sub')), { cookie })).text());
    // The maintainer of top/sub/app sees group top/sub, and in it only that project.
    const maintainer = await asMember(world.cookies.maintainer);
    expect(maintainer).toContain(world.project.fullPath);
    expect(maintainer).not.toContain(hidden.fullPath);
    expect(await asMember(world.cookies.owner)).toContain(hidden.fullPath);
  });

  it('filters by project, status and event', async () => {
    const { app, db, admin, world, dispatch } = await setUp();
    const [push] = await dispatch(world.project);
    await finishDelivery(db, push!.id, 500);
    const [, mergeRequest] = await dispatch(world.project, 'merge_request');
    await dispatch(world.otherProject);
    const idsOn = async (query: string) => {
      const html = await (await get(app, deliveriesOf(ADMIN_INTEGRATIONS, query), { cookie: admin })).text();
      return [...html.matchAll(/deliveries\/(\d+)"/g)].map((match) => Number(match[1]));
    };
    expect(await idsOn('?state=failed')).toEqual([push!.id]);
    expect(await idsOn('?event=merge_request')).toEqual([mergeRequest!.id]);
    expect(await idsOn(`?project=${world.project.fullPath}`)).toEqual([mergeRequest!.id, push!.id]);
    expect(await idsOn('?project=no/such/project')).toEqual([]);
    expect((await idsOn('')).length).toBe(3);
  });

  it('pages the list, newest first', async () => {
    const { app, admin, world, dispatch } = await setUp();
    for (let i = 0; i < 21; i++) await dispatch(world.project);
    const first = await (await get(app, deliveriesOf(ADMIN_INTEGRATIONS), { cookie: admin })).text();
    const next = /href="([^"]*before=(\d+))" rel="next"/.exec(first.replaceAll('&amp;', '&'));
    expect(next?.[2]).toBe('2');
    const second = await (await get(app, next![1]!, { cookie: admin })).text();
    expect([...second.matchAll(/deliveries\/(\d+)"/g)].map((match) => Number(match[1]))).toEqual([1]);
  });

  it('shows a delivery with its redacted request, its attempts and where each setting came from', async () => {
    const { app, db, admin, world, dispatch } = await setUp();
    const [delivery] = await dispatch(world.project);
    await finishDelivery(db, delivery!.id, 200, 'ok from the receiver');
    const url = `${deliveriesOf(projectIntegrations(world.project.fullPath))}/${delivery!.id}`;
    const response = await get(app, url, { cookie: admin });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).not.toContain('plainsecretword');
    expect(html).not.toContain('/incoming/');
    const text = textOf(html);
    expect(text).toContain('POST https://chat.example.com/[REDACTED]');
    expect(text).toContain('HTTP 200');
    expect(text).toContain('ok from the receiver');
    expect(text).toContain('42 ms');
    expect(text).toMatch(/Default channel #dev Instance/);
    expect(html).toContain(`href="${ADMIN_INTEGRATIONS}/slack"`);
    // Slack's form body field by field, its JSON payload indented, not percent-encoded.
    expect(html).toContain('<th scope="row">payload</th>');
    expect(html).not.toContain('payload=%7B');
    expect(html).toMatch(/\{\n {2}&quot;(text|username|attachments|channel)&quot;/);
  });

  it('answers 404 for a delivery of another project, and for a type that delivers nothing', async () => {
    const { app, world, dispatch } = await setUp();
    const [elsewhere] = await dispatch(world.otherProject);
    const cookie = world.cookies.maintainer;
    const base = projectIntegrations(world.project.fullPath);
    expect((await get(app, `${deliveriesOf(base)}/${elsewhere!.id}`, { cookie })).status).toBe(404);
    expect((await get(app, `${base}/redmine/deliveries`, { cookie })).status).toBe(404);
  });

  it("offers the Recent deliveries tab on a project's page of a type that delivers", async () => {
    const { app, world } = await setUp();
    const base = projectIntegrations(world.project.fullPath);
    const slack = await (await get(app, `${base}/slack`, { cookie: world.cookies.reporter })).text();
    expect(slack).toContain(`href="${base}/slack/deliveries"`);
    const redmine = await (await get(app, `${base}/redmine`, { cookie: world.cookies.reporter })).text();
    expect(redmine).not.toContain('/deliveries');
  });
});

describe('Resend', () => {
  it('queues the same request again as a new delivery, audited, and shows it', async () => {
    const { app, db, world, dispatch } = await setUp();
    const [original] = await dispatch(world.project);
    await finishDelivery(db, original!.id, 500);
    const base = deliveriesOf(projectIntegrations(world.project.fullPath));
    const detail = await (await get(app, `${base}/${original!.id}`, { cookie: world.cookies.maintainer })).text();
    expect(detail).toContain(`action="${base}/${original!.id}/resend"`);

    const response = await post(app, `${base}/${original!.id}/resend`, {}, { cookie: world.cookies.maintainer });
    expect(response.status).toBe(303);
    const [kept, resent] = await storedDeliveries(db);
    expect(response.headers.get('location')).toBe(`${base}/${resent!.id}`);
    expect(flashOf(response)).toBe(
      `Delivery #${original!.id} was queued again as #${resent!.id}: it is sent in a moment.`,
    );
    expect(kept).toMatchObject({ state: 'failed', attempts: 1 });
    expect(resent).toMatchObject({
      state: 'pending',
      attempts: 0,
      resentFromId: original!.id,
      request: original!.request,
      target: original!.target,
    });
    const [audit] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'delivery.resent'));
    expect(audit).toMatchObject({ actorName: 'maintainer', projectId: world.project.id, integration: 'slack' });

    const page = textOf(await (await get(app, `${base}/${resent!.id}`, { cookie: world.cookies.maintainer })).text());
    expect(page).toContain(`Resent from #${original!.id}`);
    expect(page).toContain('Not sent yet.');
  });

  it('is refused while the delivery is still pending, and offered only to those who may change the settings', async () => {
    const { app, db, world, dispatch } = await setUp();
    const [pending] = await dispatch(world.project);
    const base = deliveriesOf(projectIntegrations(world.project.fullPath));
    const refused = await post(app, `${base}/${pending!.id}/resend`, {}, { cookie: world.cookies.maintainer });
    expect(refused.headers.get('location')).toBe(`${base}/${pending!.id}`);
    expect(flashOf(refused)).toContain('still being sent');
    expect(await storedDeliveries(db)).toHaveLength(1);

    await finishDelivery(db, pending!.id, 200);
    const reporterPage = await (await get(app, `${base}/${pending!.id}`, { cookie: world.cookies.reporter })).text();
    expect(reporterPage).not.toContain('/resend');
    expect((await post(app, `${base}/${pending!.id}/resend`, {}, { cookie: world.cookies.reporter })).status).toBe(403);
    expect(
      (
        await post(
          app,
          `${base}/${pending!.id}/resend`,
          {},
          { cookie: world.cookies.maintainer, origin: 'https://evil.example' },
        )
      ).status,
    ).toBe(403);
    expect(await db.select().from(deliveries)).toHaveLength(1);
  });
});
