/**
 * @gitbeaker/rest, unmodified, against a live Cascade: every parameter GitLab documents for
 * Slack, Jira, Microsoft Teams, Pipeline status emails and Datadog is saved at project level with
 * `Integrations.edit` and read back with `Integrations.show`, and at group and instance level
 * through the client's own requester (gitbeaker has no group or instance integrations), value by
 * value with GitLab's JSON types; secrets are taken and never read back. The table is the HTTP
 * test's (test/support/integration-parameters.ts).
 */
import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENTED, readBack, sentValues, type Json } from '../support/integration-parameters.js';
import { startClientServer, type ClientServer } from './support.js';

let cascade: ClientServer;
let api: InstanceType<typeof Gitlab>;
let admin: InstanceType<typeof Gitlab>;
let groupId: number;

beforeAll(async () => {
  cascade = await startClientServer();
  api = new Gitlab({ host: cascade.url, token: cascade.token });
  admin = new Gitlab({ host: cascade.url, token: cascade.adminToken });
  groupId = (await admin.Groups.show('top')).id;
});

afterAll(async () => {
  await cascade?.close();
});

type Entity = Record<string, unknown>;
/** gitbeaker's list of slugs, which lacks `datadog`: the client sends any slug unchanged. */
type Slug = Parameters<typeof api.Integrations.edit>[1];

/** One level's integrations through the client: save, read, disable. */
interface Client {
  save(slug: string, values: Record<string, Json>): Promise<unknown>;
  show(slug: string): Promise<Entity>;
  disable(slug: string): Promise<unknown>;
}

/** Raw requests through the administrator's client requester, for the levels gitbeaker has no resource for. */
function raw(base: () => string): Client {
  const { requester } = admin.Integrations;
  return {
    save: (slug, values) => requester.put(`${base()}/${slug}`, { body: values }),
    show: async (slug) => (await requester.get<Entity>(`${base()}/${slug}`)).body,
    disable: (slug) => requester.delete(`${base()}/${slug}`),
  };
}

const LEVELS: { level: string; client: () => Client }[] = [
  {
    level: 'project',
    client: () => ({
      save: (slug, values) => api.Integrations.edit(cascade.projectId, slug as Slug, values),
      show: async (slug) => await api.Integrations.show(cascade.projectId, slug as Slug),
      disable: (slug) => api.Integrations.disable(cascade.projectId, slug as Slug),
    }),
  },
  { level: 'group', client: () => raw(() => `groups/${groupId}/integrations`) },
  { level: 'instance', client: () => raw(() => 'admin/application_settings/integrations') },
];

describe.each(LEVELS)('@gitbeaker/rest: every documented parameter at the $level level', ({ client }) => {
  it.each(Object.keys(DOCUMENTED))('%s: saved with the client, each one reads back with its type', async (slug) => {
    await client().save(slug, sentValues(slug));
    const { shown, expected, leakedSecrets } = readBack(slug, await client().show(slug));
    expect(shown).toStrictEqual(expected);
    expect(leakedSecrets).toEqual([]);
  });

  it('disables Datadog with a DELETE: it reads back inactive, its own, with its settings reset', async () => {
    await client().disable('datadog');
    const read = await client().show('datadog');
    expect(read).toMatchObject({ active: false, inherited: false });
    expect(read.properties).toMatchObject({ datadog_env: null, datadog_service: null });
  });
});
