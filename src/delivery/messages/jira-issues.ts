/**
 * @module delivery/messages/jira-issues
 * Which Jira issues a text mentions and which it closes, as GitLab finds them: the keys by the
 * integration's `reference_pattern` (`jira_issue_prefix` and `jira_issue_regex`, else GitLab's
 * `jira_issue_key_regex`), the closed ones among the closing statements of GitLab's default
 * `issue_closing_pattern` (Gitlab::ClosingIssueExtractor). Pure: no I/O.
 */
import type { FieldValue } from '../../integrations/types.js';
import { textOf } from './request.js';

/** Gitlab::Regex.jira_issue_key_regex. */
const DEFAULT_KEY_PATTERN = String.raw`\b([A-Z][A-Z_0-9]+-\d+)`;

/** GitLab's issue references (`#12`, `group/project#12`) and links, between which closing statements go on. */
const ISSUE_REFERENCE = String.raw`(?:https?:\/\/[^\s,]+|(?:[\w.-]+(?:\/[\w.-]+)*)?#\d+)`;

/** GitLab's default `issue_closing_pattern` (doc/administration/issue_closing_pattern.md). */
const CLOSING_STATEMENT = new RegExp(
  String.raw`\b((?:[Cc]los(?:e[sd]?|ing)|\b[Ff]ix(?:e[sd]|ing)?|\b[Rr]esolv(?:e[sd]?|ing)|\b[Ii]mplement(?:s|ed|ing)?)(:?) +(?:(?:issues? +)?${ISSUE_REFERENCE}(?:(?: *,? +and +| *,? *)?)|([A-Z][A-Z0-9_]+-\d+))+)`,
  'g',
);

/**
 * GitLab's `jira_issue_match_regex`: `\b<prefix>(?P<issue><regex>)`. The fields are RE2, whose
 * `(?P<name>` JavaScript writes `(?<name>`; one that JavaScript cannot read matches nothing.
 */
function keyPattern(fields: Readonly<Record<string, FieldValue | undefined>>): RegExp | null {
  const regex = textOf(fields.jira_issue_regex).trim() || DEFAULT_KEY_PATTERN;
  const source = String.raw`\b${textOf(fields.jira_issue_prefix)}(?<issue>${regex})`.replaceAll('(?P<', '(?<');
  try {
    return new RegExp(source, 'g');
  } catch {
    return null;
  }
}

/**
 * The Jira issue keys a text mentions, each once, in order.
 *
 * @example
 * mentionedIssues('PROJ-1 and OPS-22, again PROJ-1', {}) // ['PROJ-1', 'OPS-22']
 * mentionedIssues('see JIRA#PROJ-1', { jira_issue_prefix: 'JIRA#' }) // ['PROJ-1']
 */
export function mentionedIssues(text: string, fields: Readonly<Record<string, FieldValue | undefined>>): string[] {
  const pattern = keyPattern(fields);
  if (!pattern) return [];
  const keys = [...text.matchAll(pattern)].map((match) => match.groups?.issue ?? match[0]);
  return [...new Set(keys.filter(Boolean))];
}

/**
 * The Jira issues a text closes: those mentioned in its closing statements.
 *
 * @example
 * closedIssues('Closes PROJ-1, mentions PROJ-2', {}) // ['PROJ-1']
 * closedIssues('Fixes #3, PROJ-4 and PROJ-5', {}) // ['PROJ-4'] (a Jira key ends the statement)
 */
export function closedIssues(text: string, fields: Readonly<Record<string, FieldValue | undefined>>): string[] {
  const statements = [...text.matchAll(CLOSING_STATEMENT)].map((match) => match[0]);
  return mentionedIssues(statements.join(' '), fields);
}
