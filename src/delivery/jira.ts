/**
 * @module delivery/jira
 * One attempt of a Jira delivery: GitLab's requests on one Jira issue, reads first, each through
 * the outbound protection and all of them within the attempt's timeout. A cross-reference reads
 * the issue's comments and comments only when none holds the text already (`comment_exists?`),
 * nor a remote link the page (`send_message`), then adds or updates the link. Closing reads the
 * issue (its resolution, and its transitions for `jira_issue_transition_automatic`), applies the
 * transition to done or the configured ones, and once the issue is resolved comments "Issue
 * solved with …" the same way. The first step that fails is the attempt's outcome, so a retry
 * runs the sequence again, and its reads keep it from commenting twice.
 */
import { z } from 'zod';
import { fetchOutbound, type FetchResult, type OutboundPolicy, type OutboundRequest } from '../outbound/request.js';
import type { JiraMessage, JiraRequest } from './messages/request.js';
import { RESPONSE_EXCERPT_BYTES } from './queue.js';
import type { AttemptResult } from './schedule.js';

const commentPage = z.object({
  startAt: z.number().optional(),
  total: z.number().optional(),
  comments: z.array(z.object({ body: z.string().nullish() })),
});

const remoteLinks = z.array(
  z.object({ id: z.union([z.number(), z.string()]), object: z.object({ url: z.string().nullish() }) }),
);

const issue = z.object({
  fields: z.object({ resolution: z.unknown().optional() }).optional(),
  transitions: z
    .array(
      z.object({
        id: z.string(),
        to: z.object({ statusCategory: z.object({ key: z.string() }).nullish() }).nullish(),
      }),
    )
    .optional(),
});
type Issue = z.infer<typeof issue>;

/** A step as the attempt's log names it: its path and query (the host is the delivery's). */
const pathOf = (url: string) => (URL.canParse(url) ? `${new URL(url).pathname}${new URL(url).search}` : url);

/** How a sequence stopped: the failing step's outcome, the steps' log prepended. */
class StepFailed extends Error {
  constructor(readonly result: AttemptResult) {
    super('A Jira step failed');
  }
}

/** The steps of one attempt, under one deadline, each written to the attempt's log. */
class JiraSteps {
  private readonly started = performance.now();
  private readonly log: string[] = [];
  private last: Extract<FetchResult, { ok: true }> | undefined;

  constructor(
    private readonly request: JiraRequest,
    private readonly policy: OutboundPolicy,
    private readonly timeoutMs: number,
  ) {}

  /** A read of the issue's resource at `path` ('' for the issue), as `shape` documents it. */
  async read<T>(path: string, shape: z.ZodType<T>): Promise<T> {
    const answer = await this.send({ method: 'GET', url: `${this.request.url}${path}` }, false);
    let json: unknown;
    try {
      json = JSON.parse(answer.body);
    } catch {
      json = undefined;
    }
    const parsed = shape.safeParse(json);
    if (parsed.success) return parsed.data;
    throw new StepFailed({
      ok: false,
      failure: 'unexpected_answer',
      message: `Jira's answer to GET ${pathOf(`${this.request.url}${path}`)} is not what its REST API documents`,
      status: answer.status,
      reply: this.excerpt(answer.body),
      durationMs: this.elapsed(),
    });
  }

  /** A write to the issue's resource at `path`, its JSON body `body`. */
  async write(method: 'POST' | 'PUT', path: string, body: object): Promise<void> {
    await this.send({ method, url: `${this.request.url}${path}`, body: JSON.stringify(body) }, true);
  }

  note(line: string): void {
    this.log.push(line);
  }

  /** The attempt that went through: the last answer's status, the steps' log as its excerpt. */
  delivered(): AttemptResult {
    const last = this.last!;
    return { ...last, body: this.excerpt(''), durationMs: this.elapsed() };
  }

  private async send(
    step: Omit<OutboundRequest, 'headers'>,
    excerptOnly: boolean,
  ): Promise<{ status: number; body: string }> {
    const timeoutMs = Math.max(1, this.timeoutMs - this.elapsed());
    const result = await fetchOutbound(
      { ...step, headers: this.request.headers },
      this.policy,
      excerptOnly ? { timeoutMs, maxBodyBytes: RESPONSE_EXCERPT_BYTES, cutLongerBody: true } : { timeoutMs },
    );
    const named = `${step.method} ${pathOf(step.url)}`;
    if (!result.ok) {
      this.note(`${named}: ${result.message}`);
      throw new StepFailed({ ...result, message: `${named}: ${result.message}`, durationMs: this.elapsed() });
    }
    this.note(`${named} ${result.status}`);
    if (result.status < 200 || result.status >= 300)
      throw new StepFailed({ ...result, body: this.excerpt(result.body), durationMs: this.elapsed() });
    this.last = result;
    return result;
  }

  private excerpt(answer: string): string {
    const text = [...this.log, ...(answer ? ['', answer] : [])].join('\n');
    return Buffer.from(text).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.started);
  }
}

/** Every comment of the issue, page by page as Jira's REST API gives them. */
async function commentBodies(steps: JiraSteps): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const page = await steps.read(`/comment?startAt=${bodies.length}`, commentPage);
    bodies.push(...page.comments.map((comment) => comment.body ?? ''));
    if (page.comments.length === 0 || page.total === undefined || bodies.length >= page.total) return bodies;
  }
}

/** GitLab's `send_message`: the comment unless the issue links the page already, and the link added or updated. */
async function sendMessage(steps: JiraSteps, request: JiraRequest, { comment, link }: JiraMessage): Promise<void> {
  const links = await steps.read('/remotelink', remoteLinks);
  const existing = links.find((linked) => linked.object.url === link.object.url);
  if (request.commentsEnabled && !existing) await steps.write('POST', '/comment', { body: comment });
  if (existing) await steps.write('PUT', `/remotelink/${existing.id}`, link);
  else await steps.write('POST', '/remotelink', link);
}

/** GitLab's `create_cross_reference_note` once the issue is found: nothing when a comment says it already. */
async function crossReference(steps: JiraSteps, request: JiraRequest, message: JiraMessage): Promise<void> {
  const bodies = await commentBodies(steps);
  if (bodies.some((body) => body.includes(message.comment))) {
    steps.note('The issue has this comment already.');
    return;
  }
  await sendMessage(steps, request, message);
}

const isResolved = (read: Issue) => read.fields?.resolution !== undefined && read.fields.resolution !== null;

/** GitLab's `transition_issue_to_done`: the first transition whose status category is done. */
const doneTransition = (read: Issue) =>
  read.transitions?.find((transition) => transition.to?.statusCategory?.key === 'done');

/** GitLab's `close_issue`: nothing on a resolved issue; "Issue solved" once the transitions resolved it. */
async function close(
  steps: JiraSteps,
  request: JiraRequest,
  transitions: 'automatic' | string[],
  solved: JiraMessage,
): Promise<void> {
  const automatic = transitions === 'automatic';
  const found = await steps.read(automatic ? '?fields=resolution&expand=transitions' : '?fields=resolution', issue);
  if (isResolved(found)) {
    steps.note('The issue is resolved already.');
    return;
  }
  const ids = automatic ? [doneTransition(found)?.id].filter((id) => id !== undefined) : transitions;
  if (ids.length === 0) {
    steps.note('The issue has no transition to done.');
    return;
  }
  for (const id of ids) await steps.write('POST', '/transitions', { transition: { id } });
  if (isResolved(await steps.read('?fields=resolution', issue))) await sendMessage(steps, request, solved);
}

/**
 * @example
 * await jiraAttempt(crossReferenceOfProj1, policy, 10_000)
 * // { ok: true, status: 201, headers: {...}, body: 'GET /rest/api/2/issue/PROJ-1/comment?startAt=0 200\n…', durationMs: 40 }
 */
export async function jiraAttempt(
  request: JiraRequest,
  policy: OutboundPolicy,
  timeoutMs: number,
): Promise<AttemptResult> {
  const steps = new JiraSteps(request, policy, timeoutMs);
  const { action } = request;
  try {
    if (action.type === 'cross_reference') await crossReference(steps, request, action.message);
    else await close(steps, request, action.transitions, action.solved);
    return steps.delivered();
  } catch (error) {
    if (error instanceof StepFailed) return error.result;
    throw error;
  }
}
