/**
 * Test support: a code host's sign-in, played by oidc-provider (a certified OpenID Provider) on
 * 127.0.0.1 over real HTTP. It has one client (the connection's application) and accounts whose
 * `sub` is the host's numeric user id, as on GitLab, Gitea and Forgejo. Logging in and agreeing
 * take no browser: its interaction page signs in whoever the test chose with {@link OidcHost.signInAs}
 * (or refuses, as a user who clicks "Deny" would) and sends the browser straight back.
 */
import { generateKeyPairSync } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Adapter, type AdapterPayload, type Configuration } from 'oidc-provider';

export interface HostAccount {
  /** The host's user id, as a string: the ID token's `sub`. */
  sub: string;
  username: string;
  name: string;
  email: string;
}

export interface OidcHostOptions {
  clientId: string;
  clientSecret: string;
  /** The test app's callback, `<PUBLIC_URL>/users/auth/<connection id>/callback`; more than one may be registered. */
  redirectUris: string[];
  accounts: HostAccount[];
  /** Gitea and Forgejo name themselves by their ROOT_URL, which ends with a slash (templates/user/auth/oidc_wellknown.tmpl). */
  issuerWithSlash?: boolean;
}

export interface OidcHost {
  /** "http://127.0.0.1:<port>": the issuer, and the connection's URL. */
  url: string;
  /** Who the next interaction signs in; `'deny'` answers as a user who refuses the application. */
  signInAs(who: string): void;
  /**
   * Changes the claims of the ID tokens the token endpoint sends from now on, as a broken or
   * hostile host would (the signature no longer matches either).
   */
  tamperWithIdTokens(change: ((claims: Record<string, unknown>) => void) | null): void;
  /** Every request the provider received, as "METHOD /path", for checking what Cascade asked. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * The provider's sessions, codes and grants, in memory: the provider's own memory adapter does
 * the same but warns on every start that it is not for production.
 */
function memoryAdapter(): new (name: string) => Adapter {
  const stored = new Map<string, AdapterPayload>();
  return class implements Adapter {
    constructor(private readonly name: string) {}
    private key = (id: string) => `${this.name}:${id}`;
    upsert(id: string, payload: AdapterPayload): Promise<void> {
      stored.set(this.key(id), payload);
      return Promise.resolve();
    }
    find(id: string): Promise<AdapterPayload | undefined> {
      return Promise.resolve(stored.get(this.key(id)));
    }
    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return Promise.resolve([...stored.values()].find((payload) => payload.uid === uid));
    }
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return Promise.resolve([...stored.values()].find((payload) => payload.userCode === userCode));
    }
    consume(id: string): Promise<void> {
      const payload = stored.get(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      return Promise.resolve();
    }
    destroy(id: string): Promise<void> {
      stored.delete(this.key(id));
      return Promise.resolve();
    }
    revokeByGrantId(grantId: string): Promise<void> {
      for (const [key, payload] of stored) if (payload.grantId === grantId) stored.delete(key);
      return Promise.resolve();
    }
  };
}

/**
 * A provider of its own per test: keys and cookies are not shared between tests. Options may
 * be given once the URL is known, for a connection to be made with it first (its id is in the
 * redirect URI).
 */
export async function startOidcHost(
  given: OidcHostOptions | ((url: string) => Promise<OidcHostOptions>),
): Promise<OidcHost> {
  let handler: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
  const server = http.createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const options = typeof given === 'function' ? await given(url) : given;

  const accounts = new Map(options.accounts.map((account) => [account.sub, account]));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const configuration: Configuration = {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['oidc-host-test-cookie-key'] },
    // GitLab's ID token carries the profile and e-mail claims itself (doc/integration/openid_connect_provider.md).
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub'],
      profile: ['name', 'nickname', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'profile', 'email'],
    pkce: { required: () => true },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, Grant: 3600, IdToken: 3600, Interaction: 600, Session: 3600 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          name: account.name,
          nickname: account.username,
          preferred_username: account.username,
          email: account.email,
          email_verified: true,
        }),
      };
    },
  };
  const provider = new Provider(options.issuerWithSlash ? `${url}/` : url, configuration);
  // An error the provider shows the user is part of the flow under test, not a test failure.
  provider.on('server_error', () => undefined);

  let next: string = options.accounts[0]?.sub ?? 'deny';
  const requests: string[] = [];

  async function interaction(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(request, response);
    if (next === 'deny') {
      await provider.interactionFinished(
        request,
        response,
        { error: 'access_denied', error_description: 'The resource owner denied the request' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const grant = new provider.Grant({ accountId: next, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(
      request,
      response,
      { login: { accountId: next }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  let tamper: ((claims: Record<string, unknown>) => void) | null = null;

  /** Rewrites the token endpoint's JSON answer, which Koa sends in one `end` call. */
  function tamperWithAnswer(response: ServerResponse, change: (claims: Record<string, unknown>) => void): void {
    const end = response.end.bind(response) as (chunk?: unknown) => ServerResponse;
    response.end = ((chunk?: unknown) => {
      const answer = JSON.parse(String(chunk)) as { id_token?: string };
      if (answer.id_token) {
        const [header, payload, signature] = answer.id_token.split('.');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
        change(claims);
        answer.id_token = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
      }
      const text = JSON.stringify(answer);
      response.setHeader('content-length', Buffer.byteLength(text));
      return end(text);
    }) as typeof response.end;
  }

  const callback = provider.callback();
  handler = (request, response) => {
    requests.push(`${request.method} ${request.url?.split('?')[0]}`);
    if (tamper && request.method === 'POST' && request.url === '/token') tamperWithAnswer(response, tamper);
    if (request.url?.startsWith('/interaction/')) {
      interaction(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    } else void callback(request, response);
  };

  return {
    url,
    requests,
    signInAs: (who) => {
      next = who;
    },
    tamperWithIdTokens: (change) => {
      tamper = change;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * Follows the host's redirects as a browser would, keeping the host's cookies, from the
 * authorization URL Cascade sent the browser to until the host sends it back to `callbackPrefix`;
 * returns that URL.
 */
export async function followHostRedirects(authorizationUrl: string, callbackPrefix: string): Promise<URL> {
  const cookies = new Map<string, string>();
  let current = new URL(authorizationUrl);
  for (let hops = 0; hops < 10; hops++) {
    if (current.href.startsWith(callbackPrefix)) return current;
    const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(current, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`The host answered ${response.status} without a redirect: ${await response.text()}`);
    current = new URL(location, current);
  }
  throw new Error('The host redirected more than 10 times');
}
