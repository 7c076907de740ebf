/**
 * Saving settings whose fields lead into the local network, through the page and the API: not
 * only URL fields but every field that yields a host (Datadog's site, whose API host is
 * api.<site>) is checked when saved, refused next to the field, and nothing is saved.
 */
import { describe, expect, it } from 'vitest';
import { integrationSettings } from '../../src/db/schema.js';
import type { ResolvedAddress } from '../../src/outbound/request.js';
import { apiRequest, apiToken, json } from '../support/api.js';
import { createTestApp, fieldErrorOf, post, testResolve, type TestApp } from '../support/app.js';
import { projectIntegrations } from '../support/integrations.js';
import { buildWorld, type World } from '../support/world.js';

/** Names on the company network: only their API host is local, as with a site that points Datadog's API host inward. */
const INTERNAL: Record<string, string> = { 'api.corp.example': '10.0.0.5', 'telegram.corp.example': '192.168.1.20' };

async function resolve(host: string): Promise<ResolvedAddress[]> {
  const internal = INTERNAL[host];
  return internal ? [{ address: internal, family: 4 }] : testResolve(host);
}

type Setup = TestApp & { world: World; maintainer: string; token: string; projectUrl: string };

async function setup(): Promise<Setup> {
  const test = await createTestApp({ outbound: { resolve } });
  const world = await buildWorld(test.db);
  return {
    ...test,
    world,
    maintainer: world.cookies.maintainer!,
    token: await apiToken(test.db, world.users.maintainer),
    projectUrl: projectIntegrations(world.project.fullPath),
  };
}

const datadogForm = (fields: Record<string, string>) => ({
  _version: '0',
  inheritance: 'custom',
  active: '1',
  api_key: 'abc123',
  ...fields,
});
const rows = async (t: TestApp) => await t.db.select().from(integrationSettings);
const LOCAL = 'Requests to the local network are not allowed';

describe('saving a field that yields a host, with local requests not allowed', () => {
  it('refuses a Datadog site whose API host resolves to a local address, next to the field, with 422 and nothing saved', async () => {
    const t = await setup();
    const response = await post(t.app, `${t.projectUrl}/datadog`, datadogForm({ datadog_site: 'corp.example' }), {
      cookie: t.maintainer,
    });
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'datadog_site')).toBe(LOCAL);
    expect(await rows(t)).toEqual([]);
  });

  it('refuses such a site while the integration is off too', async () => {
    const t = await setup();
    const response = await post(
      t.app,
      `${t.projectUrl}/datadog`,
      { ...datadogForm({ datadog_site: 'corp.example' }), active: '0' },
      { cookie: t.maintainer },
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'datadog_site')).toBe(LOCAL);
    expect(await rows(t)).toEqual([]);
  });

  it('saves a Datadog site whose API host is public', async () => {
    const t = await setup();
    const response = await post(t.app, `${t.projectUrl}/datadog`, datadogForm({ datadog_site: 'datadoghq.eu' }), {
      cookie: t.maintainer,
    });
    expect(response.status).toBe(303);
    expect(await rows(t)).toHaveLength(1);
  });

  it('names a site that is no host name, even while the integration is off', async () => {
    const t = await setup();
    for (const site of ['evil.example/@10.0.0.5', 'datadoghq.com:99999', 'data dog.com']) {
      const response = await post(
        t.app,
        `${t.projectUrl}/datadog`,
        { ...datadogForm({ datadog_site: site }), active: '0' },
        { cookie: t.maintainer },
      );
      expect(response.status, site).toBe(422);
      expect(fieldErrorOf(await response.text(), 'datadog_site'), site).toBe(
        'Datadog site must be a host name, such as datadoghq.com',
      );
    }
    expect(await rows(t)).toEqual([]);
  });

  it.each([
    ['Datadog API URL', 'datadog', 'api_url', datadogForm({ api_url: 'http://198.18.0.1/api/v2/webhook' })],
    [
      'Telegram hostname',
      'telegram',
      'hostname',
      {
        _version: '0',
        inheritance: 'custom',
        active: '1',
        hostname: 'https://telegram.corp.example',
        token: '1:x',
        room: '@ops',
      },
    ],
    [
      'Jira API URL',
      'jira',
      'api_url',
      {
        _version: '0',
        inheritance: 'custom',
        active: '1',
        url: 'https://jira.example.com',
        api_url: 'http://[64:ff9b::a9fe:a9fe]/',
        username: 'bot',
        password: 'pw',
        jira_auth_type: '0',
      },
    ],
  ])('refuses a %s into the local network, next to the field', async (_what, slug, field, form) => {
    const t = await setup();
    const response = await post(t.app, `${t.projectUrl}/${slug}`, form, { cookie: t.maintainer });
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), field)).toBe(LOCAL);
    expect(await rows(t)).toEqual([]);
  });

  it('refuses such a Datadog site through the API with 400, naming the parameter, and saves nothing', async () => {
    const t = await setup();
    const response = await apiRequest(t.app, 'PUT', `/api/v4/projects/${t.world.project.id}/integrations/datadog`, {
      token: t.token,
      params: { datadog_site: 'corp.example', api_key: 'abc123' },
    });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ message: { datadog_site: [LOCAL] } });
    expect(await rows(t)).toEqual([]);
  });

  it('lets the site through once the administrator allowlists its API host', async () => {
    const t = await setup();
    await post(
      t.app,
      '/admin/application_settings/network',
      { allow_local_requests: '0', outbound_allowlist: 'api.corp.example' },
      { cookie: t.world.cookies.admin! },
    );
    const response = await post(t.app, `${t.projectUrl}/datadog`, datadogForm({ datadog_site: 'corp.example' }), {
      cookie: t.maintainer,
    });
    expect(response.status).toBe(303);
    expect(await rows(t)).toHaveLength(1);
  });
});
