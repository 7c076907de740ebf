/**
 * @module delivery/messages/web-hook
 * GitLab's integrations that are web hooks (HasWebHook: Datadog, Jenkins) POST the hook data of
 * a GitLab event as WebHookService does: the JSON as is, named by `X-Gitlab-Event`. Only GitLab's
 * own hooks have that shape, so events of other hosts send nothing.
 */
import type { DeliveryEvent } from '../event.js';
import type { DeliveryRequest } from './request.js';

/** WebHookService's `hook_to_event`: `push_hook` and `pipeline hook` are "Push Hook" and "Pipeline Hook". */
const hookToEvent = (hookName: string) =>
  hookName
    .split(/[_\s]+/)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(' ');

/**
 * @example
 * hookPost('https://jenkins.example.com/project/app', pushEvent, 'push_hook', { authorization: 'Basic …' })
 * // { method: 'POST', url, headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', authorization: … }, body: '{"object_kind":"push",…}' }
 */
export function hookPost(
  url: string,
  event: DeliveryEvent,
  hookName: string,
  headers: Record<string, string> = {},
): DeliveryRequest {
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', 'x-gitlab-event': hookToEvent(hookName), ...headers },
    body: JSON.stringify(event.hookData),
  };
}
