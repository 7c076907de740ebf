/** @module routes/admin/users: list, create, edit, reset a password, delete, administrator access, block and unblock. */
import { Hono } from 'hono';
import type { User } from '../../db/schema.js';
import { BadRequest, NotFound } from '../../errors.js';
import { hostMarks } from '../../http/host-marks.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { redirectWithFlash } from '../../http/flash.js';
import { isConfirmed, listParams, readForm } from '../../http/forms.js';
import { lastValue } from '../../form-values.js';
import { requireAdmin } from '../../http/subjects.js';
import { managingHosts } from '../../model/managed.js';
import {
  createUser,
  deleteUser,
  deletionImpact,
  deletionRefusal,
  editAccount,
  findUserById,
  listUsers,
  resetPassword,
  SELF_LOCKOUT_MESSAGE,
  setAdministrator,
  setBlocked,
} from '../../model/users.js';
import { idSchema, type FieldErrors } from '../../validation.js';
import type { FormValues } from '../../../views/components/form.js';
import { AdminNav } from '../../../views/components/nav.js';
import { DeletionSummary, deleteTitle, EditUserPage, userUrl } from '../../../views/pages/admin/user-edit.js';
import { NewUserPage, UsersPage } from '../../../views/pages/admin/users.js';
import { ConfirmPage } from '../../../views/pages/confirm.js';

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

/** The user named by the URL. */
async function userOfUrl(c: AppContext): Promise<User> {
  const id = idSchema.safeParse(c.req.param('id'));
  const user = id.success ? await findUserById(c.var.db, id.data) : undefined;
  if (!user) throw new NotFound();
  return user;
}

const hostNameOf = async (c: AppContext, user: User) =>
  user.codeHostId === null
    ? undefined
    : ((await managingHosts(c.var.db, [user])).get(user.codeHostId)?.name ?? 'its code host');

interface EditState {
  values?: FormValues;
  errors?: FieldErrors;
  passwordErrors?: FieldErrors;
  deleteErrors?: FieldErrors;
}

async function renderEdit(
  c: AppContext,
  user: User,
  { values = {}, errors = {}, passwordErrors = {}, deleteErrors = {} }: EditState = {},
) {
  const currentUser = c.var.user!;
  return c.render(
    <EditUserPage
      user={user}
      currentUser={currentUser}
      hostName={await hostNameOf(c, user)}
      values={values}
      errors={errors}
      passwordErrors={passwordErrors}
      deleteErrors={deleteErrors}
      deletionRefusal={await deletionRefusal(c.var.db, currentUser, user)}
      impact={await deletionImpact(c.var.db, user)}
    />,
    { title: `Edit user ${user.username}`, breadcrumbs: crumbs(user.username), nav: <AdminNav current={c.req.path} /> },
  );
}

/** The refusal a host-managed user's name and e-mail (or password) get when posted anyway. */
const managedRefusal = (user: User, hostName: string, what: string) =>
  `${user.username} was imported from ${hostName}: ${what} managed there.`;

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

  routes.get('/:id/edit', async (c) => renderEdit(c, await userOfUrl(c)));

  routes.post('/:id', async (c) => {
    const user = await userOfUrl(c);
    const form = await readForm(c);
    const hostName = await hostNameOf(c, user);
    if (hostName) {
      c.status(422);
      return renderEdit(c, user, { errors: { _form: managedRefusal(user, hostName, 'their name and e-mail are') } });
    }
    const result = await editAccount(c.var.db, user, form);
    if (!result.ok) {
      c.status(422);
      return renderEdit(c, user, { values: form, errors: result.errors });
    }
    return redirectWithFlash(c, userUrl(user, 'edit'), `User ${user.username} was successfully updated.`);
  });

  routes.post('/:id/password', async (c) => {
    const user = await userOfUrl(c);
    const form = await readForm(c);
    const hostName = await hostNameOf(c, user);
    const refusal =
      user.id === c.var.user!.id
        ? 'Change your own password in User settings › Password.'
        : hostName && managedRefusal(user, hostName, 'their password is');
    if (refusal) {
      c.status(422);
      return renderEdit(c, user, { passwordErrors: { _form: refusal } });
    }
    const result = await resetPassword(c.var.db, user, form);
    if (!result.ok) {
      c.status(422);
      return renderEdit(c, user, { passwordErrors: result.errors });
    }
    return redirectWithFlash(
      c,
      userUrl(user, 'edit'),
      `The password of ${user.username} was changed, and they were signed out everywhere.`,
    );
  });

  routes.post('/:id/delete', async (c) => {
    const user = await userOfUrl(c);
    const form = await readForm(c);
    const refusal = await deletionRefusal(c.var.db, c.var.user!, user);
    if (refusal) {
      c.status(422);
      return renderEdit(c, user, { deleteErrors: { _form: refusal } });
    }
    if (!isConfirmed(form)) {
      return c.render(
        <ConfirmPage
          title={deleteTitle(user)}
          action={userUrl(user, 'delete')}
          hidden={{}}
          confirmLabel="Delete user"
          danger
          cancelHref={userUrl(user, 'edit')}
        >
          <DeletionSummary user={user} impact={await deletionImpact(c.var.db, user)} />
        </ConfirmPage>,
        { title: 'Delete user', breadcrumbs: crumbs(user.username), nav: <AdminNav current={c.req.path} /> },
      );
    }
    await deleteUser(c.var.db, user.id);
    return redirectWithFlash(c, '/admin/users', `User ${user.username} was deleted.`);
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
