/**
 * @module server
 * The only file that listens: config -> port -> open db -> migrate -> first-start seed -> ready.
 * The port is taken first, so that a port in use stops start-up before the database is written
 * or a password printed; until the app is ready, requests are answered 503.
 */
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { createApp } from './app.js';
import { SignInThrottle } from './auth/throttle.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DatabaseFileError, migrateDatabase, openDatabase, withoutPassword, type Db } from './db/client.js';
import { createLogger, type Logger } from './logger.js';
import { loadSecretKeyBase } from './secrets.js';
import { isEmpty, seedDemo, seedRoot, type SeededAccount } from './seed.js';

/** A start-up failure whose message is the whole line to print. */
class StartupError extends Error {}

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

const starting: Fetch = () =>
  new Response('Cascade is starting. Try again in a moment.\n', {
    status: 503,
    headers: { 'retry-after': '1', 'content-type': 'text/plain; charset=utf-8' },
  });

/** Listens on `port` with `handler()` answering each request; refuses with one line when the port cannot be had. */
function listen(port: number, handler: () => Fetch): Promise<ServerType> {
  const server = createAdaptorServer({ fetch: (request, env) => handler()(request, env), port });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const problem =
        error.code === 'EADDRINUSE'
          ? 'is already in use by another program'
          : `cannot be listened on (${error.code ?? error.message})`;
      reject(new StartupError(`Cascade could not start: PORT ${port} ${problem}.`));
    });
    server.listen(port, () => resolve(server));
  });
}

/** The database the configuration names, migrated, or one line saying why it cannot be used. */
async function openConfiguredDatabase(config: Config, logger: Logger): Promise<Db> {
  let db: Db;
  try {
    db = openDatabase(
      { url: config.databaseUrl, path: config.databasePath },
      { poolSize: config.databasePoolSize },
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
  const logger = createLogger(config.logLevel);
  let fetch = starting;
  const server = await listen(config.port, () => fetch);
  const db = await openConfiguredDatabase(config, logger);
  const secretKeyBase = loadSecretKeyBase(config);

  if (await isEmpty(db)) {
    const accounts: SeededAccount[] = await seedRoot(db, config.initialRootPassword);
    if (config.seedDemo) accounts.push(...(await seedDemo(db)));
    printAccounts(accounts, config.publicOrigin, config.initialRootPassword !== undefined);
  }

  fetch = createApp({ db, config, secretKeyBase, throttle: new SignInThrottle(db), logger }).fetch;
  logger.info(`Cascade is ready at ${config.publicOrigin} (listening on port ${config.port})`);
  const stop = () => {
    server.close();
    void db.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
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
