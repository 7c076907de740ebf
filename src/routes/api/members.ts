/**
 * @module routes/api/members
 * GitLab's members API, written once and mounted for groups (`/groups/:id/members`) and projects
 * (`/projects/:id/members`): list the direct members or, with `/all`, those inherited from the
 * groups above too; add, change and remove one by user id. Access levels are GitLab's numbers;
 * those Cascade has no role for (Guest, 10; Owner, 50, of a project) are refused as GitLab
 * refuses an unknown level. Whoever may read the group or project sees its members; only
 * administrators change them, as in the Admin Area. A membership imported from a code host is
 * changed there: changing or removing it here is refused with 403.
 */
import { Hono } from 'hono';
import { roleName, traversalIdList, type Ability } from '../../auth/permissions.js';
import type { Member, User } from '../../db/schema.js';
import { BadRequest } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import {
  addMember,
  changeMemberRole,
  effectiveMembers,
  findMemberOfUser,
  listMembers,
  removeMember,
  rolesFor,
  type MemberSource,
} from '../../model/members.js';
import { findUserById, findUserByUsername } from '../../model/users.js';
import { userEntity } from './entities.js';
import { notFound } from './errors.js';
import { pageRequest, readParams, setPaginationHeaders, type ApiParams } from './params.js';
import { apiGroup, apiProject } from './subjects.js';
import { integerParam, invalidRecord, textParam } from './tree-params.js';

/** Whose members a URL is about: the source of direct memberships and the groups whose members are inherited. */
export interface MembersOf {
  source: MemberSource;
  /** The group's lineage, or the project's group's: ancestors first. */
  groupIds: number[];
}

export type MembersLoader = (c: AppContext, ability: Ability) => Promise<MembersOf>;

export const groupMembers: MembersLoader = async (c, ability) => {
  const { group } = await apiGroup(c, ability);
  return { source: { groupId: group.id }, groupIds: traversalIdList(group.traversalIds) };
};

export const projectMembers: MembersLoader = async (c, ability) => {
  const { project, group } = await apiProject(c, ability);
  return { source: { projectId: project.id }, groupIds: traversalIdList(group.traversalIds) };
};

/** GitLab's member entity: the user as others see them (no email), with the role as an access level. */
function memberEntity(c: AppContext, { member, user }: { member: Member; user: User }) {
  const { id, username, name, state, locked, avatar_url } = userEntity(user);
  return {
    id,
    username,
    name,
    state,
    locked,
    avatar_url,
    web_url: `${c.var.deps.config.publicOrigin}/${user.username}`,
    access_level: member.accessLevel,
    created_at: member.createdAt.toISOString(),
    expires_at: null,
    membership_state: 'active',
  };
}

/** The role of an `access_level` that the group or project can hold; GitLab's 400 otherwise. */
function roleOfParams(params: ApiParams, source: MemberSource) {
  const level = integerParam(params, 'access_level');
  if (level === undefined) throw new BadRequest('access_level is missing');
  const role = roleName(level);
  if (!role || !rolesFor(source).includes(role)) throw new BadRequest('access_level does not have a valid value');
  return role;
}

/** The user a POST names by `user_id` (or, as newer GitLab allows, `username`). */
async function userOfParams(c: AppContext, params: ApiParams): Promise<User> {
  const id = integerParam(params, 'user_id');
  const username = textParam(params, 'username');
  if (id === undefined && !username)
    throw new BadRequest('user_id, username are missing, exactly one parameter must be provided');
  const user = id === undefined ? await findUserByUsername(c.var.db, username!) : await findUserById(c.var.db, id);
  if (!user) throw notFound('User');
  return user;
}

/** The direct membership of the URL's `:user_id`. */
async function memberOfUrl(c: AppContext, source: MemberSource): Promise<Member> {
  const userId = integerParam({ user_id: c.req.param('user_id') }, 'user_id')!;
  const member = await findMemberOfUser(c.var.db, source, userId);
  if (!member) throw notFound('Member');
  return member;
}

async function withUser(c: AppContext, member: Member) {
  return memberEntity(c, { member, user: (await findUserById(c.var.db, member.userId))! });
}

/** One page of members, with GitLab's pagination headers. */
async function page(c: AppContext, rows: { member: Member; user: User }[]) {
  const pageOf = pageRequest(await readParams(c));
  setPaginationHeaders(c, c.var.deps.config.publicOrigin, pageOf, rows.length);
  const start = (pageOf.page - 1) * pageOf.perPage;
  return c.json(rows.slice(start, start + pageOf.perPage).map((row) => memberEntity(c, row)));
}

export function membersApi(load: MembersLoader): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', async (c) => {
    const { source } = await load(c, 'read');
    return page(c, await listMembers(c.var.db, source));
  });

  /** Direct and inherited members, each once with their highest access level. */
  routes.get('/all', async (c) => {
    const { source, groupIds } = await load(c, 'read');
    return page(c, await effectiveMembers(c.var.db, groupIds, 'projectId' in source ? source : undefined));
  });

  routes.get('/:user_id', async (c) => {
    const { source } = await load(c, 'read');
    return c.json(await withUser(c, await memberOfUrl(c, source)));
  });

  routes.post('/', async (c) => {
    const { source } = await load(c, 'administer');
    const params = await readParams(c);
    const user = await userOfParams(c, params);
    const role = roleOfParams(params, source);
    if (await findMemberOfUser(c.var.db, source, user.id)) return c.json({ message: 'Member already exists' }, 409);
    const result = await addMember(c.var.db, source, { username: user.username, role });
    if (!result.ok) return invalidRecord(c, result.errors, { username: 'user_id', role: 'access_level' });
    return c.json(await withUser(c, result.value), 201);
  });

  routes.put('/:user_id', async (c) => {
    const { source } = await load(c, 'administer');
    const member = await memberOfUrl(c, source);
    const role = roleOfParams(await readParams(c), source);
    const result = await changeMemberRole(c.var.db, source, member, { role });
    if (!result.ok && result.errors._form) return c.json({ message: result.errors._form }, 403);
    if (!result.ok) return invalidRecord(c, result.errors, { role: 'access_level' });
    return c.json(await withUser(c, result.value));
  });

  routes.delete('/:user_id', async (c) => {
    const { source } = await load(c, 'administer');
    const result = await removeMember(c.var.db, await memberOfUrl(c, source));
    if (!result.ok) return c.json({ message: Object.values(result.errors).join(' ') }, 403);
    return c.body(null, 204);
  });

  return routes;
}
