/** @module integrations/youtrack */
import { urlField } from '../fields.js';
import { defineIntegration } from '../validate.js';
import { getUrlOf } from '../test-requests.js';

export const youtrack = defineIntegration({
  slug: 'youtrack',
  title: 'JetBrains YouTrack',
  description: 'Use JetBrains YouTrack as the issue tracker.',
  category: 'issue_tracker',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/youtrack/',
  levels: ['instance', 'group', 'project'],
  fields: [
    urlField(
      'project_url',
      'Project URL',
      true,
      'The URL of the project in YouTrack.',
      'https://example.myjetbrains.com/youtrack/projects/PROJECT',
    ),
    urlField(
      'issues_url',
      'Issue URL',
      true,
      'The URL of an issue; it must contain :id, replaced by the issue key (ABC-123).',
      'https://example.myjetbrains.com/youtrack/issue/:id',
    ),
  ],
  events: [],
  testRequest: getUrlOf('project_url'),
});
