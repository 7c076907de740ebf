/**
 * Test support for integration settings: the URLs of each level and a valid Slack form.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../../src/http/context.js';
import { post } from './app.js';

export const ADMIN_INTEGRATIONS = '/admin/application_settings/integrations';
export const groupIntegrations = (fullPath: string) => `/groups/${fullPath}/-/settings/integrations`;
export const projectIntegrations = (fullPath: string) => `/${fullPath}/-/settings/integrations`;

/** A valid Slack form at the instance level (active, with a webhook). */
export function slackForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    _version: '0',
    active: '1',
    webhook: 'https://hooks.slack.com/services/T000/B000/XXXX',
    username: 'cascade',
    ...overrides,
  };
}

/** Saves the instance-level Slack default as an administrator, confirmed, and returns the response. */
export function saveInstanceSlack(app: Hono<AppEnv>, adminCookie: string, overrides: Record<string, string> = {}) {
  return post(
    app,
    `${ADMIN_INTEGRATIONS}/slack`,
    { ...slackForm(overrides), _confirmed: '1' },
    { cookie: adminCookie },
  );
}

/** Lets requests reach the tests' local receivers on 127.0.0.1 (Admin Area › Settings › Network). */
export function allowLoopbackRequests(app: Hono<AppEnv>, adminCookie: string) {
  return post(
    app,
    '/admin/application_settings/network',
    { allow_local_requests: '0', outbound_allowlist: '127.0.0.1' },
    { cookie: adminCookie },
  );
}
