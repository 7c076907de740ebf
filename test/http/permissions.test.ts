/**
 * The permission matrix, generated from the route table: every registered route is requested as
 * every actor of the world fixture, each on a fresh database, and must answer as its row in
 * permission-matrix.ts says. A route without a row fails, so a new route cannot skip the check.
 */
import { describe, expect, it } from 'vitest';
import { apiRequest, apiToken } from '../support/api.js';
import { createTestApp, get, post } from '../support/app.js';
import { emptyTree, FakeHostClient } from '../support/fake-host-client.js';
import { ACTORS, buildWorld, openWorld, type Actor } from '../support/world.js';
import { PERMISSION_MATRIX, type Outcome } from './permission-matrix.js';
import { answeringRoute, endpoints } from './route-table.js';

function outcomeOf(response: Response): string {
  const location = response.headers.get('location') ?? '';
  if (response.status === 302 && location.startsWith('/users/sign_in')) return 'signin';
  if (response.status === 401) return 'unauthorized';
  if (response.status === 404) return 'notfound';
  if (response.status === 403) return 'forbidden';
  if ((response.status >= 200 && response.status < 300) || response.status === 303) return 'ok';
  return `status ${response.status}${location ? ` to ${location}` : ''}`;
}

/** An in-memory code host behind every connection, so that connecting one succeeds for those let in. */
const hostClients = () => new FakeHostClient(emptyTree());

const ROUTES = endpoints((await createTestApp({ hostClients })).app);

describe('the permission matrix', () => {
  it('has a row for every route', () => {
    const missing = ROUTES.map(({ key }) => key).filter((key) => !(key in PERMISSION_MATRIX));
    expect(missing, 'add a row for each of these routes to test/http/permission-matrix.ts').toEqual([]);
  });

  it('has no row for a route that does not exist, and no two routes share a row', () => {
    const keys = ROUTES.map(({ key }) => key);
    expect(Object.keys(PERMISSION_MATRIX).filter((key) => !keys.includes(key))).toEqual([]);
    expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
  });

  it("builds, for every row, a URL that the row's own route answers", async () => {
    const { app, db } = await createTestApp({ hostClients });
    const world = await buildWorld(db);
    const misrouted = endpoints(app).filter(({ key, route }) => {
      const row = PERMISSION_MATRIX[key];
      return row && answeringRoute(app, route.method, row.url(world)) !== route;
    });
    expect(misrouted.map(({ key }) => key)).toEqual([]);
  });
});

describe.each(ROUTES)('$key', ({ key, route }) => {
  const row = PERMISSION_MATRIX[key];
  const cases = ACTORS.map((actor): [Actor, Outcome | 'no row'] => [actor, row?.expect[actor] ?? 'no row']);

  it.each(cases)('%s: %s', async (actor, expected) => {
    if (!row) throw new Error(`No row for "${key}": add one to test/http/permission-matrix.ts`);
    const { db, world } = await openWorld();
    const { app } = await createTestApp({ db, hostClients });
    await row.setup?.(app, world);
    const url = row.url(world);
    if (row.api) {
      const token = actor === 'anonymous' ? undefined : await apiToken(db, world.users[actor], ['api']);
      const response = await apiRequest(app, route.method, url, { token, params: row.form?.(world) });
      expect(outcomeOf(response)).toBe(expected);
      return;
    }
    const cookie = world.cookies[actor];
    const response =
      route.method === 'POST'
        ? await post(app, url, row.form?.(world) ?? {}, { cookie })
        : await get(app, url, { cookie });
    expect(outcomeOf(response)).toBe(expected);
  });
});
