/**
 * @module routes/password-resets
 * "Forgot your password?" under /users/password, as GitLab's: request a link by e-mail, then
 * choose a new password on the page it opens (auth/password-resets.ts). Without mail configured
 * (SMTP_URL) none of it exists: every route answers 404 and the sign-in page offers no link.
 */
import { Hono } from 'hono';
import {
  findPasswordReset,
  passwordResetMail,
  reserveResetRequest,
  resetPasswordWithToken,
} from '../model/password-resets.js';
import { NotFound } from '../errors.js';
import { clientAddress } from '../http/client-address.js';
import type { AppContext, AppEnv } from '../http/context.js';
import { redirectWithFlash } from '../http/flash.js';
import { readForm } from '../http/forms.js';
import { lastValue } from '../form-values.js';
import type { Mailer } from '../mail/mailer.js';
import type { FieldErrors } from '../validation.js';
import { ForgotPasswordPage, InvalidResetLinkPage, ResetPasswordPage } from '../../views/pages/password-reset.js';

/** Devise's "paranoid" answer: the same whether or not an account has the address. */
export const RESET_REQUESTED =
  'If your email address exists in our database, you will receive a password recovery link at your email address in a few minutes.';

function mailerOf(c: AppContext): Mailer {
  const mailer = c.var.deps.mailer;
  if (!mailer) throw new NotFound();
  return mailer;
}

// Pages that hold a reset token are kept by no cache.
function renderReset(c: AppContext, token: string, errors: FieldErrors = {}) {
  c.header('cache-control', 'no-store');
  return c.render(<ResetPasswordPage token={token} errors={errors} />, { title: 'Change your password' });
}

function renderInvalidLink(c: AppContext) {
  c.status(404);
  c.header('cache-control', 'no-store');
  return c.render(<InvalidResetLinkPage />, { title: 'Change your password' });
}

export function passwordResetRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/new', (c) => {
    mailerOf(c);
    return c.render(<ForgotPasswordPage errors={{}} />, { title: 'Forgot your password?' });
  });

  routes.post('/', async (c) => {
    const mailer = mailerOf(c);
    const form = await readForm(c);
    const email = (lastValue(form.email) ?? '').trim().slice(0, 254);
    const again = (errors: FieldErrors, status: 422 | 429) => {
      c.status(status);
      return c.render(<ForgotPasswordPage email={email} errors={errors} />, { title: 'Forgot your password?' });
    };
    if (!email) return again({ email: 'Email is required' }, 422);
    const attempt = await reserveResetRequest(c.var.db, email, clientAddress(c, c.var.deps.config.trustedProxies));
    if (!attempt.allowed) {
      c.header('Retry-After', String(Math.ceil(attempt.retryAfterMs / 1000)));
      const minutes = Math.ceil(attempt.retryAfterMs / 60_000);
      return again({ _form: `Too many password reset requests. Try again in ${minutes} minutes.` }, 429);
    }
    const mail = await passwordResetMail(c.var.db, email, c.var.deps.config.publicOrigin);
    // Sent after the answer, so that its time does not tell whether the address has an account.
    if (mail) {
      mailer.send(mail).catch((error: unknown) => {
        c.var.deps.logger.warn(
          { failure: (error as { failure?: string }).failure ?? 'unknown' },
          'The password reset mail was not sent',
        );
      });
    }
    return redirectWithFlash(c, '/users/sign_in', RESET_REQUESTED);
  });

  routes.get('/edit', async (c) => {
    mailerOf(c);
    const token = (c.req.query('reset_password_token') ?? '').slice(0, 100);
    if (!(await findPasswordReset(c.var.db, token))) return renderInvalidLink(c);
    return renderReset(c, token);
  });

  routes.post('/edit', async (c) => {
    mailerOf(c);
    const form = await readForm(c);
    const token = (lastValue(form.reset_password_token) ?? '').slice(0, 100);
    const result = await resetPasswordWithToken(c.var.db, token, form);
    if (!result) return renderInvalidLink(c);
    if (!result.ok) {
      c.status(422);
      return renderReset(c, token, result.errors);
    }
    return redirectWithFlash(
      c,
      '/users/sign_in',
      'Your password has been changed successfully. Sign in with your new password.',
    );
  });

  return routes;
}
