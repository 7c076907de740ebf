/**
 * @module routes/api/users
 * GitLab's users API for administrators, through the same domain functions as the Admin Area:
 * list (with `search` or `username`), show, create, change, block and unblock. A username or
 * email another account has is GitLab's 409; an administrator cannot block themselves or take
 * away their own administrator access, as in the Admin Area. Everyone else gets 403.
 */
import { Hono } from 'hono';
import type { User } from '../../db/schema.js';
import { BadRequest } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { parseBoolean } from '../../boolean.js';
import {
  createUser,
  findUserById,
  findUserByUsername,
  listUsers,
  SELF_LOCKOUT_MESSAGE,
  setBlocked,
  updateUser,
} from '../../model/users.js';
import type { FieldErrors } from '../../validation.js';
import { userEntity } from './entities.js';
import { notFound } from './errors.js';
import { pageRequest, readParams, setPaginationHeaders } from './params.js';
import { apiAdmin } from './subjects.js';
import { integerParam, invalidRecord, pickParams, requiredText, textParam } from './tree-params.js';

const USER_FIELDS = { name: 'name', username: 'username', email: 'email', password: 'password', admin: 'is_admin' };

async function userOfUrl(c: AppContext): Promise<User> {
  await apiAdmin(c);
  const id = integerParam({ id: c.req.param('id') }, 'id')!;
  const user = await findUserById(c.var.db, id);
  if (!user) throw notFound('User');
  return user;
}

/** A refused account: a username or email in use is GitLab's 409, anything else its 400. */
function refused(c: AppContext, errors: FieldErrors): Response {
  const taken = [errors.email, errors.username].find((message) => message?.endsWith('has already been taken'));
  if (taken) return c.json({ message: taken }, 409);
  return invalidRecord(c, errors, { is_admin: 'admin' });
}

export function userApi(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', async (c) => {
    await apiAdmin(c);
    const params = await readParams(c);
    const username = textParam(params, 'username');
    if (username !== undefined) {
      const user = await findUserByUsername(c.var.db, username);
      return c.json(user ? [userEntity(user)] : []);
    }
    const pageOf = pageRequest(params);
    const { users, total } = await listUsers(c.var.db, { search: textParam(params, 'search') ?? '', ...pageOf });
    setPaginationHeaders(c, c.var.deps.config.publicOrigin, pageOf, total);
    return c.json(users.map(userEntity));
  });

  routes.get('/:id', async (c) => c.json(userEntity(await userOfUrl(c))));

  /** `name`, `username`, `email` and `password` required; `admin` for administrator access. */
  routes.post('/', async (c) => {
    await apiAdmin(c);
    const params = await readParams(c);
    for (const name of ['email', 'name', 'username', 'password']) requiredText(params, name);
    const result = await createUser(c.var.db, pickParams(params, USER_FIELDS));
    if (!result.ok) return refused(c, result.errors);
    return c.json(userEntity(result.value), 201);
  });

  routes.put('/:id', async (c) => {
    const user = await userOfUrl(c);
    const params = await readParams(c);
    if (user.id === c.var.user!.id && params.admin !== undefined && parseBoolean(params.admin) === false)
      throw new BadRequest(SELF_LOCKOUT_MESSAGE);
    const result = await updateUser(c.var.db, user, pickParams(params, USER_FIELDS));
    if (!result.ok) return refused(c, result.errors);
    return c.json(userEntity(result.value));
  });

  for (const [action, blocked] of [
    ['block', true],
    ['unblock', false],
  ] as const) {
    /** GitLab answers 201 with `true`. */
    routes.post(`/:id/${action}`, async (c) => {
      const user = await userOfUrl(c);
      if (user.id === c.var.user!.id) throw new BadRequest(SELF_LOCKOUT_MESSAGE);
      await setBlocked(c.var.db, user.id, blocked);
      return c.json(true, 201);
    });
  }

  return routes;
}
