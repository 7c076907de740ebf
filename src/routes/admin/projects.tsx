/** @module routes/admin/projects: list with search, create in a group, a project's admin page and members. */
import { Hono } from 'hono';
import { NotFound } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { redirectWithFlash } from '../../http/flash.js';
import { hostMarks } from '../../http/host-marks.js';
import { listParams, readForm } from '../../http/forms.js';
import { lastValue, type FormInput } from '../../form-values.js';
import { allGroups, findGroupById } from '../../model/groups.js';
import { listMembers, rolesFor } from '../../model/members.js';
import { moveProject } from '../../model/moves.js';
import { createProject, findProjectById, listProjects } from '../../model/projects.js';
import { idSchema, type FieldErrors } from '../../validation.js';
import { AdminNav } from '../../../views/components/nav.js';
import { AdminProjectPage, AdminProjectsPage, NewProjectPage } from '../../../views/pages/admin/projects.js';
import { memberRoutes } from './members.js';

const crumbs = (...rest: { label: string; href?: string }[]) => [
  { label: 'Admin Area', href: '/admin' },
  { label: 'Projects', href: '/admin/projects' },
  ...rest,
];

async function projectOfUrl(c: AppContext) {
  const id = idSchema.safeParse(c.req.param('id'));
  const project = id.success ? await findProjectById(c.var.db, id.data) : undefined;
  if (!project) throw new NotFound();
  return project;
}

async function renderProject(c: AppContext, values: FormInput, errors: FieldErrors, moveErrors: FieldErrors = {}) {
  const project = await projectOfUrl(c);
  const source = { projectId: project.id };
  const members = await listMembers(c.var.db, source);
  return c.render(
    <AdminProjectPage
      project={project}
      members={members}
      roles={rolesFor(source)}
      values={values}
      errors={errors}
      moveTargets={(await allGroups(c.var.db)).filter((group) => group.id !== project.groupId)}
      moveErrors={moveErrors}
      marks={await hostMarks(c, [project, ...members.map((row) => row.member)])}
    />,
    {
      title: project.name,
      breadcrumbs: crumbs({ label: project.fullPath }),
      nav: <AdminNav current="/admin/projects/" />,
    },
  );
}

async function renderNewProject(c: AppContext, values: FormInput, errors: FieldErrors) {
  return c.render(<NewProjectPage values={values} errors={errors} groups={await allGroups(c.var.db)} />, {
    title: 'New project',
    breadcrumbs: crumbs({ label: 'New' }),
    nav: <AdminNav current="/admin/projects/" />,
  });
}

export function adminProjectRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', async (c) => {
    const params = listParams(c);
    const { projects, total } = await listProjects(c.var.db, params);
    return c.render(
      <AdminProjectsPage projects={projects} total={total} {...params} marks={await hostMarks(c, projects)} />,
      {
        title: 'Projects',
        breadcrumbs: crumbs(),
        nav: <AdminNav current={c.req.path} />,
      },
    );
  });

  routes.get('/new', (c) => renderNewProject(c, { group_id: c.req.query('group_id') ?? '' }, {}));

  routes.post('/', async (c) => {
    const form = await readForm(c);
    const id = idSchema.safeParse(lastValue(form.group_id));
    const group = id.success ? await findGroupById(c.var.db, id.data) : undefined;
    if (!group) {
      c.status(422);
      return renderNewProject(c, form, { group_id: 'Choose the group the project belongs to' });
    }
    const result = await createProject(c.var.db, form, group);
    if (!result.ok) {
      c.status(422);
      return renderNewProject(c, form, result.errors);
    }
    return redirectWithFlash(
      c,
      `/admin/projects/${result.value.id}`,
      `Project ${result.value.fullPath} was successfully created.`,
    );
  });

  routes.get('/:id', (c) => renderProject(c, {}, {}));

  routes.post('/:id/move', async (c) => {
    const project = await projectOfUrl(c);
    const id = idSchema.safeParse(lastValue((await readForm(c)).group_id));
    const target = id.success ? await findGroupById(c.var.db, id.data) : undefined;
    const result = target
      ? await moveProject(c.var.db, project, target, c.var.user!)
      : { ok: false as const, errors: { group_id: 'Choose an existing group' } };
    if (!result.ok) {
      c.status(422);
      return renderProject(c, {}, {}, result.errors);
    }
    return redirectWithFlash(
      c,
      `/admin/projects/${project.id}`,
      `Project ${project.fullPath} was moved to ${result.value.fullPath}.`,
    );
  });

  routes.route(
    '/:id/members',
    memberRoutes(async (c) => {
      const project = await projectOfUrl(c);
      return { source: { projectId: project.id }, base: `/admin/projects/${project.id}` };
    }, renderProject),
  );

  return routes;
}
