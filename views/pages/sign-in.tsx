/** @module views/pages/sign-in */
import type { SignInHost } from '../../src/code-hosts/sign-in.js';
import { ErrorSummary, TextField } from '../components/form.js';

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
}: {
  username?: string | undefined;
  error?: string | undefined;
  redirectTo?: string | undefined;
  hosts?: SignInHost[];
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
      <HostSignInButtons hosts={hosts} redirectTo={redirectTo} />
    </section>
  );
}
