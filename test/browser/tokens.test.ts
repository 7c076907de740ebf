/**
 * Personal access tokens in a real browser, with JavaScript on and off: root opens Access tokens
 * from the user menu, gets a validation message next to the field, creates a token that is shown
 * once and works against the API, and revokes it after confirming.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeInChromium, descriptionOf, flashOn, heading, ROOT, signIn } from './support.js';

describeInChromium('personal access tokens', (run) => {
  let token: string;

  const apiUser = (secret: string) =>
    fetch(`${run.server.origin}/api/v4/user`, { headers: { 'private-token': secret } });
  const tokenRow = () => run.tab.page.getByRole('row', { name: /CI pipeline/ });

  beforeAll(async () => {
    await signIn(run.tab, ROOT.username, ROOT.password);
  });

  it('opens the token page from the user menu, with scope api and an expiry 30 days ahead preset', async () => {
    const { page } = run.tab;
    await run.tab.follow(page.getByRole('banner').getByRole('link', { name: 'Access tokens' }));
    expect(run.tab.path()).toBe('/-/user_settings/personal_access_tokens');
    expect(await heading(page)).toBe('Personal access tokens');
    expect(await page.getByRole('checkbox', { name: 'api', exact: true }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'read_api' }).isChecked()).toBe(false);
    const in30Days = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    expect(await page.getByLabel('Expiration date').inputValue()).toBe(in30Days);
  });

  it('shows a message next to the name when it is blank, and creates nothing', async () => {
    const { page } = run.tab;
    // Spaces pass the browser's own "required" check; the server trims them and refuses the name.
    await page.getByLabel('Token name').fill('   ');
    const response = await run.tab.follow(page.getByRole('button', { name: 'Create token' }));
    expect(response.status()).toBe(422);
    expect(await descriptionOf(page.getByLabel('Token name'))).toContain('Name is required');
    expect(await page.getByText('You have no personal access tokens.').count()).toBe(1);
  });

  it('creates a token and shows it once; the token works against the API', async () => {
    const { page } = run.tab;
    await page.getByLabel('Token name').fill('CI pipeline');
    await page.getByRole('checkbox', { name: 'read_api' }).check();
    const response = await run.tab.follow(page.getByRole('button', { name: 'Create token' }));
    expect(response.status()).toBe(201);

    token = await page.getByLabel('Token', { exact: true }).inputValue();
    expect(token).toMatch(/^glpat-/);
    expect(await tokenRow().innerText()).toMatch(/CI pipeline\s+api, read_api/);
    expect((await apiUser(token)).status).toBe(200);

    await run.tab.visit('/-/user_settings/personal_access_tokens');
    expect(await page.content()).not.toContain(token);
    expect(await tokenRow().innerText()).toMatch(/Active/);
  });

  it('revokes the token after confirming, and it stops working', async () => {
    const { page } = run.tab;
    const revoke = tokenRow().getByRole('button', { name: 'Revoke CI pipeline' });
    if (run.javaScriptEnabled) {
      await revoke.click();
      const dialog = page.getByRole('dialog', { name: 'Revoke the token "CI pipeline"?' });
      await run.tab.follow(dialog.getByRole('button', { name: 'Revoke' }));
    } else {
      await run.tab.follow(revoke);
      expect(await heading(page)).toBe('Revoke the token "CI pipeline"?');
      await run.tab.follow(page.getByRole('main').getByRole('button', { name: 'Revoke' }));
    }
    expect(run.tab.path()).toBe('/-/user_settings/personal_access_tokens');
    expect(await flashOn(page)).toBe('The token "CI pipeline" was revoked.');
    expect(await tokenRow().innerText()).toMatch(/Revoked/);
    expect((await apiUser(token)).status).toBe(401);
  });
});
