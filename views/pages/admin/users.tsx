/**
 * @module views/pages/admin/users: the user list and the new-user form (editing: user-edit.tsx). A user imported from a code
 * host is marked "from" it: they sign in through the host and have no password in Cascade.
 */
import { parseBoolean } from '../../../src/boolean.js';
import { lastValue } from '../../../src/form-values.js';
import type { User } from '../../../src/db/schema.js';
import type { FieldErrors } from '../../../src/validation.js';
import { CheckboxField, ErrorSummary, TextField, type FormValues } from '../../components/form.js';
import { FromHostBadge, type HostMarks } from '../../components/host-marks.js';
import { ActionsHeader, EmptyState, pageHref, Pagination, SearchForm } from '../../components/lists.js';

interface UsersPageProps {
  users: User[];
  total: number;
  page: number;
  perPage: number;
  search: string;
  currentUser: User;
  marks: HostMarks;
}

function EditLink({ user }: { user: User }) {
  return (
    <a class="button" href={`/admin/users/${user.id}/edit`} aria-label={`Edit ${user.username}`}>
      Edit
    </a>
  );
}

function UserActions({ user, currentUser, marks }: { user: User; currentUser: User; marks: HostMarks }) {
  if (user.id === currentUser.id)
    return (
      <div class="row-actions">
        <EditLink user={user} />
        <span class="muted">This is you</span>
      </div>
    );
  const action = (path: string, label: string, style = 'button') => (
    <form method="post" action={`/admin/users/${user.id}/${path}`} class="inline-form">
      <button type="submit" class={style}>
        {label}
      </button>
    </form>
  );
  return (
    <div class="row-actions">
      <EditLink user={user} />
      {user.isAdmin ? action('revoke_admin', 'Revoke administrator') : action('make_admin', 'Make administrator')}
      {user.blockedAt ? action('unblock', 'Unblock') : action('block', 'Block', 'button button-danger')}
      {user.codeHostId !== null && (
        <span class="muted">
          Signs in through {marks.hosts.get(user.codeHostId)?.name ?? 'its code host'}: no password in Cascade
        </span>
      )}
    </div>
  );
}

export function UsersPage({ users, total, page, perPage, search, currentUser, marks }: UsersPageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>Users</h1>
        <div class="actions">
          <a class="button button-primary" href="/admin/users/new">
            New user
          </a>
        </div>
      </div>
      <SearchForm action="/admin/users" value={search} label="Search by username, name or email" />
      {users.length === 0 ? (
        <EmptyState>{search ? 'No user matches your search.' : 'No users yet.'}</EmptyState>
      ) : (
        <table class="table">
          <caption class="visually-hidden">Users</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Access</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr>
                <td>
                  <strong>{user.name}</strong>
                  <div class="muted">
                    @{user.username} <FromHostBadge item={user} marks={marks} />
                  </div>
                </td>
                <td data-label="Email">{user.email}</td>
                <td data-label="Access">
                  {user.isAdmin && <span class="badge badge-admin">Administrator</span>}
                  {user.blockedAt && <span class="badge badge-blocked">Blocked</span>}
                  {!user.isAdmin && !user.blockedAt && <span class="muted">Regular</span>}
                </td>
                <td>
                  <UserActions user={user} currentUser={currentUser} marks={marks} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination page={page} perPage={perPage} total={total} href={pageHref('/admin/users', search)} />
    </>
  );
}

export function NewUserPage({ values, errors }: { values: FormValues; errors: FieldErrors }) {
  return (
    <>
      <h1>New user</h1>
      <ErrorSummary errors={errors} />
      <form method="post" action="/admin/users" class="card form">
        <TextField
          name="name"
          label="Name"
          value={lastValue(values.name)}
          error={errors.name}
          required
          maxlength={255}
          autocomplete="off"
        />
        <TextField
          name="username"
          label="Username"
          value={lastValue(values.username)}
          error={errors.username}
          required
          maxlength={64}
          autocomplete="off"
        />
        <TextField
          name="email"
          label="Email"
          type="email"
          value={lastValue(values.email)}
          error={errors.email}
          required
          maxlength={254}
          autocomplete="off"
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          error={errors.password}
          required
          autocomplete="new-password"
          help="At least 8 characters. Share it with the user over a safe channel."
          maxlength={128}
        />
        <CheckboxField
          name="is_admin"
          label="Administrator"
          checked={parseBoolean(lastValue(values.is_admin)) === true}
          error={errors.is_admin}
          help="Administrators can reach the Admin Area and every group and project."
        />
        <div class="form-actions">
          <button type="submit" class="button button-primary">
            Create user
          </button>
          <a class="button" href="/admin/users">
            Cancel
          </a>
        </div>
      </form>
    </>
  );
}
