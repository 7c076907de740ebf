import { describe, expect, it } from 'vitest';
import { toDeliveryEvent, type DeliveryEvent } from '../../src/delivery/event.js';
import {
  channelsFor,
  integrationTriggerOf,
  shouldNotify,
  triggerDecision,
  triggerEventOf,
  type DeliveryContext,
  type DeliverySettings,
} from '../../src/delivery/filters.js';
import type { FieldValue } from '../../src/integrations/types.js';
import { deliveryPayload, payload } from '../support/code-host-events.js';

type Body = Record<string, unknown>;

function gitlabEvent(name: string, change: (body: Body) => void = () => {}): DeliveryEvent {
  const body =
    name === 'confidential-issue'
      ? (JSON.parse(payload('gitlab-project-issue-confidential')) as Body)
      : deliveryPayload(`gitlab-${name}`);
  change(body);
  const result = toDeliveryEvent('gitlab', 'Hook', body);
  if ('invalid' in result) throw new Error(result.invalid);
  return result.event;
}

const ALL_EVENTS = {
  push_events: true,
  tag_push_events: true,
  issues_events: true,
  confidential_issues_events: true,
  merge_requests_events: true,
  note_events: true,
  confidential_note_events: true,
  pipeline_events: true,
  job_events: true,
  wiki_page_events: true,
  deployment_events: true,
  releases_events: true,
};

const settings = (fields: Record<string, FieldValue> = {}, events: Record<string, boolean> = {}): DeliverySettings => ({
  fields: { branches_to_be_notified: 'all', ...fields },
  events: { ...ALL_EVENTS, ...events },
});
const context: DeliveryContext = { defaultBranch: 'master', protectedBranches: ['release/*', 'stable'] };

const attributes = (body: Body) => body.object_attributes as Body;
const onBranch = (ref: string) => (body: Body) => {
  body.ref = `refs/heads/${ref}`;
};
const pipelineOn =
  (ref: string, status = 'failed') =>
  (body: Body) => {
    Object.assign(attributes(body), { ref, status });
  };

describe('the trigger event of each event', () => {
  it("is GitLab's API name, confidential issues and notes only their confidential event", () => {
    expect(triggerEventOf(gitlabEvent('push'))).toBe('push_events');
    expect(triggerEventOf(gitlabEvent('tag-push'))).toBe('tag_push_events');
    expect(triggerEventOf(gitlabEvent('issue'))).toBe('issues_events');
    expect(triggerEventOf(gitlabEvent('confidential-issue'))).toBe('confidential_issues_events');
    expect(triggerEventOf(gitlabEvent('merge-request'))).toBe('merge_requests_events');
    expect(triggerEventOf(gitlabEvent('note-issue'))).toBe('note_events');
    expect(triggerEventOf(gitlabEvent('note-issue', (body) => (body.event_type = 'confidential_note')))).toBe(
      'confidential_note_events',
    );
    expect(triggerEventOf(gitlabEvent('pipeline'))).toBe('pipeline_events');
    expect(triggerEventOf(gitlabEvent('job'))).toBe('job_events');
    expect(triggerEventOf(gitlabEvent('wiki-page'))).toBe('wiki_page_events');
    expect(triggerEventOf(gitlabEvent('deployment'))).toBe('deployment_events');
    expect(triggerEventOf(gitlabEvent('release'))).toBe('releases_events');
  });

  it('sends an event only when its trigger is on', () => {
    expect(shouldNotify(gitlabEvent('push'), settings({}, { push_events: false }), context)).toEqual({
      notify: false,
      reason: 'The push_events trigger is off',
    });
    expect(shouldNotify(gitlabEvent('push'), settings(), context)).toEqual({ notify: true, channels: [] });
    const withoutJobs = { ...settings(), events: { push_events: true } };
    expect(shouldNotify(gitlabEvent('job'), withoutJobs, context)).toEqual({
      notify: false,
      reason: 'The job_events trigger is off',
    });
  });

  it('sends a confidential issue only to confidential_issues_events, never to issues_events', () => {
    const confidential = gitlabEvent('confidential-issue');
    expect(shouldNotify(confidential, settings({}, { confidential_issues_events: false }), context)).toMatchObject({
      notify: false,
    });
    expect(shouldNotify(confidential, settings({}, { issues_events: false }), context)).toMatchObject({ notify: true });
    const note = gitlabEvent('note-issue', (body) => (body.event_type = 'confidential_note'));
    expect(shouldNotify(note, settings({}, { confidential_note_events: false }), context)).toMatchObject({
      notify: false,
    });
    expect(shouldNotify(note, settings({}, { note_events: false }), context)).toMatchObject({ notify: true });
  });
});

describe('branches_to_be_notified', () => {
  const push = (branch: string, rule: string) =>
    shouldNotify(gitlabEvent('push', onBranch(branch)), settings({ branches_to_be_notified: rule }), context);

  it('default: the default branch only', () => {
    expect(push('master', 'default')).toMatchObject({ notify: true });
    expect(push('stable', 'default')).toEqual({ notify: false, reason: 'Only the default branch is notified' });
  });

  it("protected: the host's protected branches, wildcards as GitLab matches them", () => {
    expect(push('stable', 'protected')).toMatchObject({ notify: true });
    expect(push('release/1.2', 'protected')).toMatchObject({ notify: true });
    expect(push('release/1.2/hotfix', 'protected')).toMatchObject({ notify: true });
    expect(push('release', 'protected')).toEqual({ notify: false, reason: 'Only protected branches are notified' });
    expect(push('master', 'protected')).toMatchObject({ notify: false });
    expect(push('stable.x', 'protected')).toMatchObject({ notify: false });
  });

  it('protected on Gitea and Forgejo: the rules as their globs match them, `*` within one segment, a name without case', () => {
    const giteaPush = (branch: string) => ({ ...gitlabEvent('push', onBranch(branch)), host: 'gitea' as const });
    const rules = {
      ...context,
      protectedBranches: ['release/*', 'Stable', 'hotfix/**', 'v[0-9].{x,y}', 'ci-?'],
    };
    const protectedOnly = settings({ branches_to_be_notified: 'protected' });
    const notified = (branch: string) => shouldNotify(giteaPush(branch), protectedOnly, rules).notify;
    expect(notified('release/1')).toBe(true);
    expect(notified('release/1/hotfix')).toBe(false);
    expect(notified('stable')).toBe(true);
    expect(notified('hotfix/a/b')).toBe(true);
    expect(notified('v1.x')).toBe(true);
    expect(notified('v1.z')).toBe(false);
    expect(notified('ci-1')).toBe(true);
    expect(notified('ci-12')).toBe(false);
    expect(notified('feature')).toBe(false);
  });

  it('default_and_protected: either', () => {
    expect(push('master', 'default_and_protected')).toMatchObject({ notify: true });
    expect(push('release/2', 'default_and_protected')).toMatchObject({ notify: true });
    expect(push('feature', 'default_and_protected')).toEqual({
      notify: false,
      reason: 'Only the default branch and protected branches are notified',
    });
  });

  it('all: every branch; an unknown value: none, as in GitLab', () => {
    expect(push('feature', 'all')).toMatchObject({ notify: true });
    expect(push('master', 'some')).toMatchObject({ notify: false });
  });

  it('tags always, whatever the rule', () => {
    const tag = gitlabEvent('tag-push');
    expect(shouldNotify(tag, settings({ branches_to_be_notified: 'default' }), context)).toMatchObject({
      notify: true,
    });
    const taggedPipeline = gitlabEvent('pipeline', (body) => Object.assign(attributes(body), { ref: 'v1', tag: true }));
    expect(shouldNotify(taggedPipeline, settings({ branches_to_be_notified: 'default' }), context)).toMatchObject({
      notify: true,
    });
  });

  it('applies to pipelines and deployments by their ref; a deployment without a ref is sent', () => {
    const rule = settings({ branches_to_be_notified: 'default' });
    expect(shouldNotify(gitlabEvent('pipeline', pipelineOn('feature')), rule, context)).toEqual({
      notify: false,
      reason: 'Only the default branch is notified',
    });
    expect(shouldNotify(gitlabEvent('pipeline', pipelineOn('master')), rule, context)).toMatchObject({ notify: true });
    expect(shouldNotify(gitlabEvent('deployment'), rule, context)).toMatchObject({ notify: true });
    expect(
      shouldNotify(
        gitlabEvent('deployment', (body) => (body.ref = 'feature')),
        rule,
        context,
      ),
    ).toMatchObject({
      notify: false,
    });
  });

  it('does not apply to issues, merge requests or notes', () => {
    const rule = settings({ branches_to_be_notified: 'protected' });
    expect(shouldNotify(gitlabEvent('merge-request'), rule, context)).toMatchObject({ notify: true });
    expect(shouldNotify(gitlabEvent('note-commit'), rule, { ...context, protectedBranches: [] })).toMatchObject({
      notify: true,
    });
  });
});

describe('labels_to_be_notified', () => {
  const issue = gitlabEvent('issue', (body) => {
    body.labels = [{ title: 'API' }, { title: 'backend' }];
  });

  it('match_any (the default): any listed label, tildes dropped', () => {
    expect(shouldNotify(issue, settings({ labels_to_be_notified: '~frontend, ~API' }), context)).toMatchObject({
      notify: true,
    });
    expect(shouldNotify(issue, settings({ labels_to_be_notified: '~frontend,~docs' }), context)).toEqual({
      notify: false,
      reason: 'Only events with any of the labels frontend, docs are notified',
    });
  });

  it('match_all: every listed label', () => {
    const all = (labels: string) =>
      settings({ labels_to_be_notified: labels, labels_to_be_notified_behavior: 'match_all' });
    expect(shouldNotify(issue, all('~API,~backend'), context)).toMatchObject({ notify: true });
    expect(shouldNotify(issue, all('~API,~frontend'), context)).toEqual({
      notify: false,
      reason: 'Only events with all of the labels API, frontend are notified',
    });
  });

  it('reads a merge request and a note by the labels of what they are on; a commit note has none', () => {
    const filter = settings({ labels_to_be_notified: '~Element' });
    expect(shouldNotify(gitlabEvent('merge-request'), filter, context)).toMatchObject({ notify: false });
    expect(shouldNotify(gitlabEvent('note-merge-request'), filter, context)).toMatchObject({ notify: true });
    expect(shouldNotify(gitlabEvent('note-issue'), filter, context)).toMatchObject({ notify: true });
    expect(shouldNotify(gitlabEvent('note-commit'), filter, context)).toMatchObject({ notify: false });
  });

  it('leaves pushes, pipelines and the rest alone, and everything when blank', () => {
    const filter = settings({ labels_to_be_notified: '~Element' });
    expect(shouldNotify(gitlabEvent('push'), filter, context)).toMatchObject({ notify: true });
    expect(shouldNotify(gitlabEvent('wiki-page'), filter, context)).toMatchObject({ notify: true });
    expect(shouldNotify(gitlabEvent('merge-request'), settings({ labels_to_be_notified: '' }), context)).toMatchObject({
      notify: true,
    });
  });
});

describe('issue and merge request updates', () => {
  it('are skipped as GitLab skips them; open, close, reopen and merge are sent', () => {
    const issueAction = (action: string) =>
      shouldNotify(
        gitlabEvent('issue', (body) => (attributes(body).action = action)),
        settings(),
        context,
      );
    expect(issueAction('update')).toEqual({ notify: false, reason: 'Issue updates are not notified' });
    for (const action of ['open', 'close', 'reopen']) expect(issueAction(action)).toMatchObject({ notify: true });
    const mergeRequestAction = (action: string) =>
      shouldNotify(
        gitlabEvent('merge-request', (body) => (attributes(body).action = action)),
        settings(),
        context,
      );
    expect(mergeRequestAction('update')).toEqual({ notify: false, reason: 'Merge request updates are not notified' });
    for (const action of ['open', 'merge', 'approval', 'approved']) {
      expect(mergeRequestAction(action)).toMatchObject({ notify: true });
    }
  });

  it('leaves edited comments alone, and skips a comment Gitea says was deleted', () => {
    expect(
      shouldNotify(
        gitlabEvent('note-issue', (body) => (attributes(body).action = 'update')),
        settings(),
        context,
      ),
    ).toMatchObject({ notify: true });
    const deleted = toDeliveryEvent('gitea', 'issue_comment', {
      ...deliveryPayload('gitea-issue-comment'),
      action: 'deleted',
    });
    if ('invalid' in deleted) throw new Error(deleted.invalid);
    expect(shouldNotify(deleted.event, settings(), context)).toEqual({
      notify: false,
      reason: 'Deleted comments are not notified',
    });
  });
});

describe('pipeline rules', () => {
  const pipeline = (status: string, fields: Record<string, FieldValue>, lastPipelineStatus?: 'success' | 'failed') =>
    shouldNotify(gitlabEvent('pipeline', pipelineOn('master', status)), settings(fields), {
      ...context,
      lastPipelineStatus,
    });

  it('sends passed and failed pipelines only', () => {
    expect(pipeline('success', {})).toMatchObject({ notify: true });
    expect(pipeline('failed', {})).toMatchObject({ notify: true });
    expect(pipeline('running', {})).toEqual({
      notify: false,
      reason: 'Only passed and failed pipelines are notified (this one is running)',
    });
    expect(pipeline('canceled', {})).toMatchObject({ notify: false });
  });

  it('notify_only_broken_pipelines: no passed pipelines', () => {
    expect(pipeline('success', { notify_only_broken_pipelines: true })).toEqual({
      notify: false,
      reason: 'Only broken pipelines are notified',
    });
    expect(pipeline('failed', { notify_only_broken_pipelines: true })).toMatchObject({ notify: true });
  });

  it('notify_only_when_pipeline_status_changes: a failure after a success, a success after a failure', () => {
    const changes = { notify_only_when_pipeline_status_changes: true };
    expect(pipeline('failed', changes, 'success')).toMatchObject({ notify: true });
    expect(pipeline('failed', changes, 'failed')).toEqual({
      notify: false,
      reason: 'The pipeline was already failing on this ref',
    });
    expect(pipeline('success', changes, 'failed')).toMatchObject({ notify: true });
    expect(pipeline('success', changes, 'success')).toEqual({
      notify: false,
      reason: 'The pipeline was already passing on this ref',
    });
    // GitLab's Ci::Ref: the first pipeline of a ref is neither broken nor fixed.
    expect(pipeline('failed', changes)).toMatchObject({ notify: false });
    expect(pipeline('success', changes)).toMatchObject({ notify: false });
    expect(pipeline('success', { ...changes, notify_only_broken_pipelines: true }, 'failed')).toMatchObject({
      notify: false,
    });
  });
});

describe('the channels of an event', () => {
  const push = gitlabEvent('push');

  it("are the event's own channels, else the default channel, else none", () => {
    expect(channelsFor(push, { push_channel: '#pushes', channel: '#all' })).toEqual(['#pushes']);
    expect(channelsFor(push, { push_channel: '', channel: '#all' })).toEqual(['#all']);
    expect(channelsFor(push, { issue_channel: '#issues' })).toEqual([]);
    expect(channelsFor(gitlabEvent('merge-request'), { merge_request_channel: '#mr', channel: '#all' })).toEqual([
      '#mr',
    ]);
    expect(channelsFor(gitlabEvent('tag-push'), { tag_push_channel: '#tags', push_channel: '#p' })).toEqual(['#tags']);
  });

  it('fall back from confidential issues and notes to the issue and note channels', () => {
    const confidential = gitlabEvent('confidential-issue');
    expect(channelsFor(confidential, { confidential_issue_channel: '#secret', issue_channel: '#issues' })).toEqual([
      '#secret',
    ]);
    expect(channelsFor(confidential, { issue_channel: '#issues', channel: '#all' })).toEqual(['#issues']);
    const note = gitlabEvent('note-issue', (body) => (body.event_type = 'confidential_note'));
    expect(channelsFor(note, { note_channel: '#notes', channel: '#all' })).toEqual(['#notes']);
  });

  it('are split on commas, trimmed, each once, at most 10', () => {
    expect(channelsFor(push, { channel: ' #a, #b ,#a' })).toEqual(['#a', '#b']);
    const twelve = Array.from({ length: 12 }, (_, index) => `#c${index}`).join(',');
    expect(channelsFor(push, { channel: twelve })).toHaveLength(10);
    expect(shouldNotify(push, settings({ channel: '#x,#y' }), context)).toEqual({
      notify: true,
      channels: ['#x', '#y'],
    });
  });
});

describe('integrations that are no chat notification (Jenkins, Datadog, Jira, Pushover)', () => {
  it('take every event of a trigger that is on: merge request updates and running pipelines too', () => {
    const updated = gitlabEvent('merge-request', (body) => (attributes(body).action = 'update'));
    expect(triggerDecision(updated, { merge_requests_events: true })).toEqual({ notify: true, channels: [] });
    expect(
      triggerDecision(gitlabEvent('pipeline', pipelineOn('feature', 'running')), { pipeline_events: true }),
    ).toEqual({ notify: true, channels: [] });
    expect(triggerDecision(updated, { merge_requests_events: false })).toEqual({
      notify: false,
      reason: 'The merge_requests_events trigger is off',
    });
  });

  it("take pushes by an issue tracker's commit_events, and leave an event without a toggle to the type", () => {
    const jira = { commit_events: false, merge_requests_events: true };
    expect(integrationTriggerOf(gitlabEvent('push'), jira)).toBe('commit_events');
    expect(triggerDecision(gitlabEvent('push'), jira)).toEqual({
      notify: false,
      reason: 'The commit_events trigger is off',
    });
    expect(integrationTriggerOf(gitlabEvent('push'), { push_events: true })).toBe('push_events');
    expect(triggerDecision(gitlabEvent('push'), {})).toEqual({ notify: true, channels: [] });
  });
});
