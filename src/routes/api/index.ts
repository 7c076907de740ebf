/**
 * @module routes/api
 * The GitLab-compatible API under /api/v4. Requests authenticate with a personal access token
 * (`PRIVATE-TOKEN: glpat-...` or `Authorization: Bearer glpat-...`), never with the session
 * cookie, so cross-site requests cannot use a browser's session and the CSRF check does not
 * apply. An administrator's token with the `sudo` scope may act as another user (`Sudo: mia`),
 * as GitLab allows: the request then runs with that user's permissions, and is audited as them. Mounted before the page middleware: no layout, no page cache, and nothing is cached
 * by clients either.
 */
import { Hono } from 'hono';
import { authenticateToken, sudoRefusal, tokenRefusal, tokenScopes } from '../../auth/tokens.js';
import type { Db } from '../../db/client.js';
import type { User } from '../../db/schema.js';
import { limitBody } from '../../http/body.js';
import type { AppContext, AppDeps, AppEnv } from '../../http/context.js';
import { findUserById, findUserByUsername } from '../../model/users.js';
import { apiError, INSUFFICIENT_SCOPE, invalidTokenResponse, UNAUTHORIZED } from './errors.js';
import { deliveryApi, groupDeliveries, instanceDeliveries, projectDeliveries } from './deliveries.js';
import { enforcementApi } from './enforcement.js';
import { instanceLevel, integrationApi, groupLevel, projectLevel } from './integrations.js';
import { groupTreeRoutes } from './groups.js';
import { groupMembers, membersApi, projectMembers } from './members.js';
import { projectTreeRoutes } from './projects.js';
import { resourceRoutes } from './resources.js';
import { userApi } from './users.js';

export const API_MAX_BODY_BYTES = 256 * 1024;

const isReadOnly = (method: string) => method === 'GET' || method === 'HEAD';

/** GitLab's answer to Sudo with a token whose user is not an administrator. */
const SUDO_NOT_ADMIN = { message: '403 Forbidden - Must be admin to use sudo' } as const;
/** GitLab's answer to Sudo with an administrator's token that lacks the `sudo` scope. */
const SUDO_INSUFFICIENT_SCOPE = { ...INSUFFICIENT_SCOPE, scope: 'sudo' } as const;

/** Who a request acts as (GitLab's `Sudo` header or `sudo` parameter): a username or an id. */
function sudoIdentifier(c: AppContext): string | undefined {
  const identifier = (c.req.header('sudo') ?? c.req.query('sudo'))?.trim();
  return identifier ? identifier : undefined;
}

/** As GitLab finds the Sudo user: digits are an id, anything else a username (in any case). */
async function findSudoUser(db: Db, identifier: string): Promise<User | undefined> {
  if (!/^\d+$/.test(identifier)) return findUserByUsername(db, identifier);
  const id = Number(identifier);
  return Number.isSafeInteger(id) ? findUserById(db, id) : undefined;
}

/** The token a request carries; GitLab's `?private_token=` is left out, as URLs end up in logs. */
function tokenOf(header: (name: string) => string | undefined): string | undefined {
  const privateToken = header('private-token');
  if (privateToken) return privateToken.trim();
  return /^Bearer\s+(\S+)\s*$/i.exec(header('authorization') ?? '')?.[1];
}

export function apiRoutes(deps: AppDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.onError(apiError);

  api.use(async (c, next) => {
    c.set('deps', deps);
    c.set('db', deps.db);
    await next();
    c.res.headers.set('cache-control', 'no-store');
  });
  api.use(limitBody(API_MAX_BODY_BYTES, (c) => c.json({ message: '413 Request Entity Too Large' }, 413)));
  api.use(async (c, next) => {
    const secret = tokenOf((name) => c.req.header(name));
    const found = secret ? await authenticateToken(deps.db, secret) : null;
    if (!found) {
      const refusal = secret ? await tokenRefusal(deps.db, secret) : 'unknown';
      return refusal === 'unknown' ? c.json(UNAUTHORIZED, 401) : invalidTokenResponse(refusal);
    }
    if (!isReadOnly(c.req.method) && !tokenScopes(found.token).includes('api')) return c.json(INSUFFICIENT_SCOPE, 403);
    const identifier = sudoIdentifier(c);
    if (identifier === undefined) {
      c.set('user', found.user);
      return next();
    }
    const refusal = sudoRefusal(found.user, found.token);
    if (refusal === 'not_admin') return c.json(SUDO_NOT_ADMIN, 403);
    if (refusal === 'missing_scope') return c.json(SUDO_INSUFFICIENT_SCOPE, 403);
    const actingAs = await findSudoUser(deps.db, identifier);
    if (!actingAs) return c.json({ message: `404 User with ID or username '${identifier}' Not Found` }, 404);
    c.set('user', actingAs);
    await next();
  });

  api.route('/projects/:id/integrations', integrationApi(projectLevel));
  api.route('/projects/:id/integrations', deliveryApi(projectDeliveries));
  // GitLab's older name, still answered for older clients (projects only, as in GitLab).
  api.route('/projects/:id/services', integrationApi(projectLevel));
  api.route('/groups/:id/integrations', integrationApi(groupLevel));
  api.route('/groups/:id/integrations', enforcementApi(groupLevel));
  api.route('/groups/:id/integrations', deliveryApi(groupDeliveries));
  api.route('/admin/application_settings/integrations', integrationApi(instanceLevel));
  api.route('/admin/application_settings/integrations', enforcementApi(instanceLevel));
  api.route('/admin/application_settings/integrations', deliveryApi(instanceDeliveries));
  api.route('/groups', groupTreeRoutes());
  api.route('/projects', projectTreeRoutes());
  api.route('/groups/:id/members', membersApi(groupMembers));
  api.route('/projects/:id/members', membersApi(projectMembers));
  api.route('/users', userApi());
  api.route('/', resourceRoutes());
  api.all('*', (c) => c.json({ error: '404 Not Found' }, 404));
  return api;
}
