/**
 * Renaming and deleting a group in Chromium, with JavaScript on and off: a group Owner renames
 * a subgroup, is told next to the field that a URL is taken, changes it (its projects follow),
 * and deletes it after typing its full path (in a dialog with JavaScript, on a page without);
 * the administrator sees the tree in Admin Area › Groups.
 */
import { expect, it } from 'vitest';
import { ROLES } from '../../src/auth/permissions.js';
import { writeConnection } from '../../src/db/client.js';
import { members } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { createUser } from '../../src/model/users.js';
import { must } from '../support/world.js';
import {
  BrowserTab,
  describeInChromium,
  descriptionOf,
  flashOn,
  heading,
  ROOT,
  type RunningServer,
  signIn,
} from './support.js';

const OWNER = { username: 'olga', password: 'olga-password-123' };

/** Platform > Backend (two projects) and Platform > Taken, with Olga as the Owner of Platform. */
async function addPlatformTreeAndOwner(server: RunningServer): Promise<void> {
  const platform = must(await createGroup(server.db, { name: 'Platform', path: 'platform' }));
  const backend = must(await createGroup(server.db, { name: 'Backend', path: 'backend' }, platform));
  must(await createGroup(server.db, { name: 'Taken', path: 'taken' }, platform));
  must(await createProject(server.db, { name: 'API', path: 'api' }, backend));
  must(await createProject(server.db, { name: 'Worker', path: 'worker' }, backend));
  const olga = must(
    await createUser(server.db, {
      name: 'Olga',
      username: OWNER.username,
      email: 'olga@example.com',
      password: OWNER.password,
    }),
  );
  await writeConnection(server.db)
    .insert(members)
    .values({ userId: olga.id, groupId: platform.id, accessLevel: ROLES.owner });
}

/** Types `path` where the deletion asks for it and confirms: in the dialog with JavaScript, on the page without. */
async function confirmDeletion(tab: BrowserTab, path: string) {
  const { page } = tab;
  const label = /^Enter the following to confirm/;
  const onConfirmPage = tab.path().endsWith('/-/delete');
  if (!onConfirmPage && tab.javaScriptEnabled) {
    await page.getByRole('button', { name: 'Delete group', exact: true }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.innerText()).toContain('0 subgroups and 2 projects');
    await dialog.getByLabel(label).fill(path);
    return tab.follow(dialog.getByRole('button', { name: 'Yes, delete group' }));
  }
  if (!onConfirmPage) await tab.follow(page.getByRole('button', { name: 'Delete group', exact: true }));
  expect(await page.getByRole('main').innerText()).toContain('0 subgroups and 2 projects');
  await page.getByLabel(label).fill(path);
  return tab.follow(page.getByRole('button', { name: 'Yes, delete group' }));
}

describeInChromium(
  'renaming and deleting a group',
  (run) => {
    it('lets the Owner rename a subgroup from its Settings › General', async () => {
      const { page } = run.tab;
      await signIn(run.tab, OWNER.username, OWNER.password);
      await run.tab.visit('/groups/platform/backend');
      await run.tab.follow(
        page.getByRole('navigation', { name: 'Group' }).getByRole('link', { name: 'Settings › General' }),
      );
      expect(await heading(page)).toBe('General settings');
      await page.getByLabel('Group name').fill('Back end');
      await run.tab.follow(page.getByRole('button', { name: 'Save changes' }));
      expect(await flashOn(page)).toBe("Group 'Back end' was successfully updated.");
      expect(await page.getByLabel('Group name').inputValue()).toBe('Back end');
    });

    it('says next to the field that a URL is taken, and moves the projects with a new one', async () => {
      const { page } = run.tab;
      await page.getByLabel(/^Group URL/).fill('taken');
      const refused = await run.tab.follow(page.getByRole('button', { name: 'Change group URL' }));
      expect(refused.status()).toBe(422);
      expect(await descriptionOf(page.getByLabel(/^Group URL/))).toContain(
        'platform/taken is already taken by another group or project',
      );
      await page.getByLabel(/^Group URL/).fill('services');
      await run.tab.follow(page.getByRole('button', { name: 'Change group URL' }));
      expect(run.tab.path()).toBe('/groups/platform/services/-/edit');
      expect((await run.tab.visit('/platform/services/api')).status()).toBe(200);
      await run.tab.visit('/groups/platform/services/-/edit');
    });

    it('deletes it only once its full path is typed', async () => {
      const { page } = run.tab;
      const wrong = await confirmDeletion(run.tab, 'services');
      expect(wrong.status()).toBe(422);
      expect(await descriptionOf(page.getByLabel(/^Enter the following to confirm/))).toContain(
        'Enter platform/services to confirm the deletion',
      );
      await confirmDeletion(run.tab, 'platform/services');
      expect(run.tab.path()).toBe('/');
      expect(await flashOn(page)).toBe("Group 'Back end' was successfully deleted.");
      expect((await page.goto('/groups/platform/services'))?.status()).toBe(404);
      await run.tab.visit('/');
      await run.tab.follow(page.getByRole('button', { name: 'Sign out' }));
    });

    it('shows the administrator the groups as a tree', async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.visit('/admin/groups');
      const platform = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Platform' }) });
      const nested = platform.getByRole('list').getByRole('listitem');
      expect(await nested.innerText()).toContain('Taken');
      expect(await nested.innerText()).toContain('platform/taken');
      await run.tab.follow(page.getByRole('button', { name: 'Sign out' }));
    });
  },
  addPlatformTreeAndOwner,
);
