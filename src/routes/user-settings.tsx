/**
 * @module routes/user-settings
 * The signed-in user's own settings: the password (change it), personal access tokens (create,
 * see once, revoke).
 */
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { PasswordChecksBusy } from '../auth/passwords.js';
import { SESSION_COOKIE } from '../auth/sessions.js';
import {
  createPersonalAccessToken,
  offeredScopes,
  DEFAULT_LIFETIME_DAYS,
  daysAhead,
  findToken,
  MAX_LIFETIME_DAYS,
  revokeToken,
  userTokens,
} from '../auth/tokens.js';
import type { User } from '../db/schema.js';
import { NotFound } from '../errors.js';
import { clientAddress } from '../http/client-address.js';
import { managingHosts } from '../model/managed.js';
import { changeOwnPassword, hasLocalPassword, INVALID_CURRENT_PASSWORD } from '../model/users.js';
import type { AppContext, AppEnv } from '../http/context.js';
import { redirectWithFlash } from '../http/flash.js';
import { isConfirmed, readForm } from '../http/forms.js';
import { type FormInput } from '../form-values.js';
import { requireSignedIn } from '../http/subjects.js';
import type { FieldErrors } from '../validation.js';
import { idSchema } from '../validation.js';
import { UserSettingsNav } from '../../views/components/nav.js';
import { revokeWarning } from '../../views/components/tokens.js';
import { ConfirmPage } from '../../views/pages/confirm.js';
import { PersonalAccessTokensPage, TOKENS_URL } from '../../views/pages/user-settings/tokens.js';
import {
  EDIT_PASSWORD_URL,
  managedPasswordText,
  PasswordPage,
  type ManagedPassword,
} from '../../views/pages/user-settings/password.js';

const crumbs = (last?: string) => [
  { label: 'User settings' },
  { label: 'Access tokens', href: TOKENS_URL },
  ...(last ? [{ label: last }] : []),
];

interface RenderOptions {
  values?: FormInput;
  errors?: FieldErrors;
  created?: { name: string; token: string };
}

async function renderTokens(c: AppContext, user: User, { values, errors, created }: RenderOptions = {}) {
  const now = new Date();
  return c.render(
    <PersonalAccessTokensPage
      tokens={await userTokens(c.var.db, user.id)}
      values={values ?? { expires_at: daysAhead(now, DEFAULT_LIFETIME_DAYS), scopes: ['api'] }}
      errors={errors ?? {}}
      created={created}
      earliest={daysAhead(now, 1)}
      latest={daysAhead(now, MAX_LIFETIME_DAYS)}
      offered={offeredScopes(user)}
    />,
    { title: 'Personal access tokens', breadcrumbs: crumbs(), nav: <UserSettingsNav current={TOKENS_URL} /> },
  );
}

/** Where the user's password is managed when it is not here (see model/users `hasLocalPassword`). */
async function managedPassword(c: AppContext, user: User): Promise<ManagedPassword | undefined> {
  if (hasLocalPassword(user)) return undefined;
  if (user.codeHostId === null) return 'none';
  const host = (await managingHosts(c.var.db, [user])).get(user.codeHostId);
  return { host: host?.name ?? 'your code host' };
}

function renderPassword(c: AppContext, errors: FieldErrors = {}, managed?: ManagedPassword) {
  return c.render(<PasswordPage errors={errors} managed={managed} />, {
    title: 'Password',
    breadcrumbs: [{ label: 'User settings' }, { label: 'Password' }],
    nav: <UserSettingsNav current={EDIT_PASSWORD_URL} />,
  });
}

export function userSettingsRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/password/edit', async (c) => {
    const user = requireSignedIn(c);
    return renderPassword(c, {}, await managedPassword(c, user));
  });

  // A wrong current password counts as a failed sign-in of the account from the address: a stolen
  // session cannot be used to guess the password faster than the sign-in form allows.
  routes.post('/password', async (c) => {
    const user = requireSignedIn(c);
    const managed = await managedPassword(c, user);
    if (managed) {
      c.status(403);
      return renderPassword(c, { _form: managedPasswordText(managed) }, managed);
    }
    const form = await readForm(c);
    const attempt = await c.var.deps.throttle.reserve(
      user.username,
      clientAddress(c, c.var.deps.config.trustedProxies),
    );
    if (!attempt.allowed) {
      c.header('Retry-After', String(Math.ceil(attempt.retryAfterMs / 1000)));
      c.status(429);
      const minutes = Math.ceil(attempt.retryAfterMs / 60_000);
      return renderPassword(c, { _form: `Too many wrong passwords. Try again in ${minutes} minutes.` });
    }
    let result;
    try {
      result = await changeOwnPassword(c.var.db, user, form, getCookie(c, SESSION_COOKIE) ?? '');
    } catch (error) {
      if (!(error instanceof PasswordChecksBusy)) throw error;
      await attempt.notChecked();
      c.header('Retry-After', '5');
      c.status(503);
      return renderPassword(c, { _form: 'Too many people are signing in right now. Try again in a few seconds.' });
    }
    const currentError = result.ok ? undefined : result.errors.current_password;
    if (currentError === undefined) await attempt.succeeded();
    else if (currentError !== INVALID_CURRENT_PASSWORD) await attempt.notChecked();
    if (!result.ok) {
      c.status(422);
      return renderPassword(c, result.errors);
    }
    return redirectWithFlash(
      c,
      EDIT_PASSWORD_URL,
      'Password was successfully updated. Your other sessions were signed out.',
    );
  });

  routes.get('/personal_access_tokens', (c) => renderTokens(c, requireSignedIn(c)));

  // The new token is shown on the page answering the post, not after a redirect: it must not
  // travel in a cookie or a URL, and must not be kept by any cache.
  routes.post('/personal_access_tokens', async (c) => {
    const user = requireSignedIn(c);
    const form = await readForm(c);
    const result = await createPersonalAccessToken(c.var.db, user, form);
    if (!result.ok) {
      c.status(422);
      return renderTokens(c, user, { values: form, errors: result.errors });
    }
    c.header('cache-control', 'no-store');
    c.status(201);
    return renderTokens(c, user, { created: { name: result.value.record.name, token: result.value.token } });
  });

  routes.post('/personal_access_tokens/:id/revoke', async (c) => {
    const user = requireSignedIn(c);
    const id = idSchema.safeParse(c.req.param('id'));
    const token = id.success ? await findToken(c.var.db, id.data) : undefined;
    // Another user's token is not revealed; administrators revoke it from the Admin Area.
    if (!token || token.userId !== user.id) throw new NotFound();
    const form = await readForm(c);
    if (!isConfirmed(form)) {
      return c.render(
        <ConfirmPage
          title={`Revoke the token "${token.name}"?`}
          action={`${TOKENS_URL}/${token.id}/revoke`}
          hidden={{}}
          confirmLabel="Revoke"
          danger
          cancelHref={TOKENS_URL}
        >
          <p>{revokeWarning}</p>
        </ConfirmPage>,
        { title: 'Revoke token', breadcrumbs: crumbs('Revoke'), nav: <UserSettingsNav current={TOKENS_URL} /> },
      );
    }
    const revoked = await revokeToken(c.var.db, token.id);
    return redirectWithFlash(
      c,
      TOKENS_URL,
      revoked ? `The token "${token.name}" was revoked.` : `The token "${token.name}" was already revoked.`,
    );
  });

  return routes;
}
