/**
 * @module routes/api/subjects
 * The project or group an API URL names by id (`42`) or URL-encoded full path
 * (`top%2Fsub%2Fapp`), checked with the one permission check: 404 when the token's user may
 * not see it, 403 when they may see it but not do this.
 */
import { authorize, can, type Ability, type Subject } from '../../auth/permissions.js';
import type { Group, Project } from '../../db/schema.js';
import { Forbidden, NotFound } from '../../errors.js';
import type { AppContext } from '../../http/context.js';
import { findGroupByFullPath, findGroupById, groupLineage } from '../../model/groups.js';
import { findProjectById, projectWithGroup } from '../../model/projects.js';
import type { GroupSubject, ProjectSubject } from '../../http/subjects.js';
import { notFound } from './errors.js';

const isId = (value: string) => /^[1-9]\d{0,15}$/.test(value);

async function findProject(c: AppContext, idOrPath: string): Promise<{ project: Project; group: Group } | undefined> {
  if (!isId(idOrPath)) return await projectWithGroup(c.var.db, idOrPath);
  const project = await findProjectById(c.var.db, Number(idOrPath));
  const group = project && (await findGroupById(c.var.db, project.groupId));
  return project && group ? { project, group } : undefined;
}

/** authorize() with GitLab's messages: "404 Project Not Found" rather than the page's text. */
async function authorizeFor(c: AppContext, ability: Ability, subject: Subject, what: string): Promise<void> {
  try {
    await authorize(c.var.db, c.var.user, ability, subject);
  } catch (error) {
    throw error instanceof NotFound ? notFound(what) : error;
  }
}

export async function apiProject(c: AppContext, ability: Ability): Promise<ProjectSubject> {
  const found = await findProject(c, c.req.param('id') ?? '');
  if (!found) throw notFound('Project');
  await authorizeFor(c, ability, { kind: 'project', ...found }, 'Project');
  return { ...found, lineage: await groupLineage(c.var.db, found.group) };
}

/** The group of the URL's `:id`, or of `idOrPath` when the group is a parameter (a parent, a transfer's target). */
export async function apiGroup(
  c: AppContext,
  ability: Ability,
  idOrPath: string = c.req.param('id') ?? '',
): Promise<GroupSubject> {
  const group = isId(idOrPath)
    ? await findGroupById(c.var.db, Number(idOrPath))
    : await findGroupByFullPath(c.var.db, idOrPath);
  if (!group) throw notFound('Group');
  await authorizeFor(c, ability, { kind: 'group', group }, 'Group');
  return { group, lineage: await groupLineage(c.var.db, group) };
}

/** The instance-level endpoints, like GitLab's Admin API, answer 403 to everyone but administrators. */
export async function apiAdmin(c: AppContext): Promise<void> {
  if (!(await can(c.var.db, c.var.user, 'administer', { kind: 'instance' }))) throw new Forbidden();
}
