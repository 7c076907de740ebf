/**
 * @module paths
 * Where Cascade's own files are (drizzle/, public/, package.json): found from the package root,
 * so that they are the same for src/ run through tsx and for the bundle in dist/.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest folder at or above `start` that holds a package.json.
 *
 * @example
 * findPackageRoot('/srv/cascade/dist') // '/srv/cascade'
 */
export function findPackageRoot(start: string): string {
  for (let folder = start; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    if (dirname(folder) === folder) throw new Error(`No package.json at or above ${start}`);
  }
}

/** The folder of Cascade's package.json, whether this module runs from src/ or dist/. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
