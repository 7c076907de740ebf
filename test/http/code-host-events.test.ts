import { describe, expect, it } from 'vitest';
import { writeConnection } from '../../src/db/client.js';
import { hostEvents } from '../../src/db/schema.js';
import { createTestApp, get, insertUser, sessionCookie, textOf } from '../support/app.js';
import {
  deliver,
  HOOK_SECRET,
  hostHeaders,
  insertConnection,
  insertImportedProject,
  payload,
} from '../support/code-host-events.js';

async function setUp() {
  const { app, db } = await createTestApp();
  const gitlab = await insertConnection(db, 'gitlab');
  const admin = await sessionCookie(db, await insertUser(db, 'admin', { isAdmin: true }));
  const user = await sessionCookie(db, await insertUser(db, 'someone'));
  return { app, db, gitlab, admin, user };
}

describe('Admin Area › Code hosts › Recent events', () => {
  it('lists the connection’s events newest first, with type, project link, time and outcome', async () => {
    const { app, db, gitlab, admin } = await setUp();
    const project = await insertImportedProject(db, gitlab, 15, 'diaspora');
    for (const name of ['system-push', 'system-group-rename']) {
      const body = payload(`gitlab-${name}`);
      await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body));
    }
    await writeConnection(db).update(hostEvents).set({ outcome: 'failed', detail: 'The host answered 502.' });
    const response = await get(app, `/admin/code_hosts/${gitlab.id}/events`, { cookie: admin });
    expect(response.status).toBe(200);
    const html = await response.text();
    const text = textOf(html);
    expect(text.indexOf('Group renamed')).toBeLessThan(text.indexOf('Push'));
    expect(html).toContain(`<a href="/${project.fullPath}">${project.fullPath}</a>`);
    expect(text).toContain('Failed The host answered 502.');
    expect(text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  });

  it('filters by outcome and pages with older-events links', async () => {
    const { app, db, gitlab, admin } = await setUp();
    const now = Date.now();
    await writeConnection(db)
      .insert(hostEvents)
      .values(
        Array.from({ length: 55 }, (_, i) => ({
          codeHostId: gitlab.id,
          deliveryId: `d${i}`,
          hostEvent: 'System Hook',
          kind: i === 0 ? 'project_destroyed' : 'project_updated',
          hostProjectId: 1000 + i,
          payload: '{}',
          outcome: i === 0 ? 'failed' : 'applied',
          receivedAt: new Date(now + i),
        })),
      );
    const first = await (await get(app, `/admin/code_hosts/${gitlab.id}/events`, { cookie: admin })).text();
    expect(textOf(first)).toContain('Host project 1054');
    expect(textOf(first)).not.toContain('Host project 1004');
    const older = /href="([^"]*before=\d+)"/.exec(first)![1]!.replace(/&amp;/g, '&');
    const second = textOf(await (await get(app, older, { cookie: admin })).text());
    expect(second).toContain('Host project 1004');
    expect(second).not.toContain('Host project 1005');
    const failed = textOf(
      await (await get(app, `/admin/code_hosts/${gitlab.id}/events?outcome=failed`, { cookie: admin })).text(),
    );
    expect(failed).toContain('Project deleted');
    expect(failed).not.toContain('Project updated');
  });

  it('names each type and outcome in words, GitLab’s where it has them, never by its stored kind', async () => {
    const { app, db, gitlab, admin } = await setUp();
    const stored = [
      { kind: 'tag_push', outcome: 'received', shown: 'Tag push', as: 'Received' },
      { kind: 'confidential_note', outcome: 'received', shown: 'Confidential comment', as: 'Received' },
      { kind: 'member_updated', outcome: 'received', shown: "Member's role changed", as: 'Waiting' },
      { kind: 'project_renamed', outcome: 'applied', shown: 'Project renamed', as: 'Applied' },
      { kind: 'member_added', outcome: 'unknown_project', shown: 'Member added', as: 'Unknown project' },
      { kind: 'group_destroyed', outcome: 'failed', shown: 'Group deleted', as: 'Failed' },
    ];
    await writeConnection(db)
      .insert(hostEvents)
      .values(
        stored.map(({ kind, outcome }, i) => ({
          codeHostId: gitlab.id,
          deliveryId: `d${i}`,
          hostEvent: 'System Hook',
          kind,
          hostProjectId: 1000 + i,
          payload: '{}',
          outcome,
          receivedAt: new Date(),
        })),
      );
    const text = textOf(await (await get(app, `/admin/code_hosts/${gitlab.id}/events`, { cookie: admin })).text());
    stored.forEach(({ kind, outcome, shown, as }, i) => {
      expect(text).toMatch(new RegExp(`${shown} System Hook Host project ${1000 + i} [\\d: -]+ UTC ${as}`));
      expect(text).not.toContain(kind);
      if (outcome !== 'received') expect(text).not.toContain(outcome);
    });
  });

  it('offers the outcomes in words in its filter', async () => {
    const { app, gitlab, admin } = await setUp();
    const html = await (await get(app, `/admin/code_hosts/${gitlab.id}/events`, { cookie: admin })).text();
    const options = [...html.matchAll(/<option value="([^"]*)">([^<]*)<\/option>/g)].map(([, value, label]) => [
      value,
      label,
    ]);
    expect(options).toEqual([
      ['', 'All outcomes'],
      ['received', 'Waiting or received'],
      ['applied', 'Applied'],
      ['dispatched', 'Dispatched'],
      ['unknown_project', 'Unknown project'],
      ['failed', 'Failed'],
    ]);
  });

  it('is not found for anyone but an administrator, and for a connection that does not exist', async () => {
    const { app, gitlab, admin, user } = await setUp();
    expect((await get(app, `/admin/code_hosts/${gitlab.id}/events`, { cookie: user })).status).toBe(404);
    expect((await get(app, `/admin/code_hosts/${gitlab.id + 1}/events`, { cookie: admin })).status).toBe(404);
  });

  it('never shows the hook secret, the token or the payload', async () => {
    const { app, gitlab, admin } = await setUp();
    const body = payload('gitlab-system-push');
    await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body));
    const html = await (await get(app, `/admin/code_hosts/${gitlab.id}/events`, { cookie: admin })).text();
    for (const secret of [
      HOOK_SECRET,
      'admin-token',
      gitlab.hookSecret,
      gitlab.token,
      'c5feabde2d8cd023215af4d2ceeb7a64839fc428',
    ]) {
      expect(html).not.toContain(secret);
    }
  });
});
