/**
 * @module routes/api/groups
 * GitLab's group API for the tree: create a group or subgroup, change it, delete it (202, with
 * its subgroups and projects), and transfer it under another group or to the top level. As in
 * Cascade's Admin Area, only administrators change the tree; others who can see the group get
 * 403, the rest 404. The listings are in resources.ts.
 */
import { Hono } from 'hono';
import type { AppContext, AppEnv } from '../../http/context.js';
import { createGroup, groupLineage } from '../../model/groups.js';
import { moveGroup } from '../../model/moves.js';
import { deleteGroup, updateGroup } from '../../model/tree.js';
import type { Group } from '../../db/schema.js';
import { groupEntity } from './entities.js';
import { readParams } from './params.js';
import { apiAdmin, apiGroup } from './subjects.js';
import { accepted, integerParam, invalidRecord, pickParams, requiredText } from './tree-params.js';

const TREE_FIELDS = { name: 'name', path: 'path', description: 'description' };

async function present(c: AppContext, group: Group) {
  return groupEntity(group, await groupLineage(c.var.db, group), c.var.deps.config.publicOrigin);
}

export function groupTreeRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  /** `name` and `path` required; `parent_id` makes it a subgroup. */
  routes.post('/', async (c) => {
    const params = await readParams(c);
    const parentId = integerParam(params, 'parent_id');
    const parent = parentId === undefined ? undefined : (await apiGroup(c, 'administer', String(parentId))).group;
    if (!parent) await apiAdmin(c);
    requiredText(params, 'name');
    requiredText(params, 'path');
    const result = await createGroup(c.var.db, pickParams(params, TREE_FIELDS), parent);
    if (!result.ok) return invalidRecord(c, result.errors);
    return c.json(await present(c, result.value), 201);
  });

  routes.put('/:id', async (c) => {
    const { group } = await apiGroup(c, 'administer');
    const result = await updateGroup(c.var.db, group, pickParams(await readParams(c), TREE_FIELDS), c.var.user!);
    if (!result.ok) return invalidRecord(c, result.errors);
    return c.json(await present(c, result.value));
  });

  routes.delete('/:id', async (c) => {
    const { group } = await apiGroup(c, 'administer');
    const result = await deleteGroup(c.var.db, group, c.var.user!);
    if (!result.ok) return c.json({ message: Object.values(result.errors).join(' ') }, 403);
    return accepted(c);
  });

  /** `group_id`: the new parent; without it, the group becomes a top-level group. */
  routes.post('/:id/transfer', async (c) => {
    const { group } = await apiGroup(c, 'administer');
    const targetId = integerParam(await readParams(c), 'group_id');
    const target = targetId === undefined ? null : (await apiGroup(c, 'read', String(targetId))).group;
    const result = await moveGroup(c.var.db, group, target, c.var.user!);
    if (!result.ok) return c.json({ message: `Transfer failed: ${Object.values(result.errors).join(' ')}` }, 400);
    return c.json(await present(c, result.value), 201);
  });

  return routes;
}
