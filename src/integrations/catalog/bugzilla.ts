/** @module integrations/bugzilla */
import { issueTrackerUrls } from '../fields.js';
import { defineIntegration } from '../validate.js';
import { getUrlOf } from '../test-requests.js';

export const bugzilla = defineIntegration({
  slug: 'bugzilla',
  title: 'Bugzilla',
  description: 'Use Bugzilla as the issue tracker.',
  category: 'issue_tracker',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/bugzilla/',
  levels: ['instance', 'group', 'project'],
  fields: issueTrackerUrls('https://bugzilla.example.com'),
  events: [],
  testRequest: getUrlOf('project_url'),
});
