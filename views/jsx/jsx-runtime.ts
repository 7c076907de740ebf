/**
 * @module views/jsx/jsx-runtime
 * Cascade's JSX runtime (tsconfig `jsxImportSource: "#jsx"`): an element becomes its HTML at
 * once, an escaped string that `c.html()` sends as it is. It writes the markup hono/jsx wrote and
 * takes hono/jsx's element types, without hono/jsx's render context: that context lives in an
 * AsyncLocalStorage, and on Node 20 the storage's first `run()` turns on promise hooks that every
 * later request pays for (one rendered page took the health check from about 13,500 to 9,000
 * requests a second). Cascade's components are synchronous and take what they show as props, so
 * they need no context. Not supported, on purpose: async components, JSX contexts, style objects
 * (the Content-Security-Policy refuses inline styles) and React's names for attributes
 * (`className`, `htmlFor`): Cascade's views write HTML's.
 *
 * @example
 * String(<a href="/search?q=a&b">{'Tom & Jerry'}</a>) // '<a href="/search?q=a&amp;b">Tom &amp; Jerry</a>'
 */
import { raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type { JSX } from 'hono/jsx/jsx-runtime';

type Props = Record<string, unknown>;
type Component = (props: Props) => unknown;

/** Elements written `<br/>`, never with a closing tag: HTML's void elements, as hono/jsx lists them. */
const VOID_ELEMENTS = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);

/** Attributes that are on when present: `true` writes `checked=""`, `false` leaves them out. */
const BOOLEAN_ATTRIBUTES = new Set([
  'allowfullscreen',
  'async',
  'autofocus',
  'autoplay',
  'checked',
  'controls',
  'default',
  'defer',
  'disabled',
  'download',
  'formnovalidate',
  'hidden',
  'inert',
  'ismap',
  'itemscope',
  'loop',
  'multiple',
  'muted',
  'nomodule',
  'novalidate',
  'open',
  'playsinline',
  'readonly',
  'required',
  'reversed',
  'selected',
  'shadowrootclonable',
  'shadowrootdelegatesfocus',
  'shadowrootserializable',
]);

/** Characters that cannot be an attribute's name; a prop named with one is left out. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it must find
const INVALID_ATTRIBUTE_NAME = /[\s"'<>/=`\\\x00-\x1f\x7f-\x9f]/;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SPECIAL = /[&<>'"]/g;

const escape = (text: string) => text.replace(SPECIAL, (char) => ENTITIES[char]!);

const isEscaped = (value: unknown): value is HtmlEscapedString =>
  value instanceof String && (value as Partial<HtmlEscapedString>).isEscaped === true;

/** A child's HTML: text escaped, markup as it is, nothing for booleans, null and undefined. */
function childHtml(child: unknown): string {
  if (typeof child === 'string') return escape(child);
  if (typeof child === 'number') return String(child);
  if (child === null || child === undefined || typeof child === 'boolean') return '';
  if (Array.isArray(child)) return child.map(childHtml).join('');
  if (isEscaped(child)) return child.toString();
  if (child instanceof Promise) throw new Error('Cascade renders pages synchronously: a component returned a promise.');
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any other value is shown as its text, as hono/jsx does
  return escape(String(child));
}

function attributeHtml(name: string, value: unknown): string {
  if (name === 'children' || value === null || value === undefined || INVALID_ATTRIBUTE_NAME.test(name)) return '';
  if (typeof value === 'boolean' && BOOLEAN_ATTRIBUTES.has(name)) return value ? ` ${name}=""` : '';
  if (typeof value === 'function') {
    if (name.startsWith('on')) return '';
    throw new Error(`Invalid prop '${name}' of type 'function'.`);
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- an attribute shows any other value as its text, as hono/jsx does
  return ` ${name}="${typeof value === 'number' ? value : escape(String(value))}"`;
}

function elementHtml(tag: string, props: Props): string {
  let html = `<${tag}`;
  for (const name in props) html += attributeHtml(name, props[name]);
  const { children } = props;
  const childless = !('children' in props) || (Array.isArray(children) && children.length === 0);
  if (childless && VOID_ELEMENTS.has(tag)) return `${html}/>`;
  return `${html}>${childHtml(children)}</${tag}>`;
}

export function jsx(tag: string | Component, props: Props): HtmlEscapedString {
  return raw(typeof tag === 'function' ? childHtml(tag(props)) : elementHtml(tag, props));
}

export function Fragment(props: { children?: unknown }): HtmlEscapedString {
  return raw(childHtml(props.children));
}

export { jsx as jsxs, jsx as jsxDEV };
