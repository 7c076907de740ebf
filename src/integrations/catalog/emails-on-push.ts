/** @module integrations/emails-on-push */
import { branchesToBeNotified, events } from '../fields.js';
import { defineIntegration } from '../validate.js';

/** GitLab's EmailsOnPush::RECIPIENTS_LIMIT. */
export const RECIPIENTS_LIMIT = 750;

/** The distinct addresses of a recipients field (split on commas, spaces and newlines). */
export function recipientList(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  const addresses = value
    .split(/[\s,]+/)
    .map((item) => item.replace(/^<|>$/g, '').toLowerCase())
    .filter(Boolean);
  return [...new Set(addresses)];
}

export const emailsOnPush = defineIntegration({
  slug: 'emails-on-push',
  title: 'Emails on push',
  description: 'Email the commits and diff of each push to a list of recipients.',
  category: 'email',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/emails_on_push/',
  levels: ['instance', 'group', 'project'],
  fields: [
    {
      name: 'send_from_committer_email',
      label: 'Send from committer',
      kind: 'checkbox',
      section: 'configuration',
      default: false,
      help: "Send from the committer's address if it is in a domain the instance allows.",
    },
    {
      name: 'disable_diffs',
      label: 'Disable code diffs',
      kind: 'checkbox',
      section: 'configuration',
      default: false,
      help: 'Leave the code diffs out of the emails.',
    },
    branchesToBeNotified('all'),
    {
      name: 'recipients',
      label: 'Recipients',
      kind: 'textarea',
      format: 'emails',
      required: true,
      placeholder: 'email@example.com another@example.com',
      help: 'Addresses separated by spaces, commas or new lines (at most 750).',
    },
  ],
  events: events('push_events', 'tag_push_events'),
  validate: (values) =>
    recipientList(values.fields.recipients).length > RECIPIENTS_LIMIT
      ? { recipients: `Recipients can list at most ${RECIPIENTS_LIMIT} addresses` }
      : {},
});
