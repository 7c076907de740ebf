/**
 * @module http/request-log
 * One log line and one metrics observation per request, and the request id that ties a request's
 * log lines to its answer (`X-Request-Id`). A proxy in TRUST_PROXY may pass its own id on; from
 * anyone else an incoming id is ignored, so that clients cannot forge or collide with others' ids.
 */
import { randomUUID } from 'node:crypto';
import { DrizzleQueryError } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes, routePath } from 'hono/route';
import { RequestAborted } from '../errors.js';
import type { Logger } from '../logger.js';
import { clientAddress, fromTrustedProxy } from './client-address.js';
import type { AppEnv } from './context.js';
import type { Metrics } from './metrics.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** What a proxy's id must look like to be reused: short, and safe in a log line or a header. */
const PASSABLE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

function requestIdOf(c: Context<AppEnv>, trustedProxies: readonly string[]): string {
  const incoming = c.req.header(REQUEST_ID_HEADER);
  const passable = incoming !== undefined && PASSABLE_REQUEST_ID.test(incoming);
  return passable && fromTrustedProxy(c, trustedProxies) ? incoming : randomUUID();
}

/** `/groups/:fullPath{[\w][\w.-]*...}` -> `/groups/:fullPath`: the parameter's name is enough for a label. */
function withoutParameterPatterns(pattern: string): string {
  let depth = 0;
  let shown = '';
  for (const character of pattern) {
    if (character === '{') depth++;
    else if (character === '}') depth--;
    else if (depth === 0) shown += character;
  }
  return shown;
}

/**
 * The pattern of the route that answers the request's method and path, e.g. `/groups/:fullPath`
 * or `/api/v4/projects/:id`, also when a middleware answered for it (a page from the page cache,
 * a body that never arrived). Without such a route (a 404), the pattern of what answered: `/*`.
 */
function routeOf(c: Context<AppEnv>): string {
  // HEAD is answered by the GET routes.
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  const route = matchedRoutes(c).find((matched) => matched.method === method)?.path ?? routePath(c);
  return withoutParameterPatterns(route);
}

/**
 * The first middleware. Logs, once the request is answered: its id, method, route pattern, path
 * (never the query string: it may carry search terms or tokens), status or "aborted", duration,
 * the signed-in user's id (set by the page or API middleware), and the client's address.
 *
 * @example
 * app.use(requestLog(logger, metrics, config.trustedProxies))
 * // {"level":30,...,"requestId":"5f0c...","method":"GET","route":"/groups/:fullPath","path":"/groups/top",
 * //  "status":200,"durationMs":3.1,"userId":7,"clientAddress":"203.0.113.7","msg":"request completed"}
 */
export function requestLog(
  logger: Logger,
  metrics: Metrics,
  trustedProxies: readonly string[],
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    // Read before the request runs: the socket of a client that aborts forgets its address.
    const address = clientAddress(c, trustedProxies);
    const requestId = requestIdOf(c, trustedProxies);
    c.set('requestId', requestId);
    await next();
    const aborted = c.error instanceof RequestAborted;
    const seconds = (performance.now() - started) / 1000;
    const route = routeOf(c);
    const status = aborted ? 'aborted' : c.res.status;
    metrics.observeRequest({ method: c.req.method, route, status: String(status) }, seconds);
    logger.info(
      {
        requestId,
        method: c.req.method,
        route,
        path: c.req.path,
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        userId: c.var.user?.id,
        clientAddress: address,
      },
      aborted ? 'request aborted by the client' : 'request completed',
    );
    if (!aborted) c.res.headers.set(REQUEST_ID_HEADER, requestId);
  };
}

/**
 * Logs an error no handler expected, with the request id the client was sent and the stack.
 *
 * @example
 * logUnhandledError(deps.logger, c, error) // {"level":50,...,"requestId":"...","err":{"stack":...},"msg":"Unhandled error on GET /groups/top"}
 */
export function logUnhandledError(logger: Logger, c: Context<AppEnv>, error: Error): void {
  logger.error(
    { requestId: c.var.requestId, err: withoutQueryParameters(error) },
    `Unhandled error on ${c.req.method} ${c.req.path}`,
  );
}

/**
 * A failed query's error as drizzle words it names the statement's parameters, which may be a
 * password hash or a sealed secret: the log gets the statement and the database's own error.
 */
function withoutQueryParameters(error: Error): Error {
  if (!(error instanceof DrizzleQueryError)) return error;
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const logged = new Error(`Failed query: ${error.query}${cause ? `: ${cause.message}` : ''}`);
  logged.stack = `Error: ${logged.message}\n${(cause?.stack ?? error.stack ?? '').split('\n').slice(1).join('\n')}`;
  return logged;
}
