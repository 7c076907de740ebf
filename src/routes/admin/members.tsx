/**
 * @module routes/admin/members
 * Adding, changing and removing members, the same way for groups and projects. Memberships
 * imported from a code host are refused with the page's error (422): the host changes them.
 */
import { Hono } from 'hono';
import { NotFound } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { redirectWithFlash } from '../../http/flash.js';
import { readForm } from '../../http/forms.js';
import { type FormInput } from '../../form-values.js';
import { addMember, changeMemberRole, findMember, removeMember, type MemberSource } from '../../model/members.js';
import { findUserById } from '../../model/users.js';
import { idSchema, type FieldErrors } from '../../validation.js';

export interface MembersOwner {
  source: MemberSource;
  /** "/admin/groups/5": where the members section is shown. */
  base: string;
}

/**
 * @param load finds the group or project of the URL (throwing NotFound when there is none)
 * @param renderWithErrors re-renders the owner's page with the add-member form's errors (422)
 */
export function memberRoutes(
  load: (c: AppContext) => Promise<MembersOwner>,
  renderWithErrors: (c: AppContext, values: FormInput, errors: FieldErrors) => Response | Promise<Response>,
): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  const memberOf = async (c: AppContext, owner: MembersOwner) => {
    const id = idSchema.safeParse(c.req.param('memberId'));
    const member = id.success ? await findMember(c.var.db, owner.source, id.data) : undefined;
    if (!member) throw new NotFound();
    return member;
  };

  routes.post('/', async (c) => {
    const owner = await load(c);
    const form = await readForm(c);
    const result = await addMember(c.var.db, owner.source, form);
    if (!result.ok) {
      c.status(422);
      return renderWithErrors(c, form, result.errors);
    }
    return redirectWithFlash(
      c,
      owner.base,
      `${(await findUserById(c.var.db, result.value.userId))?.username} was added.`,
    );
  });

  routes.post('/:memberId', async (c) => {
    const owner = await load(c);
    const member = await memberOf(c, owner);
    const result = await changeMemberRole(c.var.db, owner.source, member, await readForm(c));
    if (!result.ok) {
      c.status(422);
      return renderWithErrors(c, {}, result.errors);
    }
    return redirectWithFlash(
      c,
      owner.base,
      `The role of ${(await findUserById(c.var.db, member.userId))?.username} was changed.`,
    );
  });

  routes.post('/:memberId/delete', async (c) => {
    const owner = await load(c);
    const member = await memberOf(c, owner);
    const result = await removeMember(c.var.db, member);
    if (!result.ok) {
      c.status(422);
      return renderWithErrors(c, {}, result.errors);
    }
    return redirectWithFlash(c, owner.base, `${(await findUserById(c.var.db, member.userId))?.username} was removed.`);
  });

  return routes;
}
