/**
 * @module views/components/members
 * A group's or project's members: change a role, remove, add by username. A membership the
 * code host gave is shown "from" it, with no form: the host changes it.
 */
import { lastValue } from '../../src/form-values.js';
import { ROLE_LABELS, roleName, type RoleName } from '../../src/auth/permissions.js';
import type { Member, User } from '../../src/db/schema.js';
import type { FieldErrors } from '../../src/validation.js';
import { ErrorSummary, SelectField, TextField, type FormValues } from './form.js';
import { FromHostBadge, type HostMarks } from './host-marks.js';
import { ActionsHeader, EmptyState } from './lists.js';
import { RoleBadge } from './role.js';

interface MembersSectionProps {
  /** "/admin/groups/5": member routes live below it. */
  base: string;
  members: { member: Member; user: User }[];
  roles: readonly RoleName[];
  values: FormValues;
  errors: FieldErrors;
  /** What a group role reaches, said once above the list. */
  scopeNote: string;
  /** The connections of imported memberships. */
  marks: HostMarks;
}

/** Whether the role of `accessLevel` is one the form offers. */
const offered = (roles: readonly RoleName[], accessLevel: number) => {
  const name = roleName(accessLevel);
  return name !== null && roles.includes(name);
};

const roleOptions = (roles: readonly RoleName[]) => roles.map((role) => ({ value: role, label: ROLE_LABELS[role] }));

export function MembersSection({ base, members, roles, values, errors, scopeNote, marks }: MembersSectionProps) {
  return (
    <section class="card" aria-labelledby="members" id="members-section">
      <h2 id="members">Members</h2>
      <p class="muted">{scopeNote}</p>
      {members.length === 0 ? (
        <EmptyState>No members yet.</EmptyState>
      ) : (
        <table class="table">
          <caption class="visually-hidden">Members</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {members.map(({ member, user }) => (
              <tr>
                <td>
                  <strong>{user.name}</strong> <span class="muted">@{user.username}</span>
                </td>
                <td data-label="Role">
                  {member.codeHostId !== null || !offered(roles, member.accessLevel) ? (
                    // Guest and Planner come from a code host; Cascade's forms do not offer them.
                    <>
                      <RoleBadge accessLevel={member.accessLevel} /> <FromHostBadge item={member} marks={marks} />
                    </>
                  ) : (
                    <form method="post" action={`${base}/members/${member.id}`} class="inline-form">
                      <label for={`role-${member.id}`} class="visually-hidden">
                        Role of {user.username}
                      </label>
                      <select id={`role-${member.id}`} name="role">
                        {roleOptions(roles).map((option) => (
                          <option value={option.value} selected={option.value === roleName(member.accessLevel)}>
                            {option.label}
                          </option>
                        ))}
                      </select>
                      <button type="submit" class="button">
                        Change role
                      </button>
                    </form>
                  )}
                </td>
                <td>
                  {member.codeHostId === null ? (
                    <form method="post" action={`${base}/members/${member.id}/delete`} class="inline-form">
                      <button type="submit" class="button button-danger">
                        Remove<span class="visually-hidden"> {user.username}</span>
                      </button>
                    </form>
                  ) : (
                    <span class="muted">Changed on the host</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Add a member</h3>
      <ErrorSummary errors={errors} />
      <form method="post" action={`${base}/members`} class="form form-inline">
        <TextField
          name="username"
          label="Username"
          value={lastValue(values.username)}
          error={errors.username}
          required
          maxlength={64}
          autocomplete="off"
        />
        <SelectField
          name="role"
          label="Role"
          value={lastValue(values.role) ?? 'developer'}
          error={errors.role}
          options={roleOptions(roles)}
        />
        <div class="form-actions">
          <button type="submit" class="button button-primary">
            Add member
          </button>
        </div>
      </form>
    </section>
  );
}
