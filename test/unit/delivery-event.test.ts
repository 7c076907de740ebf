import { describe, expect, it } from 'vitest';
import { toDeliveryEvent } from '../../src/delivery/event.js';
import { deliveryEventOf as eventOf, deliveryPayload, exampleEvent, payload } from '../support/code-host-events.js';

const gitlab = (name: string, hostEvent: string, change?: (body: Record<string, unknown>) => void) =>
  exampleEvent('gitlab', name, hostEvent, change);
const gitea = (name: string, hostEvent: string, change?: (body: Record<string, unknown>) => void) =>
  exampleEvent('gitea', name, hostEvent, change);

describe('GitLab events in the delivery model (the documented example payloads)', () => {
  it('reads a push: project, pusher, ref, commits, the files they changed and their total', () => {
    const event = gitlab('push', 'Push Hook');
    expect(event).toMatchObject({
      kind: 'push',
      host: 'gitlab',
      project: {
        hostId: 15,
        name: 'Diaspora',
        pathWithNamespace: 'mike/diaspora',
        webUrl: 'http://example.com/mike/diaspora',
        avatarUrl: null,
      },
      user: {
        name: 'John Smith',
        username: 'jsmith',
        avatarUrl: expect.stringContaining('gravatar.com'),
        email: 'john@example.com',
      },
      push: {
        ref: 'refs/heads/master',
        refName: 'master',
        refType: 'branch',
        before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
        after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        created: false,
        removed: false,
        totalCommits: 4,
        compareUrl:
          'http://example.com/mike/diaspora/-/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      },
    });
    if (event.kind !== 'push') throw new Error('not a push');
    expect(event.push.commits).toEqual([
      {
        id: 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327',
        message:
          'Update Catalan translation to e38cb41.\n\nSee https://gitlab.com/gitlab-org/gitlab for more information',
        title: 'Update Catalan translation to e38cb41.',
        url: 'http://example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327',
        authorName: 'Jordi Mallach',
        added: ['CHANGELOG'],
        modified: ['app/controller/application.rb'],
        removed: [],
      },
      {
        id: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        message: 'fixed readme',
        title: 'fixed readme',
        url: 'http://example.com/mike/diaspora/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        authorName: 'GitLab dev user',
        added: ['CHANGELOG'],
        modified: ['app/controller/application.rb'],
        removed: [],
      },
    ]);
  });

  it('reads a tag push as a created tag, and a push whose after is zeros as a removed branch', () => {
    expect(gitlab('tag-push', 'Tag Push Hook')).toMatchObject({
      kind: 'tag_push',
      user: { name: 'John Smith', username: null },
      push: { refName: 'v1.0.0', refType: 'tag', created: true, removed: false, commits: [], totalCommits: 0 },
    });
    const removed = gitlab('push', 'Push Hook', (body) => {
      body.after = '0000000000000000000000000000000000000000';
    });
    expect(removed).toMatchObject({ push: { created: false, removed: true } });
  });

  it('reads an issue with its labels, by the top-level labels as GitLab does', () => {
    expect(gitlab('issue', 'Issue Hook')).toMatchObject({
      kind: 'issue',
      project: { hostId: 1, pathWithNamespace: 'gitlabhq/gitlab-test' },
      user: { name: 'Administrator', username: 'root' },
      issue: {
        iid: 23,
        title: 'New API: create/update/delete file',
        url: 'http://example.com/diaspora/issues/23',
        action: 'open',
        state: 'opened',
        description: 'Create new API for manipulations with repository',
        labels: ['API'],
        confidential: false,
        type: 'Issue',
      },
    });
  });

  it('reads a confidential issue as one, by its event_type', () => {
    const body = JSON.parse(payload('gitlab-project-issue-confidential')) as unknown;
    expect(eventOf('gitlab', 'Confidential Issue Hook', body)).toMatchObject({
      kind: 'confidential_issue',
      issue: { iid: 23, confidential: true, action: 'open', labels: [] },
    });
  });

  it('reads an issue hook with the confidential event_type as confidential, whatever its attributes say', () => {
    const event = gitlab('issue', 'Confidential Issue Hook', (body) => {
      body.event_type = 'confidential_issue';
    });
    expect(event).toMatchObject({ kind: 'confidential_issue', issue: { confidential: true } });
  });

  it("takes a commit's title from the hook, as GitLab's push message does", () => {
    const event = gitlab('push', 'Push Hook', (body) => {
      ((body.commits as Record<string, unknown>[])[1] as Record<string, unknown>).title = 'Fixed the readme';
    });
    expect(event).toMatchObject({ push: { commits: [{}, { message: 'fixed readme', title: 'Fixed the readme' }] } });
  });

  it('reads a merge request with its branches and labels', () => {
    expect(gitlab('merge-request', 'Merge Request Hook')).toMatchObject({
      kind: 'merge_request',
      mergeRequest: {
        iid: 1,
        title: 'MS-Viewport',
        url: 'http://example.com/diaspora/merge_requests/1',
        action: 'open',
        state: 'opened',
        labels: ['API'],
        sourceBranch: 'ms-viewport',
        targetBranch: 'master',
      },
    });
  });

  it('reads comments on a commit, a merge request, an issue and a snippet, with what each is on', () => {
    expect(gitlab('note-commit', 'Note Hook')).toMatchObject({
      kind: 'note',
      note: {
        text: 'This is a commit comment. How does this work?',
        url: 'http://example.com/gitlab-org/gitlab-test/commit/cfe32cf61b73a0d5e9f13e774abde7ff789b1660#note_1243',
        action: 'create',
        on: {
          type: 'Commit',
          id: 'cfe32cf61b73a0d5e9f13e774abde7ff789b1660',
          message: 'Add submodule\n\nSigned-off-by: Example User <user@example.com.com>\n',
        },
      },
    });
    expect(gitlab('note-merge-request', 'Note Hook')).toMatchObject({
      note: {
        text: 'This MR needs work.',
        on: {
          type: 'MergeRequest',
          iid: 1,
          title: 'Tempora et eos debitis quae laborum et.',
          labels: ['Afterpod', 'Element'],
        },
      },
    });
    expect(gitlab('note-issue', 'Note Hook')).toMatchObject({
      note: { text: 'Hello world', on: { type: 'Issue', iid: 17, title: 'test', labels: ['Afterpod', 'Element'] } },
    });
    expect(gitlab('note-snippet', 'Note Hook')).toMatchObject({
      note: {
        on: { type: 'Snippet', id: 53, title: 'test', url: 'http://example.com/gitlab-org/gitlab-test/-/snippets/53' },
      },
    });
  });

  it('reads a comment on a confidential issue as a confidential note', () => {
    const event = gitlab('note-issue', 'Confidential Note Hook', (body) => {
      body.event_type = 'confidential_note';
    });
    expect(event).toMatchObject({ kind: 'confidential_note', note: { on: { type: 'Issue', iid: 17 } } });
  });

  it('reads a pipeline with its status, ref, source, commit, merge request and jobs', () => {
    const event = gitlab('pipeline', 'Pipeline Hook');
    expect(event).toMatchObject({
      kind: 'pipeline',
      project: { hostId: 1, webUrl: 'http://192.168.64.1:3005/gitlab-org/gitlab-test' },
      pipeline: {
        id: 31,
        status: 'success',
        detailedStatus: null,
        ref: 'master',
        tag: false,
        source: 'merge_request_event',
        name: 'Pipeline for branch: master',
        durationSeconds: 63,
        finishedAt: '2016-08-12 15:26:29 UTC',
        url: 'http://example.com/gitlab-org/gitlab-test/-/pipelines/31',
        commit: { id: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2', title: 'test', authorName: 'User' },
        mergeRequest: {
          iid: 1,
          url: 'http://192.168.64.1:3005/gitlab-org/gitlab-test/merge_requests/1',
          sourceBranch: 'test',
        },
      },
    });
    if (event.kind !== 'pipeline') throw new Error('not a pipeline');
    expect(event.pipeline.builds.map((build) => [build.id, build.name, build.stage, build.status])).toEqual([
      [380, 'production', 'deploy', 'skipped'],
      [377, 'test-image', 'test', 'success'],
      [378, 'test-build', 'test', 'failed'],
      [376, 'build-image', 'build', 'success'],
      [379, 'staging', 'deploy', 'created'],
    ]);
  });

  it('reads a job (object_kind build), linking it under the project', () => {
    expect(gitlab('job', 'Job Hook')).toMatchObject({
      kind: 'job',
      project: { hostId: 380 },
      user: { name: 'User', username: null },
      job: {
        id: 1977,
        name: 'test',
        stage: 'test',
        status: 'created',
        ref: 'gitlab-script-trigger',
        tag: false,
        pipelineId: 2366,
        durationSeconds: null,
        failureReason: 'script_failure',
        url: 'http://192.168.64.1:3005/gitlab-org/gitlab-test/-/jobs/1977',
      },
    });
  });

  it('reads a wiki page, a deployment and a release', () => {
    expect(gitlab('wiki-page', 'Wiki Page Hook')).toMatchObject({
      kind: 'wiki_page',
      wikiPage: {
        title: 'Awesome',
        url: 'http://example.com/root/awesome-project/-/wikis/awesome',
        action: 'create',
        message: 'adding an awesome page to the wiki',
      },
    });
    expect(gitlab('deployment', 'Deployment Hook')).toMatchObject({
      kind: 'deployment',
      deployment: {
        status: 'success',
        environment: 'staging',
        environmentUrl: 'https://staging.example.com',
        deployableId: 796,
        deployableUrl: 'http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796',
        shortSha: '279484c0',
        commitTitle: 'Add new file',
        userUrl: 'http://10.126.0.2:3000/root',
        ref: null,
      },
    });
    expect(gitlab('release', 'Release Hook')).toMatchObject({
      kind: 'release',
      release: {
        name: 'v1.1',
        tag: 'v1.1',
        url: 'https://example.com/gitlab-org/release-webhook-example/-/releases/v1.1',
        action: 'create',
        description: 'v1.1 has been released',
      },
    });
  });
});

describe('Gitea and Forgejo events in the delivery model', () => {
  it('reads a push: the repository as the project, the pusher as the user', () => {
    const body = JSON.parse(payload('gitea-push')) as unknown;
    for (const kind of ['gitea', 'forgejo'] as const) {
      expect(eventOf(kind, 'push', body)).toMatchObject({
        kind: 'push',
        host: kind,
        project: {
          hostId: 140,
          name: 'webhooks',
          pathWithNamespace: 'gitea/webhooks',
          webUrl: 'http://localhost:3000/gitea/webhooks',
        },
        user: { name: 'Gitea', username: 'gitea' },
        push: {
          refName: 'develop',
          refType: 'branch',
          totalCommits: 1,
          commits: [{ id: 'bffeb74224043ba2feb48d137756c8a9331c449a', title: 'Webhooks Yay!', authorName: 'Gitea' }],
          compareUrl: expect.stringContaining('/compare/'),
        },
      });
    }
  });

  it('reads a push of a tag as a tag push', () => {
    const body = JSON.parse(payload('gitea-push')) as Record<string, unknown>;
    body.ref = 'refs/tags/v2.0';
    expect(eventOf('gitea', 'push', body)).toMatchObject({
      kind: 'tag_push',
      push: { refName: 'v2.0', refType: 'tag' },
    });
  });

  it("reads an issue in GitLab's words: opened is open, label names are titles", () => {
    expect(gitea('issues', 'issues')).toMatchObject({
      kind: 'issue',
      host: 'gitea',
      project: { hostId: 1, pathWithNamespace: 'test/repo', webUrl: 'http://localhost:3000/test/repo' },
      user: { name: 'User One', username: 'user1', avatarUrl: 'http://localhost:3000/user1/avatar' },
      issue: {
        iid: 2,
        title: 'crash',
        url: 'http://localhost:3000/test/repo/issues/2',
        action: 'open',
        state: 'opened',
        description: 'issue body',
        labels: ['bug'],
        confidential: false,
      },
    });
    const closed = gitea('issues', 'issues', (body) => {
      body.action = 'closed';
      (body.issue as Record<string, unknown>).state = 'closed';
    });
    expect(closed).toMatchObject({ issue: { action: 'close', state: 'closed' } });
    expect(gitea('issues', 'issues', (body) => (body.action = 'reopened'))).toMatchObject({
      issue: { action: 'reopen' },
    });
    expect(gitea('issues', 'issues', (body) => (body.action = 'label_updated'))).toMatchObject({
      issue: { action: 'update' },
    });
  });

  it('reads a pull request as a merge request; closed and merged is a merge', () => {
    expect(gitea('pull-request', 'pull_request')).toMatchObject({
      kind: 'merge_request',
      mergeRequest: {
        iid: 12,
        title: 'Fix bug',
        url: 'http://localhost:3000/test/repo/pulls/12',
        action: 'open',
        state: 'opened',
        description: 'fixes bug #2',
        labels: ['bug'],
        sourceBranch: 'fix-bug',
        targetBranch: 'master',
      },
    });
    const merged = gitea('pull-request', 'pull_request', (body) => {
      body.action = 'closed';
      Object.assign(body.pull_request as Record<string, unknown>, { state: 'closed', merged: true });
    });
    expect(merged).toMatchObject({ mergeRequest: { action: 'merge', state: 'merged' } });
    const closed = gitea('pull-request', 'pull_request', (body) => {
      body.action = 'closed';
      (body.pull_request as Record<string, unknown>).state = 'closed';
    });
    expect(closed).toMatchObject({ mergeRequest: { action: 'close', state: 'closed' } });
    expect(gitea('pull-request', 'pull_request_approved', (body) => (body.action = 'reviewed'))).toMatchObject({
      mergeRequest: { action: 'approval' },
    });
  });

  it('reads comments on an issue and on a pull request', () => {
    expect(gitea('issue-comment', 'issue_comment')).toMatchObject({
      kind: 'note',
      note: {
        text: 'more info needed',
        url: 'http://localhost:3000/test/repo/issues/2#issuecomment-4',
        action: 'create',
        on: { type: 'Issue', iid: 2, title: 'crash', labels: ['bug'] },
      },
    });
    expect(gitea('pull-request-comment', 'issue_comment')).toMatchObject({
      note: { text: 'changes requested', on: { type: 'MergeRequest', iid: 12, title: 'Fix bug' } },
    });
    expect(gitea('issue-comment', 'issue_comment', (body) => (body.action = 'edited'))).toMatchObject({
      note: { action: 'update' },
    });
  });

  it('reads a release, published as create, and a wiki page linked as Gitea links it', () => {
    expect(gitea('release', 'release')).toMatchObject({
      kind: 'release',
      release: {
        name: 'First stable release',
        tag: 'v1.0',
        url: 'http://localhost:3000/test/repo/releases/tag/v1.0',
        action: 'create',
        description: 'Note of first stable release',
      },
    });
    expect(gitea('wiki', 'wiki')).toMatchObject({
      kind: 'wiki_page',
      wikiPage: {
        title: 'index',
        url: 'http://localhost:3000/test/repo/wiki/index',
        action: 'create',
        message: 'Wiki change comment',
      },
    });
  });

  it("reads a workflow run as a pipeline and a workflow job as a job, in GitLab's statuses", () => {
    expect(gitea('workflow-run', 'workflow_run')).toMatchObject({
      kind: 'pipeline',
      pipeline: {
        id: 7,
        status: 'failed',
        ref: 'master',
        tag: false,
        source: 'push',
        durationSeconds: 65,
        url: 'http://localhost:3000/test/repo/actions/runs/7',
      },
    });
    const running = gitea('workflow-run', 'workflow_run', (body) => {
      Object.assign(body.workflow_run as Record<string, unknown>, { status: 'in_progress', conclusion: '' });
    });
    expect(running).toMatchObject({ pipeline: { status: 'running' } });
    expect(gitea('workflow-job', 'workflow_job')).toMatchObject({
      kind: 'job',
      job: { id: 9, name: 'test', status: 'failed', ref: 'master', pipelineId: 7, durationSeconds: 60 },
    });
  });
});

describe('events the delivery model cannot understand', () => {
  it('gives the reason, for the delivery log', () => {
    expect(toDeliveryEvent('gitlab', 'Issue Hook', 'not json')).toEqual({
      invalid: 'The payload is not a JSON object.',
    });
    expect(toDeliveryEvent('gitlab', 'Issue Hook', { object_kind: 'issue', project: { id: 1 } })).toEqual({
      invalid: 'The event has no project.name.',
    });
    expect(toDeliveryEvent('gitlab', 'Whatever Hook', { object_kind: 'whatever' })).toEqual({
      invalid: 'Unknown event: whatever.',
    });
    expect(toDeliveryEvent('gitlab', 'System Hook', { event_name: 'project_create', project_id: 3 })).toEqual({
      invalid: 'project_created is not a content event.',
    });
    const body = deliveryPayload('gitlab-merge-request');
    (body.object_attributes as Record<string, unknown>).action = 'explode';
    expect(toDeliveryEvent('gitlab', 'Merge Request Hook', body)).toEqual({
      invalid: 'Unknown merge request action: explode.',
    });
    const run = deliveryPayload('gitea-workflow-run');
    (run.workflow_run as Record<string, unknown>).conclusion = 'neutral';
    expect(toDeliveryEvent('gitea', 'workflow_run', run)).toEqual({ invalid: 'Unknown conclusion: neutral.' });
    const pull = deliveryPayload('gitea-pull-request');
    delete (pull.pull_request as Record<string, unknown>).number;
    expect(toDeliveryEvent('forgejo', 'pull_request', pull)).toEqual({
      invalid: 'The event has no pull_request.number.',
    });
  });
});
