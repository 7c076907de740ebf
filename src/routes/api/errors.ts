/**
 * @module routes/api/errors
 * GitLab's error answers: `{"message": "404 Project Not Found"}`, `{"error": "page is invalid"}`,
 * `{"message": {"webhook": ["..."]}}` for invalid settings; a 500 is logged, never explained.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { BadRequest, Conflict, Forbidden, NotFound, RequestAborted, SignInRequired } from '../../errors.js';
import type { AppEnv } from '../../http/context.js';
import { logUnhandledError } from '../../http/request-log.js';

export const UNAUTHORIZED = { message: '401 Unauthorized' } as const;

/** What GitLab answers a token without the `api` scope that tries to write. */
export const INSUFFICIENT_SCOPE = {
  error: 'insufficient_scope',
  error_description: 'The request requires higher privileges than provided by the access token.',
  scope: 'api',
} as const;

/**
 * What GitLab answers a token it knows but will not take (rack-oauth2's Bearer challenge). An
 * unknown token gets the plain {@link UNAUTHORIZED}, as in GitLab.
 */
export const INVALID_TOKEN = {
  expired: 'Token is expired. You can either do re-authorization or token refresh.',
  revoked: 'Token was revoked. You have to re-authorize from the user.',
} as const;

/**
 * GitLab's 401 for an expired or revoked token: `{"error":"invalid_token",...}` and the
 * `WWW-Authenticate` challenge that says why.
 *
 * @example
 * invalidTokenResponse('expired').headers.get('www-authenticate') // 'Bearer realm="Protected by OAuth 2.0", error="invalid_token", ...'
 */
export function invalidTokenResponse(reason: keyof typeof INVALID_TOKEN): Response {
  const description = INVALID_TOKEN[reason];
  return Response.json(
    { error: 'invalid_token', error_description: description },
    {
      status: 401,
      headers: {
        'www-authenticate': `Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="${description}"`,
      },
    },
  );
}

/**
 * A 400 GitLab gives with a `message` (`render_api_error!`), as opposed to grape's
 * `{"error": ...}` for parameters (a {@link BadRequest}): `{"message": "400 Integration not available"}`.
 */
export class ApiRefusal extends Error {}

/** A NotFound whose message is GitLab's: "404 Project Not Found". */
export const notFound = (what: string) => new NotFound(`404 ${what} Not Found`);

export function apiError(error: Error, c: Context<AppEnv>): Response {
  if (error instanceof RequestAborted) return c.body(null, 400);
  if (error instanceof SignInRequired) return c.json(UNAUTHORIZED, 401);
  if (error instanceof NotFound)
    return c.json({ message: error.message.startsWith('404 ') ? error.message : '404 Not Found' }, 404);
  if (error instanceof Forbidden) return c.json({ message: '403 Forbidden' }, 403);
  if (error instanceof BadRequest) return c.json({ error: error.message }, 400);
  if (error instanceof ApiRefusal) return c.json({ message: error.message }, 400);
  if (error instanceof Conflict) return c.json({ message: `409 Conflict: ${error.message}` }, 409);
  if (error instanceof HTTPException && error.status < 500)
    return c.json({ error: error.message || 'The request could not be understood.' }, error.status);
  if (c.var.deps) logUnhandledError(c.var.deps.logger, c, error);
  return c.json({ message: '500 Internal Server Error' }, 500);
}
