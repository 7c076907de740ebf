/** @module routes/admin/users: list, create, administrator access, block and unblock. */
import { Hono } from 'hono';
import { BadRequest, NotFound } from '../../errors.js';
import { hostMarks } from '../../http/host-marks.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { redirectWithFlash } from '../../http/flash.js';
import { listParams, readForm } from '../../http/forms.js';
import { lastValue } from '../../form-values.js';
import { requireAdmin } from '../../http/subjects.js';
import {
  createUser,
  findUserById,
  listUsers,
  SELF_LOCKOUT_MESSAGE,
  setAdministrator,
  setBlocked,
} from '../../model/users.js';
import { idSchema } from '../../validation.js';
import { AdminNav } from '../../../views/components/nav.js';
import { NewUserPage, UsersPage } from '../../../views/pages/admin/users.js';

const crumbs = (last?: string) => [
  { label: 'Admin Area', href: '/admin' },
  { label: 'Users', href: '/admin/users' },
  ...(last ? [{ label: last }] : []),
];

/** The user named by the URL, who must not be the administrator acting (no self-lockout). */
async function otherUser(c: AppContext) {
  const id = idSchema.safeParse(c.req.param('id'));
  const user = id.success ? await findUserById(c.var.db, id.data) : undefined;
  if (!user) throw new NotFound();
  if (user.id === c.var.user!.id) throw new BadRequest(SELF_LOCKOUT_MESSAGE);
  return user;
}

export function adminUserRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', async (c) => {
    const params = listParams(c);
    const { users, total } = await listUsers(c.var.db, params);
    const currentUser = await requireAdmin(c);
    const marks = await hostMarks(c, users);
    return c.render(<UsersPage users={users} total={total} {...params} currentUser={currentUser} marks={marks} />, {
      title: 'Users',
      breadcrumbs: crumbs(),
      nav: <AdminNav current={c.req.path} />,
    });
  });

  routes.get('/new', (c) =>
    c.render(<NewUserPage values={{}} errors={{}} />, {
      title: 'New user',
      breadcrumbs: crumbs('New'),
      nav: <AdminNav current={c.req.path} />,
    }),
  );

  routes.post('/', async (c) => {
    const form = await readForm(c);
    const result = await createUser(c.var.db, { ...form, is_admin: lastValue(form.is_admin) || undefined });
    if (!result.ok) {
      c.status(422);
      return c.render(<NewUserPage values={{ ...form, password: undefined }} errors={result.errors} />, {
        title: 'New user',
        breadcrumbs: crumbs('New'),
        nav: <AdminNav current={c.req.path} />,
      });
    }
    return redirectWithFlash(c, '/admin/users', `User ${result.value.username} was successfully created.`);
  });

  routes.post('/:id/make_admin', async (c) => {
    const user = await otherUser(c);
    await setAdministrator(c.var.db, user.id, true);
    return redirectWithFlash(c, '/admin/users', `${user.username} is now an administrator.`);
  });

  routes.post('/:id/revoke_admin', async (c) => {
    const user = await otherUser(c);
    await setAdministrator(c.var.db, user.id, false);
    return redirectWithFlash(c, '/admin/users', `${user.username} is no longer an administrator.`);
  });

  routes.post('/:id/block', async (c) => {
    const user = await otherUser(c);
    await setBlocked(c.var.db, user.id, true);
    return redirectWithFlash(c, '/admin/users', `${user.username} was blocked and signed out everywhere.`);
  });

  routes.post('/:id/unblock', async (c) => {
    const user = await otherUser(c);
    await setBlocked(c.var.db, user.id, false);
    return redirectWithFlash(c, '/admin/users', `${user.username} was unblocked.`);
  });

  return routes;
}
