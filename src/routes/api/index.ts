/**
 * @module routes/api
 * The GitLab-compatible API under /api/v4. Requests authenticate with a personal access token
 * (`PRIVATE-TOKEN: glpat-...` or `Authorization: Bearer glpat-...`), never with the session
 * cookie, so cross-site requests cannot use a browser's session and the CSRF check does not
 * apply. Mounted before the page middleware: no layout, no page cache, and nothing is cached
 * by clients either.
 */
import { Hono } from 'hono';
import { authenticateToken, tokenRefusal, tokenScopes } from '../../auth/tokens.js';
import { limitBody } from '../../http/body.js';
import type { AppDeps, AppEnv } from '../../http/context.js';
import { apiError, INSUFFICIENT_SCOPE, invalidTokenResponse, UNAUTHORIZED } from './errors.js';
import { enforcementApi } from './enforcement.js';
import { instanceLevel, integrationApi, groupLevel, projectLevel } from './integrations.js';
import { groupTreeRoutes } from './groups.js';
import { groupMembers, membersApi, projectMembers } from './members.js';
import { projectTreeRoutes } from './projects.js';
import { resourceRoutes } from './resources.js';
import { userApi } from './users.js';

export const API_MAX_BODY_BYTES = 256 * 1024;

const isReadOnly = (method: string) => method === 'GET' || method === 'HEAD';

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
    c.set('user', found.user);
    await next();
  });

  api.route('/projects/:id/integrations', integrationApi(projectLevel));
  // GitLab's older name, still answered for older clients (projects only, as in GitLab).
  api.route('/projects/:id/services', integrationApi(projectLevel));
  api.route('/groups/:id/integrations', integrationApi(groupLevel));
  api.route('/groups/:id/integrations', enforcementApi(groupLevel));
  api.route('/admin/application_settings/integrations', integrationApi(instanceLevel));
  api.route('/admin/application_settings/integrations', enforcementApi(instanceLevel));
  api.route('/groups', groupTreeRoutes());
  api.route('/projects', projectTreeRoutes());
  api.route('/groups/:id/members', membersApi(groupMembers));
  api.route('/projects/:id/members', membersApi(projectMembers));
  api.route('/users', userApi());
  api.route('/', resourceRoutes());
  api.all('*', (c) => c.json({ error: '404 Not Found' }, 404));
  return api;
}
