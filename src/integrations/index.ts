/**
 * @module integrations
 * The catalog: every integration type Cascade knows, one file each in `catalog/`. Adding a type
 * means adding its file there: every type a catalog file defines with `defineIntegration` is
 * loaded when the app starts.
 */
import { readdirSync } from 'node:fs';
import type { IntegrationType, Level } from './types.js';
import { isIntegrationType } from './validate.js';

const CATALOG = new URL('./catalog/', import.meta.url);

const catalogModules: Record<string, unknown>[] = await Promise.all(
  readdirSync(CATALOG)
    .filter((file) => /\.[cm]?[jt]s$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => import(new URL(file, CATALOG).href)),
);

/** In the order of the lists: by title, like GitLab's integration list. */
export const integrationTypes: readonly IntegrationType[] = catalogModules
  .flatMap((exports) => Object.values(exports).filter(isIntegrationType))
  .sort((a, b) => a.title.localeCompare(b.title, 'en'));

const bySlug = new Map(integrationTypes.map((type) => [type.slug, type]));
if (bySlug.size !== integrationTypes.length) throw new Error('Two integration types in src/integrations/catalog/ share a slug.');

/** @example findIntegrationType('slack')?.title // 'Slack notifications' */
export function findIntegrationType(slug: string): IntegrationType | undefined {
  return bySlug.get(slug);
}

export function integrationTypesAt(level: Level): IntegrationType[] {
  return integrationTypes.filter((type) => type.levels.includes(level));
}
