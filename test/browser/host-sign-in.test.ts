/**
 * "Sign in with <host>" in a real browser, with JavaScript on and off: the user clicks the
 * button, goes through the host (oidc-provider on 127.0.0.1, signing in the chosen account at
 * once), and lands on the dashboard signed in as the imported user.
 */
import { afterAll, expect, it } from 'vitest';
import { HostSecrets } from '../../src/code-hosts/secrets.js';
import { writeConnection } from '../../src/db/client.js';
import { codeHosts, users, type CodeHost } from '../../src/db/schema.js';
import { saveNetworkSettings } from '../../src/model/network-settings.js';
import { startOidcHost, type OidcHost } from '../support/oidc-host.js';
import { BROWSER_SECRET_KEY_BASE, describeInChromium, flashOn, heading, ROOT, type RunningServer } from './support.js';

const CLIENT_ID = 'cascade-browser-application';
const CLIENT_SECRET = 'browser-application-secret-0123456789';

const hosts: OidcHost[] = [];
afterAll(async () => {
  await Promise.all(hosts.map((host) => host.close()));
});

/** A connection to a provider of its own, an imported user on it, and the Network allowlist letting Cascade reach it. */
async function connectHost(server: RunningServer): Promise<void> {
  const [root] = await server.db.select().from(users);
  await saveNetworkSettings(server.db, { allow_local_requests: false, outbound_allowlist: '127.0.0.1' }, root!);
  const secrets = new HostSecrets(BROWSER_SECRET_KEY_BASE);
  let connection!: CodeHost;
  const host = await startOidcHost(async (url) => {
    const [row] = await writeConnection(server.db)
      .insert(codeHosts)
      .values({
        kind: 'gitlab',
        name: 'gitlab.example.com',
        url,
        token: secrets.seal(url, 'token', 'glpat-admin-token'),
        hookSecret: secrets.seal(url, 'hookSecret', 'hook-secret'),
        oidcClientId: CLIENT_ID,
        oidcClientSecret: secrets.seal(url, 'oidcClientSecret', CLIENT_SECRET),
      })
      .returning();
    connection = row!;
    return {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [`${server.origin}/users/auth/${connection.id}/callback`],
      accounts: [{ sub: '42', username: 'ada', name: 'Ada Lovelace', email: 'ada@host.example' }],
    };
  });
  hosts.push(host);
  await writeConnection(server.db).insert(users).values({
    username: 'ada',
    name: 'Ada Lovelace',
    email: 'ada@host.example',
    passwordHash: '!',
    codeHostId: connection.id,
    hostId: 42,
  });
}

describeInChromium(
  'signing in through the code host',
  (run) => {
    it('offers "Sign in with gitlab.example.com" next to the password form', async () => {
      await run.tab.visit('/users/sign_in');
      const button = run.tab.page.getByRole('link', { name: 'Sign in with gitlab.example.com' });
      expect(await button.count()).toBe(1);
      expect(await run.tab.page.getByLabel('Username').count()).toBe(1);
    });

    it('goes through the host and lands on the dashboard as the imported user', async () => {
      const { page } = run.tab;
      const response = await run.tab.follow(page.getByRole('link', { name: 'Sign in with gitlab.example.com' }));
      expect(response.status()).toBe(200);
      expect(run.tab.path()).toBe('/');
      expect(await flashOn(page)).toContain('Signed in successfully.');
      expect(await heading(page)).toBe('Welcome, Ada Lovelace');
      expect(await page.getByRole('banner').innerText()).toContain('ada');
      expect(await page.getByRole('banner').innerText()).not.toContain(ROOT.username);
    });
  },
  connectHost,
);
