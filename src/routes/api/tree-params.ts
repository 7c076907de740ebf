/**
 * @module routes/api/tree-params
 * What the API's groups, projects, members and users endpoints share: their parameters read as
 * GitLab's Grape declares them (`name is missing`, `user_id is invalid`), and GitLab's answers to
 * a refused change (`400 {"message": {"path": ["..."]}}`) and to a deletion it accepts (202).
 */
import { BadRequest } from '../../errors.js';
import type { AppContext } from '../../http/context.js';
import type { FieldErrors } from '../../validation.js';
import type { ApiParams } from './params.js';

/** A text parameter; numbers are taken as their digits, anything else is invalid. Undefined when absent. */
export function textParam(params: ApiParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new BadRequest(`${name} is invalid`);
}

/**
 * A text parameter the endpoint requires.
 *
 * @example
 * requiredText({}, 'name') // throws BadRequest('name is missing'), answered 400 {"error":"name is missing"}
 */
export function requiredText(params: ApiParams, name: string): string {
  const value = textParam(params, name);
  if (value === undefined || value === '') throw new BadRequest(`${name} is missing`);
  return value;
}

/** A positive integer parameter (a user's id, an access level); undefined when absent. */
export function integerParam(params: ApiParams, name: string): number | undefined {
  const value = textParam(params, name);
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value.trim())) throw new BadRequest(`${name} is invalid`);
  return Number(value);
}

/**
 * The parameters that were sent, under the domain's names, as sent: the domain checks their values.
 *
 * @example
 * pickParams({ name: 'Ada', admin: true, x: 1 }, { name: 'name', admin: 'is_admin' }) // { name: 'Ada', is_admin: true }
 */
export function pickParams(params: ApiParams, names: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(names)
      .filter(([apiName]) => params[apiName] !== undefined)
      .map(([apiName, domainName]) => [domainName, params[apiName]]),
  );
}

/** GitLab's answer to a record it refused: each field with its messages. */
export function invalidRecord(c: AppContext, errors: FieldErrors, rename: Record<string, string> = {}): Response {
  const message = Object.fromEntries(Object.entries(errors).map(([key, text]) => [rename[key] ?? key, [text]]));
  return c.json({ message }, 400);
}

/** GitLab's answer to a deletion it has accepted. */
export const accepted = (c: AppContext) => c.json({ message: '202 Accepted' }, 202);
