/**
 * @module app
 * createApp(deps) builds the whole web app: middleware, then the sections mounted as sub-apps.
 * It never listens; src/server.ts does, and tests call `app.request()` directly.
 */
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { findSessionUser, SESSION_COOKIE } from './auth/sessions.js';
import { Throttle } from './auth/throttle.js';
import { createHostClient } from './code-hosts/clients.js';
import { databaseStamp } from './db/client.js';
import { BadRequest, Conflict, Forbidden, NotFound, RequestAborted, SignInRequired } from './errors.js';
import { assetRoutes } from './http/assets.js';
import { limitBody } from './http/body.js';
import type { AppDeps, AppEnv, AppContext } from './http/context.js';
import { readFlash } from './http/flash.js';
import { healthRoutes } from './http/health.js';
import { createMetrics, metricsRoutes } from './http/metrics.js';
import { pageCache } from './http/page-cache.js';
import { logUnhandledError, requestLog } from './http/request-log.js';
import { createMailer } from './mail/mailer.js';
import { sameOriginOnly } from './http/same-origin.js';
import { adminRoutes } from './routes/admin/index.js';
import { apiRoutes } from './routes/api/index.js';
import { codeHostHookRoutes } from './routes/code-host-hooks.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { groupRoutes } from './routes/groups.js';
import { hostSignInRoutes } from './routes/host-sign-in.js';
import { passwordResetRoutes } from './routes/password-resets.js';
import { projectRoutes } from './routes/projects.js';
import { sessionRoutes } from './routes/sessions.js';
import { userSettingsRoutes } from './routes/user-settings.js';
import { layout } from '../views/layout.js';
import { renderError } from '../views/pages/error.js';

/** Form posts larger than this are refused before they are read. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Signed-in pages kept until the database changes (see http/page-cache.ts). */
const PAGE_CACHE_SIZE = 1_000;

const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  objectSrc: ["'none'"],
};

/**
 * @example
 * const app = createApp({ db, config, secretKeyBase, throttle: new SignInThrottle(db), logger })
 * const res = await app.request('/-/health') // 200
 */
export function createApp(given: AppDeps): Hono<AppEnv> {
  const metrics = given.metrics ?? createMetrics();
  const deps: AppDeps = {
    settingsTestThrottle: new Throttle(given.db),
    ...given,
    hostClients: given.hostClients ?? createHostClient,
    metrics,
  };
  const { mail, publicOrigin } = deps.config;
  if (!deps.mailer && mail) deps.mailer = createMailer(mail, { publicOrigin });
  const app = new Hono<AppEnv>();

  app.use(requestLog(deps.logger, metrics, deps.config.trustedProxies));
  app.use(
    secureHeaders({
      contentSecurityPolicy: CONTENT_SECURITY_POLICY,
      referrerPolicy: 'same-origin',
      // HSTS means nothing over plain http; headers for long-gone browsers are left out.
      strictTransportSecurity: deps.config.secureCookies ? 'max-age=15552000; includeSubDomains' : false,
      xDownloadOptions: false,
      xDnsPrefetchControl: false,
      xPermittedCrossDomainPolicies: false,
    }),
  );
  app.route('/', healthRoutes(deps.db, deps.logger));
  app.route('/', metricsRoutes(deps.config, metrics));
  app.route('/public', assetRoutes());
  // Before the page middleware (session cookie, page cache, same-origin check): the API has its own.
  app.route('/api/v4', apiRoutes(deps));
  // Code hosts' hooks: their token or signature is the credential (routes/code-host-hooks.ts).
  app.route('/-/code_hosts', codeHostHookRoutes(deps));

  // Before anything that can fail (the session lookup reads the database), so that every
  // error page gets the full layout.
  app.use(layout);
  app.use(async (c, next) => {
    c.set('deps', deps);
    c.set('db', deps.db);
    const stamp = await databaseStamp(deps.db);
    c.set('databaseStamp', stamp);
    const token = getCookie(c, SESSION_COOKIE);
    c.set('user', token ? await findSessionUser(deps.db, token, new Date(), stamp) : null);
    await next();
  });
  const pageCacheSize = deps.pageCacheSize ?? PAGE_CACHE_SIZE;
  if (pageCacheSize > 0) app.use(pageCache(pageCacheSize, metrics));
  app.use(readFlash);
  app.use(sameOriginOnly(deps.config.publicOrigin));
  app.use(limitBody<AppEnv>(MAX_BODY_BYTES, (c) => renderError(c, 413, 'The submitted form is too large.')));

  app.route('/users', sessionRoutes());
  app.route('/users', hostSignInRoutes());
  app.route('/users/password', passwordResetRoutes());
  app.route('/admin', adminRoutes());
  app.route('/groups', groupRoutes());
  app.route('/-/user_settings', userSettingsRoutes());
  app.route('/', dashboardRoutes());
  // Last: a project's URL is its full path, so it would shadow any route mounted after it.
  app.route('/', projectRoutes());

  app.notFound((c) => renderError(c as AppContext, 404, new NotFound().message));
  app.onError((error, c) => handleError(error, c as AppContext, deps));
  return app;
}

function handleError(error: Error, c: AppContext, deps: AppDeps): Response | Promise<Response> {
  // Logged by the request line; the answer reaches nobody.
  if (error instanceof RequestAborted) return c.body(null, 400);
  if (error instanceof SignInRequired) {
    const back = c.req.method === 'GET' ? `?redirect_to=${encodeURIComponent(c.req.path)}` : '';
    return c.redirect(`/users/sign_in${back}`, 302);
  }
  if (error instanceof NotFound) return renderError(c, 404, error.message);
  if (error instanceof Forbidden) return renderError(c, 403, error.message);
  if (error instanceof BadRequest) return renderError(c, 400, error.message);
  if (error instanceof Conflict) return renderError(c, 409, error.message);
  if (error instanceof HTTPException && error.status < 500) {
    return renderError(c, 400, 'The request could not be understood.');
  }
  logUnhandledError(deps.logger, c, error);
  return renderError(c, 500, 'Something went wrong on our end. The error was logged; please try again.');
}
