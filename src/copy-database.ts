/**
 * @module copy-database
 * `npm run db:copy -- --to postgres://…`: moves the instance in the SQLite database at
 * DATABASE_PATH into an empty PostgreSQL database (src/db/copy.ts). Progress goes to stderr; the
 * count of every table on both sides, and what the PostgreSQL servers need to open the copied
 * secrets, go to stdout. Exits 1 when it refuses, fails, or a count differs.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { sql } from 'drizzle-orm';
import { loadConfig } from './config.js';
import { firstRow, openPostgres, openSqlite, withoutPassword } from './db/client.js';
import { copyDatabase, CopyRefused, type TableCount } from './db/copy.js';
import { SECRET_KEY_FILE } from './secrets.js';

const USAGE =
  'name the PostgreSQL database to copy into: npm run db:copy -- --to postgres://user:password@host/database';

function targetUrl(args: string[]): string {
  const at = args.indexOf('--to');
  const url = at >= 0 ? args[at + 1] : args.find((arg) => arg.startsWith('--to='))?.slice('--to='.length);
  if (!url || !/^postgres(ql)?:\/\/./.test(url) || !URL.canParse(url)) throw new CopyRefused(USAGE);
  return url;
}

/** On a terminal, a bar per table; otherwise a line per table once it is copied. */
function progressReporter(): (table: string, copied: number, total: number) => void {
  let bar: cliProgress.SingleBar | undefined;
  return (table, copied, total) => {
    if (process.stderr.isTTY) {
      if (copied === 0) {
        bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: `${table.padEnd(24)} [{bar}] {value}/{total}` },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar?.update(copied);
      if (copied === total) bar?.stop();
    } else if (copied === total) {
      process.stderr.write(`Copied ${table}: ${total.toLocaleString('en')} rows\n`);
    }
  };
}

function countTable(counts: TableCount[]): string {
  const width = Math.max(...counts.map(({ table }) => table.length), 'Table'.length);
  const line = (table: string, source: string, target: string, mark = '') =>
    `${table.padEnd(width)}  ${source.padStart(10)}  ${target.padStart(10)}${mark}`;
  return [
    line('Table', 'SQLite', 'PostgreSQL'),
    ...counts.map(({ table, source, target }) =>
      line(table, source.toLocaleString('en'), target.toLocaleString('en'), source === target ? '' : '  differs'),
    ),
  ].join('\n');
}

/** What the PostgreSQL servers need to open the secrets, which were copied sealed. */
function keyAdvice(secretKeyBase: string | undefined, databasePath: string): string {
  if (secretKeyBase) {
    return 'Its sealed secrets were copied as they are: start Cascade on PostgreSQL with the same SECRET_KEY_BASE.';
  }
  const keyFile = join(dirname(resolve(databasePath)), SECRET_KEY_FILE);
  if (existsSync(keyFile)) {
    return [
      `Its sealed secrets were copied as they are: they open with the key in ${keyFile}.`,
      'Start Cascade on PostgreSQL with that key as SECRET_KEY_BASE, on every server:',
      `  export SECRET_KEY_BASE="$(cat ${keyFile})"`,
    ].join('\n');
  }
  return `No ${SECRET_KEY_FILE} is beside the database and SECRET_KEY_BASE is not set: its sealed secrets cannot be opened.`;
}

/**
 * The reason an error gives, from the driver's own error under drizzle's (which repeats the
 * query and its parameters), without the password of `url` should the driver repeat it.
 */
function reasonOf(error: unknown, url: string): string {
  let cause = error;
  while (cause instanceof Error && cause.cause !== undefined) cause = cause.cause;
  // Connecting to "localhost" tries each of its addresses: the first one's reason is enough.
  if (cause instanceof AggregateError && cause.errors.length > 0) cause = cause.errors[0] as unknown;
  const reason =
    cause instanceof Error ? cause.message || String((cause as NodeJS.ErrnoException).code) : String(cause);
  const password = decodeURIComponent(new URL(url).password);
  return (password ? reason.replaceAll(password, '***') : reason).replace(/\.$/, '');
}

async function main(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const url = targetUrl(args);
  const shown = withoutPassword(url);
  // The source is the SQLite file, whatever DATABASE_URL says.
  const config = loadConfig({ ...env, DATABASE_URL: undefined });
  if (config.databasePath === ':memory:' || !statSync(config.databasePath, { throwIfNoEntry: false })?.isFile()) {
    throw new CopyRefused(`DATABASE_PATH ${config.databasePath} is not a database file`);
  }
  const source = openSqlite(config.databasePath);
  const target = openPostgres(url, { poolSize: 2 });
  try {
    try {
      await firstRow(target, sql`select 1`);
    } catch (error) {
      throw new CopyRefused(`cannot reach ${shown} (${reasonOf(error, url)})`, { cause: error });
    }
    const counts = await copyDatabase(source, target, { onProgress: progressReporter() });
    console.log(countTable(counts));
    const differing = counts.filter(({ source, target }) => source !== target);
    if (differing.length > 0) {
      console.error(`Count check failed: ${differing.map(({ table }) => table).join(', ')} differ.`);
      return 1;
    }
    const total = counts.reduce((sum, { source }) => sum + source, 0);
    console.log(`Copied ${total.toLocaleString('en')} rows of ${config.databasePath} into ${shown}.`);
    console.log(keyAdvice(config.secretKeyBase, config.databasePath));
    return 0;
  } catch (error) {
    if (error instanceof CopyRefused) throw error;
    throw new Error(reasonOf(error, url), { cause: error });
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`${error instanceof CopyRefused ? 'Copy refused' : 'Copy failed'}: ${reason.replace(/\.$/, '')}.`);
    process.exit(1);
  },
);
