/**
 * @module delivery/messages/datadog
 * Datadog (GitLab's Integrations::Datadog): the pipeline and job hooks of GitLab, as they are, to
 * the webhook intake of the Datadog site (or the API URL), tagged by service, env and tags in the
 * query as `hook_url` builds it. The planner sends only what CI Visibility turns on. GitLab puts
 * the API key in the query too; Datadog also takes it as the `DD-API-KEY` header, which keeps it
 * out of every URL a delivery log shows. Job logs (`archive_trace`) come from no hook.
 */
import { textOf, type MessageBuilder } from './request.js';
import { hookPost } from './web-hook.js';

/** GitLab's `URL_TEMPLATE`, without the "app." GitLab drops from a site copied from Datadog's table. */
const intakeUrl = (site: string) => `https://webhook-intake.${site.replace(/^app\./, '')}/api/v2/webhook`;

/** Ruby's `CGI.escape`, which `Hash#to_query` uses: a space is "+", and only `*-._~` and alphanumerics stay. */
const cgiEscape = (value: string) =>
  encodeURIComponent(value)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/** GitLab's `datadog_tags_query_param`: one tag a line, blank lines dropped, a tag with a comma quoted. */
const tagsParameter = (tags: string) =>
  tags
    .split('\n')
    .map((tag) => tag.trim())
    .filter(Boolean)
    .map((tag) => (tag.includes(',') ? `"${tag}"` : tag))
    .join(',');

/** GitLab's `hook_url`: the query replaced by the present tags, sorted by name as `to_query` sorts them. */
function hookUrl(fields: Parameters<MessageBuilder>[1]): string {
  const url = new URL(textOf(fields.api_url).trim() || intakeUrl(textOf(fields.datadog_site).trim()));
  const query = [
    ['env', textOf(fields.datadog_env).trim()],
    ['service', textOf(fields.datadog_service).trim()],
    ['tags', tagsParameter(textOf(fields.datadog_tags))],
  ].filter(([, value]) => value);
  url.search = query.map(([name, value]) => `${name}=${cgiEscape(value!)}`).join('&');
  return url.href;
}

/**
 * @example
 * datadogRequests(pipelineEvent, { datadog_site: 'datadoghq.eu', api_key: 'k', datadog_env: 'ci' }, [])
 * // [{ method: 'POST', url: 'https://webhook-intake.datadoghq.eu/api/v2/webhook?env=ci', headers: { 'x-gitlab-event': 'Pipeline Hook', 'dd-api-key': 'k', … }, body: '{"object_kind":"pipeline",…}' }]
 */
export const datadogRequests: MessageBuilder = (event, fields) => {
  if (event.host !== 'gitlab' || (event.kind !== 'pipeline' && event.kind !== 'job')) return [];
  return [hookPost(hookUrl(fields), event, `${event.kind} hook`, { 'dd-api-key': textOf(fields.api_key) })];
};
