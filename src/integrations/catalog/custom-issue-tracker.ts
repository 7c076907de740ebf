/** @module integrations/custom-issue-tracker */
import { issueTrackerUrls } from '../fields.js';
import { defineIntegration } from '../validate.js';
import { getUrlOf } from '../test-requests.js';

export const customIssueTracker = defineIntegration({
  slug: 'custom-issue-tracker',
  title: 'Custom issue tracker',
  description: 'Use a custom issue tracker that is not in the integration list.',
  category: 'issue_tracker',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/custom_issue_tracker/',
  levels: ['instance', 'group', 'project'],
  fields: issueTrackerUrls('https://tracker.example.com'),
  events: [],
  testRequest: getUrlOf('project_url'),
});
