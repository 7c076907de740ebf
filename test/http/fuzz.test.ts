/**
 * The fuzz test, generated from the route table like the permission matrix: every registered
 * route and method, as a signed-out visitor, a Developer and an administrator, gets malformed
 * bodies of every content type, oversized and unicode values, several values for one field,
 * tampered hidden fields and unknown ids in its URL. No answer may be a 5xx, and an answer that
 * refuses (4xx) must leave every row of the database as it was. A route without a row in
 * permission-matrix.ts (which says how to reach it) fails here too.
 *
 * One world per actor; each request runs in a savepoint that is rolled back, so every request
 * meets the same database whatever the one before it did.
 */
import type { Hono } from 'hono';
import type { RouterRoute } from 'hono/types';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import type { AppEnv } from '../../src/http/context.js';
import type { ResolvedAddress } from '../../src/outbound/request.js';
import { apiToken } from '../support/api.js';
import { createTestApp, ORIGIN } from '../support/app.js';
import { databaseSnapshot } from '../support/snapshot.js';
import { buildWorld, type Actor, type World } from '../support/world.js';
import { PERMISSION_MATRIX, type MatrixRow } from './permission-matrix.js';
import { endpoints } from './route-table.js';

const FUZZ_ACTORS = ['anonymous', 'developer', 'admin'] as const satisfies readonly Actor[];

type Form = Record<string, string | string[]>;

interface FuzzCase {
  name: string;
  method: string;
  url: string;
  /** Omitted: no Content-Type header (a FormData body sets its own). */
  contentType?: string;
  body?: string | FormData;
}

/** Values a field should never see: very long, unicode of every kind, control characters, numbers past their range. */
const JUNK = [
  '',
  '-1',
  '1e400',
  '99999999999999999999',
  'abc',
  '__proto__',
  '\u0000\u202e\ufeff',
  '𝔘ñí©ødé ✓ 漢字 \ud83d\ude00',
  '<script>alert(1)</script>',
  'x'.repeat(5_000),
];

/** The hidden fields the forms send back: version, sealed state, per-field inheritance, step and confirmation. */
const HIDDEN_FIELDS = ['_version', '_sealed', '_inherit', 'inheritance', '_action', '_confirmed'];

/** Every query parameter a page or API route reads. */
const QUERY_NAMES = [
  'search', 'page', 'per_page', 'inheritance', 'keys', 'user', 'level', 'before', 'integration',
  'parent_id', 'group_id', 'redirect_to', 'target', 'targets', 'active', 'inherited_fields',
];

/** Unknown ids for each kind of URL parameter. */
const UNKNOWN_PARAMS: Record<string, string[]> = {
  id: ['0', '99999999999999999999', '-1', '1.5', 'abc', '%E2%98%83', '%zz', 'top%2Fnope'],
  memberId: ['0', '99999999999999', 'x'],
  slug: ['no-such-type', '__proto__', '%E2%98%83'],
  fullPath: ['no-such/place', 'top/sub/app/deeper', 'top/%zz', `${'a'.repeat(300)}/b`],
};
const UNKNOWN_WILDCARD = ['nope', '..%2F..%2Fpackage.json'];

const MALFORMED_BODIES: [string, string, string][] = [
  ['multipart without a boundary', 'multipart/form-data', 'a=b&c=d'],
  ['multipart that never ends', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated'],
  ['multipart with a broken part', 'multipart/form-data; boundary=x', '--x\r\nno headers\r\n--x--\r\n'],
  ['urlencoded with broken escapes', 'application/x-www-form-urlencoded', '%zz=%&&=%E0%A4&a=%00&%=%%'],
  ['urlencoded in another charset', 'application/x-www-form-urlencoded; charset=utf-16', '\u00ff\u00fea\u0000=\u0000'],
  ['JSON cut short', 'application/json', '{"name": '],
  ['a JSON array', 'application/json', '[1, 2, 3]'],
  ['a JSON string', 'application/json', '"text"'],
  ['JSON null', 'application/json', 'null'],
  ['JSON nested deep', 'application/json', `${'{"a":'.repeat(200)}1${'}'.repeat(200)}`],
  ['plain text', 'text/plain', 'name=value\r\n\u0000\uffff'],
  ['an unknown content type', 'application/x-unknown', '\u0000\u0001\u0002'],
];

/** Every form field with the same value. */
const filled = (form: Form, value: string): Form => Object.fromEntries(Object.keys(form).map((name) => [name, value]));

/** The ways of sending a form: urlencoded, multipart, JSON, text/plain, and with no Content-Type at all. */
function encodings(name: string, form: Form): Omit<FuzzCase, 'method' | 'url'>[] {
  const pairs = Object.entries(form).flatMap(([field, value]) => (Array.isArray(value) ? value : [value]).map((item) => [field, item] as const));
  const multipart = new FormData();
  for (const [field, item] of pairs) multipart.append(field, item);
  const urlencoded = new URLSearchParams(pairs.map(([field, item]) => [field, item])).toString();
  return [
    { name: `${name}, urlencoded`, contentType: 'application/x-www-form-urlencoded', body: urlencoded },
    { name: `${name}, multipart`, body: multipart },
    { name: `${name}, JSON`, contentType: 'application/json', body: JSON.stringify(form) },
    { name: `${name}, text`, contentType: 'text/plain', body: pairs.map(([field, item]) => `${field}=${item}`).join('\r\n') },
    { name: `${name}, no content type`, body: urlencoded },
  ];
}

/** The form a route takes, mutated; tampered hidden fields get a sample of the junk values. */
function mutatedForms(form: Form): [string, Form][] {
  const firstField = Object.keys(form)[0] ?? 'name';
  return [
    ['no fields', {}],
    ['every value oversized', filled(form, 'x'.repeat(4_000))],
    ['one value of 200 kB', { ...form, [firstField]: 'x'.repeat(200_000) }],
    ['every value unicode', filled(form, JUNK[7]!)],
    ['every field sent twice', Object.fromEntries(Object.entries(form).map(([name, value]) => [name, [String(value), `${String(value)}2`]]))],
    ['prototype names', { ...form, __proto__: 'x', constructor: 'y', toString: 'z', hasOwnProperty: 'q' } as Form],
    ...[0, 2, 5, 6, 9].map((index): [string, Form] => [`hidden fields tampered (${index})`, { ...form, ...Object.fromEntries(HIDDEN_FIELDS.map((name) => [name, JUNK[index]!])) }]),
    ['hidden fields sent twice', { ...form, ...Object.fromEntries(HIDDEN_FIELDS.map((name) => [name, ['1', 'custom']])) }],
    ['every value junk', filled(form, JUNK[5]!)],
  ];
}

/** JSON values of the wrong type for every field: objects, arrays of numbers, booleans, huge numbers. */
function wrongJsonTypes(form: Form): Omit<FuzzCase, 'method' | 'url'>[] {
  return [{ a: 1 }, [1, 2], true, 1e308, null].map((value) => ({
    name: `every value ${JSON.stringify(value)}, JSON`,
    contentType: 'application/json',
    body: JSON.stringify(Object.fromEntries([...Object.keys(form), ...HIDDEN_FIELDS].map((name) => [name, value]))),
  }));
}

interface PathPart {
  literal?: string;
  param?: string;
  pattern?: string;
}

/** "/groups/:fullPath{re}/-/x/:slug" as its literal parts and parameters. */
function pathParts(routePath: string): PathPart[] {
  const parts: PathPart[] = [];
  let last = 0;
  for (const match of routePath.matchAll(/:(\w+)(?:\{((?:[^{}]|\{[^{}]*\})*)\})?|\*/g)) {
    if (match.index > last) parts.push({ literal: routePath.slice(last, match.index) });
    parts.push(match[0] === '*' ? { param: '*', pattern: '.*' } : { param: match[1]!, pattern: match[2] ?? '[^/]+' });
    last = match.index + match[0].length;
  }
  if (last < routePath.length) parts.push({ literal: routePath.slice(last) });
  return parts;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The URL of the matrix row with one parameter at a time replaced by unknown ids. */
function unknownIdUrls(route: RouterRoute, validUrl: string): string[] {
  const parts = pathParts(route.path);
  const params = parts.filter((part) => part.param);
  if (params.length === 0) return [];
  const url = new URL(validUrl, ORIGIN);
  const pattern = new RegExp(`^${parts.map((part) => (part.param ? `(${part.pattern})` : escapeRegExp(part.literal!))).join('')}$`);
  const valid = pattern.exec(url.pathname)?.slice(1);
  if (!valid) throw new Error(`${validUrl} does not match ${route.path}`);
  return params.flatMap((target, index) =>
    (target.param === '*' ? UNKNOWN_WILDCARD : (UNKNOWN_PARAMS[target.param!] ?? UNKNOWN_PARAMS.id!)).map((junk) => {
      let paramIndex = 0;
      const path = parts.map((part) => (part.param ? (paramIndex++ === index ? junk : valid[paramIndex - 1]) : part.literal)).join('');
      return `${path}${url.search}`;
    }),
  );
}

/** The valid URL with every query parameter a route might read set to junk, once and repeated. */
function junkQueryUrls(validUrl: string): string[] {
  const [path] = validUrl.split('?');
  return [0, 2, 3, 7, 9].map((index) => {
    const query = new URLSearchParams();
    for (const name of QUERY_NAMES) {
      query.append(name, JUNK[index]!);
      if (index === 3) query.append(name, JUNK[4]!);
    }
    return `${path}?${query.toString()}`;
  });
}

/** Every request the fuzz test sends to one route. */
function fuzzCases(route: RouterRoute, row: MatrixRow, world: World): FuzzCase[] {
  const method = route.method;
  const url = row.url(world);
  const of = (cases: Omit<FuzzCase, 'method' | 'url'>[], at = url): FuzzCase[] => cases.map((c) => ({ ...c, method, url: at }));
  const cases: FuzzCase[] = [{ name: 'as the matrix sends it', method, url }];
  if (method === 'GET') {
    cases.push(...junkQueryUrls(url).map((junkUrl, index) => ({ name: `junk query (${index})`, method, url: junkUrl })));
    cases.push(...unknownIdUrls(route, url).map((unknownUrl) => ({ name: 'unknown id', method, url: unknownUrl })));
    cases.push({ name: 'another method', method: 'PATCH', url, contentType: 'application/json', body: '{}' });
    return cases;
  }
  const form = row.form?.(world) ?? {};
  cases.push(...of(encodings('the valid form', form)));
  cases.push(...of(MALFORMED_BODIES.map(([name, contentType, body]) => ({ name, contentType, body }))));
  // Each mutation in the encoding the route reads: JSON for the API, urlencoded as a browser sends forms.
  const ownEncoding = row.api ? 'application/json' : 'application/x-www-form-urlencoded';
  for (const [name, mutated] of mutatedForms(form)) cases.push(...of(encodings(name, mutated).filter((c) => c.contentType === ownEncoding)));
  cases.push(...of(wrongJsonTypes(form)));
  for (const unknownUrl of unknownIdUrls(route, url)) cases.push(...of(encodings('unknown id', form).slice(0, 1), unknownUrl));
  cases.push(...junkQueryUrls(url).slice(0, 2).map((junkUrl, index) => ({ name: `junk query (${index})`, method, url: junkUrl, contentType: 'application/x-www-form-urlencoded', body: '' })));
  return cases;
}

/** Requests to other servers end on the loopback, which the Network settings refuse: nothing leaves the machine. */
const loopbackOnly = async (): Promise<ResolvedAddress[]> => [{ address: '127.0.0.1', family: 4 }];

interface FuzzWorld {
  app: Hono<AppEnv>;
  db: Db;
  world: World;
  /** The session cookie (pages) or the token header (API) of the actor. */
  credentials: { page: Record<string, string>; api: Record<string, string> };
}

async function fuzzWorld(actor: (typeof FUZZ_ACTORS)[number]): Promise<FuzzWorld> {
  const { app, db } = createTestApp({ outbound: { resolve: loopbackOnly, timeoutMs: 500 } });
  const world = await buildWorld(db);
  const cookie = world.cookies[actor];
  const token = actor === 'anonymous' ? undefined : apiToken(db, world.users[actor], ['api']);
  return { app, db, world, credentials: { page: cookie ? { cookie } : {}, api: token ? { 'private-token': token } : {} } };
}

/** Runs `step` in a savepoint and rolls everything it wrote back. */
async function rolledBack<T>(db: Db, name: string, step: () => Promise<T>): Promise<T> {
  db.$client.exec(`savepoint ${name}`);
  try {
    return await step();
  } finally {
    db.$client.exec(`rollback to ${name}`);
    db.$client.exec(`release ${name}`);
  }
}

/** What went wrong with one request, or undefined: a 5xx, or a refusal (4xx) that changed a row. */
async function failureOf(fuzz: FuzzWorld, fuzzCase: FuzzCase, api: boolean): Promise<string | undefined> {
  const headers: Record<string, string> = { origin: ORIGIN, ...(api ? fuzz.credentials.api : fuzz.credentials.page) };
  if (fuzzCase.contentType) headers['content-type'] = fuzzCase.contentType;
  return rolledBack(fuzz.db, 'fuzz_request', async () => {
    const before = databaseSnapshot(fuzz.db);
    const response = await fuzz.app.request(fuzzCase.url, { method: fuzzCase.method, headers, body: fuzzCase.body });
    await response.arrayBuffer();
    const what = `${fuzzCase.name}: ${fuzzCase.method} ${fuzzCase.url.slice(0, 120)} -> ${response.status}`;
    if (response.status >= 500) return what;
    if (response.status >= 400 && databaseSnapshot(fuzz.db) !== before) return `${what}, but rows changed`;
    return undefined;
  });
}

const ROUTES = endpoints(createTestApp().app);

describe('the fuzz test', () => {
  it('covers every route: each has a row in permission-matrix.ts that says how to reach it', () => {
    const missing = ROUTES.map(({ key }) => key).filter((key) => !(key in PERMISSION_MATRIX));
    expect(missing, 'add a row for each of these routes to test/http/permission-matrix.ts').toEqual([]);
  });
});

describe.each(FUZZ_ACTORS)('as %s', (actor) => {
  let fuzz: FuzzWorld;
  beforeAll(async () => {
    fuzz = await fuzzWorld(actor);
  });

  it.each(ROUTES)('$key never answers 5xx, and changes nothing when it refuses', async ({ key, route }) => {
    const row = PERMISSION_MATRIX[key];
    if (!row) throw new Error(`No fuzz coverage for "${key}": add its row to test/http/permission-matrix.ts`);
    const failures = await rolledBack(fuzz.db, 'fuzz_route', async () => {
      await row.setup?.(fuzz.app, fuzz.world);
      const found: string[] = [];
      for (const fuzzCase of fuzzCases(route, row, fuzz.world)) {
        const failure = await failureOf(fuzz, fuzzCase, row.api === true);
        if (failure) found.push(failure);
      }
      return found;
    });
    expect(failures).toEqual([]);
  });
});
