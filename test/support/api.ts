/**
 * Test support for the API: personal access tokens and requests that send them as a client does.
 */
import type { Hono } from 'hono';
import { createPersonalAccessToken, daysAhead, type TokenScope } from '../../src/auth/tokens.js';
import type { Db } from '../../src/db/client.js';
import type { User } from '../../src/db/schema.js';
import type { AppEnv } from '../../src/http/context.js';
import { must } from './world.js';

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
