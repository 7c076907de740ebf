/** @module views/pages/sign-in */
import { ErrorSummary, TextField } from '../components/form.js';

export function SignInPage({
  username,
  error,
  redirectTo,
}: {
  username?: string;
  error?: string;
  redirectTo?: string;
}) {
  return (
    <section class="sign-in">
      <h1>Sign in to Cascade</h1>
      <p class="lead">Integration settings for every group and project on your instance.</p>
      {error && <ErrorSummary errors={{ _form: error }} />}
      <form method="post" action="/users/sign_in" class="card form">
        {redirectTo && <input type="hidden" name="redirect_to" value={redirectTo} />}
        <TextField
          name="username"
          label="Username"
          value={username}
          required
          autocomplete="username"
          autofocus
          maxlength={255}
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          required
          autocomplete="current-password"
          maxlength={128}
        />
        <button type="submit" class="button button-primary button-block">
          Sign in
        </button>
      </form>
    </section>
  );
}
