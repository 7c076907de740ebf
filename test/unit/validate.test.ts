/**
 * Validating a submitted settings form: typed values, required fields only when active,
 * secrets kept when left blank, and GitLab's rules per type.
 */
import { describe, expect, it } from 'vitest';
import { findIntegrationType } from '../../src/integrations/index.js';
import {
  readSettingsForm,
  settingsErrors,
  unknownFieldNames,
  type ParseContext,
  type ParseOutcome,
  type SettingsInput,
} from '../../src/integrations/validate.js';
import type { FieldValue } from '../../src/integrations/types.js';

const type = (slug: string) => findIntegrationType(slug)!;
const fresh: ParseContext = { level: 'project' };

/** A form read, then checked as the settings it results in (with `kept`: the secrets stored before). */
function readAndCheck(
  slug: string,
  input: SettingsInput,
  context: ParseContext = fresh,
  kept: Record<string, FieldValue> = {},
): ParseOutcome {
  const read = readSettingsForm(type(slug), input, context);
  if (!read.ok) return read;
  const errors = settingsErrors(type(slug), { ...read.value, fields: { ...kept, ...read.value.fields } });
  return Object.keys(errors).length > 0 ? { ok: false, errors } : read;
}

describe('reading and checking a settings form', () => {
  it('turns form strings into typed values, the last value of a checkbox winning over its hidden "0"', () => {
    const result = readAndCheck(
      'slack',
      {
        active: ['0', '1'],
        webhook: ' https://hooks.slack.com/x ',
        username: ' bot ',
        notify_only_broken_pipelines: '0',
        push_events: ['0', '1'],
        issues_events: '0',
      },
      fresh,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.active).toBe(true);
    expect(result.value.fields).toMatchObject({
      webhook: 'https://hooks.slack.com/x',
      username: 'bot',
      notify_only_broken_pipelines: false,
    });
    expect(result.value.events).toMatchObject({ push_events: true, issues_events: false });
  });

  it('requires fields only while the integration is active', () => {
    const inactive = readAndCheck('slack', { active: '0' });
    expect(inactive.ok).toBe(true);
    const active = readAndCheck('slack', { active: '1' });
    expect(active).toEqual({ ok: false, errors: { webhook: 'Webhook URL is required' } });
  });

  it('leaves a secret left blank out of the values, so that the stored one is kept', () => {
    const result = readAndCheck('slack', { active: '1', webhook: '' }, fresh, {
      webhook: 'https://hooks.slack.com/stored',
    });
    expect(result.ok).toBe(true);
    if (result.ok) expect('webhook' in result.value.fields).toBe(false);
  });

  it('validates e-mail lists, their limits, numbers and select choices', () => {
    const email = readAndCheck('pipelines-email', { active: '1', recipients: 'ok@example.com, not-an-address' });
    expect(email.ok === false && email.errors.recipients).toBe(
      'Recipients: not-an-address is not a valid email address',
    );
    const many = Array.from({ length: 31 }, (_, i) => `u${i}@example.com`).join(',');
    const tooMany = readAndCheck('pipelines-email', { active: '1', recipients: many });
    expect(tooMany.ok === false && tooMany.errors.recipients).toBe('Recipients can list at most 30 addresses');
    const thread = readAndCheck('telegram', { active: '1', token: 't', room: '@r', thread: 'abc' });
    expect(thread.ok === false && thread.errors.thread).toBe('Message thread ID must be a whole number');
    const choice = readAndCheck('slack', { branches_to_be_notified: 'nightly' });
    expect(choice.ok === false && choice.errors.branches_to_be_notified).toBe(
      'Branches for which notifications are to be sent is not one of the offered choices',
    );
  });

  it("applies each type's own rules", () => {
    const discord = readAndCheck('discord', { active: '1', webhook: 'https://example.com/hook' });
    expect(discord.ok === false && discord.errors.webhook).toBe('Webhook URL must point to discord.com');
    const jira = readAndCheck('jira', {
      active: '1',
      url: 'https://jira.example.com',
      password: 'p',
      jira_auth_type: '0',
    });
    expect(jira.ok === false && jira.errors.username).toBe('Email or username is required for Basic authentication');
    const jenkins = readAndCheck('jenkins', {
      active: '1',
      jenkins_url: 'https://ci.example.com',
      project_name: 'p',
      username: 'u',
    });
    expect(jenkins.ok === false && jenkins.errors.password).toBe('Password is required when a username is set');
    const kept = readAndCheck(
      'jenkins',
      { active: '1', jenkins_url: 'https://ci.example.com', project_name: 'p', username: 'u' },
      fresh,
      { password: 'stored' },
    );
    expect(kept.ok).toBe(true);
    const datadog = readAndCheck('datadog', { active: '1', api_key: 'has-dashes' });
    expect(datadog.ok === false && datadog.errors.api_key).toBe(
      'API key can contain only letters, digits and underscores',
    );
    const channels = readAndCheck('slack', {
      channel: Array.from({ length: 11 }, (_, i) => `#c${i}`).join(','),
      active: '1',
      webhook: 'https://hooks.slack.com/x',
    });
    expect(channels.ok === false && channels.errors.channel).toBe('Default channel can list at most 10 channels');
    const eventChannels = readAndCheck('mattermost', {
      issue_channel: Array.from({ length: 11 }, (_, i) => `c${i}`).join(','),
      active: '1',
      webhook: 'https://mm.example.com/hooks/x',
    });
    expect(eventChannels.ok === false && eventChannels.errors.issue_channel).toBe(
      'Issue channel can list at most 10 channels',
    );
    const eventWebhook = readAndCheck('discord', {
      active: '1',
      webhook: 'https://discord.com/api/webhooks/1',
      push_channel: 'https://example.com/hook',
    });
    expect(eventWebhook.ok === false && eventWebhook.errors.push_channel).toBe(
      'Push channel must point to discord.com',
    );
  });

  it('refuses over-long text', () => {
    const result = readAndCheck('slack', { username: 'x'.repeat(2001) });
    expect(result.ok === false && result.errors.username).toBe('Username is too long (maximum is 2000 characters)');
  });
});

describe('unknownFieldNames', () => {
  it('names fields of another type and events not offered at the level', () => {
    expect(unknownFieldNames(type('slack'), ['webhook', 'active', 'push_events', 'recipients'], 'project')).toEqual([
      'recipients',
    ]);
    expect(unknownFieldNames(type('slack'), ['group_mention_events'], 'project')).toEqual(['group_mention_events']);
    expect(unknownFieldNames(type('slack'), ['group_mention_events'], 'group')).toEqual([]);
  });
});
