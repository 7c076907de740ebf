import { describe, expect, it } from 'vitest';
import type { DeliveryEvent } from '../../src/delivery/event.js';
import { messageBuilderFor } from '../../src/delivery/messages/index.js';
import { closedIssues, mentionedIssues } from '../../src/delivery/messages/jira-issues.js';
import type { FieldValue } from '../../src/integrations/types.js';
import { deliveryEventOf, exampleEvent, payload } from '../support/code-host-events.js';

type Body = Record<string, unknown>;

const JIRA: Record<string, FieldValue> = {
  url: 'https://jira.example.com',
  api_url: null,
  jira_auth_type: '0',
  username: ' jira-user ',
  password: 'api-token',
  jira_issue_regex: null,
  jira_issue_prefix: null,
  comment_on_event_enabled: true,
  jira_issue_transition_automatic: false,
  jira_issue_transition_id: null,
};

const BASIC_HEADERS = {
  accept: 'application/json',
  'content-type': 'application/json',
  authorization: `Basic ${Buffer.from('jira-user:api-token').toString('base64')}`,
  cookie: 'OBBasicAuth=fromDialog',
};

const build = (event: DeliveryEvent, fields: Record<string, FieldValue> = {}) =>
  messageBuilderFor('jira')!(event, { ...JIRA, ...fields }, []);

const summary = (event: DeliveryEvent, fields: Record<string, FieldValue> = {}) =>
  build(event, fields).map(({ url, body }) => [url, JSON.parse(body ?? 'null') as unknown]);

/** The documented push (of mike/diaspora, whose default branch is master), its first commit's message replaced. */
function push(message: string, ref = 'refs/heads/feature'): DeliveryEvent {
  return exampleEvent('gitlab', 'push', 'Push Hook', (body) => {
    body.ref = ref;
    body.commits = (body.commits as Body[]).slice(0, 1).map((commit) => ({ ...commit, message, title: message }));
  });
}

function mergeRequest(attributes: Body): DeliveryEvent {
  return exampleEvent('gitlab', 'merge-request', 'Merge Request Hook', (body) => {
    Object.assign(body.object_attributes as Body, attributes);
  });
}

const COMMIT = 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327';
const commitReference = (title: string, branch = 'feature') =>
  `[John Smith|http://example.com/jsmith] mentioned this issue in ` +
  `[a commit|http://example.com/mike/diaspora/-/commit/${COMMIT}] of ` +
  `[Mike / Diaspora|http://example.com/mike/diaspora] on branch ` +
  `[${branch}|http://example.com/mike/diaspora/-/tree/${branch}]:{quote}${title}{quote}`;

describe('Jira issue keys, as GitLab matches them', () => {
  it("finds GitLab's default keys once each, in order", () => {
    expect(mentionedIssues('PROJ-1 and OPS_2-22, again PROJ-1; not proj-3 nor XPROJ-', {})).toEqual([
      'PROJ-1',
      'OPS_2-22',
    ]);
  });

  it('takes the prefix and the regex of the integration, RE2 named groups included', () => {
    expect(mentionedIssues('JIRA#PROJ-1 but not PROJ-2', { jira_issue_prefix: 'JIRA#' })).toEqual(['PROJ-1']);
    expect(mentionedIssues('ab-12 and CD-3', { jira_issue_regex: '[a-z]+-\\d+' })).toEqual(['ab-12']);
    expect(mentionedIssues('ab-12', { jira_issue_regex: '(?P<key>[a-z]+)-\\d+' })).toEqual(['ab-12']);
    expect(mentionedIssues('PROJ-1', { jira_issue_regex: '(unclosed' })).toEqual([]);
  });

  it("closes the keys of GitLab's closing statements only", () => {
    expect(closedIssues('Closes PROJ-1, mentions PROJ-2', {})).toEqual(['PROJ-1']);
    expect(closedIssues('fixes: PROJ-3. Resolved PROJ-4\nImplements PROJ-5; closing PROJ-6', {})).toEqual([
      'PROJ-3',
      'PROJ-4',
      'PROJ-5',
      'PROJ-6',
    ]);
    expect(closedIssues('Fixes #3, group/project#4, PROJ-7 and PROJ-8', {})).toEqual(['PROJ-7']);
    expect(closedIssues('See PROJ-1, prefixes PROJ-2', {})).toEqual([]);
  });
});

describe("Jira: GitLab's cross-reference comments", () => {
  it('comments on each issue a pushed commit mentions, with basic auth', () => {
    const requests = build(push('PROJ-1 Update Catalan translation, see OPS-2'));
    expect(requests).toEqual([
      {
        method: 'POST',
        url: 'https://jira.example.com/rest/api/2/issue/PROJ-1/comment',
        headers: BASIC_HEADERS,
        body: JSON.stringify({ body: commitReference('PROJ-1 Update Catalan translation, see OPS-2') }),
      },
      expect.objectContaining({ url: 'https://jira.example.com/rest/api/2/issue/OPS-2/comment' }),
    ]);
  });

  it("quotes the commit's title as GitLab cuts it", () => {
    const long = `PROJ-1 ${'word '.repeat(30)}`.trim();
    const [[, body]] = summary(push(`${long}\n\nbody`)) as [[string, { body: string }]];
    expect(body.body).toContain(`{quote}${long.slice(0, long.lastIndexOf(' ', 78))}...{quote}`);
  });

  it('comments on the issues a new merge request mentions, from its title and description', () => {
    const event = mergeRequest({ title: 'PROJ-7 MS-Viewport', description: 'Also OPS-1.' });
    expect(summary(event)).toEqual([
      [
        'https://jira.example.com/rest/api/2/issue/PROJ-7/comment',
        {
          body:
            '[Administrator|http://example.com/root] mentioned this issue in ' +
            '[a merge request|http://example.com/gitlabhq/gitlab-test/-/merge_requests/1] of ' +
            '[GitlabHQ / Gitlab Test|http://example.com/gitlabhq/gitlab-test] on branch ' +
            '[ms-viewport|http://example.com/gitlabhq/gitlab-test/-/tree/ms-viewport]:{quote}PROJ-7 MS-Viewport{quote}',
        },
      ],
      ['https://jira.example.com/rest/api/2/issue/OPS-1/comment', expect.anything()],
    ]);
    expect(build(mergeRequest({ title: 'PROJ-7', action: 'update' }))).toEqual([]);
  });

  it("links Gitea's and Forgejo's pages", () => {
    const body = JSON.parse(payload('gitea-push')) as Body;
    (body.commits as Body[])[0]!.message = 'PROJ-1 Webhooks Yay!';
    const [[url, sent]] = summary(deliveryEventOf('gitea', 'push', body)) as [[string, { body: string }]];
    expect(url).toBe('https://jira.example.com/rest/api/2/issue/PROJ-1/comment');
    expect(sent.body).toBe(
      '[Gitea|http://localhost:3000/gitea] mentioned this issue in ' +
        '[a commit|http://localhost:3000/gitea/webhooks/commit/bffeb74224043ba2feb48d137756c8a9331c449a] of ' +
        '[Gitea / webhooks|http://localhost:3000/gitea/webhooks] on branch ' +
        '[develop|http://localhost:3000/gitea/webhooks/src/branch/develop]:{quote}PROJ-1 Webhooks Yay!{quote}',
    );
  });

  it('sends a personal access token as a Bearer token, to the API URL when set', () => {
    const [request] = build(push('PROJ-1'), { jira_auth_type: '1', api_url: 'https://jira-api.example.com/jira/' });
    expect(request).toMatchObject({
      url: 'https://jira-api.example.com/jira/rest/api/2/issue/PROJ-1/comment',
      headers: { accept: 'application/json', 'content-type': 'application/json', authorization: 'Bearer api-token' },
    });
    expect(request?.headers).not.toHaveProperty('cookie');
  });

  it('comments on nothing when comments are off, a tag is pushed or a branch removed', () => {
    expect(build(push('PROJ-1'), { comment_on_event_enabled: false })).toEqual([]);
    expect(build(push('PROJ-1', 'refs/tags/v1'))).toEqual([]);
    const removed = exampleEvent('gitlab', 'push', 'Push Hook', (body) => {
      body.after = '0000000000000000000000000000000000000000';
    });
    expect(build(removed)).toEqual([]);
  });

  it('comments on at most 10 issues of an event', () => {
    const keys = Array.from({ length: 12 }, (_, i) => `PROJ-${i + 1}`);
    expect(build(push(keys.join(' ')))).toHaveLength(10);
  });
});

describe('Jira: the configured transitions of the issues a change to the default branch closes', () => {
  const transitions = { jira_issue_transition_id: '11; 21' };

  it('moves each issue a commit pushed to the default branch closes, in order, without a cross-reference', () => {
    expect(summary(push('Closes PROJ-1, see OPS-2', 'refs/heads/master'), transitions)).toEqual([
      [
        'https://jira.example.com/rest/api/2/issue/OPS-2/comment',
        { body: commitReference('Closes PROJ-1, see OPS-2', 'master') },
      ],
      ['https://jira.example.com/rest/api/2/issue/PROJ-1/transitions', { transition: { id: '11' } }],
      ['https://jira.example.com/rest/api/2/issue/PROJ-1/transitions', { transition: { id: '21' } }],
    ]);
  });

  it('closes nothing from another branch, where the closing statement is a mention', () => {
    expect(summary(push('Closes PROJ-1'), transitions)).toEqual([
      ['https://jira.example.com/rest/api/2/issue/PROJ-1/comment', { body: commitReference('Closes PROJ-1') }],
    ]);
  });

  it('moves what a merge into the default branch closes, and nothing when merged elsewhere', () => {
    const merged = (target: string) =>
      mergeRequest({ title: 'Fix PROJ-3', description: 'Closes PROJ-4', action: 'merge', target_branch: target });
    expect(summary(merged('master'), { jira_issue_transition_id: '31' })).toEqual([
      ['https://jira.example.com/rest/api/2/issue/PROJ-3/transitions', { transition: { id: '31' } }],
      ['https://jira.example.com/rest/api/2/issue/PROJ-4/transitions', { transition: { id: '31' } }],
    ]);
    expect(build(merged('develop'), { jira_issue_transition_id: '31' })).toEqual([]);
  });

  it('moves nothing without transition IDs, or when automatic (which has to read the issue first)', () => {
    const closing = push('Closes PROJ-1', 'refs/heads/master');
    expect(build(closing)).toEqual([]);
    expect(build(closing, { ...transitions, jira_issue_transition_automatic: true })).toEqual([]);
  });
});
