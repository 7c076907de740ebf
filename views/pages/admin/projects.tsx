/** @module views/pages/admin/projects: project list, new project form, and a project's admin page. */
import { lastValue } from '../../../src/form-values.js';
import type { RoleName } from '../../../src/auth/permissions.js';
import type { Group, Member, Project, User } from '../../../src/db/schema.js';
import type { FieldErrors } from '../../../src/validation.js';
import { ErrorSummary, SelectField, TextAreaField, TextField, type FormValues } from '../../components/form.js';
import { EmptyState, Pagination, pageHref, SearchForm } from '../../components/lists.js';
import { editableHere, ManagedBadge, ManagedOnHost, type HostMarks } from '../../components/host-marks.js';
import { MembersSection } from '../../components/members.js';
import { MoveForm } from '../../components/move.js';

interface ProjectsPageProps {
  projects: Project[];
  total: number;
  page: number;
  perPage: number;
  search: string;
  marks: HostMarks;
}

export function AdminProjectsPage({ projects, total, page, perPage, search, marks }: ProjectsPageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>Projects</h1>
        <div class="actions">
          <a class="button button-primary" href="/admin/projects/new">
            New project
          </a>
        </div>
      </div>
      <SearchForm action="/admin/projects" value={search} label="Search by name or path" />
      {projects.length === 0 ? (
        <EmptyState>{search ? 'No project matches your search.' : 'No projects yet.'}</EmptyState>
      ) : (
        <table class="table">
          <caption class="visually-hidden">Projects</caption>
          <thead>
            <tr>
              <th scope="col">Project</th>
              <th scope="col">Path</th>
            </tr>
          </thead>
          <tbody>
            {projects.map((project) => (
              <tr>
                <td>
                  <a href={`/admin/projects/${project.id}`}>{project.name}</a>{' '}
                  <ManagedBadge item={project} marks={marks} />
                </td>
                <td data-label="Path" class="muted">
                  {project.fullPath}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination page={page} perPage={perPage} total={total} href={pageHref('/admin/projects', search)} />
    </>
  );
}

export function NewProjectPage({
  values,
  errors,
  groups,
}: {
  values: FormValues;
  errors: FieldErrors;
  groups: Group[];
}) {
  return (
    <>
      <h1>New project</h1>
      {groups.length === 0 ? (
        <p class="card">
          Projects live in groups. <a href="/admin/groups/new">Create a group</a> first.
        </p>
      ) : (
        <>
          <ErrorSummary errors={errors} />
          <form method="post" action="/admin/projects" class="card form">
            <TextField
              name="name"
              label="Project name"
              value={lastValue(values.name)}
              error={errors.name}
              required
              maxlength={255}
              autocomplete="off"
            />
            <SelectField
              name="group_id"
              label="Group"
              value={lastValue(values.group_id)}
              error={errors.group_id}
              required
              options={groups.map((group) => ({ value: String(group.id), label: group.fullPath }))}
            />
            <TextField
              name="path"
              label="Project slug"
              value={lastValue(values.path)}
              error={errors.path}
              required
              maxlength={255}
              autocomplete="off"
              help="Letters, digits, '_', '-' and '.'. The project's URL is the group's path followed by this slug."
            />
            <TextAreaField
              name="description"
              label="Description"
              value={lastValue(values.description)}
              error={errors.description}
            />
            <div class="form-actions">
              <button type="submit" class="button button-primary">
                Create project
              </button>
              <a class="button" href="/admin/projects">
                Cancel
              </a>
            </div>
          </form>
        </>
      )}
    </>
  );
}

interface AdminProjectPageProps {
  project: Project;
  members: { member: Member; user: User }[];
  roles: readonly RoleName[];
  values: FormValues;
  errors: FieldErrors;
  /** Every group but the one it is in. */
  moveTargets: Group[];
  moveErrors: FieldErrors;
  marks: HostMarks;
}

export function AdminProjectPage({
  project,
  members,
  roles,
  values,
  errors,
  moveTargets,
  moveErrors,
  marks,
}: AdminProjectPageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>{project.name}</h1>
        <div class="actions">
          <a class="button" href={`/${project.fullPath}`}>
            View project
          </a>
          {editableHere(project) && (
            <a class="button" href={`/${project.fullPath}/-/edit`}>
              Rename or delete
            </a>
          )}
        </div>
      </div>
      <p class="muted">
        /{project.fullPath} <ManagedBadge item={project} marks={marks} />
      </p>
      <MembersSection
        base={`/admin/projects/${project.id}`}
        marks={marks}
        members={members}
        roles={roles}
        values={values}
        errors={errors}
        scopeNote="Members of the project's groups also have access, with their group role."
      />
      {editableHere(project) ? (
        <MoveForm
          action={`/admin/projects/${project.id}/move`}
          field="group_id"
          label="New group"
          targets={moveTargets}
          allowTopLevel={false}
          errors={moveErrors}
          what="project"
        />
      ) : (
        <ManagedOnHost item={project} marks={marks} what="project" errors={moveErrors} />
      )}
    </>
  );
}
