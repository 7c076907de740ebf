/** @module routes/admin/tokens: every user's personal access tokens, and revoking any of them. */
import { Hono } from 'hono';
import { allTokens, findToken, revokeToken } from '../../auth/tokens.js';
import { NotFound } from '../../errors.js';
import type { AppEnv } from '../../http/context.js';
import { redirectWithFlash } from '../../http/flash.js';
import { isConfirmed, listParams, readForm } from '../../http/forms.js';
import { findUserById } from '../../model/users.js';
import { idSchema } from '../../validation.js';
import { AdminNav } from '../../../views/components/nav.js';
import { revokeWarning } from '../../../views/components/tokens.js';
import { ConfirmPage } from '../../../views/pages/confirm.js';
import { ADMIN_TOKENS_URL, AdminTokensPage } from '../../../views/pages/admin/tokens.js';

const crumbs = (last?: string) => [
  { label: 'Admin Area', href: '/admin' },
  { label: 'Access tokens', href: ADMIN_TOKENS_URL },
  ...(last ? [{ label: last }] : []),
];

export function adminTokenRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', async (c) => {
    const { page, perPage } = listParams(c);
    const { tokens, total } = await allTokens(c.var.db, page, perPage);
    return c.render(<AdminTokensPage rows={tokens} page={page} perPage={perPage} total={total} />, {
      title: 'Personal access tokens',
      breadcrumbs: crumbs(),
      nav: <AdminNav current={ADMIN_TOKENS_URL} />,
    });
  });

  routes.post('/:id/revoke', async (c) => {
    const id = idSchema.safeParse(c.req.param('id'));
    const token = id.success ? await findToken(c.var.db, id.data) : undefined;
    if (!token) throw new NotFound();
    const owner = await findUserById(c.var.db, token.userId);
    const form = await readForm(c);
    if (!isConfirmed(form)) {
      return c.render(
        <ConfirmPage
          title={`Revoke the token "${token.name}" of @${owner?.username}?`}
          action={`${ADMIN_TOKENS_URL}/${token.id}/revoke`}
          hidden={{}}
          confirmLabel="Revoke"
          danger
          cancelHref={ADMIN_TOKENS_URL}
        >
          <p>{revokeWarning}</p>
        </ConfirmPage>,
        { title: 'Revoke token', breadcrumbs: crumbs('Revoke'), nav: <AdminNav current={ADMIN_TOKENS_URL} /> },
      );
    }
    const revoked = await revokeToken(c.var.db, token.id);
    const what = `The token "${token.name}" of @${owner?.username}`;
    return redirectWithFlash(c, ADMIN_TOKENS_URL, revoked ? `${what} was revoked.` : `${what} was already revoked.`);
  });

  return routes;
}
