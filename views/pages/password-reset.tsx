/**
 * @module views/pages/password-reset
 * "Forgot your password?" (only where mail is configured): the form that mails a reset link, and
 * the form the link opens to choose a new password.
 */
import type { FieldErrors } from '../../src/validation.js';
import { ErrorSummary, TextField } from '../components/form.js';
import { NewPasswordFields } from '../components/password-fields.js';

export const FORGOT_PASSWORD_URL = '/users/password/new';

export function ForgotPasswordPage({ email, errors }: { email?: string | undefined; errors: FieldErrors }) {
  return (
    <section class="sign-in">
      <h1>Forgot your password?</h1>
      <p class="lead">Enter your email address and we'll send you a link to reset your password.</p>
      <ErrorSummary errors={errors} />
      <form method="post" action="/users/password" class="card form">
        <TextField
          name="email"
          label="Email"
          type="email"
          value={email}
          error={errors.email}
          required
          autocomplete="email"
          autofocus
          maxlength={254}
        />
        <button type="submit" class="button button-primary button-block">
          Reset password
        </button>
      </form>
      <p>
        <a href="/users/sign_in">Back to sign in</a>
      </p>
    </section>
  );
}

/** The form of a working link; `token` travels on in a hidden field, as the link carried it. */
export function ResetPasswordPage({ token, errors }: { token: string; errors: FieldErrors }) {
  return (
    <section class="sign-in">
      <h1>Change your password</h1>
      <ErrorSummary errors={errors} />
      <form method="post" action="/users/password/edit" class="card form">
        <input type="hidden" name="reset_password_token" value={token} />
        <NewPasswordFields errors={errors} />
        <button type="submit" class="button button-primary button-block">
          Change your password
        </button>
      </form>
    </section>
  );
}

/** A link that was used, has expired, or never existed: the same page for each. */
export function InvalidResetLinkPage() {
  return (
    <section class="sign-in">
      <h1>Change your password</h1>
      <ErrorSummary
        errors={{ _form: 'This password reset link is invalid or has expired. Links work once, within one hour.' }}
      />
      <p>
        <a href={FORGOT_PASSWORD_URL}>Request a new link</a>
      </p>
    </section>
  );
}
