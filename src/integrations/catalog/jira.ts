/** @module integrations/jira */
import { events } from '../fields.js';
import { defineIntegration } from '../validate.js';
import { basicAuth, joinUrl } from '../test-requests.js';

const BASIC = '0';

export const jira = defineIntegration({
  slug: 'jira',
  title: 'Jira issues',
  description: 'Use Jira as the issue tracker and link commits and merge requests to Jira issues.',
  category: 'issue_tracker',
  docsUrl: 'https://docs.gitlab.com/integration/jira/',
  sections: {
    trigger: {
      help: 'When a Jira issue is mentioned in a commit or merge request, a remote link and comment (if enabled) will be created.',
    },
    configuration: {
      title: 'Jira issues',
      help: 'How Jira issue keys are matched, what happens to the issues they name, and whether the project shows them.',
    },
  },
  levels: ['instance', 'group', 'project'],
  fields: [
    {
      name: 'url',
      label: 'Web URL',
      kind: 'url',
      required: true,
      placeholder: 'https://jira.example.com',
      help: 'The base URL of your Jira instance. Changing it requires the password or token again.',
      exposesSecrets: true,
    },
    {
      name: 'api_url',
      label: 'Jira API URL',
      kind: 'url',
      placeholder: 'https://jira-api.example.com',
      help: 'If different from the Web URL. Changing it requires the password or token again.',
      exposesSecrets: true,
    },
    {
      name: 'jira_auth_type',
      label: 'Authentication method',
      kind: 'select',
      apiType: 'integer',
      default: BASIC,
      choices: [
        { value: '0', label: 'Basic' },
        { value: '1', label: 'Jira personal access token (Jira Data Center and Jira Server only)' },
      ],
    },
    {
      name: 'username',
      label: 'Email or username',
      kind: 'text',
      help: 'Your email for Jira Cloud, or your username for Jira Data Center and Jira Server. Required for Basic authentication.',
    },
    { name: 'password', label: 'API token, password, or personal access token', kind: 'secret', required: true },
    {
      name: 'jira_issue_regex',
      label: 'Jira issue regex',
      kind: 'text',
      section: 'configuration',
      maxLength: 255,
      help: 'Match Jira issue keys with this regular expression. Leave blank for the default.',
    },
    {
      name: 'jira_issue_prefix',
      label: 'Jira issue prefix',
      kind: 'text',
      section: 'configuration',
      maxLength: 255,
      help: 'A prefix before Jira issue keys in references.',
    },
    {
      name: 'comment_on_event_enabled',
      label: 'Comment on Jira issues',
      kind: 'checkbox',
      section: 'configuration',
      default: true,
      help: 'Add a comment to the Jira issue when a commit or merge request mentions it (the events below).',
    },
    {
      name: 'jira_issue_transition_automatic',
      label: 'Move Jira issues to done automatically',
      kind: 'checkbox',
      section: 'configuration',
      default: false,
      help: 'When a commit or merge request closes a Jira issue, move it to a done status. Takes precedence over the transition IDs.',
    },
    {
      name: 'jira_issue_transition_id',
      label: 'Jira transition IDs',
      kind: 'text',
      section: 'configuration',
      maxLength: 255,
      placeholder: '11,21',
      // GitLab's rule, checked even while the integration is off.
      pattern: { regex: /^\d+(\s*[,;]\s*\d+)*$/, message: 'Jira transition IDs must be numbers separated by , or ;' },
      help: 'When a commit or merge request closes a Jira issue, apply these transitions, in order (IDs separated by , or ;). Leave blank for none.',
    },
    {
      name: 'issues_enabled',
      label: 'View Jira issues',
      kind: 'checkbox',
      section: 'configuration',
      default: false,
      help: 'Show the issues of the Jira projects below in the project.',
    },
    {
      name: 'project_keys',
      label: 'Jira project keys',
      kind: 'list',
      section: 'configuration',
      default: [],
      placeholder: 'PROJ\nOPS',
      help: 'The Jira projects whose issues are shown while viewing is on, one key per line or comma-separated.',
    },
  ],
  events: events('commit_events', 'merge_requests_events'),
  validate: (values) => {
    const errors: Record<string, string> = {};
    const basic = (values.fields.jira_auth_type ?? BASIC) === BASIC;
    if (basic && !values.fields.username) errors.username = 'Email or username is required for Basic authentication';
    const url = typeof values.fields.url === 'string' ? values.fields.url : '';
    if (!basic && /^https:\/\/[^/]+\.atlassian\.net/i.test(url))
      errors.jira_auth_type = 'Jira Cloud requires Basic authentication';
    return errors;
  },
  // Jira's own connection test: the server info, with the credentials.
  testRequest: ({ fields }) => ({
    method: 'GET',
    url: joinUrl(fields.api_url || fields.url, 'rest/api/2/serverInfo'),
    headers: {
      accept: 'application/json',
      authorization:
        (fields.jira_auth_type ?? BASIC) === BASIC
          ? basicAuth(fields.username, fields.password)
          : `Bearer ${String(fields.password)}`,
    },
  }),
});
