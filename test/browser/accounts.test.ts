/**
 * Accounts in a real browser, with JavaScript on and off: root changes their own password in
 * User settings › Password (a wrong current password is refused next to its field, and another
 * browser of root's is signed out), then edits a user in the Admin Area (a taken e-mail refused
 * next to its field) and deletes them after a confirmation that says what goes with them.
 */
import { beforeAll, expect, it } from 'vitest';
import { createUser } from '../../src/model/users.js';
import { BrowserTab, describeInChromium, descriptionOf, flashOn, heading, ROOT, signIn } from './support.js';

const NEW_PASSWORD = 'root-password-changed-in-browser';

describeInChromium(
  'accounts',
  (run) => {
    let otherBrowser: BrowserTab;

    beforeAll(async () => {
      await signIn(run.tab, ROOT.username, ROOT.password);
    });

    it('opens User settings › Password from the side navigation of Access tokens', async () => {
      const { page } = run.tab;
      await run.tab.visit('/-/user_settings/personal_access_tokens');
      await run.tab.follow(
        page.getByRole('navigation', { name: 'User settings' }).getByRole('link', { name: 'Password' }),
      );
      expect(run.tab.path()).toBe('/-/user_settings/password/edit');
      expect(await heading(page)).toBe('Password');
      expect(await page.getByRole('heading', { name: 'Change your password' }).count()).toBe(1);
    });

    it('refuses a wrong current password next to the field', async () => {
      const { page } = run.tab;
      await page.getByLabel('Current password').fill('not-the-password');
      await page.getByLabel('New password').fill(NEW_PASSWORD);
      await page.getByLabel('Password confirmation').fill(NEW_PASSWORD);
      const response = await run.tab.follow(page.getByRole('button', { name: 'Save password' }));
      expect(response.status()).toBe(422);
      expect(await descriptionOf(page.getByLabel('Current password'))).toContain(
        'You must provide a valid current password',
      );
    });

    it('changes the password: this browser stays signed in, another one of root is signed out', async () => {
      otherBrowser = await BrowserTab.open(run.tab.page.context().browser()!, run.server, run.javaScriptEnabled);
      await signIn(otherBrowser, ROOT.username, ROOT.password);
      const { page } = run.tab;
      await page.getByLabel('Current password').fill(ROOT.password);
      await page.getByLabel('New password').fill(NEW_PASSWORD);
      await page.getByLabel('Password confirmation').fill(NEW_PASSWORD);
      await run.tab.follow(page.getByRole('button', { name: 'Save password' }));
      expect(await flashOn(page)).toBe('Password was successfully updated. Your other sessions were signed out.');
      await run.tab.visit('/admin/users');
      expect(run.tab.path()).toBe('/admin/users');

      await otherBrowser.visit('/admin/users');
      expect(otherBrowser.path()).toBe('/users/sign_in?redirect_to=%2Fadmin%2Fusers');
      await signIn(otherBrowser, ROOT.username, NEW_PASSWORD);
      expect(otherBrowser.path()).toBe('/admin/users');
      await otherBrowser.close();
    });

    it("edits a user's name; an e-mail another account has is refused next to the field", async () => {
      const { page } = run.tab;
      await run.tab.visit('/admin/users');
      await run.tab.follow(page.getByRole('link', { name: 'Edit dana' }));
      expect(await heading(page)).toBe('Edit user dana');
      await page.getByLabel('Email').fill('root@example.com');
      const refused = await run.tab.follow(page.getByRole('button', { name: 'Save changes' }));
      expect(refused.status()).toBe(422);
      expect(await descriptionOf(page.getByLabel('Email'))).toContain('Email has already been taken');

      await page.getByLabel('Name').fill('Dana Lead');
      await page.getByLabel('Email').fill('dana.lead@example.com');
      await run.tab.follow(page.getByRole('button', { name: 'Save changes' }));
      expect(await flashOn(page)).toBe('User dana was successfully updated.');
      expect(await page.getByLabel('Name').inputValue()).toBe('Dana Lead');
    });

    it('deletes the user after a confirmation that says what goes with them', async () => {
      const { page } = run.tab;
      const remove = page.getByRole('button', { name: 'Delete user' });
      let confirmation;
      if (run.javaScriptEnabled) {
        await remove.click();
        confirmation = page.getByRole('dialog', { name: 'Delete user dana?' });
      } else {
        await run.tab.follow(remove);
        expect(await heading(page)).toBe('Delete user dana?');
        confirmation = page.getByRole('main');
      }
      const text = await confirmation.innerText();
      expect(text).toContain('They are not a member of any group or project.');
      expect(text).toContain('The audit trail keeps their events, under their name.');
      await run.tab.follow(confirmation.getByRole('button', { name: 'Delete user' }));
      expect(run.tab.path()).toBe('/admin/users');
      expect(await flashOn(page)).toBe('User dana was deleted.');
      expect(await page.getByRole('link', { name: 'Edit dana' }).count()).toBe(0);
    });
  },
  async (server) => {
    const dana = await createUser(server.db, {
      name: 'Dana Developer',
      username: 'dana',
      email: 'dana@example.com',
      password: 'dana-password-long',
    });
    if (!dana.ok) throw new Error(JSON.stringify(dana.errors));
  },
);
