import { describe, expect, it } from 'vitest';
import type { DeliveryEvent } from '../../src/delivery/event.js';
import { messageBuilderFor, type DeliveryRequest } from '../../src/delivery/messages/index.js';
import type { FieldValue } from '../../src/integrations/types.js';
import { deliveryEventOf, exampleEvent, payload } from '../support/code-host-events.js';

const gitlab = (name: string, hostEvent: string, change?: (body: Record<string, unknown>) => void) =>
  exampleEvent('gitlab', name, hostEvent, change);

const GITLAB_EXAMPLES: Record<string, DeliveryEvent> = {
  push: gitlab('push', 'Push Hook'),
  tagPush: gitlab('tag-push', 'Tag Push Hook'),
  issue: gitlab('issue', 'Issue Hook'),
  mergeRequest: gitlab('merge-request', 'Merge Request Hook'),
  noteOnCommit: gitlab('note-commit', 'Note Hook'),
  noteOnIssue: gitlab('note-issue', 'Note Hook'),
  noteOnMergeRequest: gitlab('note-merge-request', 'Note Hook'),
  noteOnSnippet: gitlab('note-snippet', 'Note Hook'),
  pipeline: gitlab('pipeline', 'Pipeline Hook'),
  job: gitlab('job', 'Job Hook'),
  wikiPage: gitlab('wiki-page', 'Wiki Page Hook'),
  deployment: gitlab('deployment', 'Deployment Hook'),
  release: gitlab('release', 'Release Hook'),
};

const GITEA_EXAMPLES: Record<string, DeliveryEvent> = {
  push: deliveryEventOf('gitea', 'push', JSON.parse(payload('gitea-push'))),
  issue: exampleEvent('gitea', 'issues', 'issues'),
  pullRequest: exampleEvent('gitea', 'pull-request', 'pull_request'),
};

const SENT_AT = new Date('2024-05-01T10:00:00.123Z');

function build(slug: string, event: DeliveryEvent, fields: Record<string, FieldValue>, channels: string[] = []) {
  const builder = messageBuilderFor(slug);
  if (!builder) throw new Error(`no builder for ${slug}`);
  return builder(event, fields, channels, SENT_AT);
}

const jsonBody = (request: DeliveryRequest | undefined): unknown => JSON.parse(request?.body ?? 'null');
/** Slack and Mattermost get GitLab's `payload` form field; its JSON, parsed. */
const slackPayload = (request: DeliveryRequest | undefined): unknown =>
  JSON.parse(new URLSearchParams(request?.body ?? '').get('payload') ?? 'null');
const formFields = (request: DeliveryRequest | undefined) => [...new URLSearchParams(request?.body ?? '').entries()];

const SLACK = { webhook: 'https://hooks.slack.com/services/T000/B000/secret', username: null };
const JSON_HEADERS = { 'content-type': 'application/json' };
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

const PUSH_TEXT =
  'John Smith pushed to branch <http://example.com/mike/diaspora/-/commits/master|master> of ' +
  '<http://example.com/mike/diaspora|Mike / Diaspora> ' +
  '(<http://example.com/mike/diaspora/-/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7|Compare changes>)';
const PUSH_MARKDOWN =
  'John Smith pushed to branch [master](http://example.com/mike/diaspora/-/commits/master) of ' +
  '[Mike / Diaspora](http://example.com/mike/diaspora) ' +
  '([Compare changes](http://example.com/mike/diaspora/-/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7))';
const PUSH_COMMITS_MARKDOWN =
  '[b6568db1](http://example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327): Update Catalan translation to e38cb41. - Jordi Mallach' +
  '\n\n[da156088](http://example.com/mike/diaspora/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7): fixed readme - GitLab dev user';
const PUSHER_AVATAR =
  'https://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=8://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=80';

describe("Slack: GitLab's pretext, attachments and fallback, posted per channel", () => {
  it('posts a push to each channel with its commits as an attachment', () => {
    const requests = build('slack', GITLAB_EXAMPLES.push!, { ...SLACK, username: 'GitLab' }, ['#dev', '#ops']);
    expect(requests.map(({ method, url, headers }) => ({ method, url, headers }))).toEqual([
      { method: 'POST', url: SLACK.webhook, headers: FORM_HEADERS },
      { method: 'POST', url: SLACK.webhook, headers: FORM_HEADERS },
    ]);
    expect(slackPayload(requests[0])).toEqual({
      channel: '#dev',
      username: 'GitLab',
      attachments: [
        {
          text:
            '<http://example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327|b6568db1>: Update Catalan translation to e38cb41. - Jordi Mallach' +
            '\n\n<http://example.com/mike/diaspora/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7|da156088>: fixed readme - GitLab dev user',
          color: '#334455',
        },
      ],
      fallback: PUSH_TEXT,
      text: PUSH_TEXT,
    });
    expect(slackPayload(requests[1])).toMatchObject({ channel: '#ops' });
  });

  it("posts once to the webhook's own channel when no channel is set, without a username when none is", () => {
    const [request, ...rest] = build('slack', GITLAB_EXAMPLES.push!, SLACK);
    expect(rest).toEqual([]);
    expect(Object.keys(slackPayload(request) as object)).toEqual(['attachments', 'fallback', 'text']);
  });

  it('posts a new issue with its description as a titled attachment', () => {
    const text =
      '[<http://example.com/gitlabhq/gitlab-test|GitlabHQ / Gitlab Test>] Issue ' +
      '<http://example.com/diaspora/issues/23|#23 New API: create/update/delete file> opened by Administrator (root)';
    expect(slackPayload(build('slack', GITLAB_EXAMPLES.issue!, SLACK)[0])).toEqual({
      attachments: [
        {
          title: '#23 New API: create/update/delete file',
          title_link: 'http://example.com/diaspora/issues/23',
          text: 'Create new API for manipulations with repository',
          color: '#C95823',
        },
      ],
      fallback: text,
      text,
    });
  });

  it("posts a merge request with GitLab's own route and the title in bold, without attachments", () => {
    const text =
      'Administrator (root) opened merge request ' +
      '<http://example.com/gitlabhq/gitlab-test/-/merge_requests/1|!1 *MS-Viewport*> in ' +
      '<http://example.com/gitlabhq/gitlab-test|GitlabHQ / Gitlab Test>';
    expect(slackPayload(build('slack', GITLAB_EXAMPLES.mergeRequest!, SLACK)[0])).toEqual({
      attachments: [],
      fallback: text,
      text,
    });
  });

  it('posts a pipeline as one attachment with its branch, commit, failed stage and job, and no pretext', () => {
    const web = 'http://192.168.64.1:3005/gitlab-org/gitlab-test';
    const fallback =
      `<${web}|Gitlab Test>: Pipeline <${web}/-/pipelines/31/failures|#31> of branch ` +
      `<${web}/-/commits/master|master> by Administrator (root) has passed in 01:03`;
    expect(slackPayload(build('slack', GITLAB_EXAMPLES.pipeline!, SLACK)[0])).toEqual({
      attachments: [
        {
          fallback,
          color: 'good',
          author_name: 'Administrator (root)',
          author_icon: 'http://www.gravatar.com/avatar/e32bd13e2add097461cb96824b7a829c?s=80&d=identicon',
          author_link: null,
          title: 'Pipeline #31 has passed in 01:03',
          title_link: `${web}/-/pipelines/31/failures`,
          fields: [
            { title: 'Branch', value: `<${web}/-/commits/master|master>`, short: true },
            { title: 'Commit', value: `<${web}/-/commit/bcbb5ec396a2c0f828686f14fac9b80b780504f2|test>`, short: true },
            { title: 'Failed stage', value: `<${web}/-/pipelines/31/failures|test>`, short: true },
            { title: 'Failed job', value: `<${web}/-/jobs/378|test-build>`, short: true },
            { title: 'Pipeline name', value: 'Pipeline for branch: master', short: false },
          ],
          footer: 'Gitlab Test',
          footer_icon: null,
          ts: 1471015589,
        },
      ],
      fallback,
      text: '',
    });
  });

  it('names a failed pipeline in red and links the pipeline itself when no job failed for good', () => {
    const event = gitlab('pipeline', 'Pipeline Hook', (body) => {
      (body.object_attributes as Record<string, unknown>).status = 'failed';
      body.builds = [];
      delete body.user;
    });
    const [attachment] = (slackPayload(build('slack', event, SLACK)[0]) as { attachments: Record<string, unknown>[] })
      .attachments;
    expect(attachment).toMatchObject({
      color: 'danger',
      author_name: 'API',
      title: 'Pipeline #31 has failed in 01:03',
      title_link: 'http://192.168.64.1:3005/gitlab-org/gitlab-test/-/pipelines/31',
    });
  });

  it('Mattermost gets the same request as Slack', () => {
    const fields = { webhook: 'https://mattermost.example.com/hooks/abc', username: 'ci' };
    expect(build('mattermost', GITLAB_EXAMPLES.push!, fields, ['town-square'])).toEqual(
      build('slack', GITLAB_EXAMPLES.push!, fields, ['town-square']),
    );
  });
});

describe('The Markdown services', () => {
  const teams = { webhook: 'https://outlook.office.com/webhook/secret' };

  it("Microsoft Teams: an Adaptive Card with the project, GitLab's activity and the commits", () => {
    const requests = build('microsoft-teams', GITLAB_EXAMPLES.push!, teams, ['#ignored']);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'POST', url: teams.webhook, headers: JSON_HEADERS });
    expect(jsonBody(requests[0])).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            type: 'AdaptiveCard',
            msteams: { width: 'Full' },
            version: '1.0',
            body: [
              { type: 'TextBlock', text: 'Mike / Diaspora', weight: 'bolder', size: 'medium' },
              {
                type: 'ColumnSet',
                columns: [
                  { type: 'Column', width: 'auto', items: [{ type: 'Image', url: PUSHER_AVATAR, size: 'medium' }] },
                  {
                    type: 'Column',
                    width: 'stretch',
                    items: [
                      {
                        type: 'TextBlock',
                        text: 'John Smith pushed to branch [master](http://example.com/mike/diaspora/-/commits/master)',
                        weight: 'bolder',
                        wrap: true,
                      },
                      {
                        type: 'TextBlock',
                        text: 'in [Mike / Diaspora](http://example.com/mike/diaspora)',
                        isSubtle: true,
                        wrap: true,
                      },
                      {
                        type: 'TextBlock',
                        text: '[Compare changes](http://example.com/mike/diaspora/-/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7)',
                        wrap: true,
                      },
                    ],
                  },
                ],
              },
              { type: 'TextBlock', text: PUSH_COMMITS_MARKDOWN, wrap: true },
            ],
          },
        },
      ],
    });
  });

  it('Microsoft Teams: a new tag has no commit block', () => {
    const body = jsonBody(build('microsoft-teams', GITLAB_EXAMPLES.tagPush!, teams)[0]) as {
      attachments: { content: { body: { text?: string }[] } }[];
    };
    const blocks = body.attachments[0]!.content.body;
    expect(blocks).toHaveLength(2);
  });

  it("Discord: one embed with the pusher, the message and commits, in push's colour, at the time it is sent", () => {
    const fields = { webhook: 'https://discord.com/api/webhooks/1/secret' };
    const requests = build('discord', GITLAB_EXAMPLES.push!, fields);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'POST', url: fields.webhook, headers: JSON_HEADERS });
    expect(jsonBody(requests[0])).toEqual({
      content: '',
      username: null,
      avatar_url: null,
      tts: false,
      embeds: [
        {
          title: null,
          description: `${PUSH_MARKDOWN}\n${PUSH_COMMITS_MARKDOWN}`,
          url: null,
          timestamp: '2024-05-01T10:00:00Z',
          color: 0x334455,
          footer: null,
          image: null,
          thumbnail: null,
          video: null,
          provider: null,
          author: { name: 'John Smith', url: null, icon_url: PUSHER_AVATAR },
          fields: [],
        },
      ],
      allowed_mentions: null,
      components: [],
    });
  });

  it("Discord: an event's own webhook instead of the main one; GitLab's orange where the colour is private", () => {
    const fields = { webhook: 'https://discord.com/api/webhooks/1/main' };
    const [request] = build('discord', GITLAB_EXAMPLES.mergeRequest!, fields, [
      'https://discord.com/api/webhooks/2/mr',
    ]);
    expect(request?.url).toBe('https://discord.com/api/webhooks/2/mr');
    expect(jsonBody(request)).toMatchObject({ embeds: [{ color: 0xfc6d26, author: { name: 'root' } }] });
    const issue = jsonBody(build('discord', GITLAB_EXAMPLES.issue!, fields)[0]);
    expect(issue).toMatchObject({ embeds: [{ color: 0xc95823 }] });
  });

  it('Webex Teams: the Markdown summary', () => {
    const fields = { webhook: 'https://api.ciscospark.com/v1/webhooks/incoming/secret' };
    const requests = build('webex-teams', GITLAB_EXAMPLES.push!, fields);
    expect(requests).toEqual([
      { method: 'POST', url: fields.webhook, headers: JSON_HEADERS, body: JSON.stringify({ markdown: PUSH_MARKDOWN }) },
    ]);
  });

  it('Telegram: sendMessage with Markdown, and the same without it to resend on a 400', () => {
    const fields = { hostname: null, token: '123456:ABC-secret', room: '@dev', thread: null };
    const requests = build('telegram', GITLAB_EXAMPLES.push!, fields);
    expect(requests).toHaveLength(1);
    const url = 'https://api.telegram.org/bot123456:ABC-secret/sendMessage';
    expect(requests[0]).toMatchObject({ method: 'POST', url, headers: JSON_HEADERS });
    expect(jsonBody(requests[0])).toEqual({ text: PUSH_MARKDOWN, chat_id: '@dev', parse_mode: 'markdown' });
    expect(requests[0]?.resendOnBadRequest).toEqual({
      method: 'POST',
      url,
      headers: JSON_HEADERS,
      body: JSON.stringify({ text: PUSH_MARKDOWN, chat_id: '@dev' }),
    });
  });

  it("Telegram: a forum topic's thread, and a custom API host", () => {
    const fields = { hostname: 'https://telegram.example.com/', token: 't', room: '-100', thread: 7 };
    const [request] = build('telegram', GITLAB_EXAMPLES.issue!, fields);
    expect(request?.url).toBe('https://telegram.example.com/bott/sendMessage');
    expect(jsonBody(request)).toMatchObject({ chat_id: '-100', message_thread_id: 7, parse_mode: 'markdown' });
  });
});

describe('Google Chat: one text in Slack links, threaded', () => {
  const webhook = 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=KEY&token=TOKEN';

  it('posts a new issue in its own thread, replying to it when it exists', () => {
    const requests = build('hangouts-chat', GITLAB_EXAMPLES.issue!, { webhook });
    expect(requests).toEqual([
      {
        method: 'POST',
        url: `${webhook}&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD`,
        headers: JSON_HEADERS,
        body: JSON.stringify({
          text:
            '[<http://example.com/gitlabhq/gitlab-test|GitlabHQ / Gitlab Test>] Issue ' +
            '<http://example.com/diaspora/issues/23|#23 New API: create/update/delete file> opened by Administrator (root)' +
            '\n<http://example.com/diaspora/issues/23|#23 New API: create/update/delete file>' +
            '\nCreate new API for manipulations with repository',
          thread: { threadKey: 'issue GitlabHQ / Gitlab Test#23' },
        }),
      },
    ]);
  });

  it('threads merge requests, pushes, pipelines, comments and wiki pages by what they are about', () => {
    const threadOf = (event: DeliveryEvent) =>
      (jsonBody(build('hangouts-chat', event, { webhook })[0]) as { thread?: { threadKey: string } }).thread?.threadKey;
    expect(threadOf(GITLAB_EXAMPLES.mergeRequest!)).toBe('merge request GitlabHQ / Gitlab Test!1');
    expect(threadOf(GITLAB_EXAMPLES.push!)).toBe('push Mike / Diaspora_master');
    expect(threadOf(GITLAB_EXAMPLES.pipeline!)).toBe('pipeline 31');
    expect(threadOf(GITLAB_EXAMPLES.noteOnIssue!)).toBe('issue #17');
    expect(threadOf(GITLAB_EXAMPLES.wikiPage!)).toBe(
      'wiki_page http://example.com/root/awesome-project/-/wikis/awesome',
    );
  });
});

describe('Pushover: pushes only, in its own words', () => {
  const fields = { api_key: 'app-key', user_key: 'user-key', device: null, priority: '0', sound: null };

  it('posts the push with the commit count to Pushover, a blank device for all devices and no sound', () => {
    const requests = build('pushover', GITLAB_EXAMPLES.push!, fields);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: 'https://api.pushover.net/1/messages.json',
      headers: FORM_HEADERS,
    });
    expect(formFields(requests[0])).toEqual([
      ['token', 'app-key'],
      ['user', 'user-key'],
      ['device', ''],
      ['priority', '0'],
      ['title', 'Mike / Diaspora'],
      ['message', 'John Smith push to branch "master".\nTotal commits count: 4'],
      ['url', 'http://example.com/mike/diaspora'],
      ['url_title', 'See project Mike / Diaspora'],
    ]);
  });

  it('names a new and a deleted branch, and sends the sound when one is chosen', () => {
    const created = gitlab('push', 'Push Hook', (body) => {
      body.before = '0000000000000000000000000000000000000000';
      body.total_commits_count = 0;
    });
    const removed = gitlab('push', 'Push Hook', (body) => {
      body.after = '0000000000000000000000000000000000000000';
      body.total_commits_count = 0;
    });
    const message = (event: DeliveryEvent) =>
      new URLSearchParams(build('pushover', event, { ...fields, sound: 'bike' })[0]?.body).get('message');
    expect(message(created)).toBe('John Smith pushed new branch "master".');
    expect(message(removed)).toBe('John Smith deleted branch "master".');
    expect(new URLSearchParams(build('pushover', created, { ...fields, sound: 'bike' })[0]?.body).get('sound')).toBe(
      'bike',
    );
  });

  it('sends nothing for any other event', () => {
    const others = Object.entries(GITLAB_EXAMPLES).filter(([name]) => name !== 'push');
    expect(others.flatMap(([, event]) => build('pushover', event, fields))).toEqual([]);
  });
});

describe("GitLab's texts of the other events", () => {
  const slackText = (event: DeliveryEvent) => (slackPayload(build('slack', event, SLACK)[0]) as { text: string }).text;

  it('a new tag is "pushed new tag" without commits; a removed branch is named without a link', () => {
    const [tag] = build('slack', GITLAB_EXAMPLES.tagPush!, SLACK);
    expect(slackPayload(tag)).toMatchObject({
      text: 'John Smith pushed new tag <http://example.com/jsmith/example/-/tags/v1.0.0|v1.0.0> to <http://example.com/jsmith/example|Jsmith / Example>',
      attachments: [],
    });
    const removed = gitlab('push', 'Push Hook', (body) => (body.after = '0000000000000000000000000000000000000000'));
    expect(slackText(removed)).toBe(
      'John Smith removed branch master from <http://example.com/mike/diaspora|Mike / Diaspora>',
    );
  });

  it('comments name what they are on, with the first line of its title', () => {
    expect(slackText(GITLAB_EXAMPLES.noteOnCommit!)).toMatch(
      /^Administrator \(root\) <[^|]+\|commented on commit cfe32cf6> in <[^|]+\|GitlabHQ \/ Gitlab Test>: \*Add submodule\*$/,
    );
    expect(slackText(GITLAB_EXAMPLES.noteOnIssue!)).toContain('|commented on issue #17>');
    expect(slackText(GITLAB_EXAMPLES.noteOnMergeRequest!)).toContain('|commented on merge request !1>');
    expect(slackText(GITLAB_EXAMPLES.noteOnSnippet!)).toContain('|commented on snippet $53>');
    expect(slackPayload(build('slack', GITLAB_EXAMPLES.noteOnIssue!, SLACK)[0])).toMatchObject({
      attachments: [{ text: 'Hello world', color: '#334455' }],
    });
  });

  it('a wiki page is created or edited, with its commit message attached', () => {
    expect(slackText(GITLAB_EXAMPLES.wikiPage!)).toBe(
      'Administrator (root) created <http://example.com/root/awesome-project/-/wikis/awesome|wiki page> in ' +
        '<http://example.com/root/awesome-project|root / awesome-project>: *Awesome*',
    );
  });

  it('a closed issue is told without its description', () => {
    const closed = gitlab('issue', 'Issue Hook', (body) => {
      Object.assign(body.object_attributes as object, { action: 'close', state: 'closed' });
    });
    expect(slackPayload(build('slack', closed, SLACK)[0])).toMatchObject({
      attachments: [],
      text: expect.stringMatching(/ closed by Administrator \(root\)$/) as unknown,
    });
  });

  it('a deployment names its environment and status, with its job, user and commit linked', () => {
    expect(slackPayload(build('slack', GITLAB_EXAMPLES.deployment!, SLACK)[0])).toEqual({
      attachments: [
        {
          text:
            '<http://10.126.0.2:3000/root/test-deployment-webhooks|Administrator / test-deployment-webhooks> with job ' +
            '<http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796|#796> by ' +
            '<http://10.126.0.2:3000/root|Administrator (root)>\n' +
            '<http://10.126.0.2:3000/root/test-deployment-webhooks/-/commit/279484c09fbe69ededfced8c1bb6e6d24616b468|279484c0>: Add new file',
          color: 'good',
        },
      ],
      fallback: 'Deploy to staging succeeded',
      text: 'Deploy to staging succeeded',
    });
  });

  it('approvals are told in words, and a merge request title cannot inject a link', () => {
    const approved = gitlab('merge-request', 'Merge Request Hook', (body) => {
      const attributes = body.object_attributes as Record<string, unknown>;
      attributes.action = 'approval';
      attributes.title = 'Fix [login](https://evil.example) <https://evil.example|here>';
    });
    expect(slackText(approved)).toBe(
      'Administrator (root) added their approval to merge request ' +
        '<http://example.com/gitlabhq/gitlab-test/-/merge_requests/1|!1 *Fix login(https://evil.example) https://evil.examplehere*> ' +
        'in <http://example.com/gitlabhq/gitlab-test|GitlabHQ / Gitlab Test>',
    );
  });

  it('a Slack link typed in an issue description shows as text, and an uploaded image gets its full URL', () => {
    const event = gitlab('issue', 'Issue Hook', (body) => {
      (body.object_attributes as Record<string, unknown>).description =
        'See <https://evil.example|this> and ![shot](/uploads/abc/shot.png)';
    });
    expect(slackPayload(build('slack', event, SLACK)[0])).toMatchObject({
      attachments: [
        {
          text: 'See &lt;https://evil.example|this&gt; and http://example.com/gitlabhq/gitlab-test/uploads/abc/shot.png',
        },
      ],
    });
  });
});

describe('Every type, every documented example', () => {
  const TYPES: Record<string, { fields: Record<string, FieldValue>; sends: readonly string[] }> = {
    slack: {
      fields: SLACK,
      sends: ['push', 'tagPush', 'issue', 'mergeRequest', 'note', 'pipeline', 'wikiPage', 'deployment'],
    },
    mattermost: {
      fields: { webhook: 'https://mattermost.example.com/hooks/x' },
      sends: ['push', 'tagPush', 'issue', 'mergeRequest', 'note', 'pipeline', 'wikiPage', 'deployment'],
    },
    discord: {
      fields: { webhook: 'https://discord.com/api/webhooks/1/x' },
      sends: ['push', 'tagPush', 'issue', 'mergeRequest', 'note', 'pipeline', 'wikiPage', 'deployment'],
    },
    'microsoft-teams': {
      fields: { webhook: 'https://outlook.office.com/webhook/x' },
      sends: ['push', 'tagPush', 'issue', 'mergeRequest', 'note', 'pipeline', 'wikiPage'],
    },
    'hangouts-chat': {
      fields: { webhook: 'https://chat.googleapis.com/v1/spaces/A/messages?key=k' },
      sends: ['push', 'tagPush', 'issue', 'mergeRequest', 'note', 'pipeline', 'wikiPage'],
    },
    'webex-teams': {
      fields: { webhook: 'https://api.ciscospark.com/v1/webhooks/incoming/x' },
      sends: ['push', 'tagPush', 'issue', 'mergeRequest', 'note', 'pipeline', 'wikiPage'],
    },
    telegram: {
      fields: { token: 't', room: '@r' },
      sends: ['push', 'tagPush', 'issue', 'mergeRequest', 'note', 'pipeline', 'wikiPage'],
    },
    pushover: { fields: { api_key: 'a', user_key: 'u', priority: '0' }, sends: ['push'] },
  };
  const family = (name: string) => (name.startsWith('note') ? 'note' : name);

  for (const [slug, { fields, sends }] of Object.entries(TYPES)) {
    it(`${slug} sends one POST for each event it posts, and nothing for the others (jobs, releases)`, () => {
      for (const [name, event] of Object.entries(GITLAB_EXAMPLES)) {
        const requests = build(slug, event, fields);
        expect(requests.length, `${slug} ${name}`).toBe(sends.includes(family(name)) ? 1 : 0);
        for (const request of requests) {
          expect(request.method).toBe('POST');
          expect(request.url).not.toBe('');
          const form = request.headers?.['content-type'] === 'application/x-www-form-urlencoded';
          expect(form ? formFields(request).length : jsonBody(request), `${slug} ${name}`).toBeTruthy();
        }
      }
    });
  }

  it('the Slack-format services carry no Markdown link, the Markdown ones no Slack link', () => {
    const markdownLink = /\[[^\]]*\]\(https?:/;
    const slackLink = /<https?:[^>]*\|/;
    for (const event of Object.values(GITLAB_EXAMPLES)) {
      for (const request of build('slack', event, SLACK)) expect(request.body).not.toMatch(markdownLink);
      for (const request of build('webex-teams', event, TYPES['webex-teams']!.fields)) {
        expect(request.body).not.toMatch(slackLink);
      }
    }
  });
});

describe('Gitea and Forgejo events link to Gitea pages', () => {
  const slackOf = (event: DeliveryEvent) => slackPayload(build('slack', event, SLACK)[0]) as { text: string };

  it("a push links the branch's source and Gitea's compare page", () => {
    expect(slackOf(GITEA_EXAMPLES.push!).text).toMatch(
      /^\S.* pushed to branch <http:\/\/localhost:3000\/gitea\/webhooks\/src\/branch\/[^|]+\|[^>]+> of <http:\/\/localhost:3000\/gitea\/webhooks\|Gitea \/ webhooks> \(<[^|]+\/compare\/[^|]+\|Compare changes>\)$/,
    );
  });

  it('an issue and a pull request link their own pages', () => {
    expect(slackOf(GITEA_EXAMPLES.issue!).text).toBe(
      '[<http://localhost:3000/test/repo|test / repo>] Issue <http://localhost:3000/test/repo/issues/2|#2 crash> opened by User One (user1)',
    );
    expect(slackOf(GITEA_EXAMPLES.pullRequest!).text).toBe(
      'User One (user1) opened merge request <http://localhost:3000/test/repo/pulls/12|!12 *Fix bug*> in <http://localhost:3000/test/repo|test / repo>',
    );
  });

  it('Pushover names a Gitea project by its owner and name', () => {
    const [request] = build('pushover', GITEA_EXAMPLES.push!, { api_key: 'a', user_key: 'u', priority: '0' });
    expect(new URLSearchParams(request?.body).get('title')).toBe('Gitea / webhooks');
  });
});
