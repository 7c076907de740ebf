/**
 * "Sign in with <host>" through a real OpenID Provider (oidc-provider, over HTTP on 127.0.0.1)
 * playing the connection's sign-in: the button, the whole flow, and every way it is refused.
 * The app is exercised through app.request; the browser's hops on the host are followed with fetch.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { findSessionUser, SESSION_COOKIE } from '../../src/auth/sessions.js';
import { createHostClient } from '../../src/code-hosts/clients.js';
import type { HostClientFactory } from '../../src/code-hosts/host.js';
import { HostSecrets } from '../../src/code-hosts/secrets.js';
import { writeConnection } from '../../src/db/client.js';
import { codeHosts, members, sessions, users, type CodeHost, type User } from '../../src/db/schema.js';
import { saveNetworkSettings } from '../../src/model/network-settings.js';
import { createGroup } from '../../src/model/groups.js';
import { createTestApp, get, insertUser, ORIGIN, post, textOf, type TestApp } from '../support/app.js';
import { followHostRedirects, startOidcHost, type HostAccount, type OidcHost } from '../support/oidc-host.js';
import { startTestGitLab } from '../support/test-gitlab.js';
import { HostTree } from '../support/test-host.js';
import { must } from '../support/world.js';

const SECRET_KEY_BASE = 'test-secret-key-base-that-is-long-enough-0123456789';
const CLIENT_ID = 'cascade-application-id';
const CLIENT_SECRET = 'gloas-application-secret-0123456789';

const ADA: HostAccount = { sub: '42', username: 'ada', name: 'Ada Lovelace', email: 'ada@host.example' };
const STRANGER: HostAccount = { sub: '99', username: 'stranger', name: 'Someone Else', email: 'x@host.example' };

const running: OidcHost[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((host) => host.close()));
});

interface ConnectionOptions {
  kind?: CodeHost['kind'];
  name?: string;
  withApplication?: boolean;
  paused?: boolean;
  adminsAreAdmins?: boolean;
}

async function insertConnection(t: TestApp, url: string, options: ConnectionOptions = {}): Promise<CodeHost> {
  const secrets = new HostSecrets(SECRET_KEY_BASE);
  const withApplication = options.withApplication ?? true;
  const [row] = await writeConnection(t.db)
    .insert(codeHosts)
    .values({
      kind: options.kind ?? 'gitlab',
      name: options.name ?? 'gitlab.example.com',
      url,
      token: secrets.seal(url, 'token', 'glpat-admin-token'),
      hookSecret: secrets.seal(url, 'hookSecret', 'hook-secret'),
      adminsAreAdmins: options.adminsAreAdmins ?? false,
      pausedAt: options.paused ? new Date() : null,
      oidcClientId: withApplication ? CLIENT_ID : null,
      oidcClientSecret: withApplication ? secrets.seal(url, 'oidcClientSecret', CLIENT_SECRET) : null,
    })
    .returning();
  return row!;
}

const callbackOf = (connection: CodeHost) => `${ORIGIN}/users/auth/${connection.id}/callback`;

/** Network settings that let Cascade reach the provider on the loopback, as an administrator would allow a local host. */
async function allowLoopback(t: TestApp): Promise<void> {
  const root = await insertUser(t.db, 'root', { isAdmin: true });
  await saveNetworkSettings(t.db, { allow_local_requests: false, outbound_allowlist: '127.0.0.1' }, root);
}

/** A test app, a provider and a connection to it with its application. */
async function setUp(options: ConnectionOptions & { accounts?: HostAccount[]; hostClients?: HostClientFactory } = {}) {
  const t = await createTestApp(options.hostClients ? { hostClients: options.hostClients } : {});
  await allowLoopback(t);
  let connection!: CodeHost;
  const host = await startOidcHost(async (url) => {
    connection = await insertConnection(t, url, options);
    return {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [callbackOf(connection)],
      accounts: options.accounts ?? [ADA, STRANGER],
      issuerWithSlash: connection.kind !== 'gitlab',
    };
  });
  running.push(host);
  return { t, host, connection };
}

/** An imported user: the host's id on the connection, and the unusable password the import gives. */
function importUser(t: TestApp, connection: CodeHost, account: HostAccount, extra: Partial<User> = {}) {
  return insertUser(t.db, account.username, {
    codeHostId: connection.id,
    hostId: Number(account.sub),
    passwordHash: '!',
    ...extra,
  });
}

const pendingCookieOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .find((line) => line.startsWith('cascade_host_sign_in='))
    ?.split(';')[0];

const sessionTokenOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .find((line) => line.startsWith(`${SESSION_COOKIE}=`))
    ?.split(';')[0]
    ?.slice(SESSION_COOKIE.length + 1);

/** Follows the button, goes through the host, and returns the host's redirect back and the pending cookie. */
async function throughHost(t: TestApp, connection: CodeHost, query = '') {
  const started = await get(t.app, `/users/auth/${connection.id}${query}`);
  expect(started.status).toBe(302);
  const authorizationUrl = started.headers.get('location')!;
  const back = await followHostRedirects(authorizationUrl, callbackOf(connection));
  return { authorizationUrl: new URL(authorizationUrl), back, cookie: pendingCookieOf(started)! };
}

async function signInThroughHost(t: TestApp, connection: CodeHost, query = '') {
  const { back, cookie } = await throughHost(t, connection, query);
  return get(t.app, `${back.pathname}${back.search}`, { cookie });
}

describe('the "Sign in with" buttons', () => {
  it('appear for the connections with an application that are not paused, as links that carry redirect_to', async () => {
    const t = await createTestApp();
    const offered = await insertConnection(t, 'https://gitlab.example.com', { name: 'gitlab.example.com' });
    await insertConnection(t, 'https://gitea.example.com', { name: 'gitea.example.com', withApplication: false });
    await insertConnection(t, 'https://paused.example.com', { name: 'paused.example.com', paused: true });
    const html = await (await get(t.app, '/users/sign_in?redirect_to=%2Fgroups%2Ftop')).text();
    expect(textOf(html)).toContain('Sign in with gitlab.example.com');
    expect(textOf(html)).not.toContain('Sign in with gitea.example.com');
    expect(textOf(html)).not.toContain('Sign in with paused.example.com');
    expect(html).toContain(`href="/users/auth/${offered.id}?redirect_to=%2Fgroups%2Ftop"`);
    expect(html).not.toContain(CLIENT_SECRET);
  });

  it('are absent without any connection', async () => {
    const t = await createTestApp();
    expect(textOf(await (await get(t.app, '/users/sign_in')).text())).not.toContain('Sign in with');
  });

  it('lead nowhere for a connection without an application', async () => {
    const t = await createTestApp();
    const bare = await insertConnection(t, 'https://gitea.example.com', { withApplication: false });
    expect((await get(t.app, `/users/auth/${bare.id}`)).status).toBe(404);
    expect((await get(t.app, `/users/auth/${bare.id}/callback?code=x&state=y`)).status).toBe(404);
  });
});

describe('signing in through the host', () => {
  it('asks for openid profile email with PKCE, state and nonce, and keeps them in a sealed, short-lived cookie', async () => {
    const { t, connection, host } = await setUp();
    const started = await get(t.app, `/users/auth/${connection.id}`);
    const location = new URL(started.headers.get('location')!);
    expect(location.origin).toBe(host.url);
    const query = Object.fromEntries(location.searchParams);
    expect(query).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'code',
      scope: 'openid profile email',
      redirect_uri: callbackOf(connection),
      code_challenge_method: 'S256',
    });
    expect(query.state).toMatch(/^[\w-]{20,}$/);
    expect(query.nonce).toMatch(/^[\w-]{20,}$/);
    expect(query.code_challenge).toMatch(/^[\w-]{43}$/);
    expect(location.href).not.toContain(CLIENT_SECRET);
    const line = started.headers.getSetCookie().find((cookie) => cookie.startsWith('cascade_host_sign_in='))!;
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/SameSite=Lax/i);
    expect(line).toMatch(/Max-Age=600/);
    expect(line).toMatch(/Path=\/users\/auth/);
    expect(line).not.toContain(query.state!);
    expect(host.requests).toContain('GET /.well-known/openid-configuration');
  });

  it('signs the imported user in with their synced roles and follows redirect_to', async () => {
    const { t, connection, host } = await setUp();
    const ada = await importUser(t, connection, ADA);
    const group = must(await createGroup(t.db, { name: 'Platform', path: 'platform' }));
    await writeConnection(t.db)
      .insert(members)
      .values({ userId: ada.id, groupId: group.id, accessLevel: 40, codeHostId: connection.id });

    const response = await signInThroughHost(t, connection, '?redirect_to=%2Fgroups%2Fplatform');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/groups/platform');
    const token = sessionTokenOf(response)!;
    expect((await findSessionUser(t.db, token))?.id).toBe(ada.id);
    expect(host.requests).toContain('POST /token');

    const cookie = `${SESSION_COOKIE}=${token}`;
    const page = await get(t.app, '/groups/platform', { cookie });
    expect(page.status).toBe(200);
    expect(textOf(await page.text())).toContain('Platform');
    // The group's settings are for maintainers and up: the role synced from the host (40) opens them.
    expect((await get(t.app, '/groups/platform/-/settings/integrations', { cookie })).status).toBe(200);
    expect((await get(t.app, '/admin', { cookie })).status).toBe(404);
  });

  it.each(['gitea', 'forgejo'] as const)(
    'signs in through a %s connection, whose issuer ends with a slash',
    async (kind) => {
      const { t, connection } = await setUp({ kind, name: `${kind}.example.com` });
      const ada = await importUser(t, connection, ADA);
      const response = await signInThroughHost(t, connection);
      expect(response.status).toBe(303);
      expect((await findSessionUser(t.db, sessionTokenOf(response)!))?.id).toBe(ada.id);
    },
  );

  it('says so to a host user with no imported account, and starts no session', async () => {
    const { t, connection, host } = await setUp();
    host.signInAs(STRANGER.sub);
    const response = await signInThroughHost(t, connection);
    expect(response.status).toBe(401);
    expect(textOf(await response.text())).toContain(
      'No Cascade account is linked to your gitlab.example.com account (stranger). Ask an administrator to import it from gitlab.example.com.',
    );
    expect(sessionTokenOf(response)).toBeUndefined();
    expect(await t.db.select().from(sessions)).toEqual([]);
    expect(await t.db.select().from(users).where(eq(users.username, 'stranger'))).toEqual([]);
  });

  it('does not take a local user of the same name for the host user', async () => {
    const { t, connection } = await setUp();
    await insertUser(t.db, 'ada');
    const response = await signInThroughHost(t, connection);
    expect(response.status).toBe(401);
    expect(await t.db.select().from(sessions)).toEqual([]);
  });

  it('refuses a blocked user as the password sign-in does (401)', async () => {
    const { t, connection } = await setUp();
    await importUser(t, connection, ADA, { blockedAt: new Date() });
    const response = await signInThroughHost(t, connection);
    expect(response.status).toBe(401);
    expect(textOf(await response.text())).toContain('Your account has been blocked. Contact your administrator.');
    expect(await t.db.select().from(sessions)).toEqual([]);
  });

  it('refuses a tampered state, a missing cookie and another sign-in`s cookie', async () => {
    const { t, connection } = await setUp();
    await importUser(t, connection, ADA);
    const { back, cookie } = await throughHost(t, connection);
    const tampered = new URL(back);
    tampered.searchParams.set('state', `${back.searchParams.get('state')}x`);
    const refused = await get(t.app, `${tampered.pathname}${tampered.search}`, { cookie });
    expect(refused.status).toBe(400);
    expect(textOf(await refused.text())).toContain(
      'The sign-in with gitlab.example.com expired or was not started here.',
    );

    const noCookie = await get(t.app, `${back.pathname}${back.search}`);
    expect(noCookie.status).toBe(400);

    const other = await throughHost(t, connection);
    const crossed = await get(t.app, `${back.pathname}${back.search}`, { cookie: other.cookie });
    expect(crossed.status).toBe(400);
    expect(await t.db.select().from(sessions)).toEqual([]);
  });

  it('refuses a code used twice', async () => {
    const { t, connection } = await setUp();
    await importUser(t, connection, ADA);
    const { back, cookie } = await throughHost(t, connection);
    expect((await get(t.app, `${back.pathname}${back.search}`, { cookie })).status).toBe(303);
    const again = await get(t.app, `${back.pathname}${back.search}`, { cookie });
    expect(again.status).toBe(400);
    expect(textOf(await again.text())).toContain('gitlab.example.com refused the sign-in');
  });

  it('says so when the user denies the application on the host', async () => {
    const { t, connection, host } = await setUp();
    await importUser(t, connection, ADA);
    host.signInAs('deny');
    const response = await signInThroughHost(t, connection);
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain('gitlab.example.com did not sign you in: access was denied.');
    expect(await t.db.select().from(sessions)).toEqual([]);
  });

  it('refuses the code of another sign-in (its PKCE verifier does not match)', async () => {
    const { t, connection } = await setUp();
    await importUser(t, connection, ADA);
    const first = await throughHost(t, connection);
    const second = await throughHost(t, connection);
    // The second sign-in's cookie and state with the first's code.
    const mixed = new URL(first.back);
    mixed.searchParams.set('state', second.back.searchParams.get('state')!);
    const response = await get(t.app, `${mixed.pathname}${mixed.search}`, { cookie: second.cookie });
    expect(response.status).toBe(400);
    expect(await t.db.select().from(sessions)).toEqual([]);
  });

  it.each([
    ['a nonce of another sign-in', (claims: Record<string, unknown>) => void (claims.nonce = 'another-sign-in')],
    ['another audience', (claims: Record<string, unknown>) => void (claims.aud = 'another-application')],
    ['another issuer', (claims: Record<string, unknown>) => void (claims.iss = 'https://elsewhere.example')],
    [
      'an expiry in the past',
      (claims: Record<string, unknown>) => void (claims.exp = Math.floor(Date.now() / 1000) - 3600),
    ],
  ])('refuses an ID token with %s', async (_what, change) => {
    const { t, connection, host } = await setUp();
    await importUser(t, connection, ADA);
    host.tamperWithIdTokens(change);
    const response = await signInThroughHost(t, connection);
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain('gitlab.example.com sent an ID token that is not valid');
    expect(await t.db.select().from(sessions)).toEqual([]);
  });

  it('holds the host to the Network settings: a host on the loopback needs the allowlist', async () => {
    const { t, connection } = await setUp();
    const root = (await t.db.select().from(users).where(eq(users.username, 'root')))[0]!;
    await saveNetworkSettings(t.db, { allow_local_requests: false, outbound_allowlist: '' }, root);
    const response = await get(t.app, `/users/auth/${connection.id}`);
    expect(response.status).toBe(502);
    expect(textOf(await response.text())).toContain(
      'gitlab.example.com could not be reached: Requests to the local network are not allowed: 127.0.0.1 is a loopback address.',
    );
  });

  it('counts failed callbacks per address and refuses them after 30 in 15 minutes', async () => {
    const { t, connection } = await setUp();
    for (let attempt = 0; attempt < 30; attempt++) {
      expect((await get(t.app, `/users/auth/${connection.id}/callback?code=x&state=y`)).status).toBe(400);
    }
    const refused = await get(t.app, `/users/auth/${connection.id}/callback?code=x&state=y`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('whether the host`s administrators are Cascade administrators', () => {
  /**
   * Ada imported from a test GitLab that answers the connection's API calls, while the provider
   * plays its sign-in: the connection's administrator token asks the test GitLab about her.
   */
  async function adaOnGitLab(options: { adminsAreAdmins: boolean; hostAdmin: boolean; flagged?: boolean }) {
    const tree = new HostTree();
    tree.addUser({ username: 'root', name: 'Administrator', isAdmin: true });
    const onHost = tree.addUser({ username: 'ada', isAdmin: options.hostAdmin });
    const gitlab = await startTestGitLab({ tree });
    onTestFinished(() => gitlab.close());
    const toGitLab: HostClientFactory = (target, policy, patience) =>
      createHostClient({ ...target, url: gitlab.url }, policy, patience);
    const account = { ...ADA, sub: String(onHost.id) };
    const { t, connection } = await setUp({
      adminsAreAdmins: options.adminsAreAdmins,
      accounts: [account],
      hostClients: toGitLab,
    });
    const ada = await importUser(t, connection, account, { isAdmin: options.flagged ?? false });
    const signIn = async () => {
      const response = await signInThroughHost(t, connection);
      const cookie = `${SESSION_COOKIE}=${sessionTokenOf(response)}`;
      return {
        admin: (await get(t.app, '/admin', { cookie })).status === 200,
        stored: (await t.db.select().from(users).where(eq(users.id, ada.id)))[0]!.isAdmin,
      };
    };
    return { gitlab, onHost, signIn };
  }

  it('off (the default): an administrator on the host is not one in Cascade, and a stored flag is cleared', async () => {
    const { gitlab, signIn } = await adaOnGitLab({ adminsAreAdmins: false, hostAdmin: true, flagged: true });
    expect(await signIn()).toEqual({ admin: false, stored: false });
    expect(gitlab.requests.filter((request) => request.path.startsWith('/api/v4/users/'))).toEqual([]);
  });

  it('on: an administrator on the host becomes one at sign-in, and stops being one once the host takes it away', async () => {
    const { gitlab, onHost, signIn } = await adaOnGitLab({ adminsAreAdmins: true, hostAdmin: true });
    expect(await signIn()).toEqual({ admin: true, stored: true });
    expect(gitlab.requests.map((request) => request.path)).toContain(`/api/v4/users/${onHost.id}`);
    onHost.isAdmin = false;
    expect(await signIn()).toEqual({ admin: false, stored: false });
  });

  it('on: a host user who is no administrator there is none in Cascade, whatever was stored', async () => {
    const { signIn } = await adaOnGitLab({ adminsAreAdmins: true, hostAdmin: false, flagged: true });
    expect(await signIn()).toEqual({ admin: false, stored: false });
  });

  it('on: when the host cannot be asked, the user signs in without administrator rights', async () => {
    const { gitlab, signIn } = await adaOnGitLab({ adminsAreAdmins: true, hostAdmin: true, flagged: true });
    gitlab.fail({ match: ({ path }) => path.startsWith('/api/v4/users/'), status: 500 });
    expect(await signIn()).toEqual({ admin: false, stored: false });
  });

  it('on: when the host asks to come back in two minutes, the sign-in does not wait and gives no administrator rights', async () => {
    const { gitlab, onHost, signIn } = await adaOnGitLab({ adminsAreAdmins: true, hostAdmin: true, flagged: true });
    gitlab.fail({ match: ({ path }) => path.startsWith('/api/v4/users/'), status: 429, retryAfter: '120', times: 5 });
    expect(await signIn()).toEqual({ admin: false, stored: false });
    expect(gitlab.requests.filter((request) => request.path === `/api/v4/users/${onHost.id}`)).toMatchObject([
      { status: 429 },
    ]);
  });
});

describe('local passwords', () => {
  it('do not open an imported account', async () => {
    const { t, connection } = await setUp();
    await importUser(t, connection, ADA);
    const response = await post(t.app, '/users/sign_in', { username: 'ada', password: '!' });
    expect(response.status).toBe(401);
  });
});
