/**
 * @module delivery/messages/jira
 * Jira (GitLab's Integrations::Jira): a comment on each Jira issue a pushed commit or a new merge
 * request mentions, in GitLab's cross-reference words (`create_cross_reference_note`, the
 * standard comment detail), and the configured transitions of each issue a commit pushed to the
 * default branch, or a merge request merged into it, closes (`close_issue`). An issue closed
 * there gets no cross-reference comment, as in GitLab. The planner holds pushes to
 * `commit_events` and merge requests to `merge_requests_events`.
 *
 * Each delivery is one Jira issue's sequence of requests, run by delivery/jira.ts as one attempt
 * that reads Jira first, as GitLab does: a cross-reference skips a comment already on the issue and
 * adds a remote link to the commit or merge request; closing finds the "done" transition of
 * `jira_issue_transition_automatic` among the issue's transitions (or applies the configured ones)
 * and comments "Issue solved with …" once the issue has a resolution. Built here, nothing is sent.
 */
import { basicAuth, joinUrl } from '../../integrations/test-requests.js';
import type { DeliveryEvent } from '../event.js';
import { hostPages } from './chat/base.js';
import { closedIssues, mentionedIssues } from './jira-issues.js';
import { HOST_KIND_LABELS } from '../../code-hosts/host.js';
import { textOf, type JiraMessage, type JiraRequest, type MessageBuilder } from './request.js';

type Fields = Parameters<MessageBuilder>[1];

/** At most this many Jira issues per event: GitLab has no bound of its own but the 100 commits it reads of a push. */
export const JIRA_ISSUE_LIMIT = 10;

/** Jira's `jira_auth_type` for a personal access token. */
const PERSONAL_ACCESS_TOKEN = '1';

/** What mentioned the issues, as GitLab's comment names it. */
interface Mention {
  /** "commit", "merge request". */
  entity: string;
  url: string;
  /** The commit's or merge request's title. */
  title: string;
  branch: string | null;
  /** The text GitLab reads references from. */
  text: string;
  /** The text whose closing statements close issues; null where nothing is closed. */
  closingText: string | null;
  /** The commit an issue closed is solved with: the commit, or the merge request's last one. */
  commitId: string | null;
}

/** Commit#title: the first line, cut after 78 characters (at a space) when it has 100 or more. */
function commitTitle(message: string): string {
  const line = message.trim() ? (message.split(/[\r\n]/, 1)[0] ?? '') : 'No commit message';
  if (line.length < 100) return line;
  const stop = line.lastIndexOf(' ', 78);
  return `${line.slice(0, stop === -1 ? 78 : stop)}...`;
}

function mentionsOf(event: DeliveryEvent): Mention[] {
  const pages = hostPages(event);
  const defaultBranch = event.project.defaultBranch;
  switch (event.kind) {
    case 'push': {
      const { push } = event;
      if (push.refType !== 'branch' || push.removed) return [];
      const closes = push.refName === defaultBranch;
      return push.commits.map((commit) => ({
        entity: 'commit',
        url: event.host === 'gitlab' ? pages.commit(commit.id) : (commit.url ?? pages.commit(commit.id)),
        title: commitTitle(commit.message),
        branch: push.refName,
        text: commit.message,
        closingText: closes ? commit.message : null,
        commitId: commit.id,
      }));
    }
    case 'merge_request': {
      const { mergeRequest } = event;
      const text = `${mergeRequest.title}\n${mergeRequest.description}`;
      const opened = mergeRequest.action === 'open';
      const mergedToDefault = mergeRequest.action === 'merge' && mergeRequest.targetBranch === defaultBranch;
      if (!opened && !mergedToDefault) return [];
      return [
        {
          entity: 'merge request',
          url: event.host === 'gitlab' ? pages.mergeRequest(mergeRequest.iid) : (mergeRequest.url ?? ''),
          title: mergeRequest.title,
          branch: mergeRequest.sourceBranch,
          // A merge closes; only a new merge request cross-references.
          text: opened ? text : '',
          closingText: mergedToDefault ? text : null,
          commitId: mergeRequest.headSha,
        },
      ];
    }
    default:
      return [];
  }
}

/** The code host's address: the project's web URL without its path. */
function hostUrl(event: DeliveryEvent): string {
  const { webUrl, pathWithNamespace } = event.project;
  return webUrl.endsWith(`/${pathWithNamespace}`)
    ? webUrl.slice(0, -pathWithNamespace.length - 1)
    : new URL(webUrl).origin;
}

const jiraLink = (title: string, url: string) => `[${title}|${url}]`;

/**
 * GitLab's `comment_message`, standard detail: "[user|url] mentioned this issue in [a commit|url]
 * of [project|url] on branch [b|url]:{quote}title{quote}". The user is the one the hook names (the
 * pusher, the merge request's author): GitLab names a commit's author instead when it knows their
 * e-mail address, which the hook cannot tell.
 */
function crossReference(event: DeliveryEvent, mention: Mention): string {
  const author = event.user;
  const user = jiraLink(author.name ?? author.username ?? '', `${hostUrl(event)}/${author.username ?? ''}`);
  const entity = jiraLink(`a ${mention.entity}`, mention.url);
  const project = jiraLink(event.project.fullName, event.project.webUrl);
  const branch = mention.branch ? ` on branch ${jiraLink(mention.branch, hostPages(event).tree(mention.branch))}` : '';
  return `${user} mentioned this issue in ${entity} of ${project}${branch}:{quote}${mention.title.replace(/\r?\n$/, '')}{quote}`;
}

/** The jira-ruby client's headers: basic auth (with the cookie GitLab adds) or a personal access token. */
function jiraHeaders(fields: Fields): Record<string, string> {
  const json = { accept: 'application/json', 'content-type': 'application/json' };
  if (textOf(fields.jira_auth_type) === PERSONAL_ACCESS_TOKEN)
    return { ...json, authorization: `Bearer ${textOf(fields.password)}` };
  return {
    ...json,
    authorization: basicAuth(textOf(fields.username).trim(), fields.password),
    cookie: 'OBBasicAuth=fromDialog',
  };
}

/** GitLab's `jira_issue_transition_id`: numbers split by `,` or `;`, applied in order. */
const transitionIds = (fields: Fields) => textOf(fields.jira_issue_transition_id).match(/\d+/g) ?? [];

/** How issues close: to done, by the configured ids, or not at all (`issue_transition_enabled?`). */
function transitionsOf(fields: Fields): 'automatic' | string[] | null {
  if (fields.jira_issue_transition_automatic === true) return 'automatic';
  const ids = transitionIds(fields);
  return ids.length ? ids : null;
}

/** GitLab's `build_remote_link_props`; the icon is the code host's (GitLab's own favicon in GitLab). */
function message(
  event: DeliveryEvent,
  comment: string,
  { url, title, resolved }: { url: string; title: string; resolved: boolean },
): JiraMessage {
  const icon = { title: HOST_KIND_LABELS[event.host], url16x16: `${hostUrl(event)}/favicon.ico` };
  return {
    comment,
    link: { GlobalID: 'GitLab', relationship: 'mentioned on', object: { url, title, status: { resolved }, icon } },
  };
}

/** GitLab's `add_comment`: the cross-reference, linked as "Commit - title" / "Merge request - title". */
function crossReferenceMessage(event: DeliveryEvent, mention: Mention): JiraMessage {
  const entity = mention.entity.charAt(0).toUpperCase() + mention.entity.slice(1);
  return message(event, crossReference(event, mention), {
    url: mention.url,
    title: `${entity} - ${mention.title}`,
    resolved: false,
  });
}

/** GitLab's `add_issue_solved_comment`. */
function solvedMessage(event: DeliveryEvent, commitId: string): JiraMessage {
  const url = hostPages(event).commit(commitId);
  return message(event, `Issue solved with [${commitId}|${url}].`, {
    url,
    title: `Solved by commit ${commitId}.`,
    resolved: true,
  });
}

/**
 * @example
 * jiraRequests(pushOfCommitMentioningProj1, { url: 'https://jira.example.com', username: 'u', password: 'p', comment_on_event_enabled: true })
 * // [{ kind: 'jira', method: 'GET', url: 'https://jira.example.com/rest/api/2/issue/PROJ-1', action: { type: 'cross_reference', message: { comment: '[John Smith|…] mentioned this issue in [a commit|…] …', link: … } }, … }]
 */
export function jiraRequests(event: DeliveryEvent, fields: Fields): JiraRequest[] {
  const base = { kind: 'jira', method: 'GET', headers: jiraHeaders(fields) } as const;
  const api = textOf(fields.api_url).trim() || textOf(fields.url);
  const onIssue = (key: string, action: JiraRequest['action']): JiraRequest => ({
    ...base,
    url: joinUrl(api, `rest/api/2/issue/${key}`),
    commentsEnabled: fields.comment_on_event_enabled !== false,
    action,
  });
  const transitions = transitionsOf(fields);
  const issues = new Set<string>();
  const withinLimit = (key: string) => issues.has(key) || (issues.size < JIRA_ISSUE_LIMIT && Boolean(issues.add(key)));

  const requests: JiraRequest[] = [];
  for (const mention of mentionsOf(event)) {
    const closed = mention.closingText === null ? [] : closedIssues(mention.closingText, fields);
    for (const key of mentionedIssues(mention.text, fields)) {
      if (closed.includes(key) || !withinLimit(key)) continue;
      requests.push(onIssue(key, { type: 'cross_reference', message: crossReferenceMessage(event, mention) }));
    }
    if (!transitions || !mention.commitId) continue;
    const solved = solvedMessage(event, mention.commitId);
    for (const key of closed) {
      if (withinLimit(key)) requests.push(onIssue(key, { type: 'close', transitions, solved }));
    }
  }
  return requests;
}
