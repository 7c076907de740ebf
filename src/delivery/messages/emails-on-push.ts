/**
 * @module delivery/messages/emails-on-push
 * Emails on push (GitLab's Integrations::EmailsOnPush, EmailsOnPushWorker and
 * Gitlab::Email::Message::RepositoryPush): each push and tag push mailed to the recipients with
 * GitLab's subject ("[Git][mike/diaspora][master] 2 commits: Update Catalan translation"), from
 * the pusher's name, and from their own address with `send_from_committer_email` where the
 * instance may send from its domain (the mailer decides, as GitLab's `sender` does).
 *
 * A push hook carries no diffs, so the body is the one GitLab sends with `disable_diffs`
 * whatever that option says: the commits, and the files they changed (from the hook's `added`,
 * `modified` and `removed`) where GitLab would put each file's diff.
 */
import { RECIPIENTS_LIMIT } from '../../integrations/catalog/emails-on-push.js';
import type { DeliveryCommit, DeliveryEvent } from '../event.js';
import { hostPages } from './chat/base.js';
import { htmlOf, projectHeaders, recipientsOf } from './mail.js';
import type { MailBuilder } from './request.js';

type PushEvent = Extract<DeliveryEvent, { kind: 'push' | 'tag_push' }>;
type Action = 'create' | 'delete' | 'push';

const ACTION_NAMES: Record<Action, string> = { create: 'pushed new', delete: 'deleted', push: 'pushed to' };

/** Gitlab::Git::Commit#short_id. */
const shortId = (sha: string) => sha.slice(0, 10);

/** GitLab's Commit#title: a first line of 100 characters or more is cut at a word, before the 81st. */
function commitTitle(title: string): string {
  if (title.length < 100) return title;
  const cut = title.slice(0, 80);
  const space = cut.lastIndexOf(' ');
  return `${space > 0 ? cut.slice(0, space) : cut}…`;
}

/** GitLab compares the push oldest commit first; Gitea's and Forgejo's hooks list the newest first. */
const oldestFirst = (event: PushEvent) =>
  event.host === 'gitlab' ? event.push.commits : [...event.push.commits].reverse();

const actionOf = ({ push }: PushEvent): Action => (push.created ? 'create' : push.removed ? 'delete' : 'push');

function subjectOf(event: PushEvent, action: Action, commits: readonly DeliveryCommit[]): string {
  const { push, project } = event;
  const prefix = `[Git][${project.pathWithNamespace}]${action === 'push' ? `[${push.refName}]` : ''} `;
  if (action === 'push' && commits.length > 0) {
    const first = commitTitle(commits[0]!.title);
    return prefix + (push.totalCommits > 1 ? `${push.totalCommits} commits: ${first}` : first);
  }
  const name = ACTION_NAMES[action];
  return `${prefix}${name[0]!.toUpperCase()}${name.slice(1)} ${push.refType} ${push.refName}`;
}

/** RepositoryPush#target_url: the comparison, the one commit, the new ref; nothing for a deleted one. */
function targetUrlOf(event: PushEvent, action: Action, commits: readonly DeliveryCommit[]): string | null {
  const { push, project } = event;
  const pages = hostPages(event);
  if (action === 'delete') return null;
  if (action === 'create') {
    return event.host === 'gitlab'
      ? `${project.webUrl}/-/tree/${push.refName}`
      : pages.ref(push.refName, push.refType === 'tag');
  }
  if (commits.length === 1) return commits[0]!.url ?? pages.commit(commits[0]!.id);
  return push.compareUrl ?? pages.compare(push.before, push.after);
}

type FileChange = 'new' | 'modified' | 'deleted';

/** What the push did to each path, over its commits in order: a file added then removed is no change. */
function changedFiles(commits: readonly DeliveryCommit[]): [string, FileChange][] {
  const files = new Map<string, FileChange>();
  for (const commit of commits) {
    for (const path of commit.added) files.set(path, files.get(path) === 'deleted' ? 'modified' : 'new');
    for (const path of commit.modified) if (!files.has(path)) files.set(path, 'modified');
    for (const path of commit.removed) {
      if (files.get(path) === 'new') files.delete(path);
      else files.set(path, 'deleted');
    }
  }
  return [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

// GitLab's markers of a new and a deleted file (&#43; and &minus;).
const MARKERS: Record<FileChange, string> = { new: '+ ', modified: '', deleted: '\u2212 ' };

function textOf(event: PushEvent, action: Action, commits: readonly DeliveryCommit[]): string {
  const { push, project, user } = event;
  const pusher = user.name ?? user.username ?? '';
  const lines = [`${pusher} ${ACTION_NAMES[action]} ${push.refType} ${push.refName} at ${project.fullName}`];
  if (commits.length > 0) {
    lines.push('', 'Commits:');
    for (const commit of commits) {
      lines.push(`${shortId(commit.id)} by ${commit.authorName ?? ''}`, commit.message.trimEnd(), '- - - - -');
    }
    const files = changedFiles(commits);
    if (files.length > 0) {
      lines.push('', `${files.length} changed file${files.length === 1 ? '' : 's'}:`);
      for (const [path, change] of files) lines.push(`${MARKERS[change]}${path}`);
    }
  }
  const target = targetUrlOf(event, action, commits);
  const host = { gitlab: 'GitLab', gitea: 'Gitea', forgejo: 'Forgejo' }[event.host];
  if (target) lines.push('', '-- ', `View it on ${host}: ${target}`);
  return lines.join('\n');
}

/**
 * @example
 * emailsOnPushMail(push, { recipients: 'jane@example.com', send_from_committer_email: false })
 * // [{ kind: 'mail', to: ['jane@example.com'], subject: '[Git][mike/diaspora][master] 4 commits: Update Catalan translation to e38cb41.', ... }]
 */
export const emailsOnPushMail: MailBuilder = (event, fields) => {
  if (event.kind !== 'push' && event.kind !== 'tag_push') return [];
  const to = recipientsOf(fields.recipients, RECIPIENTS_LIMIT);
  if (to.length === 0) return [];
  const action = actionOf(event);
  // A new or deleted ref is compared with nothing: GitLab lists no commits for it.
  const commits = action === 'push' ? oldestFirst(event) : [];
  const { user } = event;
  const text = textOf(event, action, commits);
  const name = user.name ?? user.username ?? '';
  return [
    {
      kind: 'mail',
      to,
      subject: subjectOf(event, action, commits),
      text,
      html: htmlOf(text),
      headers: { ...projectHeaders(event), ...(user.username ? { 'X-GitLab-Author': user.username } : {}) },
      // GitLab's `sender`: "John Smith (@jsmith)".
      sender: {
        name: user.username ? `${name} (@${user.username})` : name,
        email: fields.send_from_committer_email === true ? user.email : null,
      },
    },
  ];
};
