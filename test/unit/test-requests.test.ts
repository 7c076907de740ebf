/**
 * What "Test settings" sends for each type of the catalog: chat messages in each service's own
 * format, the APIs of Telegram, Pushover, Jira, Datadog and Jenkins, a GET of an issue
 * tracker's URL; nothing for the email types.
 */
import { describe, expect, it } from 'vitest';
import { findIntegrationType, integrationTypes } from '../../src/integrations/index.js';
import type { FieldValue } from '../../src/integrations/types.js';
import type { OutboundRequest } from '../../src/outbound/request.js';

const MESSAGE = 'This is a test message from Cascade for the settings of the instance.';

function requestOf(slug: string, fields: Record<string, FieldValue>): OutboundRequest {
  return findIntegrationType(slug)!.testRequest!({ fields, message: MESSAGE });
}

const bodyOf = (request: OutboundRequest) => JSON.parse(request.body ?? 'null');

describe('the test request of each type', () => {
  it('exists for every type but the email ones, which send nothing from here', () => {
    const untestable = integrationTypes.filter((type) => !type.testRequest).map((type) => type.slug);
    expect(untestable.sort()).toEqual(['emails-on-push', 'pipelines-email']);
  });

  it('posts Slack-format JSON to the webhook for Slack and Mattermost, with the sender and the first channel if set', () => {
    for (const slug of ['slack', 'mattermost']) {
      const request = requestOf(slug, {
        webhook: 'https://hooks.example.com/x',
        username: 'bot',
        channel: '#ops, #dev',
      });
      expect(request).toMatchObject({
        method: 'POST',
        url: 'https://hooks.example.com/x',
        headers: { 'content-type': 'application/json' },
      });
      expect(bodyOf(request)).toEqual({ text: MESSAGE, username: 'bot', channel: '#ops' });
    }
    expect(
      bodyOf(requestOf('slack', { webhook: 'https://hooks.example.com/x', username: null, channel: null })),
    ).toEqual({ text: MESSAGE });
  });

  it.each([
    ['discord', { content: MESSAGE }],
    [
      'microsoft-teams',
      { '@type': 'MessageCard', '@context': 'https://schema.org/extensions', summary: MESSAGE, text: MESSAGE },
    ],
    ['hangouts-chat', { text: MESSAGE }],
    ['webex-teams', { markdown: MESSAGE }],
  ])('posts the message to the %s webhook in its own format', (slug, body) => {
    const request = requestOf(slug, { webhook: 'https://hooks.example.com/x' });
    expect(request).toMatchObject({ method: 'POST', url: 'https://hooks.example.com/x' });
    expect(bodyOf(request)).toEqual(body);
  });

  it("sends Telegram's sendMessage to the bot's API URL, in the thread if one is set", () => {
    const request = requestOf('telegram', {
      hostname: 'https://api.telegram.org/',
      token: '123:ABC',
      room: '@team',
      thread: 42,
    });
    expect(request).toMatchObject({ method: 'POST', url: 'https://api.telegram.org/bot123:ABC/sendMessage' });
    expect(bodyOf(request)).toEqual({ chat_id: '@team', text: MESSAGE, message_thread_id: 42 });
  });

  it('posts a Pushover message as a form, leaving out the blank options', () => {
    const request = requestOf('pushover', { api_key: 'app', user_key: 'user', priority: '0', sound: null, device: '' });
    expect(request).toMatchObject({
      method: 'POST',
      url: 'https://api.pushover.net/1/messages.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      token: 'app',
      user: 'user',
      message: MESSAGE,
      title: 'Cascade',
      priority: '0',
    });
  });

  it('asks Jira for its server info at the API URL if set, with basic auth or the personal access token', () => {
    const basic = requestOf('jira', {
      url: 'https://jira.example.com/',
      api_url: null,
      jira_auth_type: '0',
      username: 'me',
      password: 'pw',
    });
    expect(basic).toEqual({
      method: 'GET',
      url: 'https://jira.example.com/rest/api/2/serverInfo',
      headers: { accept: 'application/json', authorization: `Basic ${Buffer.from('me:pw').toString('base64')}` },
    });
    const token = requestOf('jira', {
      url: 'https://jira.example.com',
      api_url: 'https://jira-api.example.com/base',
      jira_auth_type: '1',
      password: 'pat',
    });
    expect(token).toMatchObject({
      url: 'https://jira-api.example.com/base/rest/api/2/serverInfo',
      headers: { authorization: 'Bearer pat' },
    });
  });

  it.each([
    ['redmine', 'project_url'],
    ['bugzilla', 'project_url'],
    ['custom-issue-tracker', 'project_url'],
    ['youtrack', 'project_url'],
    ['external-wiki', 'external_wiki_url'],
  ])('fetches the %s %s', (slug, field) => {
    expect(requestOf(slug, { [field]: 'https://tracker.example.com/projects/app' })).toEqual({
      method: 'GET',
      url: 'https://tracker.example.com/projects/app',
    });
  });

  it('checks the Datadog API key at the API host of the site, or of the custom API URL', () => {
    expect(requestOf('datadog', { datadog_site: 'datadoghq.eu', api_url: null, api_key: 'key' })).toEqual({
      method: 'GET',
      url: 'https://api.datadoghq.eu/api/v1/validate',
      headers: { accept: 'application/json', 'dd-api-key': 'key' },
    });
    expect(
      requestOf('datadog', {
        datadog_site: null,
        api_url: 'https://dd.internal.example/api/v2/webhook',
        api_key: 'key',
      }).url,
    ).toBe('https://dd.internal.example/api/v1/validate');
  });

  it("fetches the Jenkins job's JSON API, with basic auth if a username is set and SSL verification as configured", () => {
    const request = requestOf('jenkins', {
      jenkins_url: 'http://jenkins.example.com/',
      project_name: 'my app',
      username: 'ci',
      password: 'pw',
      enable_ssl_verification: false,
    });
    expect(request).toEqual({
      method: 'GET',
      url: 'http://jenkins.example.com/job/my%20app/api/json',
      headers: { authorization: `Basic ${Buffer.from('ci:pw').toString('base64')}` },
      verifyTls: false,
    });
    expect(
      requestOf('jenkins', {
        jenkins_url: 'https://j.example.com',
        project_name: 'x',
        username: null,
        enable_ssl_verification: true,
      }),
    ).toEqual({
      method: 'GET',
      url: 'https://j.example.com/job/x/api/json',
      verifyTls: true,
    });
  });
});
