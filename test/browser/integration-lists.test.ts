/**
 * The integration lists in Chromium, with JavaScript on and off: the active integrations come
 * first under "Active integrations", each type with its logo (decorative, served from public/),
 * then "Add an integration"; the pages pass axe (checked on every page with JavaScript on).
 */
import { mkdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { findUserByUsername } from '../../src/model/users.js';
import { must } from '../support/world.js';
import { describeInChromium, heading, ROOT, signIn, type RunningServer } from './support.js';

const SCREENS = '/tmp/screens';
const ADMIN_INTEGRATIONS = '/admin/application_settings/integrations';

/** Platform / API below two instance defaults: Slack (a generic chat icon) and Mattermost (its logo). */
async function seedDefaults(server: RunningServer): Promise<void> {
  const platform = must(await createGroup(server.db, { name: 'Platform', path: 'platform' }));
  must(await createProject(server.db, { name: 'API', path: 'api' }, platform));
  const root = (await findUserByUsername(server.db, ROOT.username))!;
  const cookie = `${SESSION_COOKIE}=${await createSession(server.db, root.id)}`;
  const defaults = {
    slack: { webhook: 'https://hooks.slack.com/services/T000/B000/XXXX' },
    mattermost: { webhook: 'https://mattermost.example.com/hooks/abc' },
  };
  for (const [slug, fields] of Object.entries(defaults)) {
    const saved = await fetch(`${server.origin}${ADMIN_INTEGRATIONS}/${slug}`, {
      method: 'POST',
      headers: { cookie, origin: server.origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _version: '0', _confirmed: '1', active: '1', ...fields }),
      redirect: 'manual',
    });
    if (saved.status !== 303) throw new Error(`Could not save the ${slug} default: ${saved.status}`);
  }
}

describeInChromium(
  'integration lists',
  (run) => {
    const mode = () => (run.javaScriptEnabled ? 'js' : 'nojs');

    it.each([ADMIN_INTEGRATIONS, '/groups/platform/-/settings/integrations', '/platform/api/-/settings/integrations'])(
      'lists the active integrations first, with their logos, on %s',
      async (url) => {
        const { page } = run.tab;
        if (!run.tab.path().startsWith('/admin') && url === ADMIN_INTEGRATIONS)
          await signIn(run.tab, ROOT.username, ROOT.password);
        await run.tab.visit(url);
        expect(await heading(page)).toBe('Integrations');
        expect(await page.getByRole('heading', { level: 2 }).allInnerTexts()).toEqual([
          'Active integrations',
          'Add an integration',
        ]);

        const active = page.getByRole('table', { name: 'Active integrations' });
        const names = await active.locator('tbody tr .integration-link').allInnerTexts();
        expect(names).toEqual(['Mattermost notifications', 'Slack notifications']);
        const toAdd = page.getByRole('table', { name: 'Add an integration' });
        expect(await toAdd.getByRole('link', { name: 'Slack notifications' }).count()).toBe(0);
        expect(await toAdd.getByRole('link', { name: 'Jira issues' }).count()).toBe(1);

        // The logo is decoration: no name of its own, shown at the size the stylesheet gives it.
        const logo = active.getByRole('row', { name: /Mattermost/ }).locator('img');
        expect(await logo.getAttribute('src')).toBe('/public/icons/mattermost.svg');
        expect(await logo.getAttribute('alt')).toBe('');
        expect(await active.getByRole('img').count()).toBe(0);
        const box = await logo.boundingBox();
        expect(box && Math.round(box.width)).toBe(24);
        const served = await page.request.get('/public/icons/mattermost.svg');
        expect(served.status()).toBe(200);
        expect(served.headers()['content-type']).toMatch(/^image\/svg\+xml/);

        mkdirSync(SCREENS, { recursive: true });
        await page.screenshot({
          path: `${SCREENS}/integration-list-${url.startsWith('/admin') ? 'instance' : url.startsWith('/groups') ? 'group' : 'project'}-${mode()}.png`,
          fullPage: true,
        });
      },
    );
  },
  seedDefaults,
);
