/**
 * @module http/body
 * Request bodies, for the pages and the API alike: the size limit, a body that cannot be read as
 * its Content-Type says (the client's mistake, a 400), and a client that goes away mid-body (an
 * aborted request, not an error of ours).
 */
import type { Context, Env, HonoRequest, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { BadRequest, RequestAborted } from '../errors.js';

export const UNREADABLE_BODY = 'The form could not be read: the body of the request is not what its Content-Type says.';

/**
 * After a 413, a refused body up to this size is read and dropped, so that the connection can
 * answer the client's next request; a larger one closes the connection instead.
 */
export const DISCARDED_BODY_MAX_BYTES = 8 * 1024 * 1024;

const errorCode = (error: unknown) => (error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined);

/** Node ends an unfinished body with ECONNRESET ("aborted") when the client closes its connection. */
const isClientGone = (error: unknown, request: Request) =>
  request.signal.aborted || errorCode(error) === 'ECONNRESET' || errorCode(error) === 'ERR_STREAM_PREMATURE_CLOSE';

/** What a body that could not be read means: the client went away, or sent something else than it said. */
function readFailure(error: unknown, request: Request): RequestAborted | BadRequest {
  return isClientGone(error, request) ? new RequestAborted() : new BadRequest(UNREADABLE_BODY);
}

/**
 * Reads the body with `read`; throws {@link BadRequest} if it cannot be parsed (multipart that is
 * not, ...) and {@link RequestAborted} if the client went away.
 *
 * @example
 * const body = await readBody(c, (req) => req.parseBody({ all: true }))
 */
export async function readBody<T>(c: { req: HonoRequest }, read: (request: HonoRequest) => Promise<T>): Promise<T> {
  try {
    return await read(c.req);
  } catch (error) {
    throw readFailure(error, c.req.raw);
  }
}

/** Reads a refused body to its end, if it is small enough; false if the connection must close instead. */
async function discardBody(request: Request): Promise<boolean> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (!request.body || request.body.locked || !(declared <= DISCARDED_BODY_MAX_BYTES)) return false;
  const reader = request.body.getReader();
  try {
    while (!(await reader.read()).done);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses a body over `maxSize` bytes with `refuse`'s answer (a 413), before the handler reads it.
 * The rest of the body is read and dropped, or the answer says `Connection: close`, so that the
 * client's next request on the same connection is answered too.
 *
 * @example
 * app.use(limitBody(256 * 1024, (c) => c.json({ message: '413 Request Entity Too Large' }, 413)))
 */
export function limitBody<E extends Env>(
  maxSize: number,
  refuse: (c: Context<E>) => Response | Promise<Response>,
): MiddlewareHandler<E> {
  const limit = bodyLimit({
    maxSize,
    onError: async (c) => {
      // bodyLimit passes on the context it was given, typed without the app's variables.
      const response = await refuse(c as Context<E>);
      if (!(await discardBody(c.req.raw))) response.headers.set('connection', 'close');
      return response;
    },
  });
  return async (c, next) => {
    try {
      return await limit(c, next);
    } catch (error) {
      // Errors of the handlers after it are answered where they happen: this is the limit's own read.
      throw readFailure(error, c.req.raw);
    }
  };
}
