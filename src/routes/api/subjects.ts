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

function findProject(c: AppContext, idOrPath: string): { project: Project; group: Group } | undefined {
  if (!isId(idOrPath)) return projectWithGroup(c.var.db, idOrPath);
  const project = findProjectById(c.var.db, Number(idOrPath));
  const group = project && findGroupById(c.var.db, project.groupId);
  return project && group ? { project, group } : undefined;
}

/** authorize() with GitLab's messages: "404 Project Not Found" rather than the page's text. */
function authorizeFor(c: AppContext, ability: Ability, subject: Subject, what: string): void {
  try {
    authorize(c.var.db, c.var.user, ability, subject);
  } catch (error) {
    throw error instanceof NotFound ? notFound(what) : error;
  }
}

export function apiProject(c: AppContext, ability: Ability): ProjectSubject {
  const found = findProject(c, c.req.param('id') ?? '');
  if (!found) throw notFound('Project');
  authorizeFor(c, ability, { kind: 'project', ...found }, 'Project');
  return { ...found, lineage: groupLineage(c.var.db, found.group) };
}

export function apiGroup(c: AppContext, ability: Ability): GroupSubject {
  const idOrPath = c.req.param('id') ?? '';
  const group = isId(idOrPath) ? findGroupById(c.var.db, Number(idOrPath)) : findGroupByFullPath(c.var.db, idOrPath);
  if (!group) throw notFound('Group');
  authorizeFor(c, ability, { kind: 'group', group }, 'Group');
  return { group, lineage: groupLineage(c.var.db, group) };
}

/** The instance-level endpoints, like GitLab's Admin API, answer 403 to everyone but administrators. */
export function apiAdmin(c: AppContext): void {
  if (!can(c.var.db, c.var.user, 'administer', { kind: 'instance' })) throw new Forbidden();
}
