/**
 * Every parameter GitLab documents (doc/api/integrations.md) for Slack, Jira, Microsoft Teams,
 * Pipeline status emails and Datadog, with a value other than its default and where GitLab's GET
 * shows it: shared by the HTTP test (test/http/api-parameters.test.ts) and the client tests
 * (test/clients/parameters-*.test.ts), so they check the same table.
 */
export type Json = string | number | boolean | string[] | null;

/** A documented parameter: the value sent, and where GET shows it (`top` beside `active`, else in `properties`). */
export interface Parameter {
  sent: Json;
  /** What GET answers, when it differs from what was sent (JSON's type, not the form's). */
  read?: Json;
  at?: 'top' | 'properties' | 'secret';
}

const p = (sent: Json, more: Omit<Parameter, 'sent'> = {}): Parameter => ({ sent, ...more });
const event = (sent: boolean): Parameter => ({ sent, at: 'top' });
const secret = (sent: string): Parameter => ({ sent, at: 'secret' });

const CHAT_CHANNELS = [
  'alert',
  'confidential_issue',
  'confidential_note',
  'deployment',
  'incident',
  'issue',
  'merge_request',
  'note',
  'pipeline',
  'push',
  'tag_push',
  'wiki_page',
];

/** Each type's documented parameters, with values other than the defaults so that a value left unsaved shows. */
export const DOCUMENTED: Record<string, Record<string, Parameter>> = {
  slack: {
    webhook: secret('https://hooks.slack.com/services/T000/B000/XXXX'),
    username: p('deploy-bot'),
    channel: p('#backend'),
    notify_only_broken_pipelines: p(false),
    notify_only_default_branch: p(false),
    branches_to_be_notified: p('all'),
    labels_to_be_notified: p('~backend,~bug'),
    labels_to_be_notified_behavior: p('match_all'),
    ...Object.fromEntries(CHAT_CHANNELS.map((name) => [`${name}_channel`, p(`#${name.replace(/_/g, '-')}`)])),
    alert_events: event(false),
    confidential_issues_events: event(false),
    confidential_note_events: event(false),
    deployment_events: event(true),
    incident_events: event(true),
    issues_events: event(false),
    merge_requests_events: event(false),
    note_events: event(false),
    pipeline_events: event(false),
    push_events: event(false),
    tag_push_events: event(false),
    wiki_page_events: event(false),
  },
  jira: {
    url: p('https://jira.example.com'),
    api_url: p('https://jira-api.example.com'),
    username: p('jira-bot'),
    password: secret('jira-token'),
    active: { sent: true, at: 'top' },
    jira_auth_type: p(1),
    jira_issue_prefix: p('JIRA#'),
    jira_issue_regex: p('[A-Z]+-\\d+'),
    jira_issue_transition_automatic: p(true),
    jira_issue_transition_id: p('11,21'),
    commit_events: event(false),
    merge_requests_events: event(false),
    comment_on_event_enabled: event(true),
    issues_enabled: p(true),
    project_keys: p(['PROJ', 'OPS']),
  },
  'microsoft-teams': {
    webhook: secret('https://outlook.office.com/webhook/XXXX'),
    notify_only_broken_pipelines: p(false),
    notify_only_default_branch: p(false),
    branches_to_be_notified: p('all'),
    push_events: event(false),
    issues_events: event(false),
    confidential_issues_events: event(false),
    merge_requests_events: event(false),
    tag_push_events: event(false),
    note_events: event(false),
    confidential_note_events: event(false),
    pipeline_events: event(false),
    wiki_page_events: event(false),
  },
  'pipelines-email': {
    recipients: p('dev@example.com, ops@example.com'),
    notify_only_broken_pipelines: p(false),
    branches_to_be_notified: p('protected'),
    notify_only_default_branch: p(false),
    pipeline_events: event(true),
  },
  datadog: {
    api_key: secret('0123456789abcdef'),
    datadog_ci_visibility: p(true),
    api_url: p('https://webhook-intake.datadoghq.eu/api/v2/webhook'),
    datadog_env: p('ci'),
    datadog_service: p('gitlab-ci'),
    datadog_site: p('datadoghq.eu'),
    datadog_tags: p('team:platform\nregion:eu'),
    archive_trace_events: p(true),
  },
};

/** What a form-encoded client sends for a JSON value: lists as name[]=a&name[]=b. */
export function formParams(params: Record<string, Json>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) =>
      Array.isArray(value) ? [`${name}[]`, value] : [name, value === null ? '' : String(value)],
    ),
  );
}

/** The values a PUT sends for one type: each documented parameter with its value. */
export function sentValues(slug: string): Record<string, Json> {
  return Object.fromEntries(Object.entries(DOCUMENTED[slug]!).map(([name, { sent }]) => [name, sent]));
}

/**
 * What a GET answered for each documented parameter of one type, beside what GitLab answers, so
 * that a test compares them value by value: `toStrictEqual(expected)` on `shown`. Secrets are
 * not compared: `leakedSecrets` names those whose name or value appears anywhere in the answer.
 *
 * @example
 * const { shown, expected, leakedSecrets } = readBack('slack', await client.show('slack'));
 */
export function readBack(
  slug: string,
  body: Record<string, unknown>,
): { shown: Record<string, unknown>; expected: Record<string, Json>; leakedSecrets: string[] } {
  const properties = (body.properties ?? {}) as Record<string, unknown>;
  const text = JSON.stringify(body);
  const shown: Record<string, unknown> = {};
  const expected: Record<string, Json> = {};
  const leakedSecrets: string[] = [];
  for (const [name, { sent, read = sent, at = 'properties' }] of Object.entries(DOCUMENTED[slug]!)) {
    if (at === 'secret') {
      if (name in properties || text.includes(String(sent))) leakedSecrets.push(name);
      continue;
    }
    shown[name] = at === 'top' ? body[name] : properties[name];
    expected[name] = read;
  }
  return { shown, expected, leakedSecrets };
}
