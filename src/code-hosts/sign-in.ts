/**
 * @module code-hosts/sign-in
 * "Sign in with <host>": OpenID Connect with the application registered on a connected GitLab,
 * Gitea or Forgejo instance (its client id and sealed secret are on the connection). The
 * authorization code flow with PKCE, state and nonce, by openid-client; the state, nonce and
 * PKCE verifier wait in a short-lived sealed cookie, and the ID token's `sub` (the host's
 * numeric user id, as a string, on GitLab, Gitea and Forgejo alike) names the imported user to
 * sign in. No account is ever created here: the import brings users in.
 *
 * Who is an administrator: the ID token and userinfo of GitLab, Gitea and Forgejo do not say
 * whether the user administers the host (GitLab's `groups` claim lists groups only), the user's
 * own token cannot ask, and the member listings the import reads do not say either. So with the
 * connection's "admins are admins" on, each sign-in asks the host with the connection's
 * administrator token (`HostClient.user`: GitLab's GET /users/:id and Gitea's user search show
 * `is_admin` to an administrator) and sets `isAdmin` to its answer; when the host cannot be
 * asked, or does not answer within {@link ADMIN_CHECK_PATIENCE}, the user signs in without
 * administrator rights. With it off, imported users are never administrators, and signing in
 * clears a flag that says otherwise.
 */
import { timingSafeEqual } from 'node:crypto';
import { and, asc, eq, isNotNull, isNull, ne } from 'drizzle-orm';
import * as client from 'openid-client';
import { connectionClient } from './clients.js';
import { HostRequestFailed, type HostClientFactory, type HostPatience } from './host.js';
import { HostSecrets } from './secrets.js';
import type { Queryable } from '../db/client.js';
import { codeHosts, users, type CodeHost, type User } from '../db/schema.js';
import type { OutboundOptions, OutboundPolicy } from '../outbound/request.js';
import { deriveKey, seal, unseal } from '../seal.js';
import { hostFetch } from './oidc-fetch.js';

/** What GitLab's and Gitea's documentation asks the application for: the id, the name, the e-mail. */
export const HOST_SIGN_IN_SCOPES = 'openid profile email';

/** How long a sign-in may wait on the host's pages (logging in, authorizing the application). */
export const PENDING_SIGN_IN_MS = 10 * 60 * 1000;

/**
 * How long the administrator check may hold up a sign-in: a request of at most 10 seconds, and a
 * second one only after a Retry-After of at most 2 seconds; a host busy for longer is not waited
 * for (the import's client would wait up to a minute, several times).
 */
const ADMIN_CHECK_PATIENCE: HostPatience = {
  timeoutMs: 10_000,
  maxTries: 2,
  maxRetryWaitMs: 2_000,
  failBeyondMaxRetryWait: true,
};

/** A connection that offers "Sign in with <name>". */
export interface SignInHost {
  id: number;
  name: string;
}

const offersSignIn = and(
  isNotNull(codeHosts.oidcClientId),
  ne(codeHosts.oidcClientId, ''),
  isNotNull(codeHosts.oidcClientSecret),
  isNull(codeHosts.pausedAt),
);

/** The connections with an application registered, not paused, by name. */
export async function signInHosts(db: Queryable): Promise<SignInHost[]> {
  return db
    .select({ id: codeHosts.id, name: codeHosts.name })
    .from(codeHosts)
    .where(offersSignIn)
    .orderBy(asc(codeHosts.name), asc(codeHosts.id));
}

/** The connection, if it offers sign-in. */
export async function findSignInHost(db: Queryable, id: number): Promise<CodeHost | null> {
  const [host] = await db
    .select()
    .from(codeHosts)
    .where(and(eq(codeHosts.id, id), offersSignIn));
  return host ?? null;
}

/** What the cookie holds between the redirect to the host and the host's redirect back. */
interface PendingSignIn {
  hostId: number;
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectTo: string;
  expiresAt: number;
}

export type HostSignInResult =
  { ok: true; user: User; redirectTo: string } | { ok: false; status: 400 | 401 | 502; message: string };

export interface HostSignInDeps {
  db: Queryable;
  secretKeyBase: string;
  /** Where the host sends the browser back to: `<publicOrigin>/users/auth/<id>/callback`. */
  publicOrigin: string;
  /** The Network settings (model/network-settings.ts `outboundPolicy`) every request to the host is held to. */
  policy: OutboundPolicy;
  outbound?: OutboundOptions | undefined;
  /** Makes the client that asks the host whether the user administers it (AppDeps.hostClients). */
  clients: HostClientFactory;
}

/**
 * The issuer as each host names itself: GitLab its URL; Gitea and Forgejo their ROOT_URL, which
 * ends with a slash (templates/user/auth/oidc_wellknown.tmpl).
 */
function issuerOf(host: CodeHost): URL {
  return new URL(host.kind === 'gitlab' ? host.url : `${host.url.replace(/\/$/, '')}/`);
}

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * @example
 * const policy = await outboundPolicy(db)
 * const signIn = new HostSignIn({ db, secretKeyBase, publicOrigin: 'https://cascade.example.com', policy })
 * const { authorizationUrl, cookie } = await signIn.begin(host, '/groups/platform')
 * // later, on /users/auth/<id>/callback?code=…&state=…
 * const result = await signIn.finish(host, cookie, new URL(callbackUrl))
 */
export class HostSignIn {
  private readonly key: Buffer;
  private readonly secrets: HostSecrets;

  constructor(private readonly deps: HostSignInDeps) {
    this.key = deriveKey(deps.secretKeyBase, 'host sign-in');
    this.secrets = new HostSecrets(deps.secretKeyBase);
  }

  redirectUri(host: Pick<CodeHost, 'id'>): string {
    return `${this.deps.publicOrigin}/users/auth/${host.id}/callback`;
  }

  /** Discovers the host's endpoints and builds the authorization URL; the cookie holds the rest. */
  async begin(
    host: CodeHost,
    redirectTo: string,
    now = Date.now(),
  ): Promise<{ ok: true; authorizationUrl: URL; cookie: string } | Extract<HostSignInResult, { ok: false }>> {
    const config = await this.configuration(host);
    if (!config.ok) return config;
    const pending: PendingSignIn = {
      hostId: host.id,
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      redirectTo,
      expiresAt: now + PENDING_SIGN_IN_MS,
    };
    const authorizationUrl = client.buildAuthorizationUrl(config.value, {
      redirect_uri: this.redirectUri(host),
      scope: HOST_SIGN_IN_SCOPES,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { ok: true, authorizationUrl, cookie: seal(this.key, JSON.stringify(pending), this.purpose(host)) };
  }

  /**
   * Checks the host's answer against the cookie, exchanges the code, validates the ID token
   * (issuer, audience, expiry, nonce) and finds the imported user it names.
   */
  async finish(
    host: CodeHost,
    cookie: string | undefined,
    callbackUrl: URL,
    now = Date.now(),
  ): Promise<HostSignInResult> {
    const pending = this.pending(host, cookie, now);
    const state = callbackUrl.searchParams.get('state') ?? '';
    if (!pending || !sameText(state, pending.state)) {
      return {
        ok: false,
        status: 400,
        message: `The sign-in with ${host.name} expired or was not started here. Try again.`,
      };
    }
    const config = await this.configuration(host);
    if (!config.ok) return config;
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config.value, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      return this.refused(host, error);
    }
    if (!claims) return { ok: false, status: 400, message: `${host.name} sent no ID token.` };
    const user = await this.importedUser(host, claims.sub);
    if (!user) {
      const username = [claims.preferred_username, claims.nickname, claims.sub].find(
        (value): value is string => typeof value === 'string' && value !== '',
      );
      return {
        ok: false,
        status: 401,
        message: `No Cascade account is linked to your ${host.name} account (${username}). Ask an administrator to import it from ${host.name}.`,
      };
    }
    if (user.blockedAt) {
      return { ok: false, status: 401, message: 'Your account has been blocked. Contact your administrator.' };
    }
    return { ok: true, user: await this.withAdminRule(host, user), redirectTo: pending.redirectTo };
  }

  private purpose(host: Pick<CodeHost, 'id' | 'url'>): string {
    return `host-sign-in:${host.id}:${host.url}`;
  }

  private pending(host: CodeHost, cookie: string | undefined, now: number): PendingSignIn | null {
    const opened = cookie ? unseal(this.key, cookie, this.purpose(host)) : null;
    if (!opened) return null;
    const pending = JSON.parse(opened) as PendingSignIn;
    return pending.hostId === host.id && pending.expiresAt > now ? pending : null;
  }

  private async configuration(
    host: CodeHost,
  ): Promise<{ ok: true; value: client.Configuration } | Extract<HostSignInResult, { ok: false }>> {
    const secret = this.secrets.open(host, 'oidcClientSecret');
    if (!secret || !host.oidcClientId) {
      return {
        ok: false,
        status: 400,
        message: `Signing in with ${host.name} is not set up: an administrator must enter its application secret again.`,
      };
    }
    const fetch = hostFetch(this.deps.policy, this.deps.outbound);
    try {
      const value = await client.discovery(issuerOf(host), host.oidcClientId, secret, undefined, {
        [client.customFetch]: fetch,
        // The administrator chose this URL; a host served over plain http is theirs to accept.
        execute: issuerOf(host).protocol === 'http:' ? [client.allowInsecureRequests] : [],
      });
      return { ok: true, value };
    } catch (error) {
      return this.refused(host, error);
    }
  }

  /** An error of the exchange, as the sign-in page says it. */
  private refused(host: CodeHost, error: unknown): Extract<HostSignInResult, { ok: false }> {
    const cause = error instanceof Error && error.cause instanceof HostRequestFailed ? error.cause : error;
    if (cause instanceof HostRequestFailed) {
      return { ok: false, status: 502, message: `${host.name} could not be reached: ${cause.message}.` };
    }
    if (error instanceof client.AuthorizationResponseError) {
      const why = error.error === 'access_denied' ? 'access was denied' : (error.error_description ?? error.error);
      return { ok: false, status: 400, message: `${host.name} did not sign you in: ${why}.` };
    }
    if (error instanceof client.ResponseBodyError) {
      return {
        ok: false,
        status: 400,
        message: `${host.name} refused the sign-in: ${error.error_description ?? error.error}.`,
      };
    }
    if (error instanceof client.ClientError && /^OAUTH_(JWT_|MISSING_REQUIRED_CLAIM)/.test(error.code ?? '')) {
      const detail = error.cause instanceof Error ? error.cause.message : error.message;
      return { ok: false, status: 400, message: `${host.name} sent an ID token that is not valid (${detail}).` };
    }
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, status: 400, message: `${host.name} sent an answer that could not be accepted (${detail}).` };
  }

  /** GitLab's, Gitea's and Forgejo's `sub` is the user's numeric id. */
  private async importedUser(host: CodeHost, sub: string): Promise<User | null> {
    if (!/^[1-9]\d{0,15}$/.test(sub)) return null;
    const [user] = await this.deps.db
      .select()
      .from(users)
      .where(and(eq(users.codeHostId, host.id), eq(users.hostId, Number(sub))));
    return user ?? null;
  }

  /** See the module's header: with "admins are admins" on, the host says; with it off, no imported user is an administrator. */
  private async withAdminRule(host: CodeHost, user: User): Promise<User> {
    const isAdmin = host.adminsAreAdmins && (await this.administersHost(host, user));
    if (isAdmin === user.isAdmin) return user;
    await this.deps.db.transaction(async (tx) => {
      await tx.update(users).set({ isAdmin }).where(eq(users.id, user.id));
    });
    return { ...user, isAdmin };
  }

  /** Whether the host, asked with the connection's token, says the user is one of its administrators. */
  private async administersHost(host: CodeHost, user: User): Promise<boolean> {
    try {
      const client = await connectionClient(this.deps.db, host, this.deps.clients, this.secrets, ADMIN_CHECK_PATIENCE);
      return (await client.user(user.hostId!))?.isAdmin === true;
    } catch (error) {
      if (error instanceof HostRequestFailed) return false;
      throw error;
    }
  }
}
