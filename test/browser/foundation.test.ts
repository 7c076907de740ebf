/**
 * The foundation in a real browser, as an administrator and then a maintainer use it: sign in,
 * build a group > subgroup > project from the Admin Area, add a user as Maintainer, and let that
 * user reach the project's integration settings. Each step runs with JavaScript on and off.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInChromium, descriptionOf, flashOn, heading, ROOT, signIn } from './support.js';

const ADA = { name: 'Ada Lovelace', username: 'ada', email: 'ada@example.com', password: 'ada-password-123' };
const PROJECT_PATH = 'platform/backend/api';

const mainArea = (page: Page) => page.getByRole('main');
const adminNav = (page: Page) => page.getByRole('navigation', { name: 'Admin Area' });
const selectedOption = (page: Page, label: string) => page.getByLabel(label).locator('option:checked').innerText();

describeInChromium('the foundation', (run) => {
  it('sends a visitor to the sign-in page and refuses a wrong password, keeping the username', async () => {
    const { page } = run.tab;
    await run.tab.visit('/admin');
    expect(run.tab.path()).toBe('/users/sign_in?redirect_to=%2Fadmin');
    // app.js marks the page once it runs: proof that this run really has JavaScript on (or off).
    expect(await page.locator('html.js').count()).toBe(run.javaScriptEnabled ? 1 : 0);

    const response = await signIn(run.tab, ROOT.username, 'not-the-password');

    expect(response.status()).toBe(401);
    expect(await page.getByRole('alert').innerText()).toContain('Invalid username or password.');
    expect(await page.getByLabel('Username').inputValue()).toBe(ROOT.username);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
  });

  it('signs root in and opens the Admin Area from the "Admin Area" link', async () => {
    const { page } = run.tab;
    await run.tab.visit('/users/sign_in');
    await signIn(run.tab, ROOT.username, ROOT.password);

    expect(run.tab.path()).toBe('/');
    expect(await flashOn(page)).toBe('Signed in successfully.');

    await run.tab.follow(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin Area' }));

    expect(run.tab.path()).toBe('/admin');
    expect(await heading(page)).toBe('Admin Area');
  });

  it('shows a validation error next to its field and keeps what was typed', async () => {
    const { page } = run.tab;
    await run.tab.follow(mainArea(page).getByRole('link', { name: 'New group' }));
    expect(await heading(page)).toBe('New group');

    // Spaces pass the browser's own "required" check; the server trims them and refuses the name.
    await page.getByLabel('Group name').fill('   ');
    await page.getByLabel('Group URL').fill('platform');
    await page.getByLabel('Description').fill('Everything the platform team runs.');
    const response = await run.tab.follow(page.getByRole('button', { name: 'Create group' }));

    expect(response.status()).toBe(422);
    expect(await page.getByRole('alert').innerText()).toContain('Name is required');
    const nameField = page.getByLabel('Group name');
    expect(await nameField.getAttribute('aria-invalid')).toBe('true');
    expect(await descriptionOf(nameField)).toContain('Name is required');
    expect(await page.locator('.field', { has: nameField }).getByText('Name is required').isVisible()).toBe(true);
    expect(await page.getByLabel('Group URL').inputValue()).toBe('platform');
    expect(await page.getByLabel('Description').inputValue()).toBe('Everything the platform team runs.');
  });

  it('creates a group, a subgroup in it and a project in the subgroup', async () => {
    const { page } = run.tab;
    await page.getByLabel('Group name').fill('Platform');
    await run.tab.follow(page.getByRole('button', { name: 'Create group' }));

    expect(await flashOn(page)).toBe('Group platform was successfully created.');
    expect(await heading(page)).toBe('Platform');

    await run.tab.follow(page.getByRole('link', { name: 'New subgroup' }));
    expect(await selectedOption(page, 'Parent group')).toBe('platform');
    await page.getByLabel('Group name').fill('Backend');
    await page.getByLabel('Group URL').fill('backend');
    await run.tab.follow(page.getByRole('button', { name: 'Create group' }));

    expect(await flashOn(page)).toBe('Group platform/backend was successfully created.');
    expect(await heading(page)).toBe('Backend');

    await run.tab.follow(page.getByRole('link', { name: 'New project' }));
    expect(await selectedOption(page, 'Group')).toBe('platform/backend');
    await page.getByLabel('Project name').fill('API');
    await page.getByLabel('Project slug').fill('api');
    await run.tab.follow(page.getByRole('button', { name: 'Create project' }));

    expect(await flashOn(page)).toBe(`Project ${PROJECT_PATH} was successfully created.`);
    expect(await heading(page)).toBe('API');
  });

  it('creates a user and adds them as Maintainer of the project', async () => {
    const { page } = run.tab;
    await run.tab.follow(adminNav(page).getByRole('link', { name: 'Users' }));
    await run.tab.follow(mainArea(page).getByRole('link', { name: 'New user' }));
    await page.getByLabel(/^Name/).fill(ADA.name);
    await page.getByLabel(/^Username/).fill(ADA.username);
    await page.getByLabel(/^Email/).fill(ADA.email);
    await page.getByLabel(/^Password/).fill(ADA.password);
    await run.tab.follow(page.getByRole('button', { name: 'Create user' }));

    expect(run.tab.path()).toBe('/admin/users');
    expect(await flashOn(page)).toBe(`User ${ADA.username} was successfully created.`);
    expect(await page.getByRole('table', { name: 'Users' }).innerText()).toContain(`@${ADA.username}`);

    await run.tab.follow(adminNav(page).getByRole('link', { name: 'Projects' }));
    await run.tab.follow(page.getByRole('table', { name: 'Projects' }).getByRole('link', { name: 'API' }));
    const addMember = page.locator('form', { has: page.getByRole('button', { name: 'Add member' }) });
    await addMember.getByLabel(/^Username/).fill(ADA.username);
    await addMember.getByLabel('Role').selectOption({ label: 'Maintainer' });
    await run.tab.follow(addMember.getByRole('button', { name: 'Add member' }));

    expect(await flashOn(page)).toBe(`${ADA.username} was added.`);
    expect(await page.getByRole('table', { name: 'Members' }).innerText()).toContain(ADA.name);
    expect(await selectedOption(page, `Role of ${ADA.username}`)).toBe('Maintainer');
  });

  it("signs out, signs the new user in, and leads them to the project's integration settings", async () => {
    const { page } = run.tab;
    await run.tab.follow(page.getByRole('button', { name: 'Sign out' }));

    expect(run.tab.path()).toBe('/users/sign_in');
    expect(await flashOn(page)).toBe('Signed out successfully.');

    await signIn(run.tab, ADA.username, ADA.password);
    expect(await flashOn(page)).toBe('Signed in successfully.');
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin Area' }).count()).toBe(
      0,
    );

    await run.tab.follow(page.getByRole('region', { name: 'Your projects' }).getByRole('link', { name: PROJECT_PATH }));
    expect(run.tab.path()).toBe(`/${PROJECT_PATH}`);
    expect(await heading(page)).toBe('API');

    const settingsLink = mainArea(page).getByRole('link', { name: 'Settings › Integrations' });
    expect(await settingsLink.getAttribute('href')).toBe(`/${PROJECT_PATH}/-/settings/integrations`);

    const response = await run.tab.follow(settingsLink);
    expect(response.status()).toBe(200);
    expect(run.tab.path()).toBe(`/${PROJECT_PATH}/-/settings/integrations`);
    expect(await heading(page)).toBe('Integrations');
  });
});
