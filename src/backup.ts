/**
 * @module backup
 * `npm run backup -- FILE [--force]`: a consistent copy of the SQLite database at DATABASE_PATH,
 * taken while Cascade serves, and beside it a copy of the key file that opens its sealed
 * secrets (FILE.key), unless SECRET_KEY_BASE is set. Progress goes to stderr; one line tells
 * how it ended.
 */
import { chmodSync, copyFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from './config.js';
import { backupSqlite } from './db/backup.js';
import { SECRET_KEY_FILE } from './secrets.js';

const USAGE = 'name the file to write: npm run backup -- FILE [--force]';

/** A reason not to back up, said before anything is written. */
class BackupRefused extends Error {}

interface BackupArguments {
  target: string;
  force: boolean;
}

function parseArguments(args: string[]): BackupArguments {
  const force = args.includes('--force');
  const files = args.filter((arg) => arg !== '--force');
  if (files.length !== 1 || files[0]!.startsWith('-')) throw new BackupRefused(USAGE);
  return { target: resolve(files[0]!), force };
}

/** Refuses, before anything is written, what would overwrite a file or cannot be written. */
function checkTarget(path: string, force: boolean): void {
  const folder = dirname(path);
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
    throw new BackupRefused(`the folder ${folder} does not exist`);
  }
  if (existsSync(path) && !force) throw new BackupRefused(`${path} already exists (add --force to replace it)`);
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** On a terminal, one line that counts up; otherwise a line every tenth. */
function progressReporter(source: string): (fraction: number) => void {
  let shown = -1;
  return (fraction) => {
    const percent = Math.floor(fraction * 100);
    if (process.stderr.isTTY) {
      if (percent !== shown) process.stderr.write(`\rBacking up ${source}: ${percent}%${percent === 100 ? '\n' : ''}`);
    } else if (Math.floor(percent / 10) !== Math.floor(shown / 10)) {
      process.stderr.write(`Backing up ${source}: ${percent}%\n`);
    }
    shown = percent;
  };
}

async function main(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  if (/^postgres(ql)?:/.test(env.DATABASE_URL ?? '')) {
    throw new BackupRefused(
      'DATABASE_URL is a PostgreSQL database: back it up with pg_dump -Fc (see "Backups" in the README)',
    );
  }
  const { target, force } = parseArguments(args);
  const config = loadConfig(env);
  const source = resolve(config.databasePath);
  if (config.databasePath === ':memory:' || !statSync(source, { throwIfNoEntry: false })?.isFile()) {
    throw new BackupRefused(`DATABASE_PATH ${config.databasePath} is not a database file`);
  }
  if (target === source) throw new BackupRefused('FILE is the database itself');
  const keyFile = join(dirname(source), SECRET_KEY_FILE);
  const keyTarget = `${target}.key`;
  const copiesKey = !config.secretKeyBase && existsSync(keyFile);
  checkTarget(target, force);
  if (copiesKey) checkTarget(keyTarget, force);

  const { bytes, rows } = await backupSqlite(source, target, { onProgress: progressReporter(config.databasePath) });
  const rowCount = Object.values(rows).reduce((sum, count) => sum + count, 0);
  const copied = `Backed up ${config.databasePath} to ${target} (${megabytes(bytes)}, ${rowCount.toLocaleString('en')} rows in ${Object.keys(rows).length} tables)`;
  if (copiesKey) {
    copyFileSync(keyFile, keyTarget);
    chmodSync(keyTarget, 0o600);
    return `${copied} and its key to ${keyTarget}.`;
  }
  if (config.secretKeyBase) {
    return `${copied}. Keep SECRET_KEY_BASE with it: its sealed secrets cannot be opened without it.`;
  }
  return `${copied}. No ${SECRET_KEY_FILE} is beside the database and SECRET_KEY_BASE is not set: its sealed secrets cannot be opened.`;
}

main(process.argv.slice(2), process.env).then(
  (line) => console.log(line),
  (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`Backup failed: ${reason.replace(/\.$/, '')}.`);
    process.exit(1);
  },
);
