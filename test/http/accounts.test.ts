/**
 * Accounts through HTTP: changing one's own password (User settings › Password), and in the
 * Admin Area editing a user's name and e-mail, setting their password and deleting them; the
 * sign-in page's hint on a new instance.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/auth/passwords.js';
import { loadConfig } from '../../src/config.js';
import { auditEvents, members, personalAccessTokens, sessions } from '../../src/db/schema.js';
import { createPersonalAccessToken, daysAhead } from '../../src/auth/tokens.js';
import { findUserById, deletionRefusal } from '../../src/model/users.js';
import { recordAuditEvent } from '../../src/audit/trail.js';
import { ROLES } from '../../src/auth/permissions.js';
import { createGroup } from '../../src/model/groups.js';
import { writeConnection } from '../../src/db/client.js';
import { seedRoot } from '../../src/seed.js';
import {
  createTestApp,
  fieldErrorOf,
  flashOf,
  get,
  insertUser,
  post,
  sessionCookie,
  TEST_PASSWORD,
  textOf,
  type TestApp,
} from '../support/app.js';
import { apiRequest, apiToken } from '../support/api.js';
import { insertConnection } from '../support/fake-host-client.js';
import { must } from '../support/world.js';

const NEW_PASSWORD = 'a-brand-new-password';
const passwordForm = (current: string, next = NEW_PASSWORD, confirmation = next) => ({
  current_password: current,
  new_password: next,
  password_confirmation: confirmation,
});
const sessionCount = async (t: TestApp, userId: number) =>
  (await t.db.select().from(sessions).where(eq(sessions.userId, userId))).length;
const passwordOf = async (t: TestApp, userId: number) => (await findUserById(t.db, userId))!.passwordHash;

describe('User settings › Password', () => {
  it('shows "Change your password" with the current password, the new one and its confirmation', async () => {
    const t = await createTestApp();
    const ada = await insertUser(t.db, 'ada');
    const response = await get(t.app, '/-/user_settings/password/edit', { cookie: await sessionCookie(t.db, ada) });
    expect(response.status).toBe(200);
    const text = textOf(await response.text());
    for (const label of ['Change your password', 'Current password', 'New password', 'Password confirmation'])
      expect(text).toContain(label);
    expect(text).toContain('Save password');
  });

  it('changes the password, ends every other session of the user and keeps this one', async () => {
    const t = await createTestApp();
    const ada = await insertUser(t.db, 'ada');
    const bob = await insertUser(t.db, 'bob');
    const cookie = await sessionCookie(t.db, ada);
    const elsewhere = await sessionCookie(t.db, ada);
    const bobs = await sessionCookie(t.db, bob);
    const response = await post(t.app, '/-/user_settings/password', passwordForm(TEST_PASSWORD), { cookie });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/-/user_settings/password/edit');
    expect(flashOf(response)).toBe('Password was successfully updated. Your other sessions were signed out.');
    expect(await verifyPassword(NEW_PASSWORD, await passwordOf(t, ada.id))).toBe(true);
    expect(await sessionCount(t, ada.id)).toBe(1);
    expect((await get(t.app, '/-/user_settings/password/edit', { cookie })).status).toBe(200);
    expect((await get(t.app, '/-/user_settings/password/edit', { cookie: elsewhere })).status).toBe(302);
    // Nobody else is signed out.
    expect((await get(t.app, '/-/user_settings/password/edit', { cookie: bobs })).status).toBe(200);
  });

  it('refuses a wrong current password next to its field, with a 422, and changes nothing', async () => {
    const t = await createTestApp();
    const ada = await insertUser(t.db, 'ada');
    const cookie = await sessionCookie(t.db, ada);
    await sessionCookie(t.db, ada);
    const before = await passwordOf(t, ada.id);
    const response = await post(t.app, '/-/user_settings/password', passwordForm('not-my-password'), { cookie });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(fieldErrorOf(html, 'current_password')).toBe('You must provide a valid current password');
    expect(html).not.toContain('not-my-password');
    expect(await passwordOf(t, ada.id)).toBe(before);
    expect(await sessionCount(t, ada.id)).toBe(2);
  });

  it('applies the password rules and the confirmation, each next to its field', async () => {
    const t = await createTestApp();
    const ada = await insertUser(t.db, 'ada');
    const cookie = await sessionCookie(t.db, ada);
    const before = await passwordOf(t, ada.id);
    const short = await post(t.app, '/-/user_settings/password', passwordForm(TEST_PASSWORD, 'short'), { cookie });
    expect(short.status).toBe(422);
    expect(fieldErrorOf(await short.text(), 'new_password')).toBe(
      'New password is too short (minimum is 8 characters)',
    );
    const mismatch = await post(
      t.app,
      '/-/user_settings/password',
      passwordForm(TEST_PASSWORD, NEW_PASSWORD, 'something-else-entirely'),
      { cookie },
    );
    expect(mismatch.status).toBe(422);
    expect(fieldErrorOf(await mismatch.text(), 'password_confirmation')).toBe(
      "Password confirmation doesn't match New password",
    );
    const missing = await post(t.app, '/-/user_settings/password', passwordForm(''), { cookie });
    expect(fieldErrorOf(await missing.text(), 'current_password')).toBe('Current password is required');
    expect(await passwordOf(t, ada.id)).toBe(before);
  });

  it('counts wrong current passwords as failed sign-ins: the sixth in a row is refused with a 429', async () => {
    const t = await createTestApp();
    const ada = await insertUser(t.db, 'ada');
    const cookie = await sessionCookie(t.db, ada);
    for (let attempt = 0; attempt < 5; attempt++)
      expect((await post(t.app, '/-/user_settings/password', passwordForm('wrong-guess'), { cookie })).status).toBe(
        422,
      );
    const refused = await post(t.app, '/-/user_settings/password', passwordForm(TEST_PASSWORD), { cookie });
    expect(refused.status).toBe(429);
    expect(textOf(await refused.text())).toContain('Too many wrong passwords. Try again in');
    expect(await verifyPassword(TEST_PASSWORD, await passwordOf(t, ada.id))).toBe(true);
  });

  it('tells a user imported from a code host that the host manages their password, and refuses a post', async () => {
    const t = await createTestApp();
    const connection = await insertConnection(t.db);
    const carol = await insertUser(t.db, 'carol', { codeHostId: connection.id, hostId: 3 });
    const cookie = await sessionCookie(t.db, carol);
    const page = textOf(await (await get(t.app, '/-/user_settings/password/edit', { cookie })).text());
    expect(page).toContain(
      `You sign in with ${connection.name}: your password is managed there. Change it on ${connection.name}.`,
    );
    expect(page).not.toContain('Current password');
    const before = await passwordOf(t, carol.id);
    const response = await post(t.app, '/-/user_settings/password', passwordForm(TEST_PASSWORD), { cookie });
    expect(response.status).toBe(403);
    expect(await passwordOf(t, carol.id)).toBe(before);
  });

  it('refuses a post without the Origin of the site (CSRF)', async () => {
    const t = await createTestApp();
    const ada = await insertUser(t.db, 'ada');
    const cookie = await sessionCookie(t.db, ada);
    const before = await passwordOf(t, ada.id);
    const response = await post(t.app, '/-/user_settings/password', passwordForm(TEST_PASSWORD), {
      cookie,
      origin: 'https://evil.example',
    });
    expect(response.status).toBe(403);
    expect(await passwordOf(t, ada.id)).toBe(before);
  });
});

async function adminWorld() {
  const t = await createTestApp();
  const admin = await insertUser(t.db, 'admin', { isAdmin: true });
  const dana = await insertUser(t.db, 'dana', { name: 'Dana Developer' });
  return { ...t, admin, dana, cookie: await sessionCookie(t.db, admin) };
}

describe('Admin Area › Users › Edit', () => {
  it('is linked from the user list and shows the account, password and "Delete user" sections', async () => {
    const t = await adminWorld();
    const list = await (await get(t.app, '/admin/users', { cookie: t.cookie })).text();
    expect(list).toContain(`href="/admin/users/${t.dana.id}/edit"`);
    const response = await get(t.app, `/admin/users/${t.dana.id}/edit`, { cookie: t.cookie });
    expect(response.status).toBe(200);
    const text = textOf(await response.text());
    expect(text).toContain('Edit user dana');
    for (const part of ['Account', 'Name', 'Email', 'Password', 'Password confirmation', 'Delete user'])
      expect(text).toContain(part);
  });

  it("changes a user's name and e-mail", async () => {
    const t = await adminWorld();
    const response = await post(
      t.app,
      `/admin/users/${t.dana.id}`,
      { name: 'Dana Lead', email: 'dana.lead@example.com' },
      { cookie: t.cookie },
    );
    expect(response.status).toBe(303);
    expect(flashOf(response)).toBe('User dana was successfully updated.');
    const dana = (await findUserById(t.db, t.dana.id))!;
    expect([dana.name, dana.email, dana.username]).toEqual(['Dana Lead', 'dana.lead@example.com', 'dana']);
  });

  it('refuses an e-mail another account has, or an invalid one, next to the field with a 422', async () => {
    const t = await adminWorld();
    const taken = await post(
      t.app,
      `/admin/users/${t.dana.id}`,
      { name: 'Dana', email: 'ADMIN@example.com' },
      { cookie: t.cookie },
    );
    expect(taken.status).toBe(422);
    const html = await taken.text();
    expect(fieldErrorOf(html, 'email')).toBe('Email has already been taken');
    // What was typed stays in the form.
    expect(html).toContain('value="ADMIN@example.com"');
    const invalid = await post(t.app, `/admin/users/${t.dana.id}`, { name: '', email: 'nope' }, { cookie: t.cookie });
    expect(invalid.status).toBe(422);
    const invalidHtml = await invalid.text();
    expect(fieldErrorOf(invalidHtml, 'email')).toBe('Email is invalid');
    expect(fieldErrorOf(invalidHtml, 'name')).toBe('Name is required');
    expect(await findUserById(t.db, t.dana.id)).toEqual(t.dana);
  });

  it("sets a user's password, and ends all their sessions", async () => {
    const t = await adminWorld();
    const danas = await sessionCookie(t.db, t.dana);
    const response = await post(
      t.app,
      `/admin/users/${t.dana.id}/password`,
      { new_password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD },
      { cookie: t.cookie },
    );
    expect(response.status).toBe(303);
    expect(flashOf(response)).toBe('The password of dana was changed, and they were signed out everywhere.');
    expect(await verifyPassword(NEW_PASSWORD, await passwordOf(t, t.dana.id))).toBe(true);
    expect(await sessionCount(t, t.dana.id)).toBe(0);
    expect((await get(t.app, '/', { cookie: danas })).status).toBe(302);
    // The administrator's own session stays.
    expect((await get(t.app, '/admin/users', { cookie: t.cookie })).status).toBe(200);
  });

  it('ends the sessions of a user whose password is set through the API too (PUT /users/:id)', async () => {
    const t = await adminWorld();
    await sessionCookie(t.db, t.dana);
    const response = await apiRequest(t.app, 'PUT', `/api/v4/users/${t.dana.id}`, {
      token: await apiToken(t.db, t.admin),
      params: { password: NEW_PASSWORD },
    });
    expect(response.status).toBe(200);
    expect(await sessionCount(t, t.dana.id)).toBe(0);
  });

  it('refuses a password that breaks the rules or its confirmation, and ends no session', async () => {
    const t = await adminWorld();
    await sessionCookie(t.db, t.dana);
    const response = await post(
      t.app,
      `/admin/users/${t.dana.id}/password`,
      { new_password: NEW_PASSWORD, password_confirmation: 'different-password' },
      { cookie: t.cookie },
    );
    expect(response.status).toBe(422);
    expect(fieldErrorOf(await response.text(), 'password_confirmation')).toBe(
      "Password confirmation doesn't match New password",
    );
    expect(await passwordOf(t, t.dana.id)).toBe(t.dana.passwordHash);
    expect(await sessionCount(t, t.dana.id)).toBe(1);
  });

  it('sends administrators to User settings for their own password', async () => {
    const t = await adminWorld();
    const page = textOf(await (await get(t.app, `/admin/users/${t.admin.id}/edit`, { cookie: t.cookie })).text());
    expect(page).toContain('To change your own password, use User settings › Password');
    const response = await post(
      t.app,
      `/admin/users/${t.admin.id}/password`,
      { new_password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD },
      { cookie: t.cookie },
    );
    expect(response.status).toBe(422);
    expect(await passwordOf(t, t.admin.id)).toBe(t.admin.passwordHash);
  });

  it('refuses to edit the name, e-mail or password of a user imported from a code host, saying why', async () => {
    const t = await adminWorld();
    const connection = await insertConnection(t.db);
    const carol = await insertUser(t.db, 'carol', { codeHostId: connection.id, hostId: 3 });
    const page = await (await get(t.app, `/admin/users/${carol.id}/edit`, { cookie: t.cookie })).text();
    expect(textOf(page)).toContain(`Their name and e-mail (carol@example.com) come from ${connection.name}`);
    expect(page).not.toContain(`action="/admin/users/${carol.id}"`);
    expect(page).not.toContain('name="new_password"');
    const edit = await post(
      t.app,
      `/admin/users/${carol.id}`,
      { name: 'Renamed', email: 'renamed@example.com' },
      { cookie: t.cookie },
    );
    expect(edit.status).toBe(422);
    expect(textOf(await edit.text())).toContain(
      `carol was imported from ${connection.name}: their name and e-mail are managed there.`,
    );
    const password = await post(
      t.app,
      `/admin/users/${carol.id}/password`,
      { new_password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD },
      { cookie: t.cookie },
    );
    expect(password.status).toBe(422);
    const deleted = await post(t.app, `/admin/users/${carol.id}/delete`, { _confirmed: '1' }, { cookie: t.cookie });
    expect(deleted.status).toBe(422);
    expect(await findUserById(t.db, carol.id)).toEqual(carol);
  });

  it('answers 404 for a user that does not exist, and for non-administrators', async () => {
    const t = await adminWorld();
    expect((await get(t.app, '/admin/users/999/edit', { cookie: t.cookie })).status).toBe(404);
    expect(
      (await post(t.app, '/admin/users/abc', { name: 'x', email: 'x@example.com' }, { cookie: t.cookie })).status,
    ).toBe(404);
    const danas = await sessionCookie(t.db, t.dana);
    expect((await get(t.app, `/admin/users/${t.admin.id}/edit`, { cookie: danas })).status).toBe(404);
    const refused = await post(t.app, `/admin/users/${t.admin.id}/delete`, { _confirmed: '1' }, { cookie: danas });
    expect(refused.status).toBe(404);
    expect(await findUserById(t.db, t.admin.id)).toBeDefined();
  });

  it('refuses edits posted from another site (CSRF)', async () => {
    const t = await adminWorld();
    const options = { cookie: t.cookie, origin: 'https://evil.example' };
    expect(
      (await post(t.app, `/admin/users/${t.dana.id}`, { name: 'x', email: 'x@example.com' }, options)).status,
    ).toBe(403);
    expect((await post(t.app, `/admin/users/${t.dana.id}/delete`, { _confirmed: '1' }, options)).status).toBe(403);
    expect((await post(t.app, `/admin/users/${t.dana.id}/password`, {}, options)).status).toBe(403);
    expect(await findUserById(t.db, t.dana.id)).toEqual(t.dana);
  });
});

describe('Admin Area › Users › Delete user', () => {
  async function danaWithEverything() {
    const t = await adminWorld();
    const group = must(await createGroup(t.db, { name: 'Platform', path: 'platform' }));
    const other = must(await createGroup(t.db, { name: 'Data', path: 'data' }));
    await writeConnection(t.db)
      .insert(members)
      .values([
        { userId: t.dana.id, groupId: group.id, accessLevel: ROLES.developer },
        { userId: t.dana.id, groupId: other.id, accessLevel: ROLES.reporter },
      ]);
    must(
      await createPersonalAccessToken(t.db, t.dana, {
        name: 'CI',
        scopes: 'api',
        expires_at: daysAhead(new Date(), 30),
      }),
    );
    await t.db.transaction((tx) =>
      recordAuditEvent(tx, {
        actor: { id: t.dana.id, username: 'dana' },
        action: 'member.added',
        owner: { level: 'group', id: group.id, name: 'Platform', path: 'platform' },
      }),
    );
    return t;
  }

  it('asks first, stating what happens to the memberships, tokens and audit events', async () => {
    const t = await danaWithEverything();
    const response = await post(t.app, `/admin/users/${t.dana.id}/delete`, {}, { cookie: t.cookie });
    expect(response.status).toBe(200);
    const text = textOf(await response.text());
    expect(text).toContain('Delete user dana?');
    expect(text).toContain(
      'Their 2 group memberships and 0 project memberships are removed; the groups and projects stay.',
    );
    expect(text).toContain(
      'Their 1 active personal access token is deleted: any script or application that uses it stops working.',
    );
    expect(text).toContain('The audit trail keeps their events, under their name.');
    expect(await findUserById(t.db, t.dana.id)).toBeDefined();
  });

  it('deletes the user with their memberships, tokens and sessions once confirmed; the audit events stay', async () => {
    const t = await danaWithEverything();
    const danas = await sessionCookie(t.db, t.dana);
    const response = await post(t.app, `/admin/users/${t.dana.id}/delete`, { _confirmed: '1' }, { cookie: t.cookie });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/users');
    expect(flashOf(response)).toBe('User dana was deleted.');
    expect(await findUserById(t.db, t.dana.id)).toBeUndefined();
    expect(await t.db.select().from(members).where(eq(members.userId, t.dana.id))).toEqual([]);
    expect(await t.db.select().from(personalAccessTokens).where(eq(personalAccessTokens.userId, t.dana.id))).toEqual(
      [],
    );
    expect((await get(t.app, '/', { cookie: danas })).status).toBe(302);
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.actorId, t.dana.id));
    expect(events.map((event) => event.actorName)).toEqual(['dana']);
  });

  it('refuses to delete the administrator acting, with why', async () => {
    const t = await adminWorld();
    const page = textOf(await (await get(t.app, `/admin/users/${t.admin.id}/edit`, { cookie: t.cookie })).text());
    expect(page).toContain('You cannot delete your own account.');
    const response = await post(t.app, `/admin/users/${t.admin.id}/delete`, { _confirmed: '1' }, { cookie: t.cookie });
    expect(response.status).toBe(422);
    expect(textOf(await response.text())).toContain('You cannot delete your own account.');
    expect(await findUserById(t.db, t.admin.id)).toBeDefined();
  });

  it('refuses to delete the last administrator who is not blocked', async () => {
    const t = await adminWorld();
    const blockedAdmin = await insertUser(t.db, 'former', { isAdmin: true, blockedAt: new Date() });
    expect(await deletionRefusal(t.db, blockedAdmin, t.admin)).toBe(
      'admin is the last administrator: make another user an administrator first.',
    );
    const second = await insertUser(t.db, 'second', { isAdmin: true });
    expect(await deletionRefusal(t.db, second, t.admin)).toBeNull();
  });
});

describe('the sign-in page of a new instance', () => {
  const rootsPassword = () => 'printed-on-the-console';

  it("says where root's first password is, until root has signed in", async () => {
    const t = await createTestApp();
    await seedRoot(t.db, rootsPassword());
    const hint = "New instance: the first password for root was printed in the server's console (its log)";
    const page = textOf(await (await get(t.app, '/users/sign_in')).text());
    expect(page).toContain(hint);
    expect(page).not.toContain(rootsPassword());
    const signedIn = await post(t.app, '/users/sign_in', { username: 'root', password: rootsPassword() });
    expect(signedIn.status).toBe(303);
    expect(textOf(await (await get(t.app, '/users/sign_in')).text())).not.toContain(hint);
  });

  it("says nothing when root's password came from INITIAL_ROOT_PASSWORD, or on an instance without root", async () => {
    const given = await createTestApp({
      config: loadConfig({ SEED_DEMO: 'false', INITIAL_ROOT_PASSWORD: 'chosen-by-the-operator' }),
    });
    await seedRoot(given.db, 'chosen-by-the-operator');
    expect(textOf(await (await get(given.app, '/users/sign_in')).text())).not.toContain('New instance');
    const empty = await createTestApp();
    expect(textOf(await (await get(empty.app, '/users/sign_in')).text())).not.toContain('New instance');
  });

  it('offers no "Forgot your password?" without mail', async () => {
    const t = await createTestApp();
    expect(await (await get(t.app, '/users/sign_in')).text()).not.toContain('Forgot your password?');
    expect((await get(t.app, '/users/password/new')).status).toBe(404);
    expect((await post(t.app, '/users/password', { email: 'ada@example.com' })).status).toBe(404);
  });
});
