/**
 * @module delivery/messages/jenkins
 * Jenkins (GitLab's Integrations::Jenkins): the push, tag push and merge request hooks of GitLab,
 * as they are, to `<jenkins_url>/project/<project_name>` (the GitLab plugin's build trigger), with
 * the username and password as basic auth, as WebHookService sends the credentials `hook_url`
 * puts in the URL.
 */
import { basicAuth } from '../../integrations/test-requests.js';
import { isBlank, textOf, type MessageBuilder } from './request.js';
import { hookPost } from './web-hook.js';

const HOOK_NAMES: Partial<Record<string, string>> = {
  push: 'push_hook',
  tag_push: 'tag_push_hook',
  merge_request: 'merge_request_hook',
};

/** GitLab's `hook_url`: `File.join` of the server's path and `project/<name>`, one slash between. */
function hookUrl(jenkinsUrl: string, projectName: string): string {
  const url = new URL(jenkinsUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/project/${projectName}`;
  return url.href;
}

/**
 * @example
 * jenkinsRequests(pushEvent, { jenkins_url: 'https://ci.example.com', project_name: 'app', username: 'u', password: 'p' }, [])
 * // [{ method: 'POST', url: 'https://ci.example.com/project/app', headers: { 'x-gitlab-event': 'Push Hook', authorization: 'Basic dTpw', … }, … }]
 */
export const jenkinsRequests: MessageBuilder = (event, fields) => {
  const hookName = HOOK_NAMES[event.kind];
  if (event.host !== 'gitlab' || !hookName) return [];
  // Without a username GitLab puts no credentials in the URL, so none are sent.
  const auth: Record<string, string> = isBlank(textOf(fields.username))
    ? {}
    : { authorization: basicAuth(fields.username, fields.password) };
  return [
    {
      ...hookPost(hookUrl(textOf(fields.jenkins_url), textOf(fields.project_name)), event, hookName, auth),
      verifyTls: fields.enable_ssl_verification !== false,
    },
  ];
};
