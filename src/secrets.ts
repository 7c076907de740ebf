/**
 * @module secrets
 * SECRET_KEY_BASE: from the environment, or generated once and kept in a 0600 file beside
 * the database, so that sessions and encrypted settings survive restarts.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from './config.js';

export const SECRET_KEY_FILE = 'secret_key_base.key';

/**
 * @example
 * const secretKeyBase = loadSecretKeyBase(config) // creates data/secret_key_base.key on first start
 */
export function loadSecretKeyBase(config: Config): string {
  if (config.secretKeyBase) return config.secretKeyBase;
  if (config.databasePath === ':memory:') return randomBytes(32).toString('hex');
  const file = join(dirname(resolve(config.databasePath)), SECRET_KEY_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
