/**
 * Test support for the API: personal access tokens and requests that send them as a client does.
 */
import type { Hono } from 'hono';
import { createPersonalAccessToken, daysAhead, type TokenScope } from '../../src/auth/tokens.js';
import type { Db } from '../../src/db/client.js';
import type { User } from '../../src/db/schema.js';
import type { AppEnv } from '../../src/http/context.js';
import { must, type World } from './world.js';

/** A token (scope api) of each of the world's users, by actor. */
export type ActorTokens = Record<keyof World['users'], string>;

/**
 * A new token (scope api) for each of the world's users.
 *
 * @example
 * const tokens = await apiTokens(t.db, w)
 * await apiRequest(t.app, 'GET', '/api/v4/projects', { token: tokens.reporter })
 */
export async function apiTokens(db: Db, world: World): Promise<ActorTokens> {
  const entries = Object.entries(world.users) as [keyof World['users'], User][];
  return Object.fromEntries(
    await Promise.all(entries.map(async ([actor, user]) => [actor, await apiToken(db, user)])),
  ) as ActorTokens;
}

/** A new token of `user` (30 days, the given scopes), as the user copies it after creating it. */
export async function apiToken(
  db: Db,
  user: User,
  scopes: TokenScope[] = ['api'],
  name = 'test token',
): Promise<string> {
  return must(await createPersonalAccessToken(db, user, { name, scopes, expires_at: daysAhead(new Date(), 30) })).token;
}

export interface ApiRequestOptions {
  token?: string | undefined;
  /** Sent as JSON, or form-encoded with `form: true`. */
  params?: Record<string, unknown> | undefined;
  form?: boolean;
  headers?: Record<string, string>;
}

/** A request as an API client sends it: the token in PRIVATE-TOKEN, parameters as JSON. */
export function apiRequest(
  app: Hono<AppEnv>,
  method: string,
  url: string,
  options: ApiRequestOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers['private-token'] = options.token;
  let body: string | undefined;
  if (options.params) {
    if (options.form) {
      const form = new URLSearchParams();
      for (const [name, value] of Object.entries(options.params)) {
        for (const item of Array.isArray(value) ? value : [value]) form.append(name, String(item));
      }
      body = form.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      body = JSON.stringify(options.params);
      headers['content-type'] = 'application/json';
    }
  }
  return Promise.resolve(app.request(url, { method, headers, body }));
}

/** The JSON body of a response. */
export const json = async <T = Record<string, unknown>>(response: Response) => (await response.json()) as T;
