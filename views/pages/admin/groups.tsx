/** @module views/pages/admin/groups: group list, new group form, and a group's admin page. */
import { lastValue } from '../../../src/form-values.js';
import type { RoleName } from '../../../src/auth/permissions.js';
import type { Group, Member, Project, User } from '../../../src/db/schema.js';
import type { FieldErrors } from '../../../src/validation.js';
import { ErrorSummary, SelectField, TextAreaField, TextField, type FormValues } from '../../components/form.js';
import { EmptyState, Pagination, pageHref, SearchForm } from '../../components/lists.js';
import { editableHere, ManagedBadge, ManagedOnHost, type HostMarks } from '../../components/host-marks.js';
import { MembersSection } from '../../components/members.js';
import { MoveForm } from '../../components/move.js';

interface GroupsPageProps {
  groups: Group[];
  total: number;
  page: number;
  perPage: number;
  search: string;
  marks: HostMarks;
}

export function AdminGroupsPage({ groups, total, page, perPage, search, marks }: GroupsPageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>Groups</h1>
        <div class="actions">
          <a class="button button-primary" href="/admin/groups/new">
            New group
          </a>
        </div>
      </div>
      <SearchForm action="/admin/groups" value={search} label="Search by name or path" />
      {groups.length === 0 ? (
        <EmptyState>{search ? 'No group matches your search.' : 'No groups yet.'}</EmptyState>
      ) : (
        <table class="table">
          <caption class="visually-hidden">Groups</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Path</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => (
              <tr>
                <td>
                  <a href={`/admin/groups/${group.id}`}>{group.name}</a> <ManagedBadge item={group} marks={marks} />
                </td>
                <td class="muted">{group.fullPath}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination page={page} perPage={perPage} total={total} href={pageHref('/admin/groups', search)} />
    </>
  );
}

export function NewGroupPage({
  values,
  errors,
  parents,
}: {
  values: FormValues;
  errors: FieldErrors;
  parents: Group[];
}) {
  return (
    <>
      <h1>New group</h1>
      <ErrorSummary errors={errors} />
      <form method="post" action="/admin/groups" class="card form">
        <TextField
          name="name"
          label="Group name"
          value={lastValue(values.name)}
          error={errors.name}
          required
          maxlength={255}
          autocomplete="off"
        />
        <TextField
          name="path"
          label="Group URL"
          value={lastValue(values.path)}
          error={errors.path}
          required
          maxlength={255}
          autocomplete="off"
          help="Letters, digits, '_', '-' and '.'. It becomes part of the URL of the group and everything in it."
        />
        <SelectField
          name="parent_id"
          label="Parent group"
          value={lastValue(values.parent_id) ?? ''}
          error={errors.parent_id}
          help="Leave empty for a top-level group; choose a group to create a subgroup."
          options={[
            { value: '', label: 'None (top-level group)' },
            ...parents.map((group) => ({ value: String(group.id), label: group.fullPath })),
          ]}
        />
        <TextAreaField
          name="description"
          label="Description"
          value={lastValue(values.description)}
          error={errors.description}
        />
        <div class="form-actions">
          <button type="submit" class="button button-primary">
            Create group
          </button>
          <a class="button" href="/admin/groups">
            Cancel
          </a>
        </div>
      </form>
    </>
  );
}

interface AdminGroupPageProps {
  group: Group;
  subgroups: Group[];
  projects: Project[];
  members: { member: Member; user: User }[];
  roles: readonly RoleName[];
  values: FormValues;
  errors: FieldErrors;
  /** Groups it may move under: every group outside its own subtree. */
  moveTargets: Group[];
  moveErrors: FieldErrors;
  marks: HostMarks;
}

export function AdminGroupPage({
  group,
  subgroups,
  projects,
  members,
  roles,
  values,
  errors,
  moveTargets,
  moveErrors,
  marks,
}: AdminGroupPageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>{group.name}</h1>
        <div class="actions">
          <a class="button" href={`/groups/${group.fullPath}`}>
            View group
          </a>
          <a class="button" href={`/admin/groups/new?parent_id=${group.id}`}>
            New subgroup
          </a>
          <a class="button button-primary" href={`/admin/projects/new?group_id=${group.id}`}>
            New project
          </a>
        </div>
      </div>
      <p class="muted">
        /{group.fullPath} <ManagedBadge item={group} marks={marks} />
      </p>
      <MembersSection
        base={`/admin/groups/${group.id}`}
        marks={marks}
        members={members}
        roles={roles}
        values={values}
        errors={errors}
        scopeNote="A role in this group applies to all of its subgroups and projects."
      />
      <section class="card" aria-labelledby="subgroups">
        <h2 id="subgroups">Subgroups</h2>
        {subgroups.length === 0 ? (
          <EmptyState>No subgroups.</EmptyState>
        ) : (
          <ul class="item-list">
            {subgroups.map((subgroup) => (
              <li>
                <a href={`/admin/groups/${subgroup.id}`}>{subgroup.name}</a>{' '}
                <ManagedBadge item={subgroup} marks={marks} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="group-projects">
        <h2 id="group-projects">Projects</h2>
        {projects.length === 0 ? (
          <EmptyState>No projects.</EmptyState>
        ) : (
          <ul class="item-list">
            {projects.map((project) => (
              <li>
                <a href={`/admin/projects/${project.id}`}>{project.name}</a>{' '}
                <ManagedBadge item={project} marks={marks} />
              </li>
            ))}
          </ul>
        )}
      </section>
      {editableHere(group) ? (
        <MoveForm
          action={`/admin/groups/${group.id}/move`}
          field="parent_id"
          label="New parent group"
          targets={moveTargets}
          allowTopLevel={group.parentId !== null}
          errors={moveErrors}
          what="group"
        />
      ) : (
        <ManagedOnHost item={group} marks={marks} what="group" errors={moveErrors} />
      )}
    </>
  );
}
