/**
 * @module integrations/catalog
 * Every integration type Cascade offers: one file each in this folder, and one line here.
 * test/unit/catalog.test.ts fails for a file in the folder that is not listed.
 */
export { bugzilla } from './bugzilla.js';
export { customIssueTracker } from './custom-issue-tracker.js';
export { datadog } from './datadog.js';
export { discord } from './discord.js';
export { emailsOnPush } from './emails-on-push.js';
export { externalWiki } from './external-wiki.js';
export { hangoutsChat } from './hangouts-chat.js';
export { jenkins } from './jenkins.js';
export { jira } from './jira.js';
export { mattermost } from './mattermost.js';
export { microsoftTeams } from './microsoft-teams.js';
export { pipelinesEmail } from './pipelines-email.js';
export { pushover } from './pushover.js';
export { redmine } from './redmine.js';
export { slack } from './slack.js';
export { telegram } from './telegram.js';
export { webexTeams } from './webex-teams.js';
export { youtrack } from './youtrack.js';
