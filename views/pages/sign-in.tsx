/** @module views/pages/sign-in */
import type { SignInHost } from '../../src/code-hosts/sign-in.js';
import { ErrorSummary, TextField } from '../components/form.js';
import { FORGOT_PASSWORD_URL } from './password-reset.js';

/**
 * "Sign in with <host>": a link each, as Gitea's and Forgejo's own buttons are. A form would post
 * here and be redirected to the host, which the page's `form-action 'self'` policy forbids.
 */
function HostSignInButtons({ hosts, redirectTo }: { hosts: SignInHost[]; redirectTo?: string | undefined }) {
  if (hosts.length === 0) return null;
  const query = redirectTo ? `?${new URLSearchParams({ redirect_to: redirectTo }).toString()}` : '';
  return (
    <div class="card form host-sign-in">
      {hosts.map((host) => (
        <a class="button button-block" href={`/users/auth/${host.id}${query}`}>
          Sign in with {host.name}
        </a>
      ))}
    </div>
  );
}

export function SignInPage({
  username,
  error,
  redirectTo,
  hosts = [],
  forgotPassword = false,
  firstPasswordHint = false,
}: {
  username?: string | undefined;
  error?: string | undefined;
  redirectTo?: string | undefined;
  hosts?: SignInHost[];
  /** Mail is configured: "Forgot your password?" can send a reset link. */
  forgotPassword?: boolean;
  /** The instance is new: root has not signed in with the password printed on the console. */
  firstPasswordHint?: boolean;
}) {
  return (
    <section class="sign-in">
      <h1>Sign in to Cascade</h1>
      <p class="lead">Integration settings for every group and project on your instance.</p>
      {firstPasswordHint && (
        <p class="callout callout-info" id="first-password-hint">
          New instance: the first password for root was printed in the server's console (its log) when it first started.
        </p>
      )}
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
        {forgotPassword && (
          <p class="field-help">
            <a href={FORGOT_PASSWORD_URL}>Forgot your password?</a>
          </p>
        )}
        <button type="submit" class="button button-primary button-block">
          Sign in
        </button>
      </form>
      <HostSignInButtons hosts={hosts} redirectTo={redirectTo} />
    </section>
  );
}
