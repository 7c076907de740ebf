/**
 * @module views/pages/admin/user-edit
 * Admin Area › Users › Edit: the account (name, e-mail), a new password set by the administrator,
 * and "Delete user" (a dialog with JavaScript, a confirmation page without), which states what
 * goes with the account. A user imported from a code host is the host's: the page says so instead.
 */
import { lastValue } from '../../../src/form-values.js';
import type { User } from '../../../src/db/schema.js';
import type { DeletionImpact } from '../../../src/model/users.js';
import type { FieldErrors } from '../../../src/validation.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorSummary, TextField, type FormValues } from '../../components/form.js';
import { NewPasswordFields } from '../../components/password-fields.js';
import { EDIT_PASSWORD_URL } from '../user-settings/password.js';

export const userUrl = (user: Pick<User, 'id'>, action?: string) =>
  `/admin/users/${user.id}${action ? `/${action}` : ''}`;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What deleting the user does, in full sentences: the dialog and the confirmation page say the same. */
export function DeletionSummary({ user, impact }: { user: User; impact: DeletionImpact }) {
  const memberships = impact.groupMemberships + impact.projectMemberships;
  return (
    <>
      <p>
        You are about to permanently delete the user <strong>{user.name}</strong> (@{user.username}). They are signed
        out at once.
      </p>
      <ul>
        <li>
          {memberships === 0
            ? 'They are not a member of any group or project.'
            : `Their ${plural(impact.groupMemberships, 'group membership', 'group memberships')} and ${plural(impact.projectMemberships, 'project membership', 'project memberships')} are removed; the groups and projects stay.`}
        </li>
        <li>
          {impact.activeTokens === 0
            ? 'They have no active personal access token.'
            : `Their ${plural(impact.activeTokens, 'active personal access token', 'active personal access tokens')} ${impact.activeTokens === 1 ? 'is' : 'are'} deleted: any script or application that uses ${impact.activeTokens === 1 ? 'it' : 'them'} stops working.`}
        </li>
        <li>
          The audit trail keeps their events, under their name. Integration settings they saved keep their values.
        </li>
      </ul>
      <p>This cannot be undone.</p>
    </>
  );
}

export const deleteTitle = (user: User) => `Delete user ${user.username}?`;

interface EditUserPageProps {
  user: User;
  currentUser: User;
  /** The connection that imported the user, if one did: their name and e-mail are its. */
  hostName: string | undefined;
  values: FormValues;
  errors: FieldErrors;
  passwordErrors: FieldErrors;
  /** A deletion posted although refused. */
  deleteErrors: FieldErrors;
  /** Why the user may not be deleted, or null. */
  deletionRefusal: string | null;
  impact: DeletionImpact;
}

function AccountSection({
  user,
  hostName,
  values,
  errors,
}: Pick<EditUserPageProps, 'user' | 'hostName' | 'values' | 'errors'>) {
  return (
    <section class="card" aria-labelledby="account-title">
      <h2 id="account-title">Account</h2>
      <ErrorSummary errors={errors} />
      {hostName ? (
        <p>
          {user.name} (@{user.username}) was imported from {hostName}. Their name and e-mail ({user.email}) come from{' '}
          {hostName}, and each sync brings changes made there: change them on {hostName}.
        </p>
      ) : (
        <form method="post" action={userUrl(user)} class="form">
          <TextField
            name="name"
            label="Name"
            value={lastValue(values.name) ?? user.name}
            error={errors.name}
            required
            maxlength={255}
            autocomplete="off"
          />
          <TextField
            name="email"
            label="Email"
            type="email"
            value={lastValue(values.email) ?? user.email}
            error={errors.email}
            required
            maxlength={254}
            autocomplete="off"
          />
          <div class="form-actions">
            <button type="submit" class="button button-primary">
              Save changes
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function PasswordSection({
  user,
  currentUser,
  hostName,
  errors,
}: Pick<EditUserPageProps, 'user' | 'currentUser' | 'hostName'> & { errors: FieldErrors }) {
  let body;
  if (user.id === currentUser.id) {
    body = (
      <p>
        To change your own password, use <a href={EDIT_PASSWORD_URL}>User settings › Password</a>: it asks for your
        current one.
      </p>
    );
  } else if (hostName) {
    body = (
      <p>
        {user.username} signs in with {hostName}: their password is managed there.
      </p>
    );
  } else {
    body = (
      <form method="post" action={userUrl(user, 'password')} class="form">
        <NewPasswordFields
          errors={errors}
          help="At least 8 characters. Share it with the user over a safe channel. All their sessions end."
        />
        <div class="form-actions">
          <button type="submit" class="button button-primary">
            Save password
          </button>
        </div>
      </form>
    );
  }
  return (
    <section class="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <ErrorSummary errors={errors} />
      {body}
    </section>
  );
}

function DeleteSection({
  user,
  deletionRefusal,
  impact,
  deleteErrors,
}: Pick<EditUserPageProps, 'user' | 'deletionRefusal' | 'impact' | 'deleteErrors'>) {
  // A refused post shows the refusal in the summary, not a second time below it.
  const refusedPost = Object.keys(deleteErrors).length > 0;
  return (
    <section class="card danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete user</h2>
      <ErrorSummary errors={deleteErrors} />
      {deletionRefusal ? (
        !refusedPost && <p>{deletionRefusal}</p>
      ) : (
        <form method="post" action={userUrl(user, 'delete')} data-confirm-dialog="confirm-delete-user">
          <p>Deletes the account, its memberships and personal access tokens. Its audit events stay.</p>
          <button type="submit" class="button button-danger">
            Delete user
          </button>
          <ConfirmDialog id="confirm-delete-user" title={deleteTitle(user)} confirmLabel="Delete user" danger>
            <DeletionSummary user={user} impact={impact} />
          </ConfirmDialog>
        </form>
      )}
    </section>
  );
}

export function EditUserPage(props: EditUserPageProps) {
  const { user } = props;
  return (
    <>
      <h1>Edit user {user.username}</h1>
      <AccountSection {...props} />
      <PasswordSection {...props} errors={props.passwordErrors} />
      <DeleteSection {...props} />
    </>
  );
}
