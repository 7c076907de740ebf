/**
 * @module http/forms
 * Reading submitted forms and query strings.
 */
import { parseBoolean } from '../boolean.js';
import { lastValue, type FormInput } from '../form-values.js';
import { readBody } from './body.js';
import type { AppContext } from './context.js';

/**
 * The submitted form as strings; a field sent several times (a hidden "0" before a checkbox)
 * becomes an array. Uploaded files are ignored: no form here takes one. A body that is not the
 * form its Content-Type says is a {@link BadRequest} (see http/body.ts).
 */
export async function readForm(c: AppContext): Promise<FormInput> {
  const body = await readBody(c, (request) => request.parseBody({ all: true }));
  const form: FormInput = {};
  for (const [name, value] of Object.entries(body)) {
    const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
    if (values.length === 1) form[name] = values[0]!;
    else if (values.length > 1) form[name] = values;
  }
  return form;
}

/** Whether the form comes from a confirmation step (its `_confirmed` field says yes). */
export const isConfirmed = (form: FormInput) => parseBoolean(lastValue(form._confirmed)) === true;

export interface ListParams {
  search: string;
  page: number;
  perPage: number;
}

/** `?search=...&page=N` for lists; a bad page number is treated as the first page. */
export function listParams(c: AppContext, perPage = 20): ListParams {
  const search = (c.req.query('search') ?? '').trim().slice(0, 255);
  const page = Number.parseInt(c.req.query('page') ?? '1', 10);
  return { search, page: Number.isSafeInteger(page) && page > 0 && page < 1_000_000 ? page : 1, perPage };
}
