/**
 * @module routes/code-host-hooks
 * POST /-/code_hosts/:id/hook: the receiver of a connection's hooks. Mounted before the pages'
 * middleware: hosts send no session and no Origin; the token or signature is the credential.
 * Answers come as soon as the event is stored (GitLab and Gitea time out after 10 s); applying
 * it is the processor's work (code-hosts/processor.ts), delivering it the dispatcher's
 * (delivery/dispatcher.ts).
 */
import { Hono } from 'hono';
import { HostSecrets } from '../code-hosts/secrets.js';
import { receiveDelivery } from '../code-hosts/receiver.js';
import { limitBody, readBody } from '../http/body.js';
import type { AppDeps, AppEnv } from '../http/context.js';

/** GitLab's own cap on a webhook's payload (the max_webhook_payload_size default, 25 MB). */
export const MAX_HOOK_BODY_BYTES = 25 * 1024 * 1024;

const message = (text: string) => ({ message: text });

/**
 * @example
 * app.route('/-/code_hosts', codeHostHookRoutes(deps))
 */
export function codeHostHookRoutes(deps: AppDeps): Hono<AppEnv> {
  const secrets = new HostSecrets(deps.secretKeyBase);
  const routes = new Hono<AppEnv>();
  routes.use(limitBody<AppEnv>(MAX_HOOK_BODY_BYTES, (c) => c.json(message('413 Request Entity Too Large'), 413)));
  routes.post('/:id{[0-9]+}/hook', async (c) => {
    const body = new Uint8Array(await readBody(c, (request) => request.arrayBuffer()));
    const receipt = await receiveDelivery(deps.db, secrets, Number(c.req.param('id')), {
      header: (name) => c.req.header(name),
      body,
    });
    switch (receipt.result) {
      case 'unknown_connection':
        return c.json(message('404 Not Found'), 404);
      case 'unauthorized':
        return c.json(message('401 Unauthorized'), 401);
      case 'malformed':
        return c.json(message(`400 Bad request - ${receipt.message}`), 400);
      case 'paused':
        // 2xx: GitLab disables a hook after four failed deliveries in a row; the reconcile
        // after resuming repairs what was missed while paused.
        return c.json(message('The connection is paused; the event was not stored.'), 202);
      case 'unused':
        return c.json(message('Cascade does not use this event.'), 202);
      case 'duplicate':
        return c.json(message('Already received.'), 200);
      case 'stored':
        if (receipt.tree) void deps.hostEventProcessor?.wake(receipt.codeHostId);
        else deps.delivery?.wake();
        return c.json(message('Received.'), 201);
    }
  });
  return routes;
}
