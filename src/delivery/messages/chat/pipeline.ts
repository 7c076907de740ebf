/** @module delivery/messages/chat/pipeline — GitLab's pipeline_message.rb: a pipeline that passed or failed. */
import type { DeliveryBuild, DeliveryEvent, PipelineDetails } from '../../event.js';
import { hostPages, link, slackFormat, slackLinks, stripMarkup, type ChatMessage } from './base.js';

type PipelineEvent = Extract<DeliveryEvent, { kind: 'pipeline' }>;

/** GitLab's MAX_VISIBLE_JOBS: more failed jobs are counted, not listed. */
const MAX_VISIBLE_JOBS = 10;

/** Jobs that failed and have no successful retry, each name once, newest first. */
function actuallyFailedJobs(builds: readonly DeliveryBuild[]): DeliveryBuild[] {
  const succeeded = new Set(builds.filter((build) => build.status === 'success').map((build) => build.name));
  const failed = builds.filter((build) => build.status === 'failed' && !succeeded.has(build.name));
  const firstOfEachName = failed.filter((build, index) => failed.findIndex((b) => b.name === build.name) === index);
  return firstOfEachName.reverse();
}

/** GitLab's `pretty_duration`: 02:13, or 01:02:13 from an hour on. */
function prettyDuration(seconds: number): string {
  const two = (value: number) => String(value).padStart(2, '0');
  const [hours, minutes, rest] = [Math.floor(seconds / 3600) % 24, Math.floor(seconds / 60) % 60, seconds % 60];
  return seconds < 3600 ? `${two(minutes)}:${two(rest)}` : `${two(hours)}:${two(minutes)}:${two(rest)}`;
}

const passedWithWarnings = (pipeline: PipelineDetails) => pipeline.detailedStatus === 'passed with warnings';

function humanizedStatus(pipeline: PipelineDetails): string {
  if (pipeline.status === 'success') return passedWithWarnings(pipeline) ? 'has passed with warnings' : 'has passed';
  return pipeline.status === 'failed' ? 'has failed' : pipeline.status;
}

/** Slack's named colours, as GitLab picks them. */
function pipelineColor(pipeline: PipelineDetails): string {
  if (pipeline.status !== 'success') return 'danger';
  return passedWithWarnings(pipeline) ? 'warning' : 'good';
}

const plural = (word: string, count: number) => (count === 1 ? word : `${word}s`);

export function pipelineMessage(event: PipelineEvent): ChatMessage {
  const { pipeline, project, user } = event;
  const pages = hostPages(event);
  // A pipeline started through the API has no user: GitLab names it "API".
  const userName = user.username ?? 'API';
  const by = stripMarkup(user.name ? `${user.name} (${userName})` : userName);
  const refType = pipeline.tag ? 'tag' : 'branch';
  const failedJobs = actuallyFailedJobs(pipeline.builds);
  const failedStages = [...new Set(failedJobs.map((job) => job.stage ?? ''))];
  const pipelineUrl =
    event.host === 'gitlab'
      ? failedJobs.length
        ? pages.pipelineFailures(pipeline.id)
        : pages.pipeline(pipeline.id)
      : (pipeline.url ?? pages.pipeline(pipeline.id));
  const projectLink = link(project.name, project.webUrl);
  const refLink = link(pipeline.ref, pages.ref(pipeline.ref, pipeline.tag));
  const pipelineLink = link(`#${pipeline.id}`, pipelineUrl);
  const commitLink = pipeline.commit ? link(pipeline.commit.title, pages.commit(pipeline.commit.id)) : '';
  const status = humanizedStatus(pipeline);
  const duration = prettyDuration(pipeline.durationSeconds ?? 0);
  const message = `${projectLink}: Pipeline ${pipelineLink} of ${refType} ${refLink} by ${by} ${status} in ${duration}`;

  const jobLinks = failedJobs.slice(0, MAX_VISIBLE_JOBS).map((job) => link(job.name, pages.job(job.id)));
  const hidden = failedJobs.length - MAX_VISIBLE_JOBS;
  if (hidden > 0) jobLinks.push(`and [${hidden} more](${pages.pipelineFailures(pipeline.id)})`);
  const fields = [
    { title: pipeline.tag ? 'Tag' : 'Branch', value: slackLinks(refLink), short: true },
    { title: 'Commit', value: slackLinks(commitLink), short: true },
    ...(failedStages.length
      ? [
          {
            title: plural('Failed stage', failedStages.length),
            value: slackLinks(failedStages.map((stage) => link(stage, pipelineUrl)).join(', ')),
            short: true,
          },
        ]
      : []),
    ...(failedJobs.length
      ? [{ title: plural('Failed job', failedJobs.length), value: slackLinks(jobLinks.join(', ')), short: true }]
      : []),
    ...(pipeline.name ? [{ title: 'Pipeline name', value: pipeline.name, short: false }] : []),
  ];
  const finishedAt = pipeline.finishedAt ? Date.parse(pipeline.finishedAt) : NaN;
  return {
    projectName: project.fullName,
    markdown: message,
    slack: slackFormat(message, project.webUrl),
    pretext: '',
    attachments: [
      {
        fallback: slackFormat(message, project.webUrl),
        color: pipelineColor(pipeline),
        author_name: by,
        author_icon: user.avatarUrl,
        // GitLab links the committer's GitLab profile, which no hook names.
        author_link: null,
        title: `Pipeline #${pipeline.id} ${status} in ${duration}`,
        title_link: pipelineUrl,
        fields,
        footer: project.name,
        footer_icon: project.avatarUrl,
        ts: Number.isNaN(finishedAt) ? null : Math.floor(finishedAt / 1000),
      },
    ],
    markdownAttachments: message,
    activity: {
      title: `Pipeline ${pipelineLink} of ${refType} ${refLink} by ${by} ${status}`,
      subtitle: `in ${projectLink}`,
      text: `in ${duration}`,
      image: user.avatarUrl ?? '',
    },
    publicColor: null,
    threadKey: `pipeline ${pipeline.id}`,
    userName,
    userAvatar: user.avatarUrl,
  };
}
