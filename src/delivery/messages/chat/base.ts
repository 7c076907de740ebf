/**
 * @module delivery/messages/chat/base
 * What every chat message of GitLab's app/models/integrations/chat_message/ shares
 * (base_message.rb): links written in Markdown and turned into Slack's `<url|text>` for the
 * services that speak Slack's format, user input stripped of link markup, the user named as
 * GitLab names them, and the code host's pages the messages link to. Pure: no I/O.
 */
import type { DeliveryEvent, DeliveryUser } from '../../event.js';

/** One of Slack's legacy message attachments, with the keys GitLab fills. */
export interface SlackAttachment {
  fallback?: string;
  color?: string;
  author_name?: string;
  author_icon?: string | null;
  author_link?: string | null;
  title?: string;
  title_link?: string | null;
  text?: string;
  fields?: { title: string; value: string; short: boolean }[];
  footer?: string;
  footer_icon?: string | null;
  ts?: number | null;
}

/** GitLab's `activity`: the card Microsoft Teams shows. */
export interface Activity {
  title: string;
  subtitle: string;
  text: string;
  image: string | null;
}

/** One event's message, in the forms GitLab's chat integrations read it. */
export interface ChatMessage {
  /** GitLab's `project_name`: the project's full name. */
  projectName: string;
  /** GitLab's private `message`, its links in Markdown: the `summary` of the Markdown services. */
  markdown: string;
  /** The same in Slack's link format: the `pretext` and `fallback` of Slack and Mattermost. */
  slack: string;
  /** A pretext other than the summary: a pipeline's is empty. */
  pretext?: string;
  /** The attachments of the Slack-format services. */
  attachments: SlackAttachment[];
  /** What GitLab gives the Markdown services (Teams, Discord) as attachments: text, or nothing. */
  markdownAttachments: string | null;
  /** Null for a deployment, whose activity GitLab leaves empty. */
  activity: Activity | null;
  /**
   * The colour Discord reads: GitLab's `attachment_color` where a message makes it public
   * (push, issue); Discord's own orange where GitLab keeps it private (`respond_to?` is false).
   */
  publicColor: string | null;
  /** Google Chat's `thread.threadKey`: one thread per issue, merge request, pipeline, ... */
  threadKey: string | null;
  /** GitLab's `user_name` and `user_avatar`: Discord's embed author. */
  userName: string | null;
  userAvatar: string | null;
}

/** GitLab's SlackMarkdownSanitizer.sanitize: user input cannot open or hijack a link. */
export const stripMarkup = (text: string) => text.replace(/[<>[\]|]/g, '');

/** GitLab's `link`: a Markdown link whose text is stripped of markup. */
export const link = (text: string, url: string | null) => `[${stripMarkup(text)}](${url ?? ''})`;

const HTML_LINK = /<a(?:.*?)href=['"](.+?)['"](?:.*?)>(.+?)<\/a>/g;
const MARKDOWN_LINK = /\[([^[\]]*?)\]\(((https?:\/\/.*?)|(mailto:.*?))\)/g;
const slackLink = (url: string, text: string) => (text ? `<${url}|${text}>` : `<${url}>`);

/**
 * Slack::Messenger's LinkFormatter: HTML and Markdown links (http, https and mailto only) as
 * Slack's `<url|text>`.
 *
 * @example
 * slackLinks('[master](http://example.com/-/commits/master)') // '<http://example.com/-/commits/master|master>'
 */
export function slackLinks(text: string): string {
  return text
    .replace(HTML_LINK, (_, url: string, label: string) => slackLink(url, label))
    .replace(MARKDOWN_LINK, (_, label: string, url: string) => slackLink(url, label));
}

const UPLOAD_IMAGE = /!\[[^\]]*\]\((\/uploads\/[^)]*)\)/g;

/** GitLab's `format`: uploaded images as the project's absolute URL, then Slack's links. */
export function slackFormat(text: string, projectUrl: string): string {
  return slackLinks(text.replace(UPLOAD_IMAGE, (_, path: string) => `${projectUrl}${path}`));
}

const SLACK_LINK_IN_TEXT = /<([^|<>]*[|][^|<>]*)>/g;

/** GitLab's `sanitize_slack_link`: a `<url|text>` typed in a description shows as text. */
export const escapeSlackLinks = (text: string) =>
  text.replace(SLACK_LINK_IN_TEXT, (match) => match.replaceAll('<', '&lt;').replaceAll('>', '&gt;'));

/** GitLab's `user_combined_name`: "Administrator (root)", or the username alone. */
export function combinedName(user: DeliveryUser): string {
  return user.name ? `${user.name} (${user.username ?? ''})` : (user.username ?? '');
}

/** The first line of a title or commit message. */
export const firstLine = (text: string) => text.split('\n', 1)[0] ?? '';

/** GitLab's `Commit.truncate_sha`. */
export const shortSha = (sha: string) => sha.slice(0, 8);

/** The code host's pages a message links to that its hook does not carry. */
export interface HostPages {
  ref(name: string, tag: boolean): string;
  compare(before: string, after: string): string;
  mergeRequest(iid: number): string;
  pipeline(id: number): string;
  pipelineFailures(id: number): string;
  job(id: number): string;
  commit(sha: string): string;
  /** A branch's files. */
  tree(branch: string): string;
}

const gitlabPages = (web: string): HostPages => ({
  ref: (name, tag) => `${web}/-/${tag ? 'tags' : 'commits'}/${name}`,
  compare: (before, after) => `${web}/-/compare/${before}...${after}`,
  mergeRequest: (iid) => `${web}/-/merge_requests/${iid}`,
  pipeline: (id) => `${web}/-/pipelines/${id}`,
  pipelineFailures: (id) => `${web}/-/pipelines/${id}/failures`,
  job: (id) => `${web}/-/jobs/${id}`,
  commit: (sha) => `${web}/-/commit/${sha}`,
  tree: (branch) => `${web}/-/tree/${branch}`,
});

/** Gitea's and Forgejo's web routes (routers/web/web.go); a run's failures are on the run. */
const giteaPages = (web: string): HostPages => ({
  ref: (name, tag) => `${web}/src/${tag ? 'tag' : 'branch'}/${name}`,
  compare: (before, after) => `${web}/compare/${before}...${after}`,
  mergeRequest: (iid) => `${web}/pulls/${iid}`,
  pipeline: (id) => `${web}/actions/runs/${id}`,
  pipelineFailures: (id) => `${web}/actions/runs/${id}`,
  job: (id) => `${web}/actions/runs/${id}`,
  commit: (sha) => `${web}/commit/${sha}`,
  tree: (branch) => `${web}/src/branch/${branch}`,
});

export function hostPages(event: DeliveryEvent): HostPages {
  return event.host === 'gitlab' ? gitlabPages(event.project.webUrl) : giteaPages(event.project.webUrl);
}
