/**
 * @module integrations/fields
 * Fields and events shared by several types, declared once: the chat notification basics,
 * GitLab's event toggles, and the URLs of the simple issue trackers.
 */
import type { Field, ParameterAlias, TriggerEvent } from './types.js';

export const BRANCH_CHOICES = [
  { value: 'all', label: 'All branches' },
  { value: 'default', label: 'Default branch' },
  { value: 'protected', label: 'Protected branches' },
  { value: 'default_and_protected', label: 'Default branch and protected branches' },
] as const;

export function webhookField(example: string, label = 'Webhook URL'): Field {
  return {
    name: 'webhook',
    label,
    kind: 'secret',
    format: 'url',
    required: true,
    placeholder: example,
    help: 'The incoming webhook URL. It contains a token, so it is stored encrypted and never shown again.',
  };
}

export const notifyOnlyBrokenPipelines: Field = {
  name: 'notify_only_broken_pipelines',
  label: 'Notify only broken pipelines',
  kind: 'checkbox',
  section: 'configuration',
  default: true,
  help: 'Do not send notifications for successful pipelines.',
};

export const notifyOnlyWhenPipelineStatusChanges: Field = {
  name: 'notify_only_when_pipeline_status_changes',
  label: 'Notify only when pipeline status changes',
  kind: 'checkbox',
  section: 'configuration',
  default: false,
  help: 'Send a notification only when a branch goes from passing to failing, or back.',
};

export function branchesToBeNotified(defaultValue: 'all' | 'default' = 'default'): Field {
  return {
    name: 'branches_to_be_notified',
    label: 'Branches for which notifications are to be sent',
    kind: 'select',
    section: 'configuration',
    choices: BRANCH_CHOICES,
    default: defaultValue,
  };
}

/**
 * GitLab's deprecated `notify_only_default_branch`, replaced by `branches_to_be_notified`: true is
 * the default branch, false every branch; GET reports true while only the default branch is notified.
 *
 * @example
 * notifyOnlyDefaultBranch.write(false) // 'all'
 * notifyOnlyDefaultBranch.read('default_and_protected') // false
 */
export const notifyOnlyDefaultBranch: ParameterAlias = {
  name: 'notify_only_default_branch',
  field: 'branches_to_be_notified',
  write: (value) => (value ? 'default' : 'all'),
  read: (value) => value === 'default',
};

/** Webhook, pipeline options and branch filter: what every chat integration shares. */
export function chatFields(webhookExample: string): Field[] {
  return [
    webhookField(webhookExample),
    notifyOnlyBrokenPipelines,
    notifyOnlyWhenPipelineStatusChanges,
    branchesToBeNotified(),
  ];
}

const EVENT_TEXT: Record<string, [label: string, description: string, byDefault: boolean]> = {
  push_events: ['Push', 'A push to the repository.', true],
  issues_events: ['Issue', 'An issue is created, closed, or reopened.', true],
  confidential_issues_events: ['Confidential issue', 'A confidential issue is created, closed, or reopened.', true],
  merge_requests_events: ['Merge request', 'A merge request is created, merged, closed, or reopened.', true],
  note_events: ['Note', 'A comment is added.', true],
  confidential_note_events: [
    'Confidential note',
    'An internal note or a comment on a confidential issue is added.',
    true,
  ],
  tag_push_events: ['Tag push', 'A new tag is pushed to the repository.', true],
  pipeline_events: ['Pipeline', 'A pipeline status changes.', true],
  wiki_page_events: ['Wiki page', 'A wiki page is created or updated.', true],
  deployment_events: ['Deployment', 'A deployment starts, finishes, fails, or is canceled.', false],
  incident_events: ['Incident', 'An incident is created, closed, or reopened.', false],
  alert_events: ['Alert', 'A new, unique alert is recorded.', true],
  commit_events: ['Commit', 'A commit mentions an issue.', true],
  group_mention_events: ['Group mention in public', 'A group is mentioned in a public context.', false],
  group_confidential_mention_events: [
    'Group mention in private',
    'A group is mentioned in a confidential context.',
    false,
  ],
};

/**
 * GitLab's per-event channel field of an event, shown beside its toggle; the field's name is
 * GitLab's (`issues_events` -> `issue_channel`). Group-only events have none: they use the
 * default channel.
 *
 * @example
 * eventChannels(events('push_events'), { kind: 'text' }) // [{ name: 'push_channel', label: 'Push channel', event: 'push_events', ... }]
 */
export function eventChannels(
  eventList: readonly TriggerEvent[],
  field: Omit<Field, 'name' | 'label' | 'event'>,
): Field[] {
  return eventList
    .filter((event) => !event.levels)
    .map((event) => ({
      ...field,
      name: `${event.name
        .replace(/_events$/, '')
        .replace(/^(confidential_)?issues$/, '$1issue')
        .replace(/^merge_requests$/, 'merge_request')}_channel`,
      label: `${event.label} channel`,
      event: event.name,
    }));
}

/**
 * GitLab's event toggles by name, with GitLab's defaults unless overridden.
 *
 * @example
 * events('push_events', 'tag_push_events') // Push and Tag push, both on by default
 */
export function events(...names: string[]): TriggerEvent[] {
  return names.map((name) => {
    const [label, description, byDefault] = EVENT_TEXT[name] ?? [name, '', true];
    return { name, label, description, default: byDefault };
  });
}

/** Slack and Discord offer group mentions at the group level only. */
export function groupMentionEvents(): TriggerEvent[] {
  return events('group_mention_events', 'group_confidential_mention_events').map((event) => ({
    ...event,
    levels: ['group'],
  }));
}

/** Push, issues, merge requests, notes, tag pushes, pipelines and wiki pages. */
export const BASE_CHAT_EVENTS = [
  'push_events',
  'issues_events',
  'confidential_issues_events',
  'merge_requests_events',
  'note_events',
  'confidential_note_events',
  'tag_push_events',
  'pipeline_events',
  'wiki_page_events',
] as const;

export function urlField(name: string, label: string, required: boolean, help?: string, placeholder?: string): Field {
  return { name, label, kind: 'url', required, ...(help ? { help } : {}), ...(placeholder ? { placeholder } : {}) };
}

/** Redmine, Bugzilla and the custom issue tracker: the project, issue and new-issue URLs. */
export function issueTrackerUrls(example: string): Field[] {
  return [
    urlField(
      'project_url',
      'Project URL',
      true,
      'The URL of the project in the tracker.',
      `${example}/projects/project`,
    ),
    urlField(
      'issues_url',
      'Issue URL',
      true,
      'The URL of an issue; it must contain :id, which is replaced by the issue number.',
      `${example}/issues/:id`,
    ),
    urlField(
      'new_issue_url',
      'New issue URL',
      true,
      'The URL to create an issue in the tracker.',
      `${example}/projects/project/issues/new`,
    ),
  ];
}

/** Splits a channel, label or address list on commas (and newlines). */
export function listItems(value: unknown): string[] {
  return typeof value === 'string'
    ? value
        .split(/[,\n]/)
        .map((item) => item.trim())
        .filter(Boolean)
    : [];
}
