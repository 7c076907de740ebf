/**
 * @module routes/api/projects
 * GitLab's project API for the tree: create a project in a group, change it, delete it (202),
 * and transfer it to another group. As in the Admin Area, only administrators do this; others
 * who can see the project get 403, the rest 404. The listings are in resources.ts.
 */
import { Hono } from 'hono';
import type { Ability } from '../../auth/permissions.js';
import { BadRequest, NotFound } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import type { Project } from '../../db/schema.js';
import { findGroupById, groupLineage } from '../../model/groups.js';
import { moveProject } from '../../model/moves.js';
import { createProject } from '../../model/projects.js';
import { deleteProject, updateProject } from '../../model/tree.js';
import { projectEntity } from './entities.js';
import { notFound } from './errors.js';
import { readParams } from './params.js';
import { apiAdmin, apiGroup, apiProject } from './subjects.js';
import { accepted, invalidRecord, pickParams, requiredText, textParam } from './tree-params.js';

const TREE_FIELDS = { name: 'name', path: 'path', description: 'description' };

/**
 * The path GitLab makes of a project's name when none is sent (Rails' `parameterize`).
 *
 * @example
 * pathFromName('My Project!') // 'my-project'
 */
export function pathFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
}

/** The group a project goes into, named by id or full path; GitLab calls it a namespace. */
async function namespaceOf(c: AppContext, idOrPath: string, ability: Ability) {
  try {
    return (await apiGroup(c, ability, idOrPath)).group;
  } catch (error) {
    throw error instanceof NotFound ? notFound('Namespace') : error;
  }
}

async function present(c: AppContext, project: Project) {
  const group = (await findGroupById(c.var.db, project.groupId))!;
  return projectEntity(project, await groupLineage(c.var.db, group), c.var.deps.config.publicOrigin);
}

export function projectTreeRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  /**
   * `name` or `path` (the other is made from it, as GitLab does) and `namespace_id`, the group
   * (by id or full path): Cascade has no personal namespaces to fall back on.
   */
  routes.post('/', async (c) => {
    const params = await readParams(c);
    const namespace = textParam(params, 'namespace_id');
    if (namespace === undefined || namespace === '') {
      await apiAdmin(c);
      throw new BadRequest('namespace_id is missing');
    }
    const group = await namespaceOf(c, namespace, 'administer');
    const name = textParam(params, 'name');
    const path = textParam(params, 'path');
    if (!name && !path) throw new BadRequest('name, path are missing, at least one parameter must be provided');
    const input = { ...pickParams(params, TREE_FIELDS), name: name || path, path: path || pathFromName(name!) };
    const result = await createProject(c.var.db, input, group);
    if (!result.ok) return invalidRecord(c, result.errors);
    return c.json(await present(c, result.value), 201);
  });

  routes.put('/:id', async (c) => {
    const { project, group } = await apiProject(c, 'administer');
    const input = pickParams(await readParams(c), TREE_FIELDS);
    const result = await updateProject(c.var.db, project, group, input, c.var.user!);
    if (!result.ok) return invalidRecord(c, result.errors);
    return c.json(await present(c, result.value));
  });

  routes.delete('/:id', async (c) => {
    const { project } = await apiProject(c, 'administer');
    const result = await deleteProject(c.var.db, project, c.var.user!);
    if (!result.ok) return c.json({ message: Object.values(result.errors).join(' ') }, 403);
    return accepted(c);
  });

  /** `namespace`: the group to move to, by id or full path. */
  routes.put('/:id/transfer', async (c) => {
    const { project } = await apiProject(c, 'administer');
    const target = await namespaceOf(c, requiredText(await readParams(c), 'namespace'), 'read');
    const result = await moveProject(c.var.db, project, target, c.var.user!);
    if (!result.ok)
      return c.json({ message: `Failed to transfer project: ${Object.values(result.errors).join(' ')}` }, 400);
    return c.json(await present(c, result.value));
  });

  return routes;
}
