/**
 * Admin Area › Settings › Network through HTTP: administrators only, off by default, bad
 * allowlist entries refused next to the field with nothing saved, and each change audited.
 */
import { describe, expect, it } from 'vitest';
import { applicationSettings, auditEvents } from '../../src/db/schema.js';
import {
  createTestApp,
  fieldErrorOf,
  flashOf,
  get,
  insertUser,
  post,
  sessionCookie,
  textOf,
  type TestApp,
} from '../support/app.js';

const NETWORK = '/admin/application_settings/network';

async function signedInAdmin(): Promise<TestApp & { admin: string }> {
  const t = await createTestApp();
  const root = await insertUser(t.db, 'root', { isAdmin: true });
  return { ...t, admin: await sessionCookie(t.db, root) };
}

describe('the Network page', () => {
  it('is in the Admin Area navigation and starts with local requests off and an empty allowlist', async () => {
    const t = await signedInAdmin();
    const response = await get(t.app, NETWORK, { cookie: t.admin });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`<a href="${NETWORK}" aria-current="page">Settings › Network</a>`);
    expect(textOf(html)).toContain('Allow requests to the local network from webhooks and integrations');
    expect(html).toMatch(
      /<input id="field-allow_local_requests" type="checkbox" name="allow_local_requests" value="1"(?! checked)/,
    );
    expect(html).toMatch(
      /<textarea id="field-outbound_allowlist" name="outbound_allowlist" rows="3"[^>]*><\/textarea>/,
    );
  });

  it('saves the switch and the allowlist, one entry a line, and records who changed what', async () => {
    const t = await signedInAdmin();
    const response = await post(
      t.app,
      NETWORK,
      { allow_local_requests: ['0', '1'], outbound_allowlist: '127.0.0.1, 10.0.0.0/8\r\nfd00::/8;ci.internal\n\n' },
      { cookie: t.admin },
    );
    expect(response.status).toBe(303);
    expect(flashOf(response)).toBe('Network settings saved.');
    expect((await t.db.select().from(applicationSettings).limit(1))[0]).toMatchObject({
      id: 1,
      allowLocalRequests: true,
      outboundAllowlist: '127.0.0.1\n10.0.0.0/8\nfd00::/8\nci.internal',
    });
    const html = await (await get(t.app, NETWORK, { cookie: t.admin })).text();
    expect(html).toMatch(/name="allow_local_requests" value="1" checked/);
    expect(html).toContain('127.0.0.1\n10.0.0.0/8\nfd00::/8\nci.internal</textarea>');

    const [event] = await t.db.select().from(auditEvents);
    expect(event).toMatchObject({ actorName: 'root', action: 'network.updated', level: 'instance' });
    expect(JSON.parse(event!.changes)).toEqual([
      {
        key: 'allow_local_requests',
        label: 'Allow requests to the local network from webhooks and integrations',
        before: 'false',
        after: 'true',
      },
      {
        key: 'outbound_allowlist',
        label: 'Local IP addresses and domain names that hooks and integrations can access',
        before: null,
        after: '127.0.0.1\n10.0.0.0/8\nfd00::/8\nci.internal',
      },
    ]);
  });

  it('refuses a bad allowlist entry with 422 and the message next to the field, saving nothing', async () => {
    const t = await signedInAdmin();
    const response = await post(
      t.app,
      NETWORK,
      { allow_local_requests: ['0', '1'], outbound_allowlist: '127.0.0.1\n10.0.0.0/40\nnot a host' },
      { cookie: t.admin },
    );
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(fieldErrorOf(html, 'outbound_allowlist')).toBe(
      '10.0.0.0/40, not a host are not IP addresses, CIDR ranges or host names',
    );
    // What was typed comes back to be corrected.
    expect(html).toContain('127.0.0.1\n10.0.0.0/40\nnot a host</textarea>');
    expect(await t.db.select().from(applicationSettings)).toEqual([]);
    expect(await t.db.select().from(auditEvents)).toEqual([]);
  });

  it('records no event when nothing changed', async () => {
    const t = await signedInAdmin();
    await post(t.app, NETWORK, { allow_local_requests: '0', outbound_allowlist: '' }, { cookie: t.admin });
    expect(await t.db.select().from(auditEvents)).toEqual([]);
  });

  it('is hidden from everybody but administrators', async () => {
    const t = await signedInAdmin();
    const user = await sessionCookie(t.db, await insertUser(t.db, 'someone'));
    expect((await get(t.app, NETWORK, { cookie: user })).status).toBe(404);
    expect((await post(t.app, NETWORK, { allow_local_requests: '1' }, { cookie: user })).status).toBe(404);
    expect(await t.db.select().from(applicationSettings)).toEqual([]);
  });

  it('refuses a cross-site post', async () => {
    const t = await signedInAdmin();
    const response = await post(
      t.app,
      NETWORK,
      { allow_local_requests: '1' },
      { cookie: t.admin, origin: 'https://evil.example' },
    );
    expect(response.status).toBe(403);
    expect(await t.db.select().from(applicationSettings)).toEqual([]);
  });
});
