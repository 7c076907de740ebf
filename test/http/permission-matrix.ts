/**
 * The permission matrix: for every route of the app, what each kind of user gets.
 * permissions.test.ts requests every registered route as every actor of the world fixture
 * (test/support/world.ts) and fails for a route that has no row here.
 *
 * To add a row for a new route:
 * 1. Key it `METHOD /path` as registered, with the `{regex}` of each parameter left out
 *    (`GET /groups/:fullPath/-/settings/integrations`); the failing test prints the key.
 * 2. `url` builds a concrete URL in the world; `form` (POST only) a valid form, so that the
 *    actors allowed in get their success status rather than a validation error.
 * 3. `expect`: usually a preset below, or `allow(actorsLetIn, actorsForbidden)`.
 *
 * API rows (`api: true`) send the actor's personal access token (scope `api`) instead of a
 * session cookie, and `form` as a JSON body; `setup` prepares what a permitted request needs.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../../src/http/context.js';
import { post, TEST_PASSWORD } from '../support/app.js';
import {
  ADMIN_INTEGRATIONS,
  allowLoopbackRequests,
  groupIntegrations,
  projectIntegrations,
  saveInstanceSlack,
  slackForm,
} from '../support/integrations.js';
import { ACTORS, type Actor, type World } from '../support/world.js';
import { insertConnection } from '../support/code-host-events.js';
import { dispatchExample, finishDelivery } from '../support/deliveries.js';
import { writeConnection } from '../../src/db/client.js';
import { projects, type User } from '../../src/db/schema.js';

/**
 * - `ok`: 2xx, or the 303 redirect that follows a successful form post
 * - `signin`: 302 to the sign-in page
 * - `notfound`: 404, which does not reveal whether the thing exists
 * - `forbidden`: 403, for users who may see the thing but not change it
 * - `unauthorized`: 401, the API's answer to a missing or dead token
 */
export type Outcome = 'ok' | 'signin' | 'notfound' | 'forbidden' | 'unauthorized';
export type Expectations = Record<Actor, Outcome>;

export interface MatrixRow {
  /** Runs before the request, e.g. to give a level the settings the route acts on. */
  setup?: (app: Hono<AppEnv>, world: World) => Promise<unknown>;
  url: (world: World) => string;
  form?: (world: World) => Record<string, string | string[]>;
  expect: Expectations;
  /** Requested through the API with a personal access token of the actor instead of a session. */
  api?: true;
}

/**
 * Signed-out visitors and blocked users (their session died) are sent to sign in; `ok` actors
 * get in, `forbidden` ones get 403, everybody else 404.
 */
export function allow(ok: readonly Actor[], forbidden: readonly Actor[] = []): Expectations {
  const outcome = (actor: Actor): Outcome => {
    if (actor === 'anonymous' || actor === 'blocked') return 'signin';
    if (ok.includes(actor)) return 'ok';
    return forbidden.includes(actor) ? 'forbidden' : 'notfound';
  };
  return Object.fromEntries(ACTORS.map((actor) => [actor, outcome(actor)])) as Expectations;
}

/**
 * The API: no token or a blocked user's token gets 401; otherwise as {@link allow}. A valid token
 * may still be refused for its scope (403), which api.test.ts checks.
 */
export function apiAllow(ok: readonly Actor[], forbidden: readonly Actor[] = []): Expectations {
  const pages = allow(ok, forbidden);
  return Object.fromEntries(
    ACTORS.map((actor) => [actor, pages[actor] === 'signin' ? 'unauthorized' : pages[actor]]),
  ) as Expectations;
}

/** Health check, sign-in and sign-out, static files. */
export const PUBLIC = Object.fromEntries(ACTORS.map((actor) => [actor, 'ok'])) as Expectations;
/** /metrics: no session or personal access token opens it, only METRICS_TOKEN or METRICS_ALLOWLIST (metrics.test.ts). */
export const NOBODY = Object.fromEntries(ACTORS.map((actor) => [actor, 'notfound'])) as Expectations;
/** The receiver of code hosts' hooks: 401 without the connection's token, session or not. */
export const HOOK_SENDERS_ONLY = Object.fromEntries(ACTORS.map((actor) => [actor, 'unauthorized'])) as Expectations;
export const SIGNED_IN = allow(['nonMember', 'reporter', 'developer', 'maintainer', 'owner', 'admin']);
export const ADMIN_ONLY = allow(['admin']);

/**
 * Group "top/sub": its reporter and developer, the owner of "top", and the maintainer of the
 * project inside it (who sees the group but has no role in it).
 */
export const SUB_READERS = allow(['reporter', 'developer', 'maintainer', 'owner', 'admin']);
export const SUB_MANAGERS = allow(['owner', 'admin'], ['reporter', 'developer', 'maintainer']);
/** Project "top/sub/app": everybody with a role in it, directly or from its groups. */
export const APP_READERS = allow(['reporter', 'developer', 'maintainer', 'owner', 'admin']);
export const APP_MANAGERS = allow(['maintainer', 'owner', 'admin'], ['reporter', 'developer']);

const SUB = (w: World) => w.sub.fullPath;
const APP = (w: World) => w.project.fullPath;
/** Group "top/sub" with Slack settings of its own, saved by the administrator. */
const saveSubSlack = (app: Hono<AppEnv>, w: World) =>
  post(app, `${groupIntegrations(SUB(w))}/slack`, settingsForm(), { cookie: w.cookies.admin! });
const newGroupForm = () => ({ name: 'Fresh', path: 'fresh', parent_id: '', description: '' });
const settingsForm = () => ({ ...slackForm(), inheritance: 'custom', _confirmed: '1' });
/** Test settings aimed at a local address: refused by the Network settings, so no request leaves. */
const testForm = () => ({ ...slackForm({ webhook: 'http://127.0.0.1:9/hook' }), inheritance: 'custom' });

/** A password that passes the rules, for the forms that set one. */
const NEW_PASSWORD = 'another-long-password';

const API = '/api/v4';
const API_SIGNED_IN = apiAllow(['nonMember', 'reporter', 'developer', 'maintainer', 'owner', 'admin']);
const API_ADMIN_ONLY = apiAllow(['admin'], ['nonMember', 'reporter', 'developer', 'maintainer', 'owner']);
const encoded = (fullPath: string) => encodeURIComponent(fullPath);
/** An instance-level Slack default, so that a level below has something to show. */
const instanceSlack = (app: Hono<AppEnv>, world: World) => saveInstanceSlack(app, world.cookies.admin!);
const slackParams = () => ({ webhook: 'https://hooks.slack.com/services/T000/B000/API', channel: '#api' });

/** A finished Slack delivery (id 1) of project "top/sub/app", planned from the instance's settings. */
async function deliveredToApp(app: Hono<AppEnv>, w: World) {
  // The webhook's name resolves to loopback in the tests (test/support/loopback-only.ts).
  await allowLoopbackRequests(app, w.cookies.admin!);
  const saved = await saveInstanceSlack(app, w.cookies.admin!);
  if (saved.status !== 303) throw new Error(`Saving the instance's Slack answered ${saved.status}`);
  await writeConnection(w.db).update(projects).set({ defaultBranch: 'master' });
  const [delivery] = await dispatchExample(w.db, { codeHostId: w.codeHost.id, projectId: w.project.id });
  await finishDelivery(w.db, delivery!.id, 500);
}

/** The rows of Recent deliveries at one level: the list, one delivery, Resend (a page or an API mount). */
function deliveryRows(
  base: string,
  url: (w: World) => string,
  readers: Expectations,
  managers: Expectations,
  api?: true,
): Record<string, MatrixRow> {
  const deliveryParameter = api ? ':delivery_id' : ':id';
  return {
    [`GET ${base}/:slug/deliveries`]: { api, url: (w) => `${url(w)}/slack/deliveries`, expect: readers },
    [`GET ${base}/:slug/deliveries/${deliveryParameter}`]: {
      api,
      setup: deliveredToApp,
      url: (w) => `${url(w)}/slack/deliveries/1`,
      expect: readers,
    },
    [`POST ${base}/:slug/deliveries/${deliveryParameter}/resend`]: {
      api,
      setup: deliveredToApp,
      url: (w) => `${url(w)}/slack/deliveries/1/resend`,
      expect: managers,
    },
  };
}

/** The rows of one integrations API mount: the list, one type, saving and deleting it. */
function integrationApiRows(
  base: string,
  url: (w: World) => string,
  readers: Expectations,
  managers: Expectations,
): Record<string, MatrixRow> {
  return {
    [`GET ${base}`]: { api: true, url, expect: readers },
    [`GET ${base}/:slug`]: { api: true, url: (w) => `${url(w)}/slack`, setup: instanceSlack, expect: readers },
    [`PUT ${base}/:slug`]: { api: true, url: (w) => `${url(w)}/slack`, form: slackParams, expect: managers },
    [`DELETE ${base}/:slug`]: { api: true, url: (w) => `${url(w)}/slack`, setup: instanceSlack, expect: managers },
  };
}

/** Only administrators change the tree and its members; who may see group "top/sub" or project "top/sub/app" gets 403. */
const API_TREE_ADMINISTRATORS = apiAllow(['admin'], ['reporter', 'developer', 'maintainer', 'owner']);
const API_READERS = apiAllow(['reporter', 'developer', 'maintainer', 'owner', 'admin']);

/** The rows of one members API mount: the direct and all members, one (`member`, a direct member), adding, changing, removing. */
function memberApiRows(
  base: string,
  url: (w: World) => string,
  administrators: Expectations,
  member: (w: World) => User,
): Record<string, MatrixRow> {
  const one = (w: World) => `${url(w)}/${member(w).id}`;
  return {
    [`GET ${base}`]: { api: true, url, expect: API_READERS },
    [`GET ${base}/all`]: { api: true, url: (w) => `${url(w)}/all`, expect: API_READERS },
    [`GET ${base}/:user_id`]: { api: true, url: one, expect: API_READERS },
    [`POST ${base}`]: {
      api: true,
      url,
      form: (w) => ({ user_id: String(w.users.nonMember.id), access_level: '30' }),
      expect: administrators,
    },
    [`PUT ${base}/:user_id`]: { api: true, url: one, form: () => ({ access_level: '30' }), expect: administrators },
    [`DELETE ${base}/:user_id`]: { api: true, url: one, expect: administrators },
  };
}

/** The rows of one enforcement API mount (instance and groups): preview, enforce, lift, push. */
function enforcementApiRows(
  base: string,
  url: (w: World) => string,
  settings: (app: Hono<AppEnv>, w: World) => Promise<unknown>,
  page: (w: World) => string,
  expect: { readers: Expectations; enforcers: Expectations; managers: Expectations },
): Record<string, MatrixRow> {
  const enforced = async (app: Hono<AppEnv>, w: World) => {
    await settings(app, w);
    await post(
      app,
      `${page(w)}/slack/enforcement`,
      { _version: '1', keys: '*', _confirmed: '1' },
      { cookie: w.cookies.admin! },
    );
  };
  return {
    [`GET ${base}/:slug/enforcement`]: {
      api: true,
      setup: settings,
      url: (w) => `${url(w)}/slack/enforcement?keys=channel`,
      expect: expect.readers,
    },
    [`PUT ${base}/:slug/enforcement`]: {
      api: true,
      setup: settings,
      url: (w) => `${url(w)}/slack/enforcement`,
      form: () => ({ keys: 'channel' }),
      expect: expect.enforcers,
    },
    [`DELETE ${base}/:slug/enforcement`]: {
      api: true,
      setup: enforced,
      url: (w) => `${url(w)}/slack/enforcement`,
      expect: expect.enforcers,
    },
    [`POST ${base}/:slug/push`]: {
      api: true,
      setup: settings,
      url: (w) => `${url(w)}/slack/push`,
      form: () => ({ keys: 'channel' }),
      expect: expect.managers,
    },
  };
}

export const PERMISSION_MATRIX: Record<string, MatrixRow> = {
  'GET /api/v4/version': { api: true, url: () => `${API}/version`, expect: API_SIGNED_IN },
  'GET /api/v4/user': { api: true, url: () => `${API}/user`, expect: API_SIGNED_IN },
  'GET /api/v4/projects': { api: true, url: () => `${API}/projects?page=1&per_page=5`, expect: API_SIGNED_IN },
  'GET /api/v4/projects/:id': {
    api: true,
    url: (w) => `${API}/projects/${encoded(APP(w))}`,
    expect: apiAllow(['reporter', 'developer', 'maintainer', 'owner', 'admin']),
  },
  'GET /api/v4/groups': { api: true, url: () => `${API}/groups?search=su`, expect: API_SIGNED_IN },
  'GET /api/v4/groups/:id': {
    api: true,
    url: (w) => `${API}/groups/${w.sub.id}`,
    expect: apiAllow(['reporter', 'developer', 'maintainer', 'owner', 'admin']),
  },
  'GET /api/v4/groups/:id/subgroups': {
    api: true,
    url: (w) => `${API}/groups/${w.top.id}/subgroups`,
    expect: apiAllow(['reporter', 'developer', 'maintainer', 'owner', 'admin']),
  },
  'GET /api/v4/groups/:id/projects': {
    api: true,
    url: (w) => `${API}/groups/${encoded(SUB(w))}/projects`,
    expect: apiAllow(['reporter', 'developer', 'maintainer', 'owner', 'admin']),
  },
  'POST /api/v4/groups': {
    api: true,
    url: () => `${API}/groups`,
    form: () => ({ name: 'Fresh', path: 'fresh' }),
    expect: API_ADMIN_ONLY,
  },
  'PUT /api/v4/groups/:id': {
    api: true,
    url: (w) => `${API}/groups/${w.sub.id}`,
    form: () => ({ description: 'Changed by API' }),
    expect: API_TREE_ADMINISTRATORS,
  },
  'DELETE /api/v4/groups/:id': { api: true, url: (w) => `${API}/groups/${w.sub.id}`, expect: API_TREE_ADMINISTRATORS },
  'POST /api/v4/groups/:id/transfer': {
    api: true,
    url: (w) => `${API}/groups/${w.sub.id}/transfer`,
    form: (w) => ({ group_id: String(w.other.id) }),
    expect: API_TREE_ADMINISTRATORS,
  },
  'POST /api/v4/projects': {
    api: true,
    url: () => `${API}/projects`,
    form: (w) => ({ name: 'Fresh', namespace_id: String(w.sub.id) }),
    expect: API_TREE_ADMINISTRATORS,
  },
  'PUT /api/v4/projects/:id': {
    api: true,
    url: (w) => `${API}/projects/${w.project.id}`,
    form: () => ({ description: 'Changed by API' }),
    expect: API_TREE_ADMINISTRATORS,
  },
  'DELETE /api/v4/projects/:id': {
    api: true,
    url: (w) => `${API}/projects/${encoded(APP(w))}`,
    expect: API_TREE_ADMINISTRATORS,
  },
  'PUT /api/v4/projects/:id/transfer': {
    api: true,
    url: (w) => `${API}/projects/${w.project.id}/transfer`,
    form: (w) => ({ namespace: w.other.fullPath }),
    expect: API_TREE_ADMINISTRATORS,
  },
  ...memberApiRows(
    '/api/v4/groups/:id/members',
    (w) => `${API}/groups/${w.sub.id}/members`,
    API_TREE_ADMINISTRATORS,
    (w) => w.users.developer,
  ),
  ...memberApiRows(
    '/api/v4/projects/:id/members',
    (w) => `${API}/projects/${w.project.id}/members`,
    API_TREE_ADMINISTRATORS,
    (w) => w.users.maintainer,
  ),
  'GET /api/v4/users': { api: true, url: () => `${API}/users?search=re`, expect: API_ADMIN_ONLY },
  'GET /api/v4/users/:id': { api: true, url: (w) => `${API}/users/${w.users.reporter.id}`, expect: API_ADMIN_ONLY },
  'POST /api/v4/users': {
    api: true,
    url: () => `${API}/users`,
    form: () => ({ name: 'Fresh', username: 'fresh', email: 'fresh@example.com', password: 'fresh-password-123' }),
    expect: API_ADMIN_ONLY,
  },
  'PUT /api/v4/users/:id': {
    api: true,
    url: (w) => `${API}/users/${w.users.reporter.id}`,
    form: () => ({ name: 'Renamed' }),
    expect: API_ADMIN_ONLY,
  },
  'POST /api/v4/users/:id/block': {
    api: true,
    url: (w) => `${API}/users/${w.users.nonMember.id}/block`,
    expect: API_ADMIN_ONLY,
  },
  'POST /api/v4/users/:id/unblock': {
    api: true,
    url: (w) => `${API}/users/${w.users.blocked.id}/unblock`,
    expect: API_ADMIN_ONLY,
  },
  'GET /api/v4/groups/:id/descendant_groups': {
    api: true,
    url: (w) => `${API}/groups/${w.top.id}/descendant_groups`,
    expect: apiAllow(['reporter', 'developer', 'maintainer', 'owner', 'admin']),
  },
  'GET /api/v4/namespaces': { api: true, url: () => `${API}/namespaces?search=o`, expect: API_SIGNED_IN },
  ...deliveryRows(
    '/api/v4/projects/:id/integrations',
    (w) => `${API}/projects/${w.project.id}/integrations`,
    API_READERS,
    apiAllow(['maintainer', 'owner', 'admin'], ['reporter', 'developer']),
    true,
  ),
  ...deliveryRows(
    '/api/v4/groups/:id/integrations',
    (w) => `${API}/groups/${encoded(SUB(w))}/integrations`,
    API_READERS,
    apiAllow(['owner', 'admin'], ['reporter', 'developer', 'maintainer']),
    true,
  ),
  ...deliveryRows(
    '/api/v4/admin/application_settings/integrations',
    () => `${API}/admin/application_settings/integrations`,
    API_ADMIN_ONLY,
    API_ADMIN_ONLY,
    true,
  ),
  ...integrationApiRows(
    '/api/v4/projects/:id/integrations',
    (w) => `${API}/projects/${w.project.id}/integrations`,
    apiAllow(['reporter', 'developer', 'maintainer', 'owner', 'admin']),
    apiAllow(['maintainer', 'owner', 'admin'], ['reporter', 'developer']),
  ),
  // GitLab's older name for the same endpoints.
  ...integrationApiRows(
    '/api/v4/projects/:id/services',
    (w) => `${API}/projects/${w.project.id}/services`,
    apiAllow(['reporter', 'developer', 'maintainer', 'owner', 'admin']),
    apiAllow(['maintainer', 'owner', 'admin'], ['reporter', 'developer']),
  ),
  ...integrationApiRows(
    '/api/v4/groups/:id/integrations',
    (w) => `${API}/groups/${encoded(SUB(w))}/integrations`,
    apiAllow(['reporter', 'developer', 'maintainer', 'owner', 'admin']),
    apiAllow(['owner', 'admin'], ['reporter', 'developer', 'maintainer']),
  ),
  ...integrationApiRows(
    '/api/v4/admin/application_settings/integrations',
    () => `${API}/admin/application_settings/integrations`,
    API_ADMIN_ONLY,
    API_ADMIN_ONLY,
  ),
  ...enforcementApiRows(
    '/api/v4/groups/:id/integrations',
    (w) => `${API}/groups/${encoded(SUB(w))}/integrations`,
    saveSubSlack,
    (w) => groupIntegrations(SUB(w)),
    {
      readers: apiAllow(['reporter', 'developer', 'maintainer', 'owner', 'admin']),
      // This world has no Maintainer of the group: test/http/api-enforcement.test.ts refuses one.
      enforcers: apiAllow(['owner', 'admin'], ['reporter', 'developer', 'maintainer']),
      managers: apiAllow(['owner', 'admin'], ['reporter', 'developer', 'maintainer']),
    },
  ),
  ...enforcementApiRows(
    '/api/v4/admin/application_settings/integrations',
    () => `${API}/admin/application_settings/integrations`,
    instanceSlack,
    () => ADMIN_INTEGRATIONS,
    {
      readers: API_ADMIN_ONLY,
      enforcers: API_ADMIN_ONLY,
      managers: API_ADMIN_ONLY,
    },
  ),

  'GET /-/health': { url: () => '/-/health', expect: PUBLIC },
  'GET /metrics': { url: () => '/metrics', expect: NOBODY },
  // A code host's hooks: no session opens it, only the connection's token or signature (code-host-hooks.test.ts).
  'POST /-/code_hosts/:id/hook': {
    setup: (_app, w) => insertConnection(w.db, 'gitlab'),
    url: () => '/-/code_hosts/1/hook',
    expect: HOOK_SENDERS_ONLY,
  },
  'GET /public/vendor/htmx.min.js': { url: () => '/public/vendor/htmx.min.js', expect: PUBLIC },
  'GET /public/*': { url: () => '/public/app.css', expect: PUBLIC },
  'GET /users/sign_in': { url: () => '/users/sign_in', expect: PUBLIC },
  'POST /users/sign_in': {
    url: () => '/users/sign_in',
    form: () => ({ username: 'reporter', password: TEST_PASSWORD }),
    expect: PUBLIC,
  },
  'POST /users/sign_out': { url: () => '/users/sign_out', expect: PUBLIC },
  // Open to everyone like the sign-in form; the world has no connection that offers sign-in, so
  // every actor gets 404 (host-sign-in.test.ts goes through the whole flow).
  // "Forgot your password?" exists only where mail is configured, which the world's is not
  // (password-resets.test.ts covers it with an SMTP server).
  'GET /users/password/new': { url: () => '/users/password/new', expect: NOBODY },
  'POST /users/password': {
    url: () => '/users/password',
    form: () => ({ email: 'reporter@example.com' }),
    expect: NOBODY,
  },
  'GET /users/password/edit': { url: () => '/users/password/edit?reset_password_token=x', expect: NOBODY },
  'POST /users/password/edit': {
    url: () => '/users/password/edit',
    form: () => ({ reset_password_token: 'x', new_password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD }),
    expect: NOBODY,
  },
  'GET /users/auth/:id': { url: () => '/users/auth/1', expect: NOBODY },
  'GET /users/auth/:id/callback': { url: () => '/users/auth/1/callback?code=x&state=y', expect: NOBODY },
  'GET /': { url: () => '/', expect: SIGNED_IN },

  'GET /admin': { url: () => '/admin', expect: ADMIN_ONLY },
  'GET /admin/users': { url: () => '/admin/users?search=re&page=1', expect: ADMIN_ONLY },
  'GET /admin/users/new': { url: () => '/admin/users/new', expect: ADMIN_ONLY },
  'POST /admin/users': {
    url: () => '/admin/users',
    form: () => ({
      name: 'Newcomer',
      username: 'newcomer',
      email: 'newcomer@example.com',
      password: 'long-enough-password',
    }),
    expect: ADMIN_ONLY,
  },
  'GET /admin/users/:id/edit': { url: (w) => `/admin/users/${w.users.nonMember.id}/edit`, expect: ADMIN_ONLY },
  'POST /admin/users/:id': {
    url: (w) => `/admin/users/${w.users.nonMember.id}`,
    form: () => ({ name: 'Renamed', email: 'renamed@example.com' }),
    expect: ADMIN_ONLY,
  },
  'POST /admin/users/:id/password': {
    url: (w) => `/admin/users/${w.users.nonMember.id}/password`,
    form: () => ({ new_password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD }),
    expect: ADMIN_ONLY,
  },
  // Unconfirmed: a permitted user gets the confirmation step (200).
  'POST /admin/users/:id/delete': { url: (w) => `/admin/users/${w.users.nonMember.id}/delete`, expect: ADMIN_ONLY },
  'POST /admin/users/:id/make_admin': {
    url: (w) => `/admin/users/${w.users.nonMember.id}/make_admin`,
    expect: ADMIN_ONLY,
  },
  'POST /admin/users/:id/revoke_admin': {
    url: (w) => `/admin/users/${w.users.nonMember.id}/revoke_admin`,
    expect: ADMIN_ONLY,
  },
  'POST /admin/users/:id/block': { url: (w) => `/admin/users/${w.users.nonMember.id}/block`, expect: ADMIN_ONLY },
  'POST /admin/users/:id/unblock': { url: (w) => `/admin/users/${w.users.blocked.id}/unblock`, expect: ADMIN_ONLY },

  'GET /admin/groups': { url: () => '/admin/groups', expect: ADMIN_ONLY },
  'GET /admin/groups/new': { url: (w) => `/admin/groups/new?parent_id=${w.top.id}`, expect: ADMIN_ONLY },
  'POST /admin/groups': { url: () => '/admin/groups', form: newGroupForm, expect: ADMIN_ONLY },
  'GET /admin/groups/:id': { url: (w) => `/admin/groups/${w.sub.id}`, expect: ADMIN_ONLY },
  'POST /admin/groups/:id/members': {
    url: (w) => `/admin/groups/${w.sub.id}/members`,
    form: () => ({ username: 'stranger', role: 'developer' }),
    expect: ADMIN_ONLY,
  },
  'POST /admin/groups/:id/members/:memberId': {
    url: (w) => `/admin/groups/${w.sub.id}/members/${w.memberships.reporter.id}`,
    form: () => ({ role: 'developer' }),
    expect: ADMIN_ONLY,
  },
  'POST /admin/groups/:id/members/:memberId/delete': {
    url: (w) => `/admin/groups/${w.sub.id}/members/${w.memberships.reporter.id}/delete`,
    expect: ADMIN_ONLY,
  },

  'GET /admin/projects': { url: () => '/admin/projects?search=app', expect: ADMIN_ONLY },
  'GET /admin/projects/new': { url: (w) => `/admin/projects/new?group_id=${w.sub.id}`, expect: ADMIN_ONLY },
  'POST /admin/projects': {
    url: () => '/admin/projects',
    form: (w) => ({ name: 'Fresh', group_id: String(w.sub.id), path: 'fresh', description: '' }),
    expect: ADMIN_ONLY,
  },
  'GET /admin/projects/:id': { url: (w) => `/admin/projects/${w.project.id}`, expect: ADMIN_ONLY },
  'POST /admin/projects/:id/members': {
    url: (w) => `/admin/projects/${w.project.id}/members`,
    form: () => ({ username: 'stranger', role: 'reporter' }),
    expect: ADMIN_ONLY,
  },
  'POST /admin/projects/:id/members/:memberId': {
    url: (w) => `/admin/projects/${w.project.id}/members/${w.memberships.maintainer.id}`,
    form: () => ({ role: 'developer' }),
    expect: ADMIN_ONLY,
  },
  'POST /admin/projects/:id/members/:memberId/delete': {
    url: (w) => `/admin/projects/${w.project.id}/members/${w.memberships.maintainer.id}/delete`,
    expect: ADMIN_ONLY,
  },

  'GET /admin/application_settings/integrations': { url: () => ADMIN_INTEGRATIONS, expect: ADMIN_ONLY },
  ...deliveryRows('/admin/application_settings/integrations', () => ADMIN_INTEGRATIONS, ADMIN_ONLY, ADMIN_ONLY),
  'GET /admin/application_settings/integrations/:slug': {
    url: () => `${ADMIN_INTEGRATIONS}/slack`,
    expect: ADMIN_ONLY,
  },
  'GET /admin/application_settings/integrations/:slug/fields': {
    url: () => `${ADMIN_INTEGRATIONS}/slack/fields?inheritance=custom`,
    expect: ADMIN_ONLY,
  },
  'POST /admin/application_settings/integrations/:slug': {
    url: () => `${ADMIN_INTEGRATIONS}/slack`,
    form: settingsForm,
    expect: ADMIN_ONLY,
  },
  'POST /admin/application_settings/integrations/:slug/test': {
    url: () => `${ADMIN_INTEGRATIONS}/slack/test`,
    form: testForm,
    expect: ADMIN_ONLY,
  },
  'GET /admin/application_settings/integrations/:slug/overrides': {
    url: () => `${ADMIN_INTEGRATIONS}/slack/overrides?search=app`,
    expect: ADMIN_ONLY,
  },
  // Nothing selected: a permitted user is sent back to the list (303) with a message.
  'POST /admin/application_settings/integrations/:slug/overrides/reset': {
    url: () => `${ADMIN_INTEGRATIONS}/slack/overrides/reset`,
    expect: ADMIN_ONLY,
  },
  // Unconfirmed: a permitted user gets the confirmation step (200).
  'POST /admin/application_settings/integrations/:slug/reset': {
    url: () => `${ADMIN_INTEGRATIONS}/slack/reset`,
    expect: ADMIN_ONLY,
  },
  'GET /admin/application_settings/integrations/:slug/enforcement': {
    url: () => `${ADMIN_INTEGRATIONS}/slack/enforcement`,
    expect: ADMIN_ONLY,
  },
  // Unconfirmed: a permitted user gets the confirmation step with the impact (200).
  'POST /admin/application_settings/integrations/:slug/enforcement': {
    setup: (app, w) => saveInstanceSlack(app, w.cookies.admin!),
    url: () => `${ADMIN_INTEGRATIONS}/slack/enforcement`,
    form: () => ({ _version: '1', keys: 'webhook', reason: 'One workspace' }),
    expect: ADMIN_ONLY,
  },
  'POST /admin/application_settings/integrations/:slug/push': {
    setup: (app, w) => saveInstanceSlack(app, w.cookies.admin!),
    url: () => `${ADMIN_INTEGRATIONS}/slack/push`,
    form: () => ({ push_keys: 'channel' }),
    expect: ADMIN_ONLY,
  },
  // Nothing paused: a permitted user is sent back to the page (303) with a message.
  'POST /admin/application_settings/integrations/:slug/reenable': {
    url: () => `${ADMIN_INTEGRATIONS}/slack/reenable`,
    expect: ADMIN_ONLY,
  },
  'GET /admin/integration_health': { url: () => '/admin/integration_health', expect: ADMIN_ONLY },
  'GET /admin/application_settings/network': { url: () => '/admin/application_settings/network', expect: ADMIN_ONLY },
  'POST /admin/application_settings/network': {
    url: () => '/admin/application_settings/network',
    form: () => ({ allow_local_requests: '0', outbound_allowlist: '10.0.0.0/8' }),
    expect: ADMIN_ONLY,
  },
  'GET /admin/code_hosts': { url: () => '/admin/code_hosts', expect: ADMIN_ONLY },
  'GET /admin/code_hosts/new': { url: () => '/admin/code_hosts/new', expect: ADMIN_ONLY },
  'POST /admin/code_hosts': {
    url: () => '/admin/code_hosts',
    form: () => ({ kind: 'gitea', url: 'https://gitea.example.com', token: 'gitea-token', reconcile_minutes: '60' }),
    expect: ADMIN_ONLY,
  },
  'GET /admin/code_hosts/:id': { url: (w) => `/admin/code_hosts/${w.codeHost.id}`, expect: ADMIN_ONLY },
  'GET /admin/code_hosts/:id/progress': {
    url: (w) => `/admin/code_hosts/${w.codeHost.id}/progress`,
    expect: ADMIN_ONLY,
  },
  'GET /admin/code_hosts/:id/edit': { url: (w) => `/admin/code_hosts/${w.codeHost.id}/edit`, expect: ADMIN_ONLY },
  // The same URL and a blank token: saved without asking the host.
  'POST /admin/code_hosts/:id': {
    url: (w) => `/admin/code_hosts/${w.codeHost.id}`,
    form: (w) => ({ url: w.codeHost.url, token: '', admins_are_admins: '1', reconcile_minutes: '30' }),
    expect: ADMIN_ONLY,
  },
  'POST /admin/code_hosts/:id/pause': { url: (w) => `/admin/code_hosts/${w.codeHost.id}/pause`, expect: ADMIN_ONLY },
  'POST /admin/code_hosts/:id/resume': {
    url: (w) => `/admin/code_hosts/${w.codeHost.id}/resume`,
    expect: ADMIN_ONLY,
  },
  'POST /admin/code_hosts/:id/sync': { url: (w) => `/admin/code_hosts/${w.codeHost.id}/sync`, expect: ADMIN_ONLY },
  // Unconfirmed: a permitted user gets the confirmation step with what stays (200).
  'POST /admin/code_hosts/:id/remove': {
    url: (w) => `/admin/code_hosts/${w.codeHost.id}/remove`,
    expect: ADMIN_ONLY,
  },
  'GET /admin/personal_access_tokens': { url: () => '/admin/personal_access_tokens?page=1', expect: ADMIN_ONLY },
  // Unconfirmed: a permitted user gets the confirmation step (200).
  'POST /admin/personal_access_tokens/:id/revoke': {
    url: (w) => `/admin/personal_access_tokens/${w.reporterToken.id}/revoke`,
    expect: ADMIN_ONLY,
  },
  'GET /-/user_settings/password/edit': { url: () => '/-/user_settings/password/edit', expect: SIGNED_IN },
  'POST /-/user_settings/password': {
    url: () => '/-/user_settings/password',
    form: () => ({ current_password: TEST_PASSWORD, new_password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD }),
    expect: SIGNED_IN,
  },
  'GET /-/user_settings/personal_access_tokens': {
    url: () => '/-/user_settings/personal_access_tokens',
    expect: SIGNED_IN,
  },
  'POST /-/user_settings/personal_access_tokens': {
    url: () => '/-/user_settings/personal_access_tokens',
    form: () => ({
      name: 'Script',
      scopes: 'read_api',
      expires_at: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
    }),
    expect: SIGNED_IN,
  },
  // Only the token's own user may revoke it here; for everyone else it does not exist.
  'POST /-/user_settings/personal_access_tokens/:id/revoke': {
    url: (w) => `/-/user_settings/personal_access_tokens/${w.reporterToken.id}/revoke`,
    expect: allow(['reporter']),
  },
  // Fresh database: the connection the setup adds is number 1.
  'GET /admin/code_hosts/:id/events': {
    setup: (_app, w) => insertConnection(w.db, 'gitlab'),
    url: () => '/admin/code_hosts/1/events?outcome=failed&before=10',
    expect: ADMIN_ONLY,
  },
  'GET /admin/audit_events': {
    url: () => '/admin/audit_events?integration=slack&level=group&before=10',
    expect: ADMIN_ONLY,
  },
  'GET /admin/audit_events/export.csv': {
    url: () => '/admin/audit_events/export.csv?integration=slack&from=2026-01-01',
    expect: ADMIN_ONLY,
  },
  'GET /admin/audit_events/export.json': {
    url: () => '/admin/audit_events/export.json?level=group&to=2099-12-31',
    expect: ADMIN_ONLY,
  },
  'POST /admin/groups/:id/move': {
    url: (w) => `/admin/groups/${w.sub.id}/move`,
    form: (w) => ({ parent_id: String(w.other.id) }),
    expect: ADMIN_ONLY,
  },
  'POST /admin/projects/:id/move': {
    url: (w) => `/admin/projects/${w.project.id}/move`,
    form: (w) => ({ group_id: String(w.other.id) }),
    expect: ADMIN_ONLY,
  },

  'GET /groups/:fullPath': { url: (w) => `/groups/${SUB(w)}`, expect: SUB_READERS },
  'GET /groups/:fullPath/-/settings/integrations': { url: (w) => groupIntegrations(SUB(w)), expect: SUB_READERS },
  'GET /groups/:fullPath/-/settings/integrations/:slug': {
    url: (w) => `${groupIntegrations(SUB(w))}/slack`,
    expect: SUB_READERS,
  },
  'GET /groups/:fullPath/-/settings/integrations/:slug/fields': {
    url: (w) => `${groupIntegrations(SUB(w))}/slack/fields?inheritance=custom`,
    expect: SUB_READERS,
  },
  'POST /groups/:fullPath/-/settings/integrations/:slug': {
    url: (w) => `${groupIntegrations(SUB(w))}/slack`,
    form: settingsForm,
    expect: SUB_MANAGERS,
  },
  'POST /groups/:fullPath/-/settings/integrations/:slug/test': {
    url: (w) => `${groupIntegrations(SUB(w))}/slack/test`,
    form: testForm,
    expect: SUB_MANAGERS,
  },
  'GET /groups/:fullPath/-/settings/integrations/:slug/overrides': {
    url: (w) => `${groupIntegrations(SUB(w))}/slack/overrides`,
    expect: SUB_READERS,
  },
  'POST /groups/:fullPath/-/settings/integrations/:slug/overrides/reset': {
    url: (w) => `${groupIntegrations(SUB(w))}/slack/overrides/reset`,
    expect: SUB_MANAGERS,
  },
  'POST /groups/:fullPath/-/settings/integrations/:slug/reset': {
    url: (w) => `${groupIntegrations(SUB(w))}/slack/reset`,
    expect: SUB_MANAGERS,
  },
  'GET /groups/:fullPath/-/settings/integrations/:slug/enforcement': {
    url: (w) => `${groupIntegrations(SUB(w))}/slack/enforcement`,
    expect: SUB_READERS,
  },
  // Owners enforce (this world has no Maintainer of the group; enforcement.test.ts refuses one).
  'POST /groups/:fullPath/-/settings/integrations/:slug/enforcement': {
    setup: saveSubSlack,
    url: (w) => `${groupIntegrations(SUB(w))}/slack/enforcement`,
    form: () => ({ _version: '1', keys: '*' }),
    expect: SUB_MANAGERS,
  },
  'POST /groups/:fullPath/-/settings/integrations/:slug/push': {
    setup: saveSubSlack,
    url: (w) => `${groupIntegrations(SUB(w))}/slack/push`,
    form: () => ({ push_keys: '*' }),
    expect: SUB_MANAGERS,
  },

  ...deliveryRows(
    '/groups/:fullPath/-/settings/integrations',
    (w) => groupIntegrations(SUB(w)),
    SUB_READERS,
    SUB_MANAGERS,
  ),
  'POST /groups/:fullPath/-/settings/integrations/:slug/reenable': {
    url: (w) => `${groupIntegrations(SUB(w))}/slack/reenable`,
    expect: SUB_MANAGERS,
  },
  'GET /groups/:fullPath/-/audit_events': { url: (w) => `/groups/${SUB(w)}/-/audit_events`, expect: SUB_MANAGERS },
  // Renaming and deleting a group: its Owners (the owner of "top") and administrators.
  'GET /groups/:fullPath/-/edit': { url: (w) => `/groups/${SUB(w)}/-/edit`, expect: SUB_MANAGERS },
  'POST /groups/:fullPath/-/edit': {
    url: (w) => `/groups/${SUB(w)}/-/edit`,
    form: () => ({ name: 'Renamed' }),
    expect: SUB_MANAGERS,
  },
  /** Unconfirmed: the confirmation page, so that nothing is deleted. */
  'POST /groups/:fullPath/-/delete': { url: (w) => `/groups/${SUB(w)}/-/delete`, expect: SUB_MANAGERS },
  'GET /:fullPath/-/audit_events': { url: (w) => `/${APP(w)}/-/audit_events?user=admin`, expect: APP_MANAGERS },
  // Renaming and deleting a project: its Maintainers, the Owners of its groups, administrators.
  'GET /:fullPath/-/edit': { url: (w) => `/${APP(w)}/-/edit`, expect: APP_MANAGERS },
  'POST /:fullPath/-/edit': {
    url: (w) => `/${APP(w)}/-/edit`,
    form: () => ({ name: 'Renamed' }),
    expect: APP_MANAGERS,
  },
  'POST /:fullPath/-/delete': { url: (w) => `/${APP(w)}/-/delete`, expect: APP_MANAGERS },
  'GET /groups/:fullPath/-/audit_events/export.csv': {
    url: (w) => `/groups/${SUB(w)}/-/audit_events/export.csv`,
    expect: SUB_MANAGERS,
  },
  'GET /groups/:fullPath/-/audit_events/export.json': {
    url: (w) => `/groups/${SUB(w)}/-/audit_events/export.json`,
    expect: SUB_MANAGERS,
  },
  'GET /:fullPath/-/audit_events/export.csv': {
    url: (w) => `/${APP(w)}/-/audit_events/export.csv?user=admin`,
    expect: APP_MANAGERS,
  },
  'GET /:fullPath/-/audit_events/export.json': {
    url: (w) => `/${APP(w)}/-/audit_events/export.json?from=2026-01-01&to=2026-01-31`,
    expect: APP_MANAGERS,
  },
  'GET /:fullPath': { url: (w) => `/${APP(w)}`, expect: APP_READERS },
  'GET /:fullPath/-/settings/integrations': { url: (w) => projectIntegrations(APP(w)), expect: APP_READERS },
  'GET /:fullPath/-/settings/integrations/:slug': {
    url: (w) => `${projectIntegrations(APP(w))}/slack`,
    expect: APP_READERS,
  },
  'GET /:fullPath/-/settings/integrations/:slug/fields': {
    url: (w) => `${projectIntegrations(APP(w))}/slack/fields?inheritance=custom`,
    expect: APP_READERS,
  },
  'POST /:fullPath/-/settings/integrations/:slug': {
    url: (w) => `${projectIntegrations(APP(w))}/slack`,
    form: settingsForm,
    expect: APP_MANAGERS,
  },
  'POST /:fullPath/-/settings/integrations/:slug/test': {
    url: (w) => `${projectIntegrations(APP(w))}/slack/test`,
    form: testForm,
    expect: APP_MANAGERS,
  },
  ...deliveryRows('/:fullPath/-/settings/integrations', (w) => projectIntegrations(APP(w)), APP_READERS, APP_MANAGERS),
  'POST /:fullPath/-/settings/integrations/:slug/reenable': {
    url: (w) => `${projectIntegrations(APP(w))}/slack/reenable`,
    expect: APP_MANAGERS,
  },
};
