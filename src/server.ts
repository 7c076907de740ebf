/**
 * @module server
 * The only file that listens: config -> open db -> migrate -> first-start seed -> serve.
 */
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { SignInThrottle } from './auth/throttle.js';
import { ConfigError, loadConfig } from './config.js';
import { migrateDatabase, openDatabase } from './db/client.js';
import { createLogger } from './logger.js';
import { loadSecretKeyBase } from './secrets.js';
import { isEmpty, seedDemo, seedRoot, type SeededAccount } from './seed.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const db = openDatabase(config.databasePath);
  migrateDatabase(db);
  const secretKeyBase = loadSecretKeyBase(config);

  if (isEmpty(db)) {
    const accounts: SeededAccount[] = await seedRoot(db, config.initialRootPassword);
    if (config.seedDemo) accounts.push(...(await seedDemo(db)));
    printAccounts(accounts, config.publicOrigin, config.initialRootPassword !== undefined);
  }

  const app = createApp({ db, config, secretKeyBase, throttle: new SignInThrottle(), logger });
  const server = serve({ fetch: app.fetch, port: config.port }, (info) => {
    logger.info(`Cascade is ready at ${config.publicOrigin} (listening on port ${info.port})`);
  });
  const stop = () => {
    server.close();
    db.$client.close();
    process.exit(0);
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
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(`Cascade could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
