/**
 * @module form-values
 * Values as a user submitted them, field by field: a string, or several for a field sent more
 * than once (a hidden "0" before a checkbox). The pages read them from forms (http/forms.ts).
 */

export type FormInput = Record<string, string | string[]>;

/**
 * The last value of a field (what a checkbox after its hidden "0" means); undefined if it was
 * not sent. The one way pages, the API and the views read a submitted field.
 *
 * @example
 * lastValue(['0', '1']) // '1'
 * lastValue(form.reason) ?? '' // the text, '' when absent
 */
export function lastValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}
