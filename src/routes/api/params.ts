/**
 * @module routes/api/params
 * Reading API parameters as GitLab takes them: from the query string, a form-encoded body or a
 * JSON body; turning an integration's PUT parameters into the submission the settings service
 * saves; and offset pagination with GitLab's headers.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { parseBoolean } from '../../boolean.js';
import { BadRequest } from '../../errors.js';
import { readBody } from '../../http/body.js';
import type { AppEnv } from '../../http/context.js';
import { readForm } from '../../http/forms.js';
import { booleanSettingNames, settingKeys, unknownFieldNames } from '../../integrations/validate.js';
import type { IntegrationType, Level } from '../../integrations/types.js';
import type { SettingsSubmission } from '../../settings/submission.js';

export type ApiParams = Record<string, unknown>;

/** Query parameters, then the body's (which win): JSON or form-encoded; a body of another type is GitLab's 415. */
export async function readParams(c: Context<AppEnv>): Promise<ApiParams> {
  const query = Object.fromEntries(
    Object.entries(c.req.queries()).map(([name, values]) => [name, values.length === 1 ? values[0] : values]),
  );
  // Clients such as python-gitlab send a JSON content type on GET too, with no body.
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return query;
  const contentType = c.req.header('content-type') ?? '';
  if (/^(?:application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(contentType))
    return { ...query, ...(await readForm(c)) };
  const text = await readBody(c, (request) => request.text());
  if (text.trim() === '') return query;
  // As grape does: a body without a Content-Type is read as JSON, one of another type is refused.
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType !== '' && !/^application\/(?:[\w.+-]+\+)?json$/.test(mediaType))
    throw new HTTPException(415, { message: `The provided content-type '${mediaType}' is not supported.` });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BadRequest('The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequest('The request body must be a JSON object.');
  return { ...query, ...(body as ApiParams) };
}

/** A parameter value as the page's form would have sent it. */
function formValueOf(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value === null) return '';
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(',');
  throw new BadRequest(`${name} is invalid`);
}

/** A Boolean parameter, read by GitLab's rule (null is false, as an empty value); else a {@link BadRequest}. */
function booleanParam(name: string, value: unknown): boolean {
  const parsed = parseBoolean(formValueOf(name, value));
  if (parsed === undefined) throw new BadRequest(`${name} is invalid`);
  return parsed;
}

/** A list parameter sent as `name[]=a&name[]=b`, `name=a,b` or a JSON array. */
export function listParam(params: ApiParams, name: string): string[] {
  return nameList(params[name] ?? params[`${name}[]`], name);
}

function nameList(value: unknown, name = 'inherited_fields'): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  if (!items.every((item) => typeof item === 'string')) throw new BadRequest(`${name} is invalid`);
  return items
    .flatMap((item: string) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * An integration's PUT parameters as a submission: `use_inherited_settings=true` picks the
 * inherited settings; otherwise custom settings, with `inherited_fields` taken from the level
 * above. As in GitLab, the last write wins (no version), saving turns the integration on unless
 * `active` is sent, inherited or enforced above, deprecated parameters set their field
 * (`notify_only_default_branch`), and parameters that are not settings of the type are ignored.
 * Values of the wrong kind are a {@link BadRequest}.
 *
 * @example
 * settingsSubmissionOfParams(slack, { webhook: 'https://hooks.slack.com/x', inherited_fields: ['channel'] }, 'project')
 * // { mode: 'custom', values: { webhook: 'https://hooks.slack.com/x' }, inherited: ['channel'], activates: true }
 */
export function settingsSubmissionOfParams(type: IntegrationType, params: ApiParams, level: Level): SettingsSubmission {
  const inherited = listParam(params, 'inherited_fields');
  const settingNames = new Set(settingKeys(type, level).map(({ key }) => key));
  const booleanNames = booleanSettingNames(type, level);
  const unknown = unknownFieldNames(type, inherited, level);
  if (unknown.length > 0) throw new BadRequest(`inherited_fields does not have a valid value: ${unknown.join(', ')}`);

  const inheritAll =
    params.use_inherited_settings !== undefined &&
    booleanParam('use_inherited_settings', params.use_inherited_settings);
  if (inheritAll && level === 'instance')
    throw new BadRequest('use_inherited_settings is not available for the instance: it inherits from nothing');
  const listNames = new Set(type.fields.filter((field) => field.kind === 'list').map((field) => field.name));
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    // A list sent form-encoded as GitLab's clients do: project_keys[]=A&project_keys[]=B.
    const name = key.endsWith('[]') && listNames.has(key.slice(0, -2)) ? key.slice(0, -2) : key;
    if (!settingNames.has(name) || inherited.includes(name)) continue;
    if (booleanNames.has(name)) booleanParam(name, value);
    values[name] = formValueOf(name, value);
  }
  // Flags the type reports but has no toggle for: clients send back what they read; they set nothing.
  for (const name of Object.keys(type.reportedEvents?.({}) ?? {}))
    if (params[name] !== undefined && !settingNames.has(name)) booleanParam(name, params[name]);
  // A deprecated parameter sets its field, unless the field itself is sent or inherited.
  for (const alias of type.parameterAliases ?? []) {
    if (params[alias.name] === undefined) continue;
    const value = alias.write(booleanParam(alias.name, params[alias.name]));
    if (params[alias.field] === undefined && !inherited.includes(alias.field)) values[alias.field] = value;
  }
  return { mode: inheritAll ? 'inherit' : 'custom', values, inherited, activates: true };
}

/** The name of a field error's key (a setting, or `inheritance` for the choice), as the API's parameter is called. */
export const parameterName = (key: string) => (key === 'inheritance' ? 'use_inherited_settings' : key);

export const MAX_PER_PAGE = 100;

export interface PageRequest {
  page: number;
  perPage: number;
}

function positiveInteger(params: ApiParams, name: string, fallback: number): number {
  const raw = params[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new BadRequest(`${name} is invalid`);
  return Math.max(1, value);
}

/** `page` (from 1) and `per_page` (20 by default, at most 100), as GitLab reads them. */
export function pageRequest(params: ApiParams): PageRequest {
  return {
    page: positiveInteger(params, 'page', 1),
    perPage: Math.min(MAX_PER_PAGE, positiveInteger(params, 'per_page', 20)),
  };
}

/**
 * Sets GitLab's pagination headers: x-page, x-per-page, x-total, x-total-pages, x-next-page,
 * x-prev-page and a Link header with the first, last, previous and next pages.
 */
export function setPaginationHeaders(
  c: Context<AppEnv>,
  origin: string,
  { page, perPage }: PageRequest,
  total: number,
): void {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const next = page < totalPages ? page + 1 : null;
  const prev = page > 1 ? Math.min(page - 1, totalPages) : null;
  const link = (target: number, rel: string) => {
    const url = new URL(c.req.url);
    const query = new URLSearchParams(url.search);
    query.set('page', String(target));
    query.set('per_page', String(perPage));
    return `<${origin}${url.pathname}?${query.toString()}>; rel="${rel}"`;
  };
  c.header('x-page', String(page));
  c.header('x-per-page', String(perPage));
  c.header('x-total', String(total));
  c.header('x-total-pages', String(totalPages));
  c.header('x-next-page', next ? String(next) : '');
  c.header('x-prev-page', prev ? String(prev) : '');
  const links = [
    prev && link(prev, 'prev'),
    next && link(next, 'next'),
    link(1, 'first'),
    link(totalPages, 'last'),
  ].filter(Boolean);
  c.header('link', links.join(', '));
}

/** An optional id parameter such as `id_after`: a positive integer, or undefined when not sent. */
export function idParam(params: ApiParams, name: string): number | undefined {
  const raw = params[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new BadRequest(`${name} is invalid`);
  return value;
}

/** Whether the request asks for GitLab's keyset pagination (`pagination=keyset`). */
export const wantsKeyset = (params: ApiParams) => params.pagination === 'keyset';

/**
 * GitLab's keyset pagination header: a Link to the next page only, the request's parameters with
 * `id_before` (descending) or `id_after` (ascending) the last id listed; no header on the last
 * page, and none of the offset headers (no x-total: keyset pages are never counted).
 *
 * @example
 * setKeysetLinkHeader(c, origin, { lastId: 120, sort: 'desc' })
 * // link: <https://cascade.example/api/v4/projects?pagination=keyset&order_by=id&id_before=120>; rel="next"
 */
export function setKeysetLinkHeader(
  c: Context<AppEnv>,
  origin: string,
  next: { lastId: number; sort: 'asc' | 'desc' } | null,
): void {
  if (!next) return;
  const url = new URL(c.req.url);
  const query = new URLSearchParams(url.search);
  query.delete('id_before');
  query.delete('id_after');
  query.delete('page');
  query.set(next.sort === 'asc' ? 'id_after' : 'id_before', String(next.lastId));
  c.header('link', `<${origin}${url.pathname}?${query.toString()}>; rel="next"`);
}
