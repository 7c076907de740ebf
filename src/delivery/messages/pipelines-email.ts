/**
 * @module delivery/messages/pipelines-email
 * Pipeline status emails (GitLab's Integrations::PipelinesEmail and Emails::Pipelines): a passed
 * or failed pipeline, mailed to the recipients with the subject and text of GitLab's
 * pipeline_success_email and pipeline_failed_email (app/views/notify/), in their order. What the
 * hook does not carry is left out: whether the commit's author is a user of the host (the name is
 * shown unlinked) and its committer.
 */
import { RECIPIENTS_LIMIT } from '../../integrations/catalog/pipelines-email.js';
import type { DeliveryEvent } from '../event.js';
import { hostPages, shortSha } from './chat/base.js';
import { htmlOf, projectHeaders, recipientsOf, truncate, userUrl } from './mail.js';
import type { MailBuilder } from './request.js';

type PipelineEvent = Extract<DeliveryEvent, { kind: 'pipeline' }>;

const STATUS_WORDS: Record<string, { subject: string; title: string }> = {
  success: { subject: 'Successful', title: 'has passed!' },
  failed: { subject: 'Failed', title: 'has failed!' },
};

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** GitLab's `source_ref`: a merge request pipeline's source branch, else its ref. */
const sourceRefOf = ({ pipeline }: PipelineEvent) => pipeline.mergeRequest?.sourceBranch ?? pipeline.ref;

function triggeredBy(event: PipelineEvent): string {
  const { user } = event;
  const name = user.name ?? user.username;
  if (!name) return 'triggered by API';
  return user.username ? `triggered by ${name} ( ${userUrl(event, user.username)} )` : `triggered by ${name}`;
}

/** What became of the jobs, when the hook lists them (Gitea's runs list none). */
function jobLines(event: PipelineEvent): string[] {
  const { pipeline } = event;
  if (pipeline.builds.length === 0) return [];
  if (pipeline.status === 'success') {
    const stages = new Set(pipeline.builds.map((build) => build.stage));
    return [`successfully completed ${plural(pipeline.builds.length, 'job')} in ${plural(stages.size, 'stage')}.`];
  }
  const failed = pipeline.builds.filter((build) => build.status === 'failed');
  const pages = hostPages(event);
  return [
    `had ${plural(failed.length, 'failed job')}.`,
    '',
    ...failed.flatMap((build) => [
      `Job #${build.id} ( ${pages.job(build.id)} )`,
      `Stage: ${build.stage ?? ''}`,
      `Name: ${build.name}`,
    ]),
  ];
}

function textOf(event: PipelineEvent, title: string): string {
  const { pipeline, project } = event;
  const pages = hostPages(event);
  const sha = pipeline.commit?.id ?? '';
  const name = pipeline.name ?? `#${pipeline.id}`;
  const mergeRequest = pipeline.mergeRequest;
  return [
    `Pipeline ${name} ${title}`,
    '',
    `Project: ${project.name} ( ${project.webUrl} )`,
    `Branch: ${sourceRefOf(event)} ( ${pages.ref(sourceRefOf(event), false)} )`,
    ...(mergeRequest
      ? [`Merge request: !${mergeRequest.iid} ( ${mergeRequest.url ?? pages.mergeRequest(mergeRequest.iid)} )`]
      : []),
    '',
    `Commit: ${shortSha(sha)} ( ${pipeline.commit?.url ?? pages.commit(sha)} )`,
    `Commit Message: ${truncate(pipeline.commit?.message.trimEnd() ?? '', 50)}`,
    `Commit Author: ${pipeline.commit?.authorName ?? ''}`,
    '',
    `Pipeline ${name} ( ${pipeline.url ?? pages.pipeline(pipeline.id)} ) ${triggeredBy(event)}`,
    ...jobLines(event),
  ].join('\n');
}

/**
 * @example
 * pipelinesEmailMail(pipeline, { recipients: 'jane@example.com' })
 * // [{ kind: 'mail', to: ['jane@example.com'], subject: 'Gitlab Test | Successful pipeline for test | bcbb5ec3', text: 'Pipeline #31 has passed!…' }]
 */
export const pipelinesEmailMail: MailBuilder = (event, fields) => {
  if (event.kind !== 'pipeline') return [];
  const words = STATUS_WORDS[event.pipeline.status];
  const to = recipientsOf(fields.recipients, RECIPIENTS_LIMIT);
  if (!words || to.length === 0) return [];
  const { pipeline, project } = event;
  const text = textOf(event, words.title);
  return [
    {
      kind: 'mail',
      to,
      // GitLab's `subject(pipeline_subject(status))`: the project's name, then the pipeline's words.
      subject: [
        project.name,
        `${words.subject} pipeline for ${sourceRefOf(event)}`,
        shortSha(pipeline.commit?.id ?? ''),
      ].join(' | '),
      text,
      html: htmlOf(text),
      headers: {
        ...projectHeaders(event),
        'X-GitLab-Pipeline-Id': String(pipeline.id),
        'X-GitLab-Pipeline-Ref': pipeline.ref,
        'X-GitLab-Pipeline-Status': pipeline.status,
      },
    },
  ];
};
