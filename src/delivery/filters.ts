/**
 * @module delivery/filters
 * Whether an integration's effective settings ask for an event, and on which channels: GitLab's
 * rules of app/models/concerns/integrations/base/chat_notification.rb (`execute`, `notify_label?`,
 * `get_message`, `notify_for_ref?`, `channels_for_event`), notification_branch_selection.rb
 * (`notify_for_branch?`) and notification_pipeline_status_selection.rb, with the hook scopes that
 * send confidential issues and notes only to their confidential events. Pure: no database, no HTTP.
 */
import type { HostKind } from '../code-hosts/host.js';
import { listItems } from '../integrations/fields.js';
import type { FieldValue } from '../integrations/types.js';
import type { DeliveryEvent } from './event.js';

/** The effective settings of one integration, as resolved for the event's project. */
export interface DeliverySettings {
  fields: Readonly<Record<string, FieldValue>>;
  /** Trigger events by GitLab's name (`push_events`); a type's reported events merged in. */
  events: Readonly<Record<string, boolean>>;
}

/** What the code host says of the project, and the last finished pipeline of the event's ref. */
export interface DeliveryContext {
  defaultBranch: string | null;
  /** Names or patterns in the host's syntax: GitLab's wildcards (`release/*`), Gitea's and Forgejo's globs. */
  protectedBranches: readonly string[];
  /** What the ref's last finished pipeline before this event did; null when it had none (or a newer one finished). */
  lastPipelineStatus?: 'success' | 'failed' | null;
}

export type Decision = { notify: true; channels: string[] } | { notify: false; reason: string };

/** GitLab's `channel_limit_per_event`. */
export const CHANNEL_LIMIT = 10;

const TRIGGER_EVENTS: Record<DeliveryEvent['kind'], string> = {
  push: 'push_events',
  tag_push: 'tag_push_events',
  issue: 'issues_events',
  confidential_issue: 'confidential_issues_events',
  merge_request: 'merge_requests_events',
  note: 'note_events',
  confidential_note: 'confidential_note_events',
  pipeline: 'pipeline_events',
  job: 'job_events',
  wiki_page: 'wiki_page_events',
  deployment: 'deployment_events',
  release: 'releases_events',
};

/**
 * The trigger event that sends this event, by GitLab's API name: a confidential issue only
 * `confidential_issues_events`, never `issues_events`.
 *
 * @example
 * triggerEventOf({ kind: 'confidential_note', ... }) // 'confidential_note_events'
 */
export function triggerEventOf(event: DeliveryEvent): string {
  return TRIGGER_EVENTS[event.kind];
}

/**
 * The trigger that sends an event to an integration with these trigger events: issue trackers
 * (Jira) take pushes by `commit_events`, GitLab's name for their commits.
 *
 * @example
 * integrationTriggerOf({ kind: 'push', ... }, { commit_events: true, merge_requests_events: true }) // 'commit_events'
 */
export function integrationTriggerOf(event: DeliveryEvent, events: DeliverySettings['events']): string {
  return event.kind === 'push' && 'commit_events' in events ? 'commit_events' : triggerEventOf(event);
}

/**
 * All GitLab checks before it hands an event to an integration that is no chat notification
 * (Jenkins, Datadog, Jira, Pushover): the event's trigger is not off. A type without a toggle for
 * it decides alone which events it sends.
 *
 * @example
 * triggerDecision({ kind: 'merge_request', ... }, { push_events: true, merge_requests_events: false })
 * // { notify: false, reason: 'The merge_requests_events trigger is off' }
 */
export function triggerDecision(event: DeliveryEvent, events: DeliverySettings['events']): Decision {
  const trigger = integrationTriggerOf(event, events);
  return events[trigger] === false
    ? { notify: false, reason: `The ${trigger} trigger is off` }
    : { notify: true, channels: [] };
}

/** The per-event channel fields GitLab reads, in order, before the default `channel`. */
const CHANNEL_FIELDS: Partial<Record<DeliveryEvent['kind'], readonly string[]>> = {
  push: ['push_channel'],
  tag_push: ['tag_push_channel'],
  issue: ['issue_channel'],
  confidential_issue: ['confidential_issue_channel', 'issue_channel'],
  merge_request: ['merge_request_channel'],
  note: ['note_channel'],
  confidential_note: ['confidential_note_channel', 'note_channel'],
  pipeline: ['pipeline_channel'],
  wiki_page: ['wiki_page_channel'],
  deployment: ['deployment_channel'],
};

const valueList = (value: FieldValue | undefined): string[] =>
  Array.isArray(value) ? value.map((item) => item.trim()).filter(Boolean) : listItems(value);

/**
 * The channels an event is posted to: its own channel field when set (confidential issues and
 * notes fall back to the issue and note channels), else the default `channel`; none when neither
 * is set (the webhook's own channel). Saving refuses more than 10; a longer stored list is cut
 * to GitLab's limit rather than posted to every entry.
 *
 * @example
 * channelsFor({ kind: 'confidential_issue', ... }, { issue_channel: '#issues', channel: '#all' }) // ['#issues']
 * channelsFor({ kind: 'push', ... }, { channel: '#dev, #ops, #dev' }) // ['#dev', '#ops']
 */
export function channelsFor(event: DeliveryEvent, fields: DeliverySettings['fields']): string[] {
  const own = (CHANNEL_FIELDS[event.kind] ?? []).map((name) => valueList(fields[name])).find((list) => list.length);
  return [...new Set(own ?? valueList(fields.channel))].slice(0, CHANNEL_LIMIT);
}

/** GitLab's wildcard protected branches: `*` matches any run of characters (Gitlab::RefMatcher). */
function matchesGitLabRule(branch: string, rule: string): boolean {
  if (!rule.includes('*')) return branch === rule;
  const pattern = rule
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*?');
  return new RegExp(`^${pattern}$`).test(branch);
}

const GITEA_SPECIAL = /[*?\\[\]{}]/;

/**
 * Gitea's glob (modules/glob, compiled with `/` as separator) as a regular expression: `*` and `?`
 * stop at `/`, `**` does not, `[!a-z]` and `{a,b}` as in gobwas/glob, `\\` escapes.
 */
function giteaGlobPattern(rule: string): string {
  let pattern = '';
  let open = 0;
  for (let at = 0; at < rule.length; at++) {
    const char = rule[at]!;
    if (char === '*' && rule[at + 1] === '*') {
      pattern += '.*';
      at++;
    } else if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else if (char === '\\') {
      if (at + 1 === rule.length) throw new SyntaxError('no character to escape');
      pattern += `\\${rule[++at]}`;
    } else if (char === '[') {
      const end = rule.indexOf(']', at + 1);
      if (end < 0) throw new SyntaxError('unterminated character class');
      const chars = rule.slice(at + 1, end);
      pattern += chars.startsWith('!') ? `[^${chars.slice(1)}]` : `[${chars}]`;
      at = end;
    } else if (char === '{') {
      open++;
      pattern += '(';
    } else if (char === '}' && open > 0) {
      open--;
      pattern += ')';
    } else if (char === ',' && open > 0) pattern += '|';
    else pattern += char.replace(/[.^$()|+\\/{}]/g, '\\$&');
  }
  if (open > 0) throw new SyntaxError('unterminated alternatives');
  return pattern;
}

/**
 * Gitea's and Forgejo's ProtectedBranch.Match: a rule without glob characters is a branch name,
 * compared without case; a rule that does not compile is taken as written.
 */
function matchesGiteaRule(branch: string, rule: string): boolean {
  if (!GITEA_SPECIAL.test(rule)) return branch.toLowerCase() === rule.toLowerCase();
  try {
    return new RegExp(`^${giteaGlobPattern(rule)}$`).test(branch);
  } catch {
    return branch === rule;
  }
}

const BRANCH_RULE_REASONS: Record<string, string> = {
  default: 'Only the default branch is notified',
  protected: 'Only protected branches are notified',
  default_and_protected: 'Only the default branch and protected branches are notified',
};

/**
 * GitLab's `notify_for_branch?`. A type without the field (undefined) has no branch rule; any
 * other value than the four choices notifies no branch, as in GitLab. Protected branch patterns
 * match as the project's host matches them.
 *
 * @example
 * branchDecision('main', 'default', { defaultBranch: 'main', protectedBranches: [] }) // undefined (notified)
 * branchDecision('feature', 'default', { defaultBranch: 'main', protectedBranches: [] }) // 'Only the default branch is notified'
 */
export function branchDecision(
  branch: string,
  rule: FieldValue | undefined,
  context: DeliveryContext,
  host: HostKind = 'gitlab',
): string | undefined {
  if (rule === undefined || rule === 'all') return undefined;
  const isDefault = branch === context.defaultBranch;
  const matches = host === 'gitlab' ? matchesGitLabRule : matchesGiteaRule;
  const isProtected = context.protectedBranches.some((protectedRule) => matches(branch, protectedRule));
  const notified =
    rule === 'default'
      ? isDefault
      : rule === 'protected'
        ? isProtected
        : rule === 'default_and_protected' && (isDefault || isProtected);
  if (notified) return undefined;
  return BRANCH_RULE_REASONS[String(rule)] ?? `No branch is notified (branches_to_be_notified is ${String(rule)})`;
}

/** GitLab's `notify_for_ref?`: tags always, an event without a ref always, branches by the rule. */
function refDecision(event: DeliveryEvent, fields: DeliverySettings['fields'], context: DeliveryContext) {
  const ref = refOf(event);
  if (!ref || ref.tag) return undefined;
  return branchDecision(ref.name, fields.branches_to_be_notified, context, event.host);
}

function refOf(event: DeliveryEvent): { name: string; tag: boolean } | null {
  switch (event.kind) {
    case 'push':
    case 'tag_push':
      return { name: event.push.refName, tag: event.kind === 'tag_push' || event.push.refType === 'tag' };
    case 'pipeline':
      return { name: event.pipeline.ref, tag: event.pipeline.tag };
    case 'deployment': {
      const ref = event.deployment.ref;
      return ref ? { name: ref.replace(/^refs\/(heads|tags)\//, ''), tag: ref.startsWith('refs/tags/') } : null;
    }
    default:
      return null;
  }
}

/** The labels GitLab's `notify_label?` reads, for the events it filters by label. */
function labelsOf(event: DeliveryEvent): string[] | null {
  switch (event.kind) {
    case 'issue':
    case 'confidential_issue':
      return event.issue.labels;
    case 'merge_request':
      return event.mergeRequest.labels;
    case 'note':
    case 'confidential_note':
      return 'labels' in event.note.on ? event.note.on.labels : [];
    default:
      return null;
  }
}

/**
 * GitLab's `notify_label?`: with `labels_to_be_notified` set (`~backend,~frontend`, the tildes
 * dropped), an issue, merge request or comment must carry any of them (`match_any`, the default)
 * or all of them (`match_all`); one without labels is not notified.
 *
 * @example
 * labelDecision(['API'], { labels_to_be_notified: '~API,~UI' }) // undefined (notified)
 * labelDecision(['API'], { labels_to_be_notified: '~API,~UI', labels_to_be_notified_behavior: 'match_all' })
 * // 'Only events with all of the labels API, UI are notified'
 */
export function labelDecision(labels: readonly string[], fields: DeliverySettings['fields']): string | undefined {
  const wanted = valueList(fields.labels_to_be_notified).map((label) => label.replaceAll('~', '').trim());
  if (wanted.length === 0) return undefined;
  const matchAll = fields.labels_to_be_notified_behavior === 'match_all';
  const carried = new Set(labels);
  const notified = matchAll ? wanted.every((label) => carried.has(label)) : wanted.some((label) => carried.has(label));
  if (notified) return undefined;
  return `Only events with ${matchAll ? 'all' : 'any'} of the labels ${wanted.join(', ')} are notified`;
}

/**
 * GitLab's `notify_for_pipeline?`: passed and failed pipelines only; a passed one not when
 * `notify_only_broken_pipelines`; with `notify_only_when_pipeline_status_changes`, a failure only
 * after a success on the ref and a success only after a failure (GitLab's Ci::Ref `broken` and
 * `fixed`: a ref with no finished pipeline before is neither).
 *
 * @example
 * pipelineDecision('success', { notify_only_broken_pipelines: true }, undefined) // 'Only broken pipelines are notified'
 * pipelineDecision('failed', { notify_only_when_pipeline_status_changes: true }, 'success') // undefined (notified)
 */
export function pipelineDecision(
  status: string,
  fields: DeliverySettings['fields'],
  lastStatus: DeliveryContext['lastPipelineStatus'],
): string | undefined {
  const onlyChanges = fields.notify_only_when_pipeline_status_changes === true;
  if (status === 'failed') {
    return !onlyChanges || lastStatus === 'success' ? undefined : 'The pipeline was already failing on this ref';
  }
  if (status === 'success') {
    if (fields.notify_only_broken_pipelines === true) return 'Only broken pipelines are notified';
    return !onlyChanges || lastStatus === 'failed' ? undefined : 'The pipeline was already passing on this ref';
  }
  return `Only passed and failed pipelines are notified (this one is ${status})`;
}

/** GitLab's `update?`: an update follows the open or close it belongs to, so it is not sent twice. */
function actionDecision(event: DeliveryEvent): string | undefined {
  if ((event.kind === 'issue' || event.kind === 'confidential_issue') && event.issue.action === 'update') {
    return 'Issue updates are not notified';
  }
  if (event.kind === 'merge_request' && event.mergeRequest.action === 'update') {
    return 'Merge request updates are not notified';
  }
  // GitLab never sends a deleted comment; Gitea does, and there is nothing to post.
  if ((event.kind === 'note' || event.kind === 'confidential_note') && event.note.action === 'delete') {
    return 'Deleted comments are not notified';
  }
  return undefined;
}

/**
 * Whether the settings ask for this event, in GitLab's order (trigger, labels, action, ref,
 * pipeline status), and the channels to post it to; or the first rule that stops it, in words
 * for the delivery log.
 *
 * @example
 * shouldNotify(pushToFeature, { fields: { branches_to_be_notified: 'default' }, events: { push_events: true } },
 *   { defaultBranch: 'main', protectedBranches: [] })
 * // { notify: false, reason: 'Only the default branch is notified' }
 */
export function shouldNotify(event: DeliveryEvent, settings: DeliverySettings, context: DeliveryContext): Decision {
  const trigger = triggerEventOf(event);
  const labels = labelsOf(event);
  const reason =
    (settings.events[trigger] === true ? undefined : `The ${trigger} trigger is off`) ??
    (labels ? labelDecision(labels, settings.fields) : undefined) ??
    actionDecision(event) ??
    refDecision(event, settings.fields, context) ??
    (event.kind === 'pipeline'
      ? pipelineDecision(event.pipeline.status, settings.fields, context.lastPipelineStatus)
      : undefined);
  return reason === undefined
    ? { notify: true, channels: channelsFor(event, settings.fields) }
    : { notify: false, reason };
}
