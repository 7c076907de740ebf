/** @module integrations/jenkins */
import { events } from '../fields.js';
import { defineIntegration } from '../validate.js';
import { basicAuth, joinUrl } from '../test-requests.js';

export const jenkins = defineIntegration({
  slug: 'jenkins',
  title: 'Jenkins',
  description: 'Run CI/CD pipelines with Jenkins when code is pushed or a merge request is created.',
  category: 'ci',
  docsUrl: 'https://docs.gitlab.com/integration/jenkins/',
  levels: ['project'],
  fields: [
    {
      name: 'jenkins_url',
      label: 'Jenkins server URL',
      kind: 'url',
      required: true,
      placeholder: 'http://jenkins.example.com',
      help: 'The URL of the Jenkins server. Changing it requires the password again.',
      exposesSecrets: true,
    },
    { name: 'enable_ssl_verification', label: 'Enable SSL verification', kind: 'checkbox', default: true },
    {
      name: 'project_name',
      label: 'Project name',
      kind: 'text',
      required: true,
      placeholder: 'my_project_name',
      help: 'The name of the Jenkins project.',
    },
    { name: 'username', label: 'Username', kind: 'text', help: 'The username for the Jenkins server.' },
    { name: 'password', label: 'Password', kind: 'secret', help: 'The password for the Jenkins server.' },
  ],
  events: [
    ...events('push_events'),
    ...events('merge_requests_events', 'tag_push_events').map((event) => ({ ...event, default: false })),
  ],
  validate: (values) => {
    const hasUser = Boolean(values.fields.username);
    const hasPassword = Boolean(values.fields.password);
    if (hasPassword && !hasUser) return { username: 'Username is required when a password is set' };
    if (hasUser && !hasPassword) return { password: 'Password is required when a username is set' };
    return {};
  },
  // The job's JSON API: the server answers, and the project and the credentials are right.
  testRequest: ({ fields }) => ({
    method: 'GET',
    url: joinUrl(fields.jenkins_url, `job/${encodeURIComponent(String(fields.project_name))}/api/json`),
    ...(fields.username ? { headers: { authorization: basicAuth(fields.username, fields.password) } } : {}),
    verifyTls: fields.enable_ssl_verification !== false,
  }),
});
