/**
 * Secrets are write-only, for every reader: a distinctive canary is planted in every secret
 * field of every type at every level (the instance, groups, a subgroup, projects), then every
 * GET route of the route table is read as every actor of the world fixture, once per type
 * where the route is about one, with the htmx fragment for both inheritance choices and the
 * API through personal access tokens; and the settings form shown again after a post. No body
 * and no header may contain a canary. The routes come from the app itself, so a new GET route
 * is read here too, and fails without its row in the permission matrix.
 */
import type { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/http/context.js';
import { integrationTypes } from '../../src/integrations/index.js';
import type { IntegrationType } from '../../src/integrations/types.js';
import { isSecretField } from '../../src/integrations/validate.js';
import { groupLineage } from '../../src/model/groups.js';
import { groupOwner, INSTANCE_OWNER, projectOwner } from '../../src/settings/owners.js';
import type { SettingsOwner } from '../../src/settings/resolve.js';
import { SettingsStore } from '../../src/settings/store.js';
import { apiRequest, apiToken } from '../support/api.js';
import { createTestApp, get, post, shownValueOf } from '../support/app.js';
import { ADMIN_INTEGRATIONS, groupIntegrations, projectIntegrations } from '../support/integrations.js';
import { ACTORS, buildWorld, type Actor, type World } from '../support/world.js';
import { PERMISSION_MATRIX } from './permission-matrix.js';
import { endpoints } from './route-table.js';

const SECRET_KEY_BASE = 'canary-test-secret-key-base-long-enough-0123456789';
/** Every planted secret contains this; nothing else in Cascade does. */
const CANARY = 'qqcanary';
const CANARY_PATTERN = new RegExp(CANARY, 'i');

const canaryOf = (type: IntegrationType, name: string, owner: SettingsOwner, format: string | undefined) => {
  const value = `${CANARY}${owner.level}${owner.id ?? ''}${type.slug.replace(/-/g, '')}${name.replace(/_/g, '')}`;
  return format === 'url' ? `https://hooks.example.com/${value}` : value;
};

/** Own settings with a canary in each secret, as saved by a level that sets everything itself. */
async function plantCanaries(store: SettingsStore, owner: SettingsOwner): Promise<void> {
  for (const type of integrationTypes.filter((candidate) => candidate.levels.includes(owner.level))) {
    const fields = Object.fromEntries(
      type.fields.filter(isSecretField).map((field) => [field.name, canaryOf(type, field.name, owner, field.format)]),
    );
    if (Object.keys(fields).length > 0)
      await store.save(owner, type.slug, { active: true, fields, events: {} }, 0, null);
  }
}

interface Fetch {
  url: string;
  api: boolean;
}

/** The URLs a GET row is read at: per type where it is about one, and both choices of the fragment. */
function fetchesOf(key: string, world: World): Fetch[] {
  const row = PERMISSION_MATRIX[key]!;
  const url = row.url(world);
  const perType = key.includes(':slug')
    ? integrationTypes.map((type) => url.replace('/slack', `/${type.slug}`))
    : [url];
  const withChoices = perType.flatMap((each) =>
    each.includes('inheritance=custom') ? [each, each.replace('inheritance=custom', 'inheritance=inherit')] : [each],
  );
  return withChoices.map((each) => ({ url: each, api: row.api === true }));
}

const GET_ROUTES = endpoints((await createTestApp()).app)
  .filter(({ route }) => route.method === 'GET')
  .map(({ key }) => key);

let app: Hono<AppEnv>;
let world: World;
let tokens: Partial<Record<Actor, string>>;

beforeAll(async () => {
  const test = await createTestApp({ secretKeyBase: SECRET_KEY_BASE });
  app = test.app;
  world = await buildWorld(test.db);
  const store = new SettingsStore(test.db, SECRET_KEY_BASE);
  const lineageOf = async (group: World['top']) => await groupLineage(test.db, group);
  const owners = [
    INSTANCE_OWNER,
    groupOwner(world.top, await lineageOf(world.top)),
    groupOwner(world.sub, await lineageOf(world.sub)),
    groupOwner(world.other, await lineageOf(world.other)),
    projectOwner(world.project, await lineageOf(world.sub)),
    projectOwner(world.otherProject, await lineageOf(world.other)),
  ];
  for (const owner of owners) await plantCanaries(store, owner);
  // A secret changed through the page too, so that the audit trail has a secret change to show.
  const changed = {
    _version: '1',
    active: '1',
    webhook: `https://hooks.example.com/${CANARY}changed`,
    _confirmed: '1',
  };
  expect((await post(app, `${ADMIN_INTEGRATIONS}/slack`, changed, { cookie: world.cookies.admin })).status).toBe(303);
  tokens = Object.fromEntries(
    await Promise.all(
      ACTORS.filter((actor) => actor !== 'anonymous').map(async (actor) => [
        actor,
        await apiToken(test.db, world.users[actor]),
      ]),
    ),
  );
});

/** What a reader could see of a response: its status line, every header and the body. */
async function visible(response: Response): Promise<string> {
  return [
    response.status,
    ...[...response.headers].map(([name, value]) => `${name}: ${value}`),
    await response.text(),
  ].join('\n');
}

describe('the canary', () => {
  it('is read at every GET route of the app, each with its row in the permission matrix', () => {
    expect(GET_ROUTES.filter((key) => !(key in PERMISSION_MATRIX))).toEqual([]);
    expect(GET_ROUTES.length).toBeGreaterThan(30);
  });

  it('is stored: the pages say a secret is set, as a mask or a blank that keeps it', async () => {
    const instancePage = await (await get(app, `${ADMIN_INTEGRATIONS}/jira`, { cookie: world.cookies.admin })).text();
    expect(instancePage).toContain('placeholder="Leave blank to keep the current value"');
    const projectPage = await (
      await get(app, `${projectIntegrations(world.project.fullPath)}/pushover`, { cookie: world.cookies.reporter })
    ).text();
    expect(shownValueOf(projectPage, 'api_key')).toBe('•••••••• Set, not shown');
  });

  describe.each(GET_ROUTES)('%s', (key) => {
    it.each(ACTORS)('never reaches %s', async (actor) => {
      if (!(key in PERMISSION_MATRIX)) throw new Error(`No row for "${key}" in test/http/permission-matrix.ts`);
      const leaks: string[] = [];
      for (const { url, api } of fetchesOf(key, world)) {
        const response = api
          ? await apiRequest(app, 'GET', url, { token: tokens[actor] })
          : await get(app, url, { cookie: world.cookies[actor] });
        if (CANARY_PATTERN.test(await visible(response))) leaks.push(url);
      }
      expect(leaks).toEqual([]);
    });
  });
});

describe('the canary after a form post', () => {
  const levels = [
    { name: 'the instance', actor: 'admin', page: () => ADMIN_INTEGRATIONS, level: 'instance' },
    { name: 'a subgroup', actor: 'owner', page: () => groupIntegrations(world.sub.fullPath), level: 'group' },
    {
      name: 'a project',
      actor: 'maintainer',
      page: () => projectIntegrations(world.project.fullPath),
      level: 'project',
    },
  ] as const;

  it.each(levels)(
    'never reaches the form shown again at $name, switched or refused as stale',
    async ({ actor, page, level }) => {
      const leaks: string[] = [];
      for (const type of integrationTypes.filter((candidate) => candidate.levels.includes(level))) {
        const url = `${page()}/${type.slug}`;
        const cookie = world.cookies[actor];
        const switched = await post(
          app,
          url,
          { _version: '1', inheritance: 'custom', _action: 'update_form' },
          { cookie },
        );
        const stale = await post(app, url, { _version: '99', inheritance: 'custom', _confirmed: '1' }, { cookie });
        for (const response of [switched, stale])
          if (CANARY_PATTERN.test(await visible(response))) leaks.push(`${type.slug}: ${response.status}`);
      }
      expect(leaks).toEqual([]);
    },
  );
});
