/** @module integrations/datadog */
import { defineIntegration } from '../validate.js';
import { joinUrl } from '../test-requests.js';

/** The API of a Datadog site: datadoghq.eu -> https://api.datadoghq.eu. */
const siteApiUrl = (site: string) => `https://api.${site}`;

export const datadog = defineIntegration({
  slug: 'datadog',
  title: 'Datadog',
  description: 'Trace your pipelines and jobs with Datadog CI Visibility.',
  category: 'monitoring',
  docsUrl: 'https://docs.gitlab.com/integration/datadog/',
  sections: {
    connection: { title: 'Datadog account' },
    configuration: {
      title: 'CI Visibility',
      help: 'Additionally, enable CI Visibility to send pipeline information to Datadog to monitor for job failures and troubleshoot performance issues.',
    },
  },
  levels: ['instance', 'group', 'project'],
  fields: [
    {
      name: 'datadog_site',
      label: 'Datadog site',
      kind: 'text',
      default: 'datadoghq.com',
      placeholder: 'datadoghq.com',
      help: 'The Datadog site to send data to. Changing it requires the API key again.',
      exposesSecrets: true,
      yieldsUrl: siteApiUrl,
    },
    {
      name: 'api_url',
      label: 'API URL',
      kind: 'url',
      placeholder: 'https://webhook-intake.datadoghq.com/api/v2/webhook',
      help: 'Full URL of your Datadog site, if it is not a standard one. Changing it requires the API key again.',
      exposesSecrets: true,
    },
    {
      name: 'api_key',
      label: 'API key',
      kind: 'secret',
      required: true,
      help: 'A Datadog API key of your organization.',
    },
    {
      name: 'datadog_ci_visibility',
      label: 'Enable CI Visibility',
      kind: 'checkbox',
      section: 'configuration',
      default: false,
      help: 'Send pipeline and job events to Datadog.',
    },
    {
      name: 'archive_trace_events',
      label: 'Enable logs collection',
      kind: 'checkbox',
      section: 'configuration',
      default: false,
      help: 'Send job logs to Datadog (needs CI Visibility).',
    },
    {
      name: 'datadog_service',
      label: 'Service',
      kind: 'text',
      section: 'configuration',
      placeholder: 'gitlab-ci',
      help: 'Tag all data with this service name.',
    },
    {
      name: 'datadog_env',
      label: 'Environment',
      kind: 'text',
      section: 'configuration',
      placeholder: 'ci',
      help: 'Tag all data with this environment.',
    },
    {
      name: 'datadog_tags',
      label: 'Tags',
      kind: 'textarea',
      section: 'configuration',
      placeholder: 'tag:value\nanother_tag:value',
      help: 'Custom tags, one key:value per line.',
    },
  ],
  // GitLab sends pipeline and job events only with CI Visibility, and reports them so.
  events: [],
  reportedEvents: (fields) => {
    const sent = fields.datadog_ci_visibility === true;
    return { pipeline_events: sent, job_events: sent };
  },
  validate: (values) => {
    const errors: Record<string, string> = {};
    const { datadog_site: site, api_url: apiUrl, api_key: apiKey, datadog_tags: tags } = values.fields;
    if (!site && !apiUrl) errors.datadog_site = 'Datadog site or API URL is required';
    if (typeof site === 'string' && site && !/^(app\.)?[\w.-]+\.[a-z]{2,}(:\d+)?$/i.test(site))
      errors.datadog_site = 'Datadog site must be a domain, such as datadoghq.com';
    if (typeof apiKey === 'string' && apiKey && !/^\w+$/.test(apiKey))
      errors.api_key = 'API key can contain only letters, digits and underscores';
    if (typeof tags === 'string' && tags.split('\n').some((line) => line.trim() && !/^[\w-]+:.+$/.test(line.trim()))) {
      errors.datadog_tags = 'Tags must be one key:value per line';
    }
    if (values.fields.archive_trace_events === true && values.fields.datadog_ci_visibility !== true) {
      errors.archive_trace_events = 'Logs collection needs CI Visibility';
    }
    return errors;
  },
  // Datadog's API key check, at the custom API URL's host or at the site's API host.
  testRequest: ({ fields }) => ({
    method: 'GET',
    url: joinUrl(
      fields.api_url ? new URL(String(fields.api_url)).origin : siteApiUrl(String(fields.datadog_site)),
      'api/v1/validate',
    ),
    headers: { accept: 'application/json', 'dd-api-key': String(fields.api_key) },
  }),
});
