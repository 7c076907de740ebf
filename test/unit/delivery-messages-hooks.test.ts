import { describe, expect, it } from 'vitest';
import type { DeliveryEvent } from '../../src/delivery/event.js';
import { messageBuilderFor } from '../../src/delivery/messages/index.js';
import type { FieldValue } from '../../src/integrations/types.js';
import { deliveryEventOf, deliveryPayload, exampleEvent, payload } from '../support/code-host-events.js';

const gitlab = (name: string, hostEvent: string, change?: (body: Record<string, unknown>) => void) =>
  exampleEvent('gitlab', name, hostEvent, change);

const GITLAB_EXAMPLES: Record<string, DeliveryEvent> = {
  push: gitlab('push', 'Push Hook'),
  tagPush: gitlab('tag-push', 'Tag Push Hook'),
  issue: gitlab('issue', 'Issue Hook'),
  mergeRequest: gitlab('merge-request', 'Merge Request Hook'),
  noteOnCommit: gitlab('note-commit', 'Note Hook'),
  pipeline: gitlab('pipeline', 'Pipeline Hook'),
  job: gitlab('job', 'Job Hook'),
  wikiPage: gitlab('wiki-page', 'Wiki Page Hook'),
  deployment: gitlab('deployment', 'Deployment Hook'),
  release: gitlab('release', 'Release Hook'),
};

const GITEA_EXAMPLES: DeliveryEvent[] = [
  deliveryEventOf('gitea', 'push', JSON.parse(payload('gitea-push'))),
  exampleEvent('gitea', 'pull-request', 'pull_request'),
  exampleEvent('gitea', 'workflow-run', 'workflow_run'),
  exampleEvent('gitea', 'workflow-job', 'workflow_job'),
];

function build(slug: string, event: DeliveryEvent, fields: Record<string, FieldValue>) {
  return messageBuilderFor(slug)!(event, fields, []);
}

const sentKinds = (slug: string, fields: Record<string, FieldValue>) =>
  Object.entries(GITLAB_EXAMPLES)
    .filter(([, event]) => build(slug, event, fields).length > 0)
    .map(([name]) => name);

const DATADOG = {
  datadog_site: 'datadoghq.com',
  api_url: null,
  api_key: 'dd0123456789abcdef',
  datadog_ci_visibility: true,
};

describe("Datadog: GitLab's pipeline and job hooks, as they are, to the site's webhook intake", () => {
  it('posts the pipeline hook with the API key in its header', () => {
    expect(build('datadog', GITLAB_EXAMPLES.pipeline!, DATADOG)).toEqual([
      {
        method: 'POST',
        url: 'https://webhook-intake.datadoghq.com/api/v2/webhook',
        headers: {
          'content-type': 'application/json',
          'x-gitlab-event': 'Pipeline Hook',
          'dd-api-key': 'dd0123456789abcdef',
        },
        body: JSON.stringify(deliveryPayload('gitlab-pipeline')),
      },
    ]);
  });

  it('posts the job hook (object_kind "build") as a Job Hook', () => {
    const [request] = build('datadog', GITLAB_EXAMPLES.job!, DATADOG);
    expect(request?.headers).toMatchObject({ 'x-gitlab-event': 'Job Hook' });
    expect(JSON.parse(request!.body!)).toEqual(deliveryPayload('gitlab-job'));
  });

  it('tags by env, service and tags in the query, sorted, a tag with a comma quoted, and drops "app." from the site', () => {
    const fields = {
      ...DATADOG,
      datadog_site: 'app.datadoghq.eu',
      datadog_service: ' gitlab-ci ',
      datadog_env: 'ci',
      datadog_tags: 'team:ci\n\n  key:a,b  \n',
    };
    expect(build('datadog', GITLAB_EXAMPLES.pipeline!, fields)[0]?.url).toBe(
      'https://webhook-intake.datadoghq.eu/api/v2/webhook?env=ci&service=gitlab-ci&tags=team%3Aci%2C%22key%3Aa%2Cb%22',
    );
  });

  it("posts to the API URL instead of the site's intake, its own query replaced", () => {
    const fields = { ...DATADOG, api_url: 'https://intake.example.com/api/v2/webhook?old=1', datadog_env: 'prod env' };
    expect(build('datadog', GITLAB_EXAMPLES.job!, fields)[0]?.url).toBe(
      'https://intake.example.com/api/v2/webhook?env=prod+env',
    );
  });

  it('never puts the API key in the URL', () => {
    const [request] = build('datadog', GITLAB_EXAMPLES.pipeline!, { ...DATADOG, datadog_env: 'ci' });
    expect(request?.url).not.toContain(DATADOG.api_key);
  });

  it("sends nothing for other events, nor for Gitea's and Forgejo's, which are no GitLab hooks", () => {
    expect(sentKinds('datadog', DATADOG)).toEqual(['pipeline', 'job']);
    expect(GITEA_EXAMPLES.flatMap((event) => build('datadog', event, DATADOG))).toEqual([]);
  });
});

const JENKINS = {
  jenkins_url: 'https://jenkins.example.com',
  enable_ssl_verification: true,
  project_name: 'my_project',
  username: 'ci-user',
  password: 's3cret:pass',
};

describe("Jenkins: GitLab's push, tag push and merge request hooks to the project's build trigger", () => {
  it('posts the push hook to /project/<name> with basic auth', () => {
    expect(build('jenkins', GITLAB_EXAMPLES.push!, JENKINS)).toEqual([
      {
        method: 'POST',
        url: 'https://jenkins.example.com/project/my_project',
        headers: {
          'content-type': 'application/json',
          'x-gitlab-event': 'Push Hook',
          authorization: `Basic ${Buffer.from('ci-user:s3cret:pass').toString('base64')}`,
        },
        body: JSON.stringify(deliveryPayload('gitlab-push')),
        verifyTls: true,
      },
    ]);
  });

  it('names tag pushes and merge requests as GitLab does, merge request updates included', () => {
    const updated = gitlab('merge-request', 'Merge Request Hook', (body) => {
      (body.object_attributes as Record<string, unknown>).action = 'update';
    });
    const eventHeader = (event: DeliveryEvent) => build('jenkins', event, JENKINS)[0]?.headers?.['x-gitlab-event'];
    expect(eventHeader(GITLAB_EXAMPLES.tagPush!)).toBe('Tag Push Hook');
    expect(eventHeader(GITLAB_EXAMPLES.mergeRequest!)).toBe('Merge Request Hook');
    expect(eventHeader(updated)).toBe('Merge Request Hook');
  });

  it("keeps the server's path, sends no credentials without a username, and skips TLS checks when told", () => {
    const [request] = build('jenkins', GITLAB_EXAMPLES.push!, {
      ...JENKINS,
      jenkins_url: 'https://example.com/jenkins/',
      username: null,
      password: null,
      enable_ssl_verification: false,
    });
    expect(request).toMatchObject({ url: 'https://example.com/jenkins/project/my_project', verifyTls: false });
    expect(request?.headers).not.toHaveProperty('authorization');
  });

  it("sends nothing for other events, nor for Gitea's and Forgejo's", () => {
    expect(sentKinds('jenkins', JENKINS)).toEqual(['push', 'tagPush', 'mergeRequest']);
    expect(GITEA_EXAMPLES.flatMap((event) => build('jenkins', event, JENKINS))).toEqual([]);
  });
});
