/**
 * Validating a submitted settings form: typed values, required fields only when active,
 * secrets kept when left blank, and GitLab's rules per type.
 */
import { describe, expect, it } from 'vitest';
import { findIntegrationType } from '../../src/integrations/index.js';
import { parseSettingsForm, unknownFieldNames, type ParseContext } from '../../src/integrations/validate.js';

const type = (slug: string) => findIntegrationType(slug)!;
const fresh: ParseContext = { level: 'project', storedSecretNames: new Set() };

describe('parseSettingsForm', () => {
  it('turns form strings into typed values, the last value of a checkbox winning over its hidden "0"', () => {
    const result = parseSettingsForm(
      type('slack'),
      { active: ['0', '1'], webhook: ' https://hooks.slack.com/x ', username: ' bot ', notify_only_broken_pipelines: '0', push_events: ['0', '1'], issues_events: '0' },
      fresh,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.active).toBe(true);
    expect(result.value.fields).toMatchObject({ webhook: 'https://hooks.slack.com/x', username: 'bot', notify_only_broken_pipelines: false });
    expect(result.value.events).toMatchObject({ push_events: true, issues_events: false });
  });

  it('requires fields only while the integration is active', () => {
    const inactive = parseSettingsForm(type('slack'), { active: '0' }, fresh);
    expect(inactive.ok).toBe(true);
    const active = parseSettingsForm(type('slack'), { active: '1' }, fresh);
    expect(active).toEqual({ ok: false, errors: { webhook: 'Webhook URL is required' } });
  });

  it('keeps a stored secret when the field is left blank, and leaves it out of the values', () => {
    const result = parseSettingsForm(type('slack'), { active: '1', webhook: '' }, { ...fresh, storedSecretNames: new Set(['webhook']) });
    expect(result.ok).toBe(true);
    if (result.ok) expect('webhook' in result.value.fields).toBe(false);
  });

  it('asks for the secret again when the URL it belongs to changes', () => {
    const context: ParseContext = { level: 'project', storedSecretNames: new Set(['password']), previous: { url: 'https://jira.example.com', username: 'ada' } };
    const moved = parseSettingsForm(type('jira'), { active: '1', url: 'https://other.example.com', username: 'ada' }, context);
    expect(moved.ok).toBe(false);
    if (!moved.ok) expect(moved.errors.password).toBe('API token, password, or personal access token must be entered again because Web URL changed');
    const same = parseSettingsForm(type('jira'), { active: '1', url: 'https://jira.example.com', username: 'ada' }, context);
    expect(same.ok).toBe(true);
    const resupplied = parseSettingsForm(type('jira'), { active: '1', url: 'https://other.example.com', username: 'ada', password: 'new' }, context);
    expect(resupplied.ok).toBe(true);
  });

  it('validates e-mail lists, their limits, numbers and select choices', () => {
    const email = parseSettingsForm(type('pipelines-email'), { active: '1', recipients: 'ok@example.com, not-an-address' }, fresh);
    expect(email.ok === false && email.errors.recipients).toBe('Recipients: not-an-address is not a valid email address');
    const many = Array.from({ length: 31 }, (_, i) => `u${i}@example.com`).join(',');
    const tooMany = parseSettingsForm(type('pipelines-email'), { active: '1', recipients: many }, fresh);
    expect(tooMany.ok === false && tooMany.errors.recipients).toBe('Recipients can list at most 30 addresses');
    const thread = parseSettingsForm(type('telegram'), { active: '1', token: 't', room: '@r', thread: 'abc' }, fresh);
    expect(thread.ok === false && thread.errors.thread).toBe('Message thread ID must be a whole number');
    const choice = parseSettingsForm(type('slack'), { branches_to_be_notified: 'nightly' }, fresh);
    expect(choice.ok === false && choice.errors.branches_to_be_notified).toBe('Branches for which notifications are to be sent is not one of the offered choices');
  });

  it("applies each type's own rules", () => {
    const discord = parseSettingsForm(type('discord'), { active: '1', webhook: 'https://example.com/hook' }, fresh);
    expect(discord.ok === false && discord.errors.webhook).toBe('Webhook URL must point to discord.com');
    const jira = parseSettingsForm(type('jira'), { active: '1', url: 'https://jira.example.com', password: 'p', jira_auth_type: '0' }, fresh);
    expect(jira.ok === false && jira.errors.username).toBe('Email or username is required for Basic authentication');
    const jenkins = parseSettingsForm(type('jenkins'), { active: '1', jenkins_url: 'https://ci.example.com', project_name: 'p', username: 'u' }, fresh);
    expect(jenkins.ok === false && jenkins.errors.password).toBe('Password is required when a username is set');
    const kept = parseSettingsForm(
      type('jenkins'),
      { active: '1', jenkins_url: 'https://ci.example.com', project_name: 'p', username: 'u' },
      { ...fresh, storedSecretNames: new Set(['password']), previous: { jenkins_url: 'https://ci.example.com', password: 'stored' } },
    );
    expect(kept.ok).toBe(true);
    const datadog = parseSettingsForm(type('datadog'), { active: '1', api_key: 'has-dashes' }, fresh);
    expect(datadog.ok === false && datadog.errors.api_key).toBe('API key can contain only letters, digits and underscores');
    const channels = parseSettingsForm(type('slack'), { channel: Array.from({ length: 11 }, (_, i) => `#c${i}`).join(','), active: '1', webhook: 'https://hooks.slack.com/x' }, fresh);
    expect(channels.ok === false && channels.errors.channel).toBe('Default channel can list at most 10 channels');
    const eventChannels = parseSettingsForm(type('mattermost'), { issue_channel: Array.from({ length: 11 }, (_, i) => `c${i}`).join(','), active: '1', webhook: 'https://mm.example.com/hooks/x' }, fresh);
    expect(eventChannels.ok === false && eventChannels.errors.issue_channel).toBe('Issue channel can list at most 10 channels');
    const eventWebhook = parseSettingsForm(type('discord'), { active: '1', webhook: 'https://discord.com/api/webhooks/1', push_channel: 'https://example.com/hook' }, fresh);
    expect(eventWebhook.ok === false && eventWebhook.errors.push_channel).toBe('Push channel must point to discord.com');
  });

  it('refuses over-long text', () => {
    const result = parseSettingsForm(type('slack'), { username: 'x'.repeat(2001) }, fresh);
    expect(result.ok === false && result.errors.username).toBe('Username is too long (maximum is 2000 characters)');
  });
});

describe('unknownFieldNames', () => {
  it('names fields of another type and events not offered at the level', () => {
    expect(unknownFieldNames(type('slack'), ['webhook', 'active', 'push_events', 'recipients'], 'project')).toEqual(['recipients']);
    expect(unknownFieldNames(type('slack'), ['group_mention_events'], 'project')).toEqual(['group_mention_events']);
    expect(unknownFieldNames(type('slack'), ['group_mention_events'], 'group')).toEqual([]);
  });
});
