/**
 * "Test settings" and the Network settings in Chromium, with JavaScript on and off, against a
 * local receiver standing in for Slack: the test is refused while requests to the local
 * network are not allowed; once an administrator allows them on the Network page, the typed,
 * unsaved values reach the receiver and the result shows (in place with htmx).
 */
import { beforeAll, expect, it } from 'vitest';
import { integrationSettings } from '../../src/db/schema.js';
import { receiverForFile } from '../support/receiver.js';
import {
  describeInChromium,
  expectNoSeriousAccessibilityViolations,
  flashOn,
  heading,
  ROOT,
  signIn,
} from './support.js';

const SLACK_PAGE = '/admin/application_settings/integrations/slack';

const receiver = receiverForFile();

describeInChromium('Test settings', (run) => {
  beforeAll(async () => {
    await signIn(run.tab, ROOT.username, ROOT.password);
  });

  /** Clicks Test settings and returns the result's text: swapped in place with htmx, on the next page without. */
  async function testSettings(): Promise<string> {
    const { page } = run.tab;
    const button = page.getByRole('button', { name: 'Test settings' });
    if (run.tab.javaScriptEnabled) {
      const before = run.tab.path();
      await button.click();
      await page.locator('#test-result p').waitFor();
      expect(run.tab.path()).toBe(before);
      expect(await page.locator('#test-result').count()).toBe(1);
      expect(await page.locator('#test-result').getAttribute('aria-live')).toBe('polite');
      // The form is dimmed while the request runs and fades back in: contrast is checked once it has.
      await page.waitForFunction(() =>
        [...document.querySelectorAll('.settings-section')].every(
          (section) => getComputedStyle(section).opacity === '1',
        ),
      );
      await expectNoSeriousAccessibilityViolations(page);
    } else {
      const response = await run.tab.follow(button);
      expect(response.status()).toBe(200);
      expect(run.tab.path()).toBe(`${SLACK_PAGE}/test`);
    }
    return page.locator('#test-result').innerText();
  }

  async function fillSlack(path: string) {
    const { page } = run.tab;
    await page.locator('#field-webhook').fill(`${receiver().origin}${path}`);
    await page.locator('#field-username').fill('cascade-bot');
  }

  it('refuses to test a webhook on the local network while the Network settings do not allow it', async () => {
    await run.tab.visit(SLACK_PAGE);
    await fillSlack('/blocked');

    const result = await testSettings();

    expect(result).toMatch(
      /^Connection failed\. Requests to the local network are not allowed: 127\.0\.0\.1 is a loopback address\./,
    );
    expect(receiver().received).toEqual([]);
  });

  it('lets an administrator allow requests to the local network on the Network page', async () => {
    const { page } = run.tab;
    await run.tab.visit('/admin');
    await run.tab.follow(
      page.getByRole('navigation', { name: 'Admin Area' }).getByRole('link', { name: 'Settings › Network' }),
    );
    expect(await heading(page)).toBe('Network');

    await page
      .getByLabel('Local IP addresses and domain names that hooks and integrations can access')
      .fill('10.0.0.0/33');
    const refused = await run.tab.follow(page.getByRole('button', { name: 'Save changes' }));
    expect(refused.status()).toBe(422);
    expect(await page.getByRole('alert').innerText()).toContain(
      '10.0.0.0/33 is not an IP address, CIDR range or host name',
    );

    await page.getByLabel('Local IP addresses and domain names that hooks and integrations can access').fill('');
    await page.getByLabel('Allow requests to the local network from webhooks and integrations').check();
    await run.tab.follow(page.getByRole('button', { name: 'Save changes' }));
    expect(await flashOn(page)).toBe('Network settings saved.');
    expect(
      await page.getByLabel('Allow requests to the local network from webhooks and integrations').isChecked(),
    ).toBe(true);
  });

  it('sends the typed values to the webhook without saving them, and shows the result', async () => {
    await run.tab.visit(SLACK_PAGE);
    await fillSlack('/services/T000/B000/typed');

    const result = await testSettings();

    expect(result).toMatch(/^Connection successful\. The server answered HTTP 200\. Took \d+ ms\.$/);
    expect(receiver().received).toHaveLength(1);
    expect(receiver().received[0]).toMatchObject({ method: 'POST', path: '/services/T000/B000/typed' });
    expect(JSON.parse(receiver().received[0]!.body)).toEqual({
      text: 'This is a test message from Cascade for the Slack notifications settings of the instance.',
      username: 'cascade-bot',
    });
    expect(await run.server.db.select().from(integrationSettings)).toEqual([]);
    // With htmx the form is untouched, the secret included; without, the page shows it again without the secret.
    expect(await run.tab.page.locator('#field-username').inputValue()).toBe('cascade-bot');
    expect(await run.tab.page.locator('#field-webhook').inputValue()).toBe(
      run.javaScriptEnabled ? `${receiver().origin}/services/T000/B000/typed` : '',
    );
  });

  it('names an invalid value instead of testing: in place with htmx, next to the field without', async () => {
    const { page } = run.tab;
    await run.tab.visit(SLACK_PAGE);
    await page.locator('#field-webhook').fill('not a url');
    const button = page.getByRole('button', { name: 'Test settings' });
    if (run.javaScriptEnabled) {
      await button.click();
      await page.locator('#test-result [role="alert"]').waitFor();
      expect(await page.locator('#test-result').innerText()).toContain(
        'Webhook URL must be a valid URL (http or https)',
      );
      expect(await page.locator('#field-webhook').inputValue()).toBe('not a url');
    } else {
      const response = await run.tab.follow(button);
      expect(response.status()).toBe(422);
      expect(await page.locator('#field-webhook-error').innerText()).toBe(
        'Webhook URL must be a valid URL (http or https)',
      );
    }
    expect(receiver().received).toEqual([]);
  });

  it('reports the status code of a server that refuses the message', async () => {
    receiver().answer = (response) => {
      response.statusCode = 403;
      response.end('invalid_token');
    };
    await run.tab.visit(SLACK_PAGE);
    await fillSlack('/services/revoked');

    const result = await testSettings();

    expect(result).toMatch(/^Connection failed\. The server answered with HTTP 403\. Took \d+ ms\.$/);
  });
});
