/**
 * @module views/pages/user-settings/password
 * User settings › Password (GitLab's "Change your password"): the current password, then the new
 * one twice. Users who sign in through a code host, or have no password here, are told where
 * their password is managed instead.
 */
import type { FieldErrors } from '../../../src/validation.js';
import { ErrorSummary, TextField } from '../../components/form.js';
import { NewPasswordFields } from '../../components/password-fields.js';

export const PASSWORD_URL = '/-/user_settings/password';
export const EDIT_PASSWORD_URL = `${PASSWORD_URL}/edit`;

/** Where a password that is not Cascade's is managed: on a code host (its name), or nowhere yet. */
export type ManagedPassword = { host: string } | 'none';

export function managedPasswordText(managed: ManagedPassword): string {
  return managed === 'none'
    ? 'Your account has no password in Cascade. An administrator can set one for you in the Admin Area.'
    : `You sign in with ${managed.host}: your password is managed there. Change it on ${managed.host}.`;
}

export function PasswordPage({ errors, managed }: { errors: FieldErrors; managed?: ManagedPassword | undefined }) {
  return (
    <>
      <h1>Password</h1>
      {managed ? (
        <section class="card" aria-labelledby="password-managed-title">
          <h2 id="password-managed-title">Change your password</h2>
          <ErrorSummary errors={errors} />
          <p>{managedPasswordText(managed)}</p>
        </section>
      ) : (
        <section class="card" aria-labelledby="password-title">
          <h2 id="password-title">Change your password</h2>
          <p class="muted">
            After a successful password update, your other sessions are signed out. This one stays signed in.
          </p>
          <ErrorSummary errors={errors} />
          <form method="post" action={PASSWORD_URL} class="form">
            <TextField
              name="current_password"
              label="Current password"
              type="password"
              error={errors.current_password}
              required
              autocomplete="current-password"
              help="You must provide your current password in order to change it."
              maxlength={128}
            />
            <NewPasswordFields errors={errors} />
            <div class="form-actions">
              <button type="submit" class="button button-primary">
                Save password
              </button>
            </div>
          </form>
        </section>
      )}
    </>
  );
}
