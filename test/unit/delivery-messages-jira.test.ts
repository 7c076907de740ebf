import { describe, expect, it } from 'vitest';
import type { DeliveryEvent } from '../../src/delivery/event.js';
import { messageBuilderFor } from '../../src/delivery/messages/index.js';
import { closedIssues, mentionedIssues } from '../../src/delivery/messages/jira-issues.js';
import type { JiraRequest } from '../../src/delivery/messages/request.js';
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
  messageBuilderFor('jira')!(event, { ...JIRA, ...fields }, []) as JiraRequest[];

/** Each delivery as its issue and what it does there: the comment of a cross-reference, the transitions of a close. */
const summary = (event: DeliveryEvent, fields: Record<string, FieldValue> = {}) =>
  build(event, fields).map(({ url, action }) =>
    action.type === 'cross_reference' ? [url, action.message.comment] : [url, action.transitions],
  );

const ISSUE = 'https://jira.example.com/rest/api/2/issue';
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

describe("Jira: GitLab's cross-references", () => {
  it('reads and comments on each issue a pushed commit mentions, linking the commit, with basic auth', () => {
    const requests = build(push('PROJ-1 Update Catalan translation, see OPS-2'));
    const commitUrl = `http://example.com/mike/diaspora/-/commit/${COMMIT}`;
    expect(requests).toEqual([
      {
        kind: 'jira',
        method: 'GET',
        url: `${ISSUE}/PROJ-1`,
        headers: BASIC_HEADERS,
        commentsEnabled: true,
        action: {
          type: 'cross_reference',
          message: {
            comment: commitReference('PROJ-1 Update Catalan translation, see OPS-2'),
            link: {
              GlobalID: 'GitLab',
              relationship: 'mentioned on',
              object: {
                url: commitUrl,
                title: 'Commit - PROJ-1 Update Catalan translation, see OPS-2',
                status: { resolved: false },
                icon: { title: 'GitLab', url16x16: 'http://example.com/favicon.ico' },
              },
            },
          },
        },
      },
      expect.objectContaining({ url: `${ISSUE}/OPS-2` }),
    ]);
  });

  it("quotes the commit's title as GitLab cuts it", () => {
    const long = `PROJ-1 ${'word '.repeat(30)}`.trim();
    const [[, comment]] = summary(push(`${long}\n\nbody`)) as [[string, string]];
    expect(comment).toContain(`{quote}${long.slice(0, long.lastIndexOf(' ', 78))}...{quote}`);
  });

  it('cross-references the issues a new merge request mentions, from its title and description', () => {
    const event = mergeRequest({ title: 'PROJ-7 MS-Viewport', description: 'Also OPS-1.' });
    expect(summary(event)).toEqual([
      [
        `${ISSUE}/PROJ-7`,
        '[Administrator|http://example.com/root] mentioned this issue in ' +
          '[a merge request|http://example.com/gitlabhq/gitlab-test/-/merge_requests/1] of ' +
          '[GitlabHQ / Gitlab Test|http://example.com/gitlabhq/gitlab-test] on branch ' +
          '[ms-viewport|http://example.com/gitlabhq/gitlab-test/-/tree/ms-viewport]:{quote}PROJ-7 MS-Viewport{quote}',
      ],
      [`${ISSUE}/OPS-1`, expect.anything()],
    ]);
    const [request] = build(event);
    expect(request?.action).toMatchObject({
      message: {
        link: {
          object: {
            url: 'http://example.com/gitlabhq/gitlab-test/-/merge_requests/1',
            title: 'Merge request - PROJ-7 MS-Viewport',
          },
        },
      },
    });
    expect(build(mergeRequest({ title: 'PROJ-7', action: 'update' }))).toEqual([]);
  });

  it("links Gitea's and Forgejo's pages", () => {
    const body = JSON.parse(payload('gitea-push')) as Body;
    (body.commits as Body[])[0]!.message = 'PROJ-1 Webhooks Yay!';
    const [request] = build(deliveryEventOf('gitea', 'push', body));
    expect(request?.url).toBe(`${ISSUE}/PROJ-1`);
    expect(request?.action).toMatchObject({
      message: {
        comment:
          '[Gitea|http://localhost:3000/gitea] mentioned this issue in ' +
          '[a commit|http://localhost:3000/gitea/webhooks/commit/bffeb74224043ba2feb48d137756c8a9331c449a] of ' +
          '[Gitea / webhooks|http://localhost:3000/gitea/webhooks] on branch ' +
          '[develop|http://localhost:3000/gitea/webhooks/src/branch/develop]:{quote}PROJ-1 Webhooks Yay!{quote}',
        link: { object: { icon: { title: 'Gitea', url16x16: 'http://localhost:3000/favicon.ico' } } },
      },
    });
  });

  it('sends a personal access token as a Bearer token, to the API URL when set', () => {
    const [request] = build(push('PROJ-1'), { jira_auth_type: '1', api_url: 'https://jira-api.example.com/jira/' });
    expect(request).toMatchObject({
      url: 'https://jira-api.example.com/jira/rest/api/2/issue/PROJ-1',
      headers: { accept: 'application/json', 'content-type': 'application/json', authorization: 'Bearer api-token' },
    });
    expect(request?.headers).not.toHaveProperty('cookie');
  });

  it('still links the commit when comments are off, as GitLab does; nothing for a tag or a removed branch', () => {
    expect(build(push('PROJ-1'), { comment_on_event_enabled: false })).toEqual([
      expect.objectContaining({ url: `${ISSUE}/PROJ-1`, commentsEnabled: false }),
    ]);
    expect(build(push('PROJ-1', 'refs/tags/v1'))).toEqual([]);
    const removed = exampleEvent('gitlab', 'push', 'Push Hook', (body) => {
      body.after = '0000000000000000000000000000000000000000';
    });
    expect(build(removed)).toEqual([]);
  });

  it('acts on at most 10 issues of an event', () => {
    const keys = Array.from({ length: 12 }, (_, i) => `PROJ-${i + 1}`);
    expect(build(push(keys.join(' ')))).toHaveLength(10);
  });
});

describe('Jira: closing the issues a change to the default branch closes', () => {
  const transitions = { jira_issue_transition_id: '11; 21' };

  it('closes each issue a commit pushed to the default branch closes by the ids in order, without a cross-reference', () => {
    expect(summary(push('Closes PROJ-1, see OPS-2', 'refs/heads/master'), transitions)).toEqual([
      [`${ISSUE}/OPS-2`, commitReference('Closes PROJ-1, see OPS-2', 'master')],
      [`${ISSUE}/PROJ-1`, ['11', '21']],
    ]);
  });

  it('says "Issue solved with" the commit, linked as solved', () => {
    const [request] = build(push('Closes PROJ-1', 'refs/heads/master'), transitions);
    const commitUrl = `http://example.com/mike/diaspora/-/commit/${COMMIT}`;
    expect(request?.action).toMatchObject({
      type: 'close',
      solved: {
        comment: `Issue solved with [${COMMIT}|${commitUrl}].`,
        link: { object: { url: commitUrl, title: `Solved by commit ${COMMIT}.`, status: { resolved: true } } },
      },
    });
  });

  it('closes nothing from another branch, where the closing statement is a mention', () => {
    expect(summary(push('Closes PROJ-1'), transitions)).toEqual([
      [`${ISSUE}/PROJ-1`, commitReference('Closes PROJ-1')],
    ]);
  });

  it("closes what a merge into the default branch closes, solved with the merge request's last commit", () => {
    const merged = (target: string) =>
      mergeRequest({ title: 'Fix PROJ-3', description: 'Closes PROJ-4', action: 'merge', target_branch: target });
    expect(summary(merged('master'), { jira_issue_transition_id: '31' })).toEqual([
      [`${ISSUE}/PROJ-3`, ['31']],
      [`${ISSUE}/PROJ-4`, ['31']],
    ]);
    expect(build(merged('master'), { jira_issue_transition_id: '31' })[0]?.action).toMatchObject({
      solved: { comment: expect.stringContaining('Issue solved with [da1560886d4f094c3e6c9ef40349f7d38b5d27d7|') },
    });
    expect(build(merged('develop'), { jira_issue_transition_id: '31' })).toEqual([]);
  });

  it('closes nothing without transition IDs; automatic ones are found on the issue when sent', () => {
    const closing = push('Closes PROJ-1', 'refs/heads/master');
    expect(build(closing)).toEqual([]);
    expect(summary(closing, { ...transitions, jira_issue_transition_automatic: true })).toEqual([
      [`${ISSUE}/PROJ-1`, 'automatic'],
    ]);
  });
});
