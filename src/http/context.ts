/**
 * @module http/context
 * What every request handler can reach: the dependencies, the signed-in user, the flash message.
 */
import type { Delivery } from '../delivery/background.js';
import type { Context } from 'hono';
import type { SignInThrottle, Throttle } from '../auth/throttle.js';
import type { HostClientFactory, HostImports } from '../code-hosts/host.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { User } from '../db/schema.js';
import type { HostEventProcessor } from '../code-hosts/processor.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mail/mailer.js';
import type { OutboundOptions } from '../outbound/request.js';
import type { Metrics } from './metrics.js';

export interface AppDeps {
  db: Db;
  config: Config;
  /** Keys for cookies and encrypted settings are derived from it. */
  secretKeyBase: string;
  throttle: SignInThrottle;
  logger: Logger;
  /** Signed-in pages kept until the database changes (http/page-cache.ts); 0 turns it off. Default 1,000. */
  pageCacheSize?: number;
  /** Requests to other servers (Test settings); tests shorten the timeout. */
  outbound?: OutboundOptions;
  /** Counts each user's Test settings requests (settings/outbound.ts SETTINGS_TEST_LIMIT); createApp makes one. */
  settingsTestThrottle?: Throttle;
  /** What /metrics serves (http/metrics.ts); createApp makes one. server.ts makes it first, for the database to report to. */
  metrics?: Metrics;
  /** Applies received code host events after the answer (code-hosts/processor.ts); without it they wait, stored. */
  hostEventProcessor?: Pick<HostEventProcessor, 'wake'>;
  /** Sends received content events to the projects' integrations (delivery/background.ts); without it they wait, stored. */
  delivery?: Pick<Delivery, 'wake'>;
  /** Makes the client of a connected code host (code-hosts/host.ts); createApp gives the real one, tests a fake. */
  hostClients?: HostClientFactory;
  /** Starts a connection's import or reconcile in the background (code-hosts/sync.ts); absent: none runs. */
  hostImports?: HostImports;
  /** Sends Cascade's own mails ("Forgot your password?"); createApp makes one when SMTP_URL is set. */
  mailer?: Mailer;
}

export interface Flash {
  kind: 'notice' | 'alert';
  message: string;
}

export interface AppEnv {
  Variables: {
    /** Sent back as X-Request-Id and written on every log line of the request (http/request-log.ts). */
    requestId: string;
    deps: AppDeps;
    db: Db;
    user: User | null;
    /** The database's change stamp when the request started (db/change-stamp.ts). */
    databaseStamp: string;
    flash: Flash | null;
  };
}

export type AppContext = Context<AppEnv>;
