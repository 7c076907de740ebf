/**
 * @module routes/general-settings
 * A group's or project's Settings › General, as GitLab has it at `/-/edit`: its name and
 * description, its path, and deleting it (`/-/delete`, confirmed by typing its full path). Group
 * Owners, project Maintainers and administrators (`manage_general_settings`); what a code host
 * imported is changed on the host (model/managed), so its forms are not offered and a post is
 * refused with why.
 */
import { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { Ability } from '../auth/permissions.js';
import type { Group, Project } from '../db/schema.js';
import { lastValue, type FormInput } from '../form-values.js';
import type { AppContext, AppEnv } from '../http/context.js';
import { redirectWithFlash } from '../http/flash.js';
import { isConfirmed, readForm } from '../http/forms.js';
import { hostMarks } from '../http/host-marks.js';
import { requireGroup, requireProject } from '../http/subjects.js';
import { hostManagedRefusal } from '../model/managed.js';
import {
  deleteGroup,
  deleteProject,
  groupDeletionImpact,
  projectDeletionImpact,
  updateGroup,
  updateProject,
  type DeletionImpact,
} from '../model/tree.js';
import type { FieldErrors, Outcome } from '../validation.js';
import type { Crumb } from '../../views/components/breadcrumbs.js';
import { groupCrumbs, projectCrumbs } from '../../views/components/crumbs.js';
import { GroupNav, ProjectNav } from '../../views/components/nav.js';
import {
  CONFIRM_FIELD,
  DeleteConfirmPage,
  GeneralSettingsPage,
  type TreeKind,
} from '../../views/pages/general-settings.js';

/** The group or project a URL names, with what its pages and its changes need. */
interface TreeItem {
  what: TreeKind;
  item: Group | Project;
  /** "/groups/platform" or "/platform/api". */
  base: string;
  /** The address of the level above, which its path is appended to. */
  parentUrl: string;
  crumbs: Crumb[];
  nav: (current: string) => Child;
  update: (input: FormInput) => Promise<Outcome<Group | Project>>;
  impact: () => Promise<DeletionImpact>;
  remove: () => Promise<Outcome<null>>;
}

type TreeItemLoader = (c: AppContext, ability: Ability) => Promise<TreeItem>;

const groupItem: TreeItemLoader = async (c, ability) => {
  const { group, lineage } = await requireGroup(c, c.req.param('fullPath')!, ability);
  const { db, user } = c.var;
  const parent = lineage.at(-2);
  return {
    what: 'group',
    item: group,
    base: `/groups/${group.fullPath}`,
    parentUrl: `${c.var.deps.config.publicOrigin}/groups${parent ? `/${parent.fullPath}` : ''}`,
    crumbs: groupCrumbs(lineage),
    nav: (current) => <GroupNav group={group} current={current} canManage canEditGeneral />,
    update: (input) => updateGroup(db, group, input, user!),
    impact: () => groupDeletionImpact(db, group),
    remove: () => deleteGroup(db, group, user!),
  };
};

const projectItem: TreeItemLoader = async (c, ability) => {
  const { project, group, lineage } = await requireProject(c, c.req.param('fullPath')!, ability);
  const { db, user } = c.var;
  return {
    what: 'project',
    item: project,
    base: `/${project.fullPath}`,
    parentUrl: `${c.var.deps.config.publicOrigin}/${group.fullPath}`,
    crumbs: projectCrumbs(lineage, project),
    nav: (current) => <ProjectNav project={project} current={current} canManage canEditGeneral />,
    update: (input) => updateProject(db, project, group, input, user!),
    impact: () => projectDeletionImpact(db, project),
    remove: () => deleteProject(db, project, user!),
  };
};

const ABILITY: Ability = 'manage_general_settings';

/** Only the fields the general settings forms have: a post cannot change anything else. */
const editInput = (form: FormInput) =>
  Object.fromEntries(
    (['name', 'path', 'description'] as const).flatMap((name) =>
      form[name] === undefined ? [] : [[name, lastValue(form[name]) ?? '']],
    ),
  );

async function renderEdit(c: AppContext, at: TreeItem, values: FormInput, errors: FieldErrors) {
  return c.render(
    <GeneralSettingsPage
      what={at.what}
      item={at.item}
      base={at.base}
      parentUrl={at.parentUrl}
      values={values}
      errors={errors}
      impact={await at.impact()}
      marks={await hostMarks(c, [at.item])}
    />,
    {
      title: 'General settings',
      breadcrumbs: [...at.crumbs, { label: 'General settings' }],
      nav: at.nav(`${at.base}/-/edit`),
    },
  );
}

async function renderConfirm(c: AppContext, at: TreeItem, error?: string) {
  return c.render(
    <DeleteConfirmPage what={at.what} item={at.item} base={at.base} impact={await at.impact()} error={error} />,
    {
      title: `Delete ${at.item.fullPath}`,
      breadcrumbs: [...at.crumbs, { label: 'General settings', href: `${at.base}/-/edit` }, { label: 'Delete' }],
      nav: at.nav(`${at.base}/-/edit`),
    },
  );
}

function generalSettingsRoutes(load: TreeItemLoader): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/edit', async (c) => renderEdit(c, await load(c, ABILITY), {}, {}));

  routes.post('/edit', async (c) => {
    const at = await load(c, ABILITY);
    const form = await readForm(c);
    const result = await at.update(editInput(form));
    if (!result.ok) {
      c.status(422);
      return renderEdit(c, at, form, result.errors);
    }
    const base = at.what === 'group' ? `/groups/${result.value.fullPath}` : `/${result.value.fullPath}`;
    return redirectWithFlash(
      c,
      `${base}/-/edit`,
      `${at.what === 'group' ? 'Group' : 'Project'} '${result.value.name}' was successfully updated.`,
    );
  });

  routes.post('/delete', async (c) => {
    const at = await load(c, ABILITY);
    const form = await readForm(c);
    const refusal = await hostManagedRefusal(c.var.db, at.item, c.var.user!);
    if (refusal) {
      c.status(422);
      return renderEdit(c, at, {}, { [at.what]: refusal });
    }
    if (!isConfirmed(form)) return renderConfirm(c, at);
    if (lastValue(form[CONFIRM_FIELD])?.trim() !== at.item.fullPath) {
      c.status(422);
      return renderConfirm(c, at, `Enter ${at.item.fullPath} to confirm the deletion`);
    }
    const result = await at.remove();
    if (!result.ok) {
      c.status(422);
      return renderEdit(c, at, {}, result.errors);
    }
    return redirectWithFlash(
      c,
      '/',
      `${at.what === 'group' ? 'Group' : 'Project'} '${at.item.name}' was successfully deleted.`,
    );
  });

  return routes;
}

/** Mounted at a group's `/-/`. */
export const groupGeneralRoutes = () => generalSettingsRoutes(groupItem);

/** Mounted at a project's `/-/`. */
export const projectGeneralRoutes = () => generalSettingsRoutes(projectItem);
