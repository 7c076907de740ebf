/** @module integrations/redmine */
import { issueTrackerUrls } from '../fields.js';
import { defineIntegration } from '../validate.js';
import { getUrlOf } from '../test-requests.js';

export const redmine = defineIntegration({
  slug: 'redmine',
  title: 'Redmine',
  description: 'Use Redmine as the issue tracker.',
  category: 'issue_tracker',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/redmine/',
  levels: ['instance', 'group', 'project'],
  fields: issueTrackerUrls('https://redmine.example.com'),
  events: [],
  testRequest: getUrlOf('project_url'),
});
