/** @module integrations/pipelines-email */
import {
  branchesToBeNotified,
  notifyOnlyBrokenPipelines,
  notifyOnlyDefaultBranch,
  notifyOnlyWhenPipelineStatusChanges,
} from '../fields.js';
import { recipientList } from './emails-on-push.js';
import { defineIntegration } from '../validate.js';

/** GitLab's PipelinesEmail::RECIPIENTS_LIMIT. */
export const RECIPIENTS_LIMIT = 30;

export const pipelinesEmail = defineIntegration({
  slug: 'pipelines-email',
  title: 'Pipeline status emails',
  description: 'Email the pipeline status to a list of recipients.',
  category: 'email',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/pipeline_status_emails/',
  levels: ['instance', 'group', 'project'],
  fields: [
    {
      name: 'recipients',
      label: 'Recipients',
      kind: 'textarea',
      format: 'emails',
      required: true,
      placeholder: 'email@example.com, another@example.com',
      help: 'Comma-separated addresses (at most 30).',
    },
    notifyOnlyBrokenPipelines,
    notifyOnlyWhenPipelineStatusChanges,
    branchesToBeNotified(),
    {
      name: 'notify_child_pipelines',
      label: 'Notify child pipelines',
      kind: 'checkbox',
      section: 'configuration',
      default: true,
      help: 'Also send emails for pipelines started by a parent pipeline.',
    },
  ],
  parameterAliases: [notifyOnlyDefaultBranch],
  // Its one event, without a toggle: GitLab reports it on.
  events: [],
  reportedEvents: () => ({ pipeline_events: true }),
  validate: (values) =>
    recipientList(values.fields.recipients).length > RECIPIENTS_LIMIT
      ? { recipients: `Recipients can list at most ${RECIPIENTS_LIMIT} addresses` }
      : {},
});
