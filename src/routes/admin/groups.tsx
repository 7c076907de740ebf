/** @module routes/admin/groups: list, create (top-level or subgroup), a group's admin page and members. */
import { Hono } from 'hono';
import { NotFound } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { redirectWithFlash } from '../../http/flash.js';
import { hostMarks } from '../../http/host-marks.js';
import { listParams, readForm } from '../../http/forms.js';
import { lastValue, type FormInput } from '../../form-values.js';
import { allGroups, createGroup, findGroupById, subgroups } from '../../model/groups.js';
import { groupTreePage } from '../../model/group-tree.js';
import { listMembers, rolesFor } from '../../model/members.js';
import { moveGroup } from '../../model/moves.js';
import { groupProjects } from '../../model/projects.js';
import { idSchema, type FieldErrors } from '../../validation.js';
import { AdminNav } from '../../../views/components/nav.js';
import { AdminGroupPage, AdminGroupsPage, NewGroupPage } from '../../../views/pages/admin/groups.js';
import { memberRoutes } from './members.js';

const crumbs = (...rest: { label: string; href?: string }[]) => [
  { label: 'Admin Area', href: '/admin' },
  { label: 'Groups', href: '/admin/groups' },
  ...rest,
];

async function groupOfUrl(c: AppContext) {
  const id = idSchema.safeParse(c.req.param('id'));
  const group = id.success ? await findGroupById(c.var.db, id.data) : undefined;
  if (!group) throw new NotFound();
  return group;
}

async function renderGroup(c: AppContext, values: FormInput, errors: FieldErrors, moveErrors: FieldErrors = {}) {
  const group = await groupOfUrl(c);
  const source = { groupId: group.id };
  const moveTargets = (await allGroups(c.var.db)).filter(
    (other) => !other.traversalIds.startsWith(group.traversalIds) && other.id !== group.parentId,
  );
  const children = await subgroups(c.var.db, group, c.var.user!);
  const projects = await groupProjects(c.var.db, group, c.var.user!);
  const members = await listMembers(c.var.db, source);
  return c.render(
    <AdminGroupPage
      group={group}
      subgroups={children}
      projects={projects}
      members={members}
      roles={rolesFor(source)}
      values={values}
      errors={errors}
      moveTargets={moveTargets}
      moveErrors={moveErrors}
      marks={await hostMarks(c, [group, ...children, ...projects, ...members.map((row) => row.member)])}
    />,
    { title: group.name, breadcrumbs: crumbs({ label: group.fullPath }), nav: <AdminNav current="/admin/groups/" /> },
  );
}

async function renderNewGroup(c: AppContext, values: FormInput, errors: FieldErrors) {
  return c.render(<NewGroupPage values={values} errors={errors} parents={await allGroups(c.var.db)} />, {
    title: 'New group',
    breadcrumbs: crumbs({ label: 'New' }),
    nav: <AdminNav current="/admin/groups/" />,
  });
}

export function adminGroupRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', async (c) => {
    const params = listParams(c);
    const tree = await groupTreePage(c.var.db, params);
    const marks = await hostMarks(
      c,
      [...tree.ancestors, ...tree.rows].map((row) => row.group),
    );
    return c.render(<AdminGroupsPage {...tree} {...params} marks={marks} />, {
      title: 'Groups',
      breadcrumbs: crumbs(),
      nav: <AdminNav current={c.req.path} />,
    });
  });

  routes.get('/new', (c) => renderNewGroup(c, { parent_id: c.req.query('parent_id') ?? '' }, {}));

  routes.post('/', async (c) => {
    const form = await readForm(c);
    const parentId = lastValue(form.parent_id);
    let parent;
    if (parentId) {
      const id = idSchema.safeParse(parentId);
      parent = id.success ? await findGroupById(c.var.db, id.data) : undefined;
      if (!parent) {
        c.status(422);
        return renderNewGroup(c, form, { parent_id: 'Parent group does not exist' });
      }
    }
    const result = await createGroup(c.var.db, form, parent);
    if (!result.ok) {
      c.status(422);
      return renderNewGroup(c, form, result.errors);
    }
    return redirectWithFlash(
      c,
      `/admin/groups/${result.value.id}`,
      `Group ${result.value.fullPath} was successfully created.`,
    );
  });

  routes.get('/:id', (c) => renderGroup(c, {}, {}));

  routes.post('/:id/move', async (c) => {
    const group = await groupOfUrl(c);
    const parentId = lastValue((await readForm(c)).parent_id) ?? '';
    const id = idSchema.safeParse(parentId);
    const target = parentId === '' ? null : id.success ? await findGroupById(c.var.db, id.data) : undefined;
    const result =
      target === undefined
        ? { ok: false as const, errors: { parent_id: 'Choose an existing group' } }
        : await moveGroup(c.var.db, group, target, c.var.user!);
    if (!result.ok) {
      c.status(422);
      return renderGroup(c, {}, {}, result.errors);
    }
    return redirectWithFlash(
      c,
      `/admin/groups/${group.id}`,
      `Group ${group.fullPath} was moved to ${result.value.fullPath}.`,
    );
  });

  routes.route(
    '/:id/members',
    memberRoutes(async (c) => {
      const group = await groupOfUrl(c);
      return { source: { groupId: group.id }, base: `/admin/groups/${group.id}` };
    }, renderGroup),
  );

  return routes;
}
