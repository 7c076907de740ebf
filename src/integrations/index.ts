/**
 * @module integrations
 * The catalog: every integration type Cascade knows, one file each in `catalog/`, listed in
 * `catalog/index.ts`. Adding a type means adding its file and its line there.
 */
import * as catalog from './catalog/index.js';
import type { IntegrationType, Level } from './types.js';

/** In the order of the lists: by title, like GitLab's integration list. */
export const integrationTypes: readonly IntegrationType[] = Object.values(catalog).sort((a, b) =>
  a.title.localeCompare(b.title, 'en'),
);

const bySlug = new Map(integrationTypes.map((type) => [type.slug, type]));

/** @example findIntegrationType('slack')?.title // 'Slack notifications' */
export function findIntegrationType(slug: string): IntegrationType | undefined {
  return bySlug.get(slug);
}

export function integrationTypesAt(level: Level): IntegrationType[] {
  return integrationTypes.filter((type) => type.levels.includes(level));
}
