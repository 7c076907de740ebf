/**
 * @module delivery/messages/mail
 * What GitLab's two mail integrations share: their recipients, the headers GitLab's mailer adds
 * for a project (`add_project_headers`), and an HTML part made from the text one.
 */
import { recipientList } from '../../integrations/catalog/emails-on-push.js';
import type { FieldValue } from '../../integrations/types.js';
import { isMailAddress } from '../../mail/settings.js';
import type { DeliveryEvent } from '../event.js';

/**
 * The addresses of a recipients field, split on spaces, commas and new lines, each once; a
 * longer list than GitLab's limit (saving refuses one) is cut to it rather than mailed whole.
 *
 * @example
 * recipientsOf('jane@example.com, joe@example.com\njane@example.com', 30) // ['jane@example.com', 'joe@example.com']
 */
export function recipientsOf(value: FieldValue | undefined, limit: number): string[] {
  return recipientList(value).filter(isMailAddress).slice(0, limit);
}

/** GitLab's `add_project_headers`, by which mail filters sort its mails. */
export function projectHeaders({ project }: DeliveryEvent): Record<string, string> {
  return {
    'X-GitLab-Project': project.name,
    'X-GitLab-Project-Id': String(project.hostId),
    'X-GitLab-Project-Path': project.pathWithNamespace,
  };
}

/** Where the host shows a user: its web root (the project's URL without its path) and the username. */
export function userUrl(event: DeliveryEvent, username: string): string {
  const { webUrl, pathWithNamespace } = event.project;
  const root = webUrl.endsWith(`/${pathWithNamespace}`) ? webUrl.slice(0, -pathWithNamespace.length - 1) : webUrl;
  return `${root}/${username}`;
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/g;

/**
 * The HTML part of a mail whose text part says it all: paragraphs at blank lines, lines kept,
 * links made links.
 *
 * @example
 * htmlOf('Project: Diaspora ( http://example.com/mike/diaspora )')
 * // '<p>Project: Diaspora ( <a href="http://example.com/mike/diaspora">http://example.com/mike/diaspora</a> )</p>'
 */
export function htmlOf(text: string): string {
  const paragraphs = text.split(/\n{2,}/).map((paragraph) =>
    paragraph
      .split('\n')
      .map((line) => escapeHtml(line).replace(URL_IN_TEXT, (url) => `<a href="${url}">${url}</a>`))
      .join('<br>\n'),
  );
  return paragraphs.map((paragraph) => `<p>${paragraph}</p>`).join('\n');
}

/** Rails' `truncate(length)`: cut to `length` characters, the last three an ellipsis. */
export function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 3)}...`;
}
