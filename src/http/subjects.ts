/**
 * @module http/subjects
 * Loads the group or project a URL names and checks the user may do what the route does,
 * in one step, so that no route can forget the check; and the integration type and settings
 * store a settings URL works on, for the pages and the API alike.
 */
import { authorize, type Ability } from '../auth/permissions.js';
import type { Group, Project } from '../db/schema.js';
import { NotFound, SignInRequired } from '../errors.js';
import { findGroupByFullPath, groupLineage } from '../model/groups.js';
import { projectWithGroup } from '../model/projects.js';
import type { IntegrationType } from '../integrations/types.js';
import type { Level } from '../settings/resolve.js';
import { typeAtLevel } from '../settings/service.js';
import { SettingsStore } from '../settings/store.js';
import type { AppContext } from './context.js';

export interface GroupSubject {
  group: Group;
  /** The group's ancestors and the group itself, top-level first. */
  lineage: Group[];
}

export interface ProjectSubject {
  project: Project;
  group: Group;
  lineage: Group[];
}

export async function requireGroup(c: AppContext, fullPath: string, ability: Ability): Promise<GroupSubject> {
  if (!c.var.user) throw new SignInRequired();
  const group = await findGroupByFullPath(c.var.db, fullPath);
  if (!group) throw new NotFound();
  await authorize(c.var.db, c.var.user, ability, { kind: 'group', group });
  return { group, lineage: await groupLineage(c.var.db, group) };
}

export async function requireProject(c: AppContext, fullPath: string, ability: Ability): Promise<ProjectSubject> {
  if (!c.var.user) throw new SignInRequired();
  const found = await projectWithGroup(c.var.db, fullPath);
  if (!found) throw new NotFound();
  await authorize(c.var.db, c.var.user, ability, { kind: 'project', ...found });
  return { ...found, lineage: await groupLineage(c.var.db, found.group) };
}

export function requireSignedIn(c: AppContext) {
  if (!c.var.user) throw new SignInRequired();
  return c.var.user;
}

/** Throws unless the user is an administrator (404 for others: the Admin Area is not revealed). */
export async function requireAdmin(c: AppContext) {
  const user = c.var.user;
  await authorize(c.var.db, user, 'administer', { kind: 'instance' });
  return user!;
}

/** The settings store of the request's database, its secrets sealed with the app's key. */
export const storeOf = (c: AppContext) => new SettingsStore(c.var.db, c.var.deps.secretKeyBase);

/**
 * The integration type a URL's `:slug` names, if it can be set up at the level; `missing` is
 * thrown otherwise. Slugs are GitLab's, dashed (`microsoft-teams`); underscores are accepted too.
 *
 * @example
 * const type = typeOfUrl(c, scope) // the page's 404 for a slug that is not set up here
 * const type = typeOfUrl(c, at, notFound('Integration')) // the API's "404 Integration Not Found"
 */
export function typeOfUrl(
  c: AppContext,
  at: { level: Level },
  missing: Error = new NotFound('This integration does not exist, or cannot be set up at this level.'),
): IntegrationType {
  const type = typeAtLevel((c.req.param('slug') ?? '').replaceAll('_', '-'), at.level);
  if (!type) throw missing;
  return type;
}
