/**
 * @module delivery/messages/pushover
 * Pushover (GitLab's Integrations::Base::Pushover): pushes only, in its own words, with the
 * project as title and link, as the form GitLab posts to `/messages.json`.
 */
import { PUSHOVER_API } from '../../integrations/catalog/pushover.js';
import { formPost } from '../../integrations/test-requests.js';
import { textOf, type MessageBuilder } from './request.js';

export const pushoverRequests: MessageBuilder = (event, fields) => {
  if (event.kind !== 'push') return [];
  const { push, project, user } = event;
  // A push hook's `user_name` is the pusher's full name.
  const pusher = user.name ?? user.username ?? '';
  const what = push.created
    ? `pushed new branch "${push.refName}".`
    : push.removed
      ? `deleted branch "${push.refName}".`
      : `push to branch "${push.refName}".`;
  const message = [
    `${pusher} ${what}`,
    ...(push.totalCommits > 0 ? [`Total commits count: ${push.totalCommits}`] : []),
  ];
  const sound = textOf(fields.sound);
  return [
    formPost(PUSHOVER_API, [
      ['token', textOf(fields.api_key)],
      ['user', textOf(fields.user_key)],
      // GitLab sends a blank device (all devices) as an empty value.
      ['device', textOf(fields.device)],
      ['priority', textOf(fields.priority)],
      ['title', project.fullName],
      ['message', message.join('\n')],
      ['url', project.webUrl],
      ['url_title', `See project ${project.fullName}`],
      // Pushover refuses an empty sound: it is sent only when chosen.
      ...(sound ? [['sound', sound] as const] : []),
    ]),
  ];
};
