/**
 * Jira deliveries sent by the worker to a local test Jira that answers as Jira's REST API
 * documents: the reads first, then only the writes GitLab would make, as one attempt.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { DeliveryEvent } from '../../src/delivery/event.js';
import { jiraRequests } from '../../src/delivery/messages/jira.js';
import type { PlannedDelivery } from '../../src/delivery/queue.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import type { FieldValue } from '../../src/integrations/types.js';
import { openTestDatabase } from '../support/database.js';
import { exampleEvent } from '../support/code-host-events.js';
import {
  attemptsOf,
  deliveryWorld,
  INSTANCE,
  queueDeliveries,
  requests,
  storedDeliveries,
  TestClock,
} from '../support/deliveries.js';
import { receiverForFile, type ReceivedRequest } from '../support/receiver.js';

const receiver = receiverForFile();
const PASSWORD = 'jira-api-token-s3cr3t';
const COMMIT = 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327';
const COMMIT_URL = `http://example.com/mike/diaspora/-/commit/${COMMIT}`;

interface TestIssue {
  comments: string[];
  links: { id: number; object: { url: string } }[];
  resolution: { name: string } | null;
  transitions: { id: string; name: string; to: { statusCategory: { key: string } } }[];
}

const WORKFLOW: TestIssue['transitions'] = [
  { id: '11', name: 'Start progress', to: { statusCategory: { key: 'indeterminate' } } },
  { id: '31', name: 'Done', to: { statusCategory: { key: 'done' } } },
];

/** What GitLab's writes send: a comment, a remote link, a transition. */
type Sent = { body?: string; object?: { url: string }; transition?: { id: string } };

/** A Jira of issues that answers GitLab's requests; `failing` answers one step with a status instead. */
class TestJira {
  readonly issues = new Map<string, TestIssue>();
  failing: { method: string; path: RegExp; status: number } | null = null;

  issue(key: string, issue: Partial<TestIssue> = {}): TestIssue {
    const created = { comments: [], links: [], resolution: null, transitions: WORKFLOW, ...issue };
    this.issues.set(key, created);
    return created;
  }

  readonly answer = (response: ServerResponse, request: ReceivedRequest) => {
    const json = (status: number, body?: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(body === undefined ? '' : JSON.stringify(body));
    };
    const url = new URL(request.path, 'http://jira');
    const [, key, resource, id] = /^\/rest\/api\/2\/issue\/([^/]+)(?:\/(\w+))?(?:\/(\d+))?$/.exec(url.pathname) ?? [];
    const issue = this.issues.get(key ?? '');
    if (this.failing?.method === request.method && this.failing.path.test(url.pathname))
      return json(this.failing.status, { errorMessages: ['Failing'] });
    if (!issue) return json(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'] });
    const sent = request.body ? (JSON.parse(request.body) as Sent) : {};
    switch (`${request.method} ${resource ?? ''}`) {
      case 'GET ': {
        const expanded = url.searchParams.get('expand') === 'transitions' ? { transitions: issue.transitions } : {};
        return json(200, { key, fields: { resolution: issue.resolution }, ...expanded });
      }
      case 'GET comment': {
        // Two a page, as a Jira with a small page size gives them.
        const startAt = Number(url.searchParams.get('startAt') ?? 0);
        const comments = issue.comments.slice(startAt, startAt + 2).map((body) => ({ body }));
        return json(200, { startAt, maxResults: 2, total: issue.comments.length, comments });
      }
      case 'POST comment':
        issue.comments.push(sent.body ?? '');
        return json(201, { id: String(issue.comments.length) });
      case 'GET remotelink':
        return json(200, issue.links);
      case 'POST remotelink': {
        const link = { id: issue.links.length + 100, object: sent.object! };
        issue.links.push(link);
        return json(201, { id: link.id, self: `/rest/api/2/issue/${key}/remotelink/${link.id}` });
      }
      case 'PUT remotelink':
        return issue.links.some((link) => String(link.id) === id) ? json(204) : json(404);
      case 'POST transitions': {
        const chosen = issue.transitions.find(({ id }) => id === sent.transition?.id);
        if (!chosen)
          return json(400, {
            errorMessages: ['It seems that you have tried to perform an invalid workflow operation.'],
          });
        if (chosen.to.statusCategory.key === 'done') issue.resolution = { name: 'Done' };
        return json(204);
      }
      default:
        return json(405);
    }
  };
}

/** The documented push (of mike/diaspora, default branch master), its first commit's message replaced. */
function push(message: string, ref = 'refs/heads/feature'): DeliveryEvent {
  return exampleEvent('gitlab', 'push', 'Push Hook', (body) => {
    body.ref = ref;
    body.commits = (body.commits as Record<string, unknown>[])
      .slice(0, 1)
      .map((commit) => ({ ...commit, message, title: message }));
  });
}

/** The Jira deliveries of an event, as the planner stores them, to the test Jira. */
function planJira(event: DeliveryEvent, fields: Record<string, FieldValue> = {}): PlannedDelivery[] {
  const settings = { url: receiver().origin, username: 'jira-user', password: PASSWORD, ...fields };
  return jiraRequests(event, settings).map((request) => ({
    integration: 'jira',
    settingsOwner: INSTANCE,
    request,
    used: { url: { value: receiver().origin, from: INSTANCE } },
    secrets: [PASSWORD],
  }));
}

async function setUp() {
  const db = await openTestDatabase();
  const world = await deliveryWorld(db);
  const clock = new TestClock();
  const jira = new TestJira();
  receiver().answer = jira.answer;
  const worker = new DeliveryWorker(db, { requests, schedule: [5_000], now: clock.now });
  /** Stores the event's Jira deliveries and lets the worker send what is due. */
  const deliver = async (event: DeliveryEvent, fields: Record<string, FieldValue> = {}) => {
    await queueDeliveries(db, world, planJira(event, fields), clock.now());
    await sendDueNow();
    return storedDeliveries(db);
  };
  const sendDueNow = async () => {
    worker.wake();
    await worker.idle();
  };
  return { db, clock, jira, deliver, sendDueNow };
}

const steps = () => receiver().received.map(({ method, path }) => `${method} ${path}`);

describe('Jira deliveries', () => {
  it('comments on the mentioned issue when no comment says it yet, and links the commit', async () => {
    const { jira, deliver } = await setUp();
    const issue = jira.issue('PROJ-1', { comments: ['Looks good', 'Another one', 'A third'] });
    const [delivery] = await deliver(push('PROJ-1 Update Catalan translation'));
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 1 });
    expect(steps()).toEqual([
      'GET /rest/api/2/issue/PROJ-1/comment?startAt=0',
      'GET /rest/api/2/issue/PROJ-1/comment?startAt=2',
      'GET /rest/api/2/issue/PROJ-1/remotelink',
      'POST /rest/api/2/issue/PROJ-1/comment',
      'POST /rest/api/2/issue/PROJ-1/remotelink',
    ]);
    expect(issue.comments[3]).toContain(`mentioned this issue in [a commit|${COMMIT_URL}]`);
    expect(JSON.parse(receiver().received[4]!.body)).toEqual({
      GlobalID: 'GitLab',
      relationship: 'mentioned on',
      object: {
        url: COMMIT_URL,
        title: 'Commit - PROJ-1 Update Catalan translation',
        status: { resolved: false },
        icon: { title: 'GitLab', url16x16: 'http://example.com/favicon.ico' },
      },
    });
  });

  it('skips the comment already on the issue, so a delivery sent again comments once', async () => {
    const { jira, deliver, db } = await setUp();
    const issue = jira.issue('PROJ-1');
    await deliver(push('PROJ-1 Update Catalan translation'));
    receiver().received = [];
    await deliver(push('PROJ-1 Update Catalan translation'));
    expect(issue.comments).toHaveLength(1);
    expect(steps()).toEqual(['GET /rest/api/2/issue/PROJ-1/comment?startAt=0']);
    const [, again] = await storedDeliveries(db);
    expect(again).toMatchObject({ state: 'delivered' });
    expect((await attemptsOf(db, again!.id))[0]?.responseExcerpt).toContain('The issue has this comment already.');
  });

  it('updates the link and adds no comment when the issue links the commit already', async () => {
    const { jira, deliver } = await setUp();
    const issue = jira.issue('PROJ-1', { links: [{ id: 7, object: { url: COMMIT_URL } }] });
    await deliver(push('PROJ-1 Update Catalan translation'));
    expect(issue.comments).toEqual([]);
    expect(steps().slice(-1)).toEqual(['PUT /rest/api/2/issue/PROJ-1/remotelink/7']);
  });

  it('still links the commit, without a comment, when comments are off', async () => {
    const { jira, deliver } = await setUp();
    const issue = jira.issue('PROJ-1');
    await deliver(push('PROJ-1 Update Catalan translation'), { comment_on_event_enabled: false });
    expect(issue.comments).toEqual([]);
    expect(issue.links.map(({ object }) => object.url)).toEqual([COMMIT_URL]);
  });

  it('moves an issue closed on the default branch to done when automatic, then says it is solved', async () => {
    const { jira, deliver } = await setUp();
    const issue = jira.issue('PROJ-1');
    const [delivery] = await deliver(push('Closes PROJ-1', 'refs/heads/master'), {
      jira_issue_transition_automatic: true,
      jira_issue_transition_id: '11',
    });
    expect(delivery).toMatchObject({ state: 'delivered' });
    expect(steps()).toEqual([
      'GET /rest/api/2/issue/PROJ-1?fields=resolution&expand=transitions',
      'POST /rest/api/2/issue/PROJ-1/transitions',
      'GET /rest/api/2/issue/PROJ-1?fields=resolution',
      'GET /rest/api/2/issue/PROJ-1/remotelink',
      'POST /rest/api/2/issue/PROJ-1/comment',
      'POST /rest/api/2/issue/PROJ-1/remotelink',
    ]);
    expect(JSON.parse(receiver().received[1]!.body)).toEqual({ transition: { id: '31' } });
    expect(issue.comments).toEqual([`Issue solved with [${COMMIT}|${COMMIT_URL}].`]);
    expect(JSON.parse(receiver().received[5]!.body)).toMatchObject({
      object: { url: COMMIT_URL, title: `Solved by commit ${COMMIT}.`, status: { resolved: true } },
    });
  });

  it('applies the configured transitions in order, and leaves a resolved issue alone', async () => {
    const { jira, deliver } = await setUp();
    const issue = jira.issue('PROJ-1');
    jira.issue('PROJ-2', { resolution: { name: 'Fixed' } });
    await deliver(push('Closes PROJ-1 and closes PROJ-2', 'refs/heads/master'), { jira_issue_transition_id: '11;31' });
    const transitions = receiver().received.filter(({ path }) => path.endsWith('/transitions'));
    expect(transitions.map(({ path, body }) => [path, body])).toEqual([
      ['/rest/api/2/issue/PROJ-1/transitions', '{"transition":{"id":"11"}}'],
      ['/rest/api/2/issue/PROJ-1/transitions', '{"transition":{"id":"31"}}'],
    ]);
    expect(issue.comments).toEqual([`Issue solved with [${COMMIT}|${COMMIT_URL}].`]);
    expect(steps().filter((step) => step.includes('PROJ-2'))).toEqual([
      'GET /rest/api/2/issue/PROJ-2?fields=resolution',
    ]);
  });

  it('says nothing solved while the transitions leave the issue unresolved', async () => {
    const { jira, deliver } = await setUp();
    const issue = jira.issue('PROJ-1');
    await deliver(push('Closes PROJ-1', 'refs/heads/master'), { jira_issue_transition_id: '11' });
    expect(issue.comments).toEqual([]);
    expect(steps().at(-1)).toBe('GET /rest/api/2/issue/PROJ-1?fields=resolution');
  });

  it('fails the attempt with the failing step: a 5xx is tried again, and the retry comments once', async () => {
    const { jira, deliver, db, clock, sendDueNow } = await setUp();
    const issue = jira.issue('PROJ-1');
    jira.failing = { method: 'POST', path: /\/remotelink$/, status: 503 };
    const [delivery] = await deliver(push('PROJ-1 Update Catalan translation'));
    expect(delivery).toMatchObject({ state: 'pending', attempts: 1 });
    const [attempt] = await attemptsOf(db, delivery!.id);
    expect(attempt).toMatchObject({ status: 503, failure: 'http_status' });
    expect(attempt?.responseExcerpt).toContain('POST /rest/api/2/issue/PROJ-1/remotelink 503');
    expect(issue.comments).toHaveLength(1);

    jira.failing = null;
    clock.advance(5_000);
    await sendDueNow();
    expect((await storedDeliveries(db))[0]).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(issue.comments).toHaveLength(1);
  });

  it('fails at once on a 4xx step: an issue Jira does not have', async () => {
    const { deliver, db } = await setUp();
    const [delivery] = await deliver(push('PROJ-404 Update Catalan translation'));
    expect(delivery).toMatchObject({ state: 'failed', attempts: 1 });
    expect(await attemptsOf(db, delivery!.id)).toMatchObject([{ status: 404, failure: 'http_status' }]);
    expect(steps()).toEqual(['GET /rest/api/2/issue/PROJ-404/comment?startAt=0']);
  });

  it('never shows the credentials in the stored target or the attempts', async () => {
    const { jira, deliver, db } = await setUp();
    jira.issue('PROJ-1');
    jira.failing = { method: 'GET', path: /\/remotelink$/, status: 500 };
    const [delivery] = await deliver(push('PROJ-1 Update Catalan translation'));
    const basic = Buffer.from(`jira-user:${PASSWORD}`).toString('base64');
    expect(receiver().received[0]?.headers.authorization).toBe(`Basic ${basic}`);
    const stored = JSON.stringify([delivery, await attemptsOf(db, delivery!.id)]);
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain(basic);
    expect(JSON.parse(delivery!.target)).toMatchObject({
      method: 'GET',
      url: `${receiver().origin}/rest/api/2/issue/PROJ-1`,
      headers: { authorization: '[REDACTED]', cookie: '[REDACTED]' },
      body: expect.stringContaining('GET /rest/api/2/issue/PROJ-1/comment: nothing more when a comment holds'),
    });
  });
});
