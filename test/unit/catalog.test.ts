/**
 * The catalog: GitLab's 18 integration types, declared as data.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findIntegrationType, integrationTypes, integrationTypesAt } from '../../src/integrations/index.js';
import type { Field, FieldValue, IntegrationType } from '../../src/integrations/types.js';
import { isUrlField, readSettingsForm, requestUrlOf } from '../../src/integrations/validate.js';

const CATALOG = new URL('../../src/integrations/catalog/', import.meta.url);

/** The type files of the catalog folder: every file but the list itself. */
function catalogFiles(): string[] {
  return readdirSync(CATALOG).filter((file) => file.endsWith('.ts') && file !== 'index.ts');
}

/** The integration types a catalog file exports, beside its helpers. */
async function typesDefinedIn(file: string): Promise<IntegrationType[]> {
  const exports: Record<string, unknown> = await import(new URL(file, CATALOG).href);
  return Object.values(exports).filter(
    (value): value is IntegrationType =>
      typeof value === 'object' && value !== null && 'slug' in value && 'schema' in value,
  );
}

/** A value of the field's kind that mentions `host`: as a URL in URL fields, alone in text. */
function valueMentioning(field: Field, host: string): FieldValue {
  if (isUrlField(field)) return `https://${host}/path`;
  if (field.kind === 'number') return 1;
  if (field.kind === 'checkbox') return field.default ?? false;
  if (field.kind === 'select') return field.default ?? field.choices![0]!.value;
  if (field.kind === 'list') return [host];
  return host;
}

/** The host a type's test request goes to with these values; null when the builder cannot make a URL of them. */
function testRequestHost(type: IntegrationType, fields: Record<string, FieldValue>): string | null {
  try {
    return new URL(type.testRequest!({ fields, message: 'test' }).url).hostname;
  } catch {
    return null;
  }
}

describe('the catalog', () => {
  it('has the 18 types of GitLab, each slug once', () => {
    const slugs = integrationTypes.map((type) => type.slug);
    expect(new Set(slugs).size).toBe(18);
    expect(slugs).toEqual(
      expect.arrayContaining([
        'slack',
        'mattermost',
        'microsoft-teams',
        'discord',
        'hangouts-chat',
        'webex-teams',
        'telegram',
        'pushover',
        'pipelines-email',
        'emails-on-push',
        'jira',
        'redmine',
        'youtrack',
        'bugzilla',
        'external-wiki',
        'custom-issue-tracker',
        'datadog',
        'jenkins',
      ]),
    );
  });

  it('lists the type of each file in src/integrations/catalog/, by title', async () => {
    const files = catalogFiles();
    for (const file of files) {
      const types = await typesDefinedIn(file);
      expect(types, file).toHaveLength(1);
      expect(integrationTypes, `${file} is not listed in src/integrations/catalog/index.ts`).toContain(types[0]);
    }
    expect(files).toHaveLength(18);
    expect(integrationTypes).toHaveLength(files.length);
    const titles = integrationTypes.map((type) => type.title);
    expect(titles).toEqual([...titles].sort((a, b) => a.localeCompare(b, 'en')));
  });

  it('gives each type a slug of its own', () => {
    const sharing = integrationTypes.filter(
      (type, index) => integrationTypes.findIndex((other) => other.slug === type.slug) !== index,
    );
    expect(sharing.map((type) => `${type.title} (${type.slug})`)).toEqual([]);
  });

  it("has GitLab's per-event channels for Slack, Mattermost and Discord, each beside its event", () => {
    const channelsOf = (slug: string) => findIntegrationType(slug)!.fields.filter((field) => field.event);
    expect(
      channelsOf('slack')
        .map((field) => field.name)
        .sort(),
    ).toEqual(
      [
        'push',
        'issue',
        'incident',
        'alert',
        'confidential_issue',
        'merge_request',
        'note',
        'confidential_note',
        'tag_push',
        'deployment',
        'pipeline',
        'wiki_page',
      ]
        .map((event) => `${event}_channel`)
        .sort(),
    );
    for (const slug of ['slack', 'mattermost', 'discord']) {
      const type = findIntegrationType(slug)!;
      for (const field of channelsOf(slug))
        expect(
          type.events.map((event) => event.name),
          field.name,
        ).toContain(field.event);
    }
    // Discord's are webhook URLs of other channels: secrets, like the main webhook.
    expect(channelsOf('discord').every((field) => field.kind === 'secret' && field.format === 'url')).toBe(true);
  });

  it('offers Jenkins at the project level only', () => {
    expect(findIntegrationType('jenkins')!.levels).toEqual(['project']);
    expect(integrationTypesAt('instance').map((type) => type.slug)).not.toContain('jenkins');
    expect(integrationTypesAt('project')).toHaveLength(18);
  });

  it('gives every select field a default among its choices', () => {
    for (const type of integrationTypes) {
      for (const field of type.fields.filter((f) => f.kind === 'select' && f.default !== undefined)) {
        expect(
          field.choices!.map((choice) => choice.value),
          `${type.slug}.${field.name}`,
        ).toContain(field.default);
      }
    }
  });

  it("uses GitLab's event defaults: deployments and incidents off, the rest on; Jenkins only pushes", () => {
    const slack = findIntegrationType('slack')!;
    const byName = Object.fromEntries(slack.events.map((event) => [event.name, event.default]));
    expect(byName).toMatchObject({
      push_events: true,
      issues_events: true,
      deployment_events: false,
      incident_events: false,
      alert_events: true,
    });
    const jenkins = Object.fromEntries(
      findIntegrationType('jenkins')!.events.map((event) => [event.name, event.default]),
    );
    expect(jenkins).toEqual({ push_events: true, merge_requests_events: false, tag_push_events: false });
  });

  it('shows no event toggles for types with a single event or none', () => {
    for (const slug of [
      'pipelines-email',
      'redmine',
      'youtrack',
      'bugzilla',
      'custom-issue-tracker',
      'external-wiki',
      'datadog',
      'pushover',
    ]) {
      expect(findIntegrationType(slug)!.events, slug).toHaveLength(0);
    }
  });

  it("has every parameter GitLab documents for Jira, with GitLab's defaults", () => {
    const jira = findIntegrationType('jira')!;
    const defaults = Object.fromEntries(jira.fields.map((field) => [field.name, field.default ?? null]));
    expect(defaults).toMatchObject({
      jira_auth_type: '0',
      jira_issue_transition_automatic: false,
      jira_issue_transition_id: null,
      comment_on_event_enabled: true,
      issues_enabled: false,
      project_keys: [],
    });
    expect(jira.fields.find((field) => field.name === 'jira_auth_type')!.apiType).toBe('integer');
    expect(jira.events.map((event) => event.name)).toEqual(['commit_events', 'merge_requests_events']);
  });

  it('refuses Jira transition IDs that are not numbers separated by , or ;, even while Jira is off', () => {
    const jira = findIntegrationType('jira')!;
    const read = (ids: string) =>
      readSettingsForm(jira, { active: 'false', jira_issue_transition_id: ids }, { level: 'project' });
    expect(read('done')).toEqual({
      ok: false,
      errors: { jira_issue_transition_id: 'Jira transition IDs must be numbers separated by , or ;' },
    });
    expect(read('11; 21,31').ok).toBe(true);
  });

  it('takes the deprecated notify_only_default_branch where GitLab documents it: for a branch filter', () => {
    const withAlias = integrationTypes.filter((type) =>
      (type.parameterAliases ?? []).some((alias) => alias.name === 'notify_only_default_branch'),
    );
    expect(withAlias.map((type) => type.slug).sort()).toEqual([
      'hangouts-chat',
      'mattermost',
      'microsoft-teams',
      'pipelines-email',
      'slack',
    ]);
    for (const type of withAlias) {
      for (const alias of type.parameterAliases!)
        expect(
          type.fields.map((field) => field.name),
          `${type.slug}.${alias.name}`,
        ).toContain(alias.field);
    }
  });

  it('reports the fixed events of types without toggles: pipeline emails send pipelines, Datadog as CI Visibility says', () => {
    const pipelinesEmail = findIntegrationType('pipelines-email')!;
    const datadog = findIntegrationType('datadog')!;
    expect(pipelinesEmail.reportedEvents!({})).toEqual({ pipeline_events: true });
    expect(datadog.reportedEvents!({ datadog_ci_visibility: true })).toEqual({
      pipeline_events: true,
      job_events: true,
    });
    expect(datadog.reportedEvents!({ datadog_ci_visibility: false })).toEqual({
      pipeline_events: false,
      job_events: false,
    });
    // A type with toggles reports them itself.
    const reporting = integrationTypes.filter((type) => type.reportedEvents);
    expect(reporting.every((type) => type.events.length === 0)).toBe(true);
  });

  it("lists each type's API parameters in docs/api.md, and only those", () => {
    const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    const slugs = new Set(integrationTypes.map((type) => type.slug));
    for (const type of integrationTypes) {
      const row = doc
        .split('\n')
        .find((line) => line.startsWith('| `') && line.split('|')[1]!.includes(`\`${type.slug}\``));
      expect(row, type.slug).toBeDefined();
      const named = new Set(
        [...row!.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!).filter((name) => !slugs.has(name)),
      );
      const parameters = new Set([
        ...type.fields.map((field) => field.name),
        ...type.events.map((event) => event.name),
        ...(type.parameterAliases ?? []).map((alias) => alias.name),
        ...Object.keys(type.reportedEvents?.({}) ?? {}),
      ]);
      expect(
        [...parameters].filter((name) => !named.has(name)),
        `${type.slug}: not in docs/api.md`,
      ).toEqual([]);
      expect(
        [...named].filter((name) => !parameters.has(name)),
        `${type.slug}: not a parameter`,
      ).toEqual([]);
    }
  });

  it('keeps every token, password and webhook secret', () => {
    const secrets = (slug: string) =>
      findIntegrationType(slug)!
        .fields.filter((f) => f.kind === 'secret')
        .map((f) => f.name);
    expect(secrets('slack')).toEqual(['webhook']);
    expect(secrets('telegram')).toEqual(['token']);
    expect(secrets('jira')).toEqual(['password']);
    expect(secrets('pushover')).toEqual(['api_key', 'user_key']);
    expect(secrets('datadog')).toEqual(['api_key']);
  });

  // Saving checks the URLs that requestUrlOf gives; a field that moves a request elsewhere without one would go unchecked.
  it('checks on save every field that decides where a request goes: a URL field, or one that yields a URL (Datadog site)', () => {
    for (const type of integrationTypes.filter((each) => each.testRequest)) {
      for (const field of type.fields) {
        // With every other field filled in, and with only the required ones (a blank API URL lets the site decide).
        for (const filled of [true, false]) {
          const others = Object.fromEntries(
            type.fields.map((f) => [
              f.name,
              filled || f.required ? valueMentioning(f, 'usual.example') : (f.default ?? null),
            ]),
          );
          const before = testRequestHost(type, others);
          const moved = valueMentioning(field, 'moved.example');
          const after = testRequestHost(type, { ...others, [field.name]: moved });
          if (after === null || after === before) continue;
          const declared = requestUrlOf(field, String(moved));
          expect(declared && new URL(declared).hostname, `${type.slug}.${field.name}`).toBe(after);
        }
      }
    }
  });

  it('makes every type reject a URL that is not http or https', () => {
    for (const type of integrationTypes) {
      const urlFields = type.fields.filter(isUrlField);
      for (const field of urlFields) {
        const result = readSettingsForm(type, { [field.name]: 'javascript:alert(1)' }, { level: 'project' });
        expect(result.ok, `${type.slug}.${field.name}`).toBe(false);
        if (!result.ok) expect(result.errors[field.name]).toContain('must be a valid URL (http or https)');
      }
    }
  });

  it("marks every field that decides where a secret is sent as exposing it (GitLab's exposes_secrets)", () => {
    const withSecrets = integrationTypes.filter((type) => type.fields.some((field) => field.kind === 'secret'));
    const unmarked = withSecrets.flatMap((type) =>
      hostBearingFields(type)
        .filter((field) => !field.exposesSecrets)
        .map((field) => `${type.slug}.${field.name}`),
    );
    expect(unmarked).toEqual([]);
    const marked = withSecrets.flatMap((type) =>
      type.fields.filter((field) => field.exposesSecrets).map((field) => `${type.slug}.${field.name}`),
    );
    expect(marked.sort()).toEqual([
      'datadog.api_url',
      'datadog.datadog_site',
      'jenkins.jenkins_url',
      'jira.api_url',
      'jira.url',
      'telegram.hostname',
    ]);
  });
});

/** A value for each field as a valid form would have it, and another one. */
function sampleValue(field: Field, other = false): FieldValue {
  if (field.kind === 'secret') return 'secret_value';
  if (field.kind === 'url') return other ? 'https://elsewhere.example/path' : 'https://server.example/path';
  if (field.kind === 'checkbox') return other ? field.default !== true : field.default === true;
  if (field.kind === 'number') return other ? 2 : 1;
  if (field.kind === 'select')
    return (
      (field.choices ?? []).map((choice) => choice.value).find((value) => (value === field.default) !== other) ?? null
    );
  return other ? 'elsewhere.example' : (field.default ?? 'server.example');
}

/**
 * The fields whose value changes the host a type's test request goes to, secrets aside (a
 * webhook carries its own host), and every URL field: each can lead a secret elsewhere.
 */
function hostBearingFields(type: IntegrationType): Field[] {
  const base = Object.fromEntries(
    type.fields.map((field) => [
      field.name,
      field.required || field.default !== undefined || field.kind === 'secret' ? sampleValue(field) : null,
    ]),
  );
  const hostOf = (fields: Record<string, FieldValue>) => {
    try {
      return new URL(type.testRequest!({ fields, message: 'test' }).url).host;
    } catch {
      return null;
    }
  };
  return type.fields.filter((field) => {
    if (field.kind === 'secret') return false;
    if (field.kind === 'url' || field.format === 'url') return true;
    return (
      type.testRequest !== undefined && hostOf({ ...base, [field.name]: sampleValue(field, true) }) !== hostOf(base)
    );
  });
}
