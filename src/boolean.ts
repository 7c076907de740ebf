/**
 * @module boolean
 * The one rule for yes/no values, wherever they come from: the pages' checkboxes, the API's
 * parameters and the environment. It is GitLab's: Grape's Boolean, which is dry-types'
 * `Params::Bool`; anything else is refused.
 */
import { z } from 'zod';

/** dry-types' `Params::TRUE_VALUES`: each word lower case, capitalised or upper case. */
const TRUE_WORDS = new Set(['1', 'on', 'On', 'ON', 't', 'true', 'True', 'TRUE', 'T', 'y', 'yes', 'Yes', 'YES', 'Y']);
const FALSE_WORDS = new Set([
  '0',
  'off',
  'Off',
  'OFF',
  'f',
  'false',
  'False',
  'FALSE',
  'F',
  'n',
  'no',
  'No',
  'NO',
  'N',
]);

/**
 * A yes/no value as GitLab reads it: JSON's booleans, 1 and 0, and the words above; an empty
 * value is no (a box posted without its value). Undefined for anything else.
 *
 * @example
 * parseBoolean('t') // true
 * parseBoolean('NO') // false
 * parseBoolean('maybe') // undefined
 */
export function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  if (text === '' || FALSE_WORDS.has(text)) return false;
  return TRUE_WORDS.has(text) ? true : undefined;
}

/**
 * The zod schema of a yes/no field: {@link parseBoolean}, with `message` for anything else.
 *
 * @example
 * z.object({ is_admin: booleanField('Administrator must be yes or no') }).parse({ is_admin: '1' }) // { is_admin: true }
 */
export function booleanField(message: string) {
  return z.unknown().transform((value, ctx): boolean => {
    const parsed = parseBoolean(value);
    if (parsed !== undefined) return parsed;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });
}
