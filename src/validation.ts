/**
 * @module validation
 * Field rules shared by the forms of several models, and the shape their errors take.
 */
import { z } from 'zod';

/** Field name -> message, shown next to the field. `_form` holds a message for the whole form. */
export type FieldErrors = Record<string, string>;

export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** "2026-11-23", a day that exists (not "2026-02-30"), as date inputs send it. */
export const isCalendarDay = (day: string) => {
  const parsed = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day;
};

/** Top-level URL segments that a group or project path may not take. */
const RESERVED_PATHS = new Set([
  'admin',
  'api',
  'users',
  'groups',
  'projects',
  'public',
  'assets',
  'help',
  'dashboard',
  'explore',
  'search',
  '-',
]);

/**
 * A text field; when it is missing from the post or sent twice (a tampered form), the message
 * still names the field instead of zod's generic one.
 *
 * @example
 * text('Name').min(1, 'Name is required')
 */
export function text(label: string) {
  return z.string({
    error: (issue) => (issue.input === undefined ? `${label} is required` : `${label} must be a single value`),
  });
}

export const nameSchema = text('Name')
  .trim()
  .min(1, 'Name is required')
  .max(255, 'Name is too long (maximum is 255 characters)');

/** GitLab's path rule: letters, digits, '_', '-' and '.', not starting or ending with a special character. */
export const pathSchema = text('Path')
  .trim()
  .min(1, 'Path is required')
  .max(255, 'Path is too long (maximum is 255 characters)')
  .regex(
    /^[a-zA-Z0-9_]([a-zA-Z0-9_.-]*[a-zA-Z0-9_])?$/,
    "Path can contain only letters, digits, '_', '-' and '.', and cannot start or end with '-' or '.'",
  )
  .refine((path) => !/\.(git|atom)$/i.test(path), "Path cannot end in '.git' or '.atom'");

/** Top-level group paths share the URL space with Cascade's own pages. */
export const isReservedTopLevelPath = (path: string) => RESERVED_PATHS.has(path.toLowerCase());

export const descriptionSchema = text('Description')
  .trim()
  .max(2000, 'Description is too long (maximum is 2000 characters)')
  .default('');

/** A positive database id from a form or URL; anything else is refused. */
/** The largest id either database stores (PostgreSQL's integer): a larger one names nothing. */
export const MAX_ID = 2_147_483_647;

/** Whether `id` could name a row: a whole number from 1 to {@link MAX_ID}. */
export const isStoredId = (id: number) => Number.isInteger(id) && id >= 1 && id <= MAX_ID;

export const idSchema = z.coerce.number({ error: 'must be an id' }).int().positive().max(MAX_ID);

/**
 * Turns zod issues into one message per field (the first), named by the field's path.
 *
 * @example
 * fieldErrors(schema.safeParse({}).error) // { name: 'Name is required' }
 */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.join('.') : '_form';
    errors[field] ??= issue.message;
  }
  return errors;
}

/** Parses with a zod schema into an {@link Outcome}. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): Outcome<z.infer<S>> {
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: fieldErrors(parsed.error) };
}
