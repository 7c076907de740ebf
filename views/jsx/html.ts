/**
 * @module views/jsx/html
 * The HTML of a rendered element, typed: hono's JSX types allow a promise, which Cascade's
 * runtime (./jsx-runtime.ts) never makes.
 *
 * @example
 * htmlOf(<p>{'a & b'}</p>) // '<p>a &amp; b</p>'
 */
import type { HtmlEscapedString } from 'hono/utils/html';
import type { JSX } from './jsx-runtime.js';

export function htmlOf(element: JSX.Element): string {
  return (element as HtmlEscapedString).toString();
}
