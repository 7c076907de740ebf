/** @module views/pages/admin/groups: the groups as a tree, the new group form, and a group's admin page. */
import { lastValue } from '../../../src/form-values.js';
import type { RoleName } from '../../../src/auth/permissions.js';
import type { Group, Member, Project, User } from '../../../src/db/schema.js';
import type { GroupTreePage, GroupTreeRow } from '../../../src/model/group-tree.js';
import type { FieldErrors } from '../../../src/validation.js';
import { ErrorSummary, SelectField, TextAreaField, TextField, type FormValues } from '../../components/form.js';
import { EmptyState, Pagination, pageHref, SearchForm } from '../../components/lists.js';
import { editableHere, ManagedBadge, ManagedOnHost, type HostMarks } from '../../components/host-marks.js';
import { MembersSection } from '../../components/members.js';
import { MoveForm } from '../../components/move.js';

interface GroupsPageProps extends GroupTreePage {
  page: number;
  perPage: number;
  search: string;
  marks: HostMarks;
}

/** A group of the tree with the groups below it on the same page. */
interface TreeNode {
  row: GroupTreeRow;
  /** Shown only because the page starts inside it: it was on an earlier page. */
  continued: boolean;
  children: TreeNode[];
}

/** The page's rows, in tree order with their depths, as nested nodes; a search's matches stay flat. */
function nest(rows: readonly GroupTreeRow[], ancestors: readonly GroupTreeRow[], flat: boolean): TreeNode[] {
  const roots: TreeNode[] = [];
  const open: TreeNode[] = [];
  const nodes = [
    ...ancestors.map((row) => ({ row, continued: true, children: [] })),
    ...rows.map((row) => ({ row, continued: false, children: [] })),
  ];
  for (const node of nodes) {
    if (flat) {
      roots.push(node);
      continue;
    }
    while (open.length > 0 && open.at(-1)!.row.depth >= node.row.depth) open.pop();
    (open.at(-1)?.children ?? roots).push(node);
    open.push(node);
  }
  return roots;
}

const projectCount = (n: number) => `${n} ${n === 1 ? 'project' : 'projects'}`;

function GroupTree({ nodes, marks, labelledBy }: { nodes: TreeNode[]; marks: HostMarks; labelledBy?: string }) {
  return (
    <ul class="group-tree" aria-labelledby={labelledBy}>
      {nodes.map(({ row, continued, children }) => (
        <li>
          <div class={continued ? 'group-tree-item group-tree-continued' : 'group-tree-item'}>
            <a href={`/admin/groups/${row.group.id}`}>{row.group.name}</a>{' '}
            <ManagedBadge item={row.group} marks={marks} />
            <span class="muted">{row.group.fullPath}</span>
            {continued ? (
              <span class="muted">(continued from the previous page)</span>
            ) : (
              <span class="group-tree-counts">
                {projectCount(row.projects)}
                {row.allProjects !== row.projects && `, ${row.allProjects} with subgroups`}
              </span>
            )}
          </div>
          {children.length > 0 && <GroupTree nodes={children} marks={marks} />}
        </li>
      ))}
    </ul>
  );
}

export function AdminGroupsPage({ rows, ancestors, total, page, perPage, search, marks }: GroupsPageProps) {
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
      {rows.length === 0 ? (
        <EmptyState>{search ? 'No group matches your search.' : 'No groups yet.'}</EmptyState>
      ) : (
        <section class="card" aria-labelledby="group-tree-title">
          <h2 id="group-tree-title" class="visually-hidden">
            {search ? 'Groups that match' : 'Groups and their subgroups'}
          </h2>
          <GroupTree nodes={nest(rows, ancestors, search !== '')} marks={marks} labelledBy="group-tree-title" />
        </section>
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
          {editableHere(group) && (
            <a class="button" href={`/groups/${group.fullPath}/-/edit`}>
              Rename or delete
            </a>
          )}
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
