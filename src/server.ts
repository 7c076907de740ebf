/**
 * @module server
 * The only file that listens: config -> port -> open db -> migrate -> first-start seed -> ready.
 * The port is taken first, so that a port in use stops start-up before the database is written
 * or a password printed; until the app is ready, requests are answered 503. On SIGTERM or SIGINT
 * it stops gracefully: no new connections, requests in flight finish (for at most
 * {@link SHUTDOWN_GRACE_MS}), then the database is closed. Beside the requests run the code hosts'
 * imports, the processor of their hooks and the reconciler (src/code-hosts/background.ts), and
 * the delivery of their events to integrations (src/delivery/background.ts); they stop with the
 * server.
 */
import { createAdaptorServer } from '@hono/node-server';
import type { Server, ServerResponse } from 'node:http';
import { createApp } from './app.js';
import { SignInThrottle } from './auth/throttle.js';
import { startCodeHostBackground } from './code-hosts/background.js';
import { hostEventRetention } from './code-hosts/retention.js';
import { createHostClient } from './code-hosts/clients.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DatabaseFileError, migrateDatabase, openDatabase, withoutPassword, type Db } from './db/client.js';
import { startRetention } from './db/retention.js';
import { startDelivery } from './delivery/background.js';
import { disabledNotifier, type IntegrationPageUrl } from './delivery/disabled-notice.js';
import { createPlanner } from './delivery/planner.js';
import { deliveryRetention } from './delivery/retention.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { integrationsUrl, integrationUrl } from './http/paths.js';
import { createLogger, type Logger } from './logger.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import { loadSecretKeyBase } from './secrets.js';
import { isEmpty, seedDemo, seedDemoDeliveries, seedRoot, type SeededAccount } from './seed.js';

/** How long requests in flight may take to finish once a stop is asked for; then their connections are closed. */
const SHUTDOWN_GRACE_MS = 10_000;

/** A start-up failure whose message is the whole line to print. */
class StartupError extends Error {}

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

const starting: Fetch = () =>
  new Response('Cascade is starting. Try again in a moment.\n', {
    status: 503,
    headers: { 'retry-after': '1', 'content-type': 'text/plain; charset=utf-8' },
  });

/** Why listening failed, in one line naming the variable to change. */
function listenProblem(error: NodeJS.ErrnoException, host: string | undefined, port: number): string {
  if (error.code === 'EADDRINUSE') return `PORT ${port} is already in use by another program`;
  if (
    host !== undefined &&
    (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')
  )
    return `HOST ${host} is not an address of this machine (${error.code})`;
  return `PORT ${port} cannot be listened on (${error.code ?? error.message})`;
}

/**
 * Listens on `host` (every interface when unset) and `port` with `handler()` answering each
 * request; refuses with one line when the address cannot be had.
 */
function listen(host: string | undefined, port: number, handler: () => Fetch): Promise<Server> {
  // Without a createServer option the adaptor makes a node:http server.
  const server = createAdaptorServer({ fetch: (request, env) => handler()(request, env) }) as Server;
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new StartupError(`Cascade could not start: ${listenProblem(error, host, port)}.`));
    });
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * Stops on SIGTERM or SIGINT: closes the listening socket, then each keep-alive connection once it
 * is idle, lets requests in flight finish, and after {@link SHUTDOWN_GRACE_MS} (or a second
 * signal) closes whatever connections are left; then closes the database and exits with 0.
 */
function stopGracefully(
  server: Server,
  db: Db,
  logger: Logger,
  background: readonly { stop(): Promise<void> }[],
): void {
  let stopping = false;
  // The listening socket's close leaves a connection open after its last answer; it is closed once idle.
  server.on('request', (_request, response: ServerResponse) => {
    response.once('finish', () => {
      if (stopping) server.closeIdleConnections();
    });
  });
  const closeAll = () => server.closeAllConnections();
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return closeAll();
    stopping = true;
    logger.info({ signal }, 'Cascade is stopping: finishing the requests in flight');
    setTimeout(closeAll, SHUTDOWN_GRACE_MS).unref();
    server.close(() => {
      void (async () => {
        // A reconcile in progress is left at most the grace period: it saves as it goes, and
        // removes nothing until its walk of the host's tree is complete. A send in flight is
        // recorded, or its lease runs out and it is sent again.
        await Promise.race([
          Promise.all(background.map((work) => work.stop())),
          new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref()),
        ]);
        // Whether close() returns a promise depends on the database (a PostgreSQL pool's does).
        await Promise.resolve(db.close());
        logger.info('Cascade stopped');
        process.exit(0);
      })();
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Each owner of a level whose integration repeated failures disabled gets a mail with a link to its page. */
function disabledNoticeByMail(db: Db, mailer: Mailer, publicOrigin: string) {
  const pageUrl: IntegrationPageUrl = (owner, slug) =>
    new URL(integrationUrl(integrationsUrl(owner), slug), publicOrigin).href;
  return disabledNotifier(db, pageUrl, async (owners, { subject, text }) => {
    for (const { email } of owners) await mailer.send({ to: [email], subject, text });
  });
}

/** The database the configuration names, migrated, or one line saying why it cannot be used. */
async function openConfiguredDatabase(config: Config, logger: Logger, metrics: Metrics): Promise<Db> {
  let db: Db;
  try {
    db = openDatabase(
      { url: config.databaseUrl, path: config.databasePath },
      { poolSize: config.databasePoolSize, onTimed: (seconds) => metrics.observeDatabaseQuery(seconds) },
    );
  } catch (error) {
    if (!(error instanceof DatabaseFileError)) throw error;
    throw new StartupError(`Cascade could not start: DATABASE_PATH ${config.databasePath} ${error.message}.`);
  }
  try {
    for (const name of await migrateDatabase(db)) logger.info(`Applied migration ${name}`);
  } catch (error) {
    await db.close();
    if (!config.databaseUrl) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError(`Cascade could not start: DATABASE_URL ${withoutPassword(config.databaseUrl)}: ${reason}.`);
  }
  return db;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  let fetch = starting;
  const server = await listen(config.host, config.port, () => fetch);
  const metrics = createMetrics();
  const db = await openConfiguredDatabase(config, logger, metrics);
  const secretKeyBase = loadSecretKeyBase(config);

  // One transaction, so that of servers starting together on an empty database one seeds it
  // and the others, whose transactions wait for its own, find it seeded.
  const seeded = await db.transaction(async (tx) => {
    if (!(await isEmpty(tx))) return undefined;
    const accounts: SeededAccount[] = await seedRoot(tx, config.initialRootPassword);
    if (config.seedDemo) accounts.push(...(await seedDemo(tx, secretKeyBase)));
    return accounts;
  });
  if (seeded && config.seedDemo) await seedDemoDeliveries(db, secretKeyBase);
  if (seeded) printAccounts(seeded, config.publicOrigin, config.initialRootPassword !== undefined);

  const codeHosts = startCodeHostBackground(db, {
    clients: createHostClient,
    secretKeyBase,
    publicOrigin: config.publicOrigin,
    logger,
  });
  const mailer = config.mail && createMailer(config.mail, { publicOrigin: config.publicOrigin });
  const delivery = startDelivery({
    db,
    planner: createPlanner(db, secretKeyBase, { mailHost: mailer?.targetHost }),
    mailer,
    onDisabled: mailer && disabledNoticeByMail(db, mailer, config.publicOrigin),
    secretKeyBase,
    schedule: config.deliveryRetrySchedule,
    concurrency: config.deliveryConcurrency,
    hostConcurrency: config.deliveryHostConcurrency,
    leaseMs: config.deliveryLeaseMs,
    logger,
  });
  fetch = createApp({
    db,
    config,
    secretKeyBase,
    throttle: new SignInThrottle(db),
    logger,
    metrics,
    hostImports: codeHosts.imports,
    hostEventProcessor: codeHosts.processor,
    delivery,
    ...(mailer ? { mailer } : {}),
  }).fetch;
  const listening = config.host === undefined ? `port ${config.port}` : `${config.host} port ${config.port}`;
  logger.info(`Cascade is ready at ${config.publicOrigin} (listening on ${listening})`);
  // Deliveries first: the events they hold are kept until they go.
  const stopRetention = startRetention(
    db,
    [deliveryRetention(config.deliveryRetentionDays), hostEventRetention(config.hostEventsRetentionDays)],
    logger,
  );
  const retention = { stop: async () => stopRetention() };
  stopGracefully(server, db, logger, [codeHosts, delivery, retention]);
}

/** Printed once, on the first start: these passwords are not stored anywhere readable. */
function printAccounts(accounts: SeededAccount[], origin: string, rootPasswordFromEnv: boolean): void {
  const lines = [`Sign in at ${origin}/users/sign_in`];
  if (rootPasswordFromEnv) lines.push('  root: the password from INITIAL_ROOT_PASSWORD (Administrator)');
  for (const account of accounts) lines.push(`  ${account.username}: ${account.password} (${account.role})`);
  lines.push('These passwords are shown only this once.');
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError) {
    console.error(error.message);
  } else {
    console.error(`Cascade could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
