/**
 * The inheritance engine: effective settings of a level from its chain of rows, nearest first.
 */
import { describe, expect, it } from 'vitest';
import { findIntegrationType } from '../../src/integrations/index.js';
import {
  commonSource,
  differingKeys,
  inheritanceSourceLabel,
  resolveSettings,
  withheldSecretMessage,
  type SettingsOwner,
  type SettingsRow,
} from '../../src/settings/resolve.js';

const slack = findIntegrationType('slack')!;
const instance: SettingsOwner = { level: 'instance', id: null, name: 'Instance', path: null };
const group = (id: number): SettingsOwner => ({ level: 'group', id, name: `Group ${id}`, path: `g${id}` });
const project: SettingsOwner = { level: 'project', id: 7, name: 'Group 1 / App', path: 'g1/app' };

/** A full row, as "Use custom settings" saves it. */
function row(owner: SettingsOwner, username: string, extra: Partial<SettingsRow> = {}): SettingsRow {
  return {
    owner,
    active: true,
    fields: {
      webhook: `https://hooks.slack.com/${username}`,
      username,
      channel: null,
      notify_only_broken_pipelines: true,
    },
    events: { push_events: true, issues_events: false },
    ...extra,
  };
}

describe('resolveSettings', () => {
  it('is not configured, inactive, with the catalog defaults, when no level has settings', () => {
    const effective = resolveSettings(slack, project, []);
    expect(effective.state).toBe('not_configured');
    expect(effective.active).toBe(false);
    expect(effective.fields.branches_to_be_notified).toBe('default');
    expect(effective.fields.notify_only_broken_pipelines).toBe(true);
    expect(effective.events.deployment_events).toBe(false);
    expect(effective.events.push_events).toBe(true);
    expect(effective.inheritsFrom).toBeNull();
    expect(effective.source.username).toBe('default');
  });

  it('uses the instance default for a project without its own row once the default is set up', () => {
    const effective = resolveSettings(slack, project, [row(instance, 'instance-bot')]);
    expect(effective.state).toBe('inherited');
    expect(effective.active).toBe(true);
    expect(effective.fields.username).toBe('instance-bot');
    expect(effective.inheritsFrom).toEqual(instance);
    expect(effective.source.username).toEqual(instance);
  });

  it('keeps a project with custom settings on its own values whatever the instance default says', () => {
    const chain = [row(project, 'project-bot', { active: false }), row(instance, 'instance-bot-v2')];
    const effective = resolveSettings(slack, project, chain);
    expect(effective.state).toBe('custom');
    expect(effective.active).toBe(false);
    expect(effective.fields.username).toBe('project-bot');
    expect(effective.source.active).toEqual(project);
    expect(effective.inheritsFrom).toEqual(instance);
  });

  it('is custom without anything to inherit when only the project has settings', () => {
    const effective = resolveSettings(slack, project, [row(project, 'solo')]);
    expect(effective.state).toBe('custom');
    expect(effective.inheritsFrom).toBeNull();
  });

  it('uses the nearest group default over the instance default', () => {
    const chain = [row(group(2), 'subgroup-bot'), row(group(1), 'group-bot'), row(instance, 'instance-bot')];
    const effective = resolveSettings(slack, project, chain);
    expect(effective.fields.username).toBe('subgroup-bot');
    expect(effective.inheritsFrom).toEqual(group(2));
    expect(inheritanceSourceLabel(effective.inheritsFrom!)).toBe('group-level');
  });

  it('resolves through a chain ten levels deep, skipping levels without settings', () => {
    const chain = [row(group(3), 'level-3'), row(instance, 'instance-bot')];
    const effective = resolveSettings(slack, project, chain);
    expect(effective.fields.username).toBe('level-3');
    expect(effective.source.username).toEqual(group(3));
    const tenDeep = Array.from({ length: 10 }, (_, i) => row(group(10 - i), `level-${10 - i}`));
    expect(resolveSettings(slack, project, tenDeep).fields.username).toBe('level-10');
  });

  it('takes each key from the nearest level that sets it (per-field inheritance)', () => {
    const partial: SettingsRow = { owner: project, fields: { channel: '#project' }, events: { issues_events: true } };
    const effective = resolveSettings(slack, project, [partial, row(instance, 'instance-bot')]);
    expect(effective.fields.channel).toBe('#project');
    expect(effective.source.channel).toEqual(project);
    expect(effective.fields.username).toBe('instance-bot');
    expect(effective.fields.webhook).toBe('https://hooks.slack.com/instance-bot');
    expect(effective.source.webhook).toEqual(instance);
    expect(effective.active).toBe(true);
    expect(effective.source.active).toEqual(instance);
    expect(effective.events.issues_events).toBe(true);
  });

  it('inherits secrets like any other value, so an inheriting project can use a secret it never sees', () => {
    const effective = resolveSettings(slack, project, [row(instance, 'instance-bot')]);
    expect(effective.fields.webhook).toBe('https://hooks.slack.com/instance-bot');
  });

  it('offers group-only events at the group level only', () => {
    expect('group_mention_events' in resolveSettings(slack, group(1), []).events).toBe(true);
    expect('group_mention_events' in resolveSettings(slack, project, []).events).toBe(false);
  });

  it('treats a group resolving for itself as custom only with its own row', () => {
    expect(resolveSettings(slack, group(1), [row(instance, 'i')]).state).toBe('inherited');
    expect(resolveSettings(slack, group(1), [row(group(1), 'g'), row(instance, 'i')]).state).toBe('custom');
  });
});

describe('resolveSettings with enforcement', () => {
  const enforcing = (owner: SettingsOwner, username: string, keys: string[], reason = '') =>
    row(owner, username, { enforced: { keys, reason } });

  it('takes an enforced value from the enforcing level over an override below, and says who and why', () => {
    const chain = [row(project, 'project-bot'), enforcing(instance, 'instance-bot', ['username'], 'One bot')];
    const effective = resolveSettings(slack, project, chain);
    expect(effective.fields.username).toBe('instance-bot');
    expect(effective.source.username).toEqual(instance);
    expect(effective.enforced).toEqual({ username: { by: instance, reason: 'One bot' } });
    // What is not enforced stays the project's own.
    expect(effective.fields.webhook).toBe('https://hooks.slack.com/project-bot');
  });

  it('uses the override again once the enforcement is lifted', () => {
    const effective = resolveSettings(slack, project, [row(project, 'project-bot'), row(instance, 'instance-bot')]);
    expect(effective.fields.username).toBe('project-bot');
    expect(effective.enforced).toEqual({});
  });

  it('lets the topmost enforcing level win over an enforcing group below it', () => {
    const chain = [
      row(project, 'project-bot'),
      enforcing(group(2), 'sub-bot', ['username']),
      enforcing(group(1), 'top-bot', ['*']),
      row(instance, 'instance-bot'),
    ];
    const effective = resolveSettings(slack, project, chain);
    expect(effective.fields.username).toBe('top-bot');
    expect(effective.enforced.username!.by).toEqual(group(1));
    expect(effective.enforced.active!.by).toEqual(group(1));
    expect(effective.enforced.push_events!.by).toEqual(group(1));
  });

  it('takes an enforced key the enforcing level leaves to the level above it from there', () => {
    const top = row(group(1), 'top-bot', {
      enforced: { keys: ['channel'], reason: '' },
      fields: { username: 'top-bot' },
    });
    const effective = resolveSettings(slack, project, [
      row(project, 'project-bot', { fields: { channel: '#mine' } }),
      top,
      row(instance, 'i', { fields: { channel: '#all' } }),
    ]);
    expect(effective.fields.channel).toBe('#all');
    expect(effective.source.channel).toEqual(instance);
    expect(effective.enforced.channel!.by).toEqual(group(1));
  });

  it("does not count a level's own enforcement against itself", () => {
    const effective = resolveSettings(slack, group(1), [
      enforcing(group(1), 'top-bot', ['*']),
      row(instance, 'instance-bot'),
    ]);
    expect(effective.fields.username).toBe('top-bot');
    expect(effective.enforced).toEqual({});
  });

  it('keeps per-field inheritance of a secret usable under an enforcement of other fields', () => {
    const chain = [
      row(project, 'p', { fields: { channel: '#p' } }),
      row(group(1), 'g', { fields: { webhook: 'https://hooks.slack.com/secret-of-group' } }),
      enforcing(instance, 'instance-bot', ['username']),
    ];
    const effective = resolveSettings(slack, project, chain);
    expect(effective.fields.webhook).toBe('https://hooks.slack.com/secret-of-group');
    expect(effective.source.webhook).toEqual(group(1));
    expect(effective.fields.username).toBe('instance-bot');
    expect(effective.fields.channel).toBe('#p');
  });
});

describe('differingKeys', () => {
  it('names the values a custom level changes from what it would inherit', () => {
    const own = resolveSettings(slack, project, [row(project, 'project-bot')]);
    const inherited = resolveSettings(slack, project, [row(instance, 'instance-bot')]);
    expect(differingKeys(own, inherited).sort()).toEqual(['username', 'webhook']);
  });
});

describe('resolveSettings and secrets set above', () => {
  const jira = findIntegrationType('jira')!;
  const jiraRow = (
    owner: SettingsOwner,
    fields: SettingsRow['fields'],
    extra: Partial<SettingsRow> = {},
  ): SettingsRow => ({ owner, active: true, fields, events: {}, ...extra });
  const groupJira = jiraRow(group(1), {
    url: 'https://jira.top.example',
    username: 'top-bot',
    password: 'top-password',
  });

  it('withholds a secret from a level that points the URLs exposing it elsewhere, and says where it was set', () => {
    const effective = resolveSettings(jira, project, [
      jiraRow(project, { url: 'https://attacker.example' }),
      groupJira,
    ]);
    expect(effective.fields.password).toBeNull();
    expect(effective.source.password).toBe('default');
    expect(effective.withheld).toEqual({ password: { setAt: group(1), exposedBy: ['url'] } });
    expect(withheldSecretMessage(jira, 'password', effective.withheld.password!)).toBe(
      "Enter the API token, password, or personal access token again: the one set in Group 1 is only sent to Group 1's Web URL",
    );
  });

  it('withholds it for a second URL that exposes it too (the Jira API URL)', () => {
    const effective = resolveSettings(jira, project, [
      jiraRow(project, { api_url: 'https://attacker.example' }),
      groupJira,
    ]);
    expect(effective.fields.password).toBeNull();
    expect(effective.withheld.password!.exposedBy).toEqual(['api_url']);
  });

  it('keeps the secret for a level that inherits the URLs, or sets the same ones itself', () => {
    expect(resolveSettings(jira, project, [groupJira]).fields.password).toBe('top-password');
    const sameUrl = resolveSettings(jira, project, [
      jiraRow(project, { url: 'https://jira.top.example', jira_issue_prefix: 'APP-' }),
      groupJira,
    ]);
    expect(sameUrl.fields.password).toBe('top-password');
    expect(sameUrl.withheld).toEqual({});
  });

  it('compares with the URLs the setting level resolves to, inherited ones included', () => {
    const secretOnly = jiraRow(group(1), { username: 'top-bot', password: 'top-password' });
    const instanceJira = jiraRow(instance, { url: 'https://jira.example' });
    expect(resolveSettings(jira, project, [secretOnly, instanceJira]).fields.password).toBe('top-password');
    // A subgroup between them that sets a URL of its own takes the secret away from everything below it.
    const subgroup = jiraRow(group(2), { url: 'https://sub.example' });
    expect(resolveSettings(jira, project, [subgroup, secretOnly, instanceJira]).withheld.password!.setAt).toEqual(
      group(1),
    );
    expect(resolveSettings(jira, group(2), [subgroup, secretOnly, instanceJira]).fields.password).toBeNull();
  });

  it("withholds an enforced secret from a level whose own URL is not the enforcing level's", () => {
    const enforcing = jiraRow(
      instance,
      { url: 'https://jira.example', username: 'bot', password: 'instance-password' },
      { enforced: { keys: ['password'], reason: '' } },
    );
    const effective = resolveSettings(jira, project, [
      jiraRow(project, { url: 'https://attacker.example' }),
      enforcing,
    ]);
    expect(effective.fields.password).toBeNull();
    expect(effective.withheld.password!.setAt).toEqual(instance);
  });

  it('leaves a level its own secret whatever its URLs, and the webhooks of chat types, which carry their own host', () => {
    expect(
      resolveSettings(jira, project, [jiraRow(project, { url: 'https://mine.example', password: 'mine' }), groupJira])
        .fields.password,
    ).toBe('mine');
    const effective = resolveSettings(slack, project, [
      row(project, 'p', { fields: { username: 'p' } }),
      row(instance, 'instance-bot'),
    ]);
    expect(effective.fields.webhook).toBe('https://hooks.slack.com/instance-bot');
  });
});

describe('commonSource', () => {
  const connection = ['active', 'webhook', 'username'];

  it("names the one level all the values come from, the defaults counting as anyone's", () => {
    const effective = resolveSettings(slack, project, [row(instance, 'instance-bot')]);
    // `channel` is null at the instance, and the labels fields are the catalog's defaults.
    expect(commonSource(effective, [...connection, 'channel', 'labels_to_be_notified_behavior'])).toEqual(instance);
  });

  it('is null when the values come from several levels', () => {
    const own: SettingsRow = { owner: project, fields: { username: 'app-bot' }, events: {} };
    const effective = resolveSettings(slack, project, [own, row(instance, 'instance-bot')]);
    expect(commonSource(effective, connection)).toBeNull();
    expect(commonSource(effective, ['active', 'webhook'])).toEqual(instance);
  });

  it('is "default" when no level sets any of them', () => {
    expect(commonSource(resolveSettings(slack, project, []), connection)).toBe('default');
  });
});
