/**
 * The fuzz test, generated from the route table like the permission matrix: every registered
 * route and method, as a signed-out visitor, a Developer and an administrator, gets malformed
 * bodies of every content type, oversized and unicode values, several values for one field,
 * tampered hidden fields and unknown ids in its URL. No answer may be a 5xx, and an answer that
 * refuses (4xx) must leave every row of the database as it was. A route without a row in
 * permission-matrix.ts (which says how to reach it) fails here too.
 *
 * One world per actor, kept in a file; a request that changes it is followed by a fresh copy,
 * so every request meets the same database whatever the one before it did.
 */
import type { Hono } from 'hono';
import { randomBytes, scryptSync } from 'node:crypto';
import type { RouterRoute } from 'hono/types';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  databaseStamp,
  execute,
  migrateDatabase,
  openPostgres,
  openSqlite,
  writeConnection,
  type Db,
} from '../../src/db/client.js';
import { personalAccessTokens, users } from '../../src/db/schema.js';
import type { AppEnv } from '../../src/http/context.js';
import { integrationTypes } from '../../src/integrations/index.js';
import { settingKeys } from '../../src/integrations/validate.js';
import type { ResolvedAddress } from '../../src/outbound/request.js';
import { apiToken } from '../support/api.js';
import { createTestApp, ORIGIN, TEST_PASSWORD } from '../support/app.js';
import {
  createPostgresDatabase,
  postgresUrl,
  restoreRows,
  saveRows,
  TEST_DIALECT,
  type SavedRows,
} from '../support/database.js';
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
  body?: string | FormData | Uint8Array<ArrayBuffer>;
}

const UNICODE = '𝔘ñí©ødé ✓ 漢字 \ud83d\ude00 \u202e lone \ud800';
const LONG = 'x'.repeat(5_000);

/** Values a field should never see: empty, numbers past their range, names of prototype members, control characters, unicode, markup, very long. */
const JUNK = [
  '',
  '-1',
  '1e400',
  '99999999999999999999',
  'abc',
  '__proto__',
  '\u0000\u0007\ufeff',
  UNICODE,
  '<script>alert(1)</script>',
  LONG,
];

/** The hidden fields the forms send back: version, sealed state, per-field inheritance, step and confirmation. */
const HIDDEN_FIELDS = ['_version', '_sealed', '_inherit', 'inheritance', '_action', '_confirmed'];

/** Every query parameter a page or API route reads. */
const QUERY_NAMES = [
  'search',
  'page',
  'per_page',
  'inheritance',
  'keys',
  'user',
  'level',
  'before',
  'integration',
  'parent_id',
  'group_id',
  'redirect_to',
  'target',
  'targets',
  'active',
  'inherited_fields',
  'membership',
  'owned',
  'simple',
  'order_by',
  'sort',
  'pagination',
  'id_after',
  'id_before',
  'all_available',
  'top_level_only',
  'include_subgroups',
  'owned_only',
  'sudo',
];

/** Unknown ids for each kind of URL parameter. */
const UNKNOWN_PARAMS: Record<string, string[]> = {
  id: ['0', '99999999999999999999', '-1.5', '%E2%98%83', '%zz', 'top%2Fnope'],
  memberId: ['0', '99999999999999', 'x'],
  slug: ['no-such-type', '__proto__', '%E2%98%83'],
  fullPath: ['no-such/place', 'top/sub/app/deeper', 'top/%zz', `${'a'.repeat(300)}/b`],
};
const UNKNOWN_WILDCARD = ['nope', '..%2F..%2Fpackage.json'];

const MALFORMED_BODIES: [string, string, string][] = [
  ['multipart without a boundary', 'multipart/form-data', 'a=b&c=d'],
  [
    'multipart that never ends',
    'multipart/form-data; boundary=x',
    '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated',
  ],
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

/** Bytes that are not UTF-8, where a form or JSON must be. */
const NOT_UTF8 = new Uint8Array([0x61, 0x3d, 0xff, 0xfe, 0xc3, 0x28, 0x26, 0x80, 0x3d, 0xe2, 0x82]);
const NOT_UTF8_BODIES: [string, string, Uint8Array<ArrayBuffer>][] = [
  ['urlencoded bytes that are not UTF-8', 'application/x-www-form-urlencoded', NOT_UTF8],
  ['JSON bytes that are not UTF-8', 'application/json', NOT_UTF8],
  ['multipart bytes that are not UTF-8', 'multipart/form-data; boundary=x', NOT_UTF8],
];

/** Every form field with the same value. */
const filled = (form: Form, value: string): Form => Object.fromEntries(Object.keys(form).map((name) => [name, value]));

type Body = Omit<FuzzCase, 'method' | 'url'>;

const pairsOf = (form: Form) =>
  Object.entries(form).flatMap(([field, value]) =>
    (Array.isArray(value) ? value : [value]).map((item) => [field, item] as const),
  );
const urlencodedOf = (form: Form) =>
  new URLSearchParams(pairsOf(form).map(([field, item]) => [field, item])).toString();

/** The ways of sending a form: urlencoded, multipart, JSON, text/plain, and with no Content-Type at all. */
function encodings(name: string, form: Form): Body[] {
  const pairs = pairsOf(form);
  const multipart = new FormData();
  for (const [field, item] of pairs) multipart.append(field, item);
  const urlencoded = urlencodedOf(form);
  return [
    { name: `${name}, urlencoded`, contentType: 'application/x-www-form-urlencoded', body: urlencoded },
    { name: `${name}, multipart`, body: multipart },
    { name: `${name}, JSON`, contentType: 'application/json', body: JSON.stringify(form) },
    {
      name: `${name}, text`,
      contentType: 'text/plain',
      body: pairs.map(([field, item]) => `${field}=${item}`).join('\r\n'),
    },
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
    ['every value unicode', filled(form, UNICODE)],
    [
      'every field sent twice',
      Object.fromEntries(Object.entries(form).map(([name, value]) => [name, [String(value), `${String(value)}2`]])),
    ],
    [
      'prototype names',
      {
        ...form,
        ...Object.fromEntries(['__proto__', 'constructor', 'toString', 'hasOwnProperty'].map((name) => [name, 'x'])),
      },
    ],
    ...['1e400', '\u0000\u0007\ufeff', LONG].map((junk): [string, Form] => [
      `hidden fields tampered (${junk.slice(0, 8)})`,
      { ...form, ...Object.fromEntries(HIDDEN_FIELDS.map((name) => [name, junk])) },
    ]),
    [
      'hidden fields sent twice',
      { ...form, ...Object.fromEntries(HIDDEN_FIELDS.map((name) => [name, ['1', 'custom']])) },
    ],
    ['every value a prototype name', filled(form, '__proto__')],
  ];
}

/** JSON values of the wrong type for every field: objects, arrays of numbers, booleans, huge numbers. */
function wrongJsonTypes(form: Form): Body[] {
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

/** The matrix row's URL with the parameter `name` set to `value`, the others as they were. */
function withParam(route: RouterRoute, validUrl: string, name: string, value: string): string {
  const parts = pathParts(route.path);
  const url = new URL(validUrl, ORIGIN);
  const pattern = new RegExp(
    `^${parts.map((part) => (part.param ? `(${part.pattern})` : escapeRegExp(part.literal!))).join('')}$`,
  );
  const valid = pattern.exec(url.pathname)?.slice(1);
  if (!valid) throw new Error(`${validUrl} does not match ${route.path}`);
  let index = 0;
  const path = parts.map((part) => (part.param ? (part.param === name ? value : valid[index++]) : part.literal));
  return `${path.join('')}${url.search}`;
}

const paramNames = (route: RouterRoute) => pathParts(route.path).flatMap((part) => (part.param ? [part.param] : []));

/** The URL of the matrix row with one parameter at a time replaced by unknown ids. */
function unknownIdUrls(route: RouterRoute, validUrl: string): string[] {
  return paramNames(route).flatMap((name) =>
    (name === '*' ? UNKNOWN_WILDCARD : (UNKNOWN_PARAMS[name] ?? UNKNOWN_PARAMS.id!)).map((junk) =>
      withParam(route, validUrl, name, junk),
    ),
  );
}

/** Odd values for the fields of every integration type: junk, and addresses of every odd shape. */
const ODD_FIELD_VALUES = [
  ...JUNK,
  'http://[::1]:99999/',
  'https://例え.jp/%zz?x=<>',
  'javascript:alert(1)',
  'http://user:pass@0x7f.1/',
  'a,,b, ,c',
  '#channel, @user, a@b',
];

/**
 * Each integration type in the routes that take a type: every setting it has, with odd values
 * (two rounds, shifted), so that each type's own validation and page meet them.
 */
function catalogCases(route: RouterRoute, row: MatrixRow, world: World): FuzzCase[] {
  if (!paramNames(route).includes('slug')) return [];
  const url = row.url(world);
  return integrationTypes.flatMap((type) => {
    const typeUrl = withParam(route, url, 'slug', type.slug);
    if (route.method === 'GET') return [{ name: `${type.slug}`, method: 'GET', url: typeUrl }];
    if (route.method === 'DELETE') return [{ name: `${type.slug}`, method: 'DELETE', url: typeUrl }];
    return [0, 1].map((round) => {
      const form: Form = { ...row.form?.(world), inheritance: 'custom', _confirmed: '1' };
      settingKeys(type).forEach(
        ({ key }, index) => (form[key] = ODD_FIELD_VALUES[(index * 3 + round * 7) % ODD_FIELD_VALUES.length]!),
      );
      return {
        ...asTheRouteReads(row, `${type.slug}, odd values (${round})`, form),
        method: route.method,
        url: typeUrl,
      };
    });
  });
}

/** The valid URL with every query parameter a route might read set to junk, or sent twice. */
function junkQueryUrls(validUrl: string): string[] {
  const [path] = validUrl.split('?');
  return [[''], ['1e400'], ['99999999999999999999', 'abc'], [UNICODE], [LONG]].map((values) => {
    const query = new URLSearchParams(QUERY_NAMES.flatMap((name) => values.map((value) => [name, value])));
    return `${path}?${query.toString()}`;
  });
}

/** A form in the encoding its route reads: JSON for the API, urlencoded as a browser sends it. */
function asTheRouteReads(row: MatrixRow, name: string, form: Form): Body {
  if (row.api) return { name: `${name}, JSON`, contentType: 'application/json', body: JSON.stringify(form) };
  return { name, contentType: 'application/x-www-form-urlencoded', body: urlencodedOf(form) };
}

/** The request of the permission matrix: the row's URL and, for a write, its form. */
function matrixCase(route: RouterRoute, row: MatrixRow, world: World): FuzzCase {
  const base = { name: 'as the matrix sends it', method: route.method, url: row.url(world) };
  if (route.method === 'GET') return base;
  return { ...base, ...asTheRouteReads(row, base.name, row.form?.(world) ?? {}) };
}

/**
 * Every request the fuzz test sends to one route after the matrix's own. An actor the route
 * turns away (`letIn` false) gets what could go wrong before the permission check: bodies of
 * every kind and unknown ids; one it lets in gets everything.
 */
function fuzzCases(route: RouterRoute, row: MatrixRow, world: World, letIn: boolean): FuzzCase[] {
  const method = route.method;
  const url = row.url(world);
  const of = (bodies: Body[]): FuzzCase[] => bodies.map((body) => ({ ...body, method, url }));
  const cases: FuzzCase[] = unknownIdUrls(route, url).map((unknownUrl) => ({
    name: 'unknown id',
    method,
    url: unknownUrl,
  }));
  if (method === 'GET') {
    cases.push({ name: 'as HEAD', method: 'HEAD', url });
    cases.push({ name: 'another method', method: 'PATCH', url, contentType: 'application/json', body: '{}' });
    const queries = junkQueryUrls(url).map((junkUrl, index) => ({
      name: `junk query (${index})`,
      method,
      url: junkUrl,
    }));
    cases.push(...(letIn ? [...queries, ...catalogCases(route, row, world)] : queries.slice(0, 1)));
    return cases;
  }
  const form = row.form?.(world) ?? {};
  cases.push(...of(encodings('the valid form', form)));
  cases.push(
    ...of([...MALFORMED_BODIES, ...NOT_UTF8_BODIES].map(([name, contentType, body]) => ({ name, contentType, body }))),
  );
  cases.push(
    ...of([
      {
        name: 'a body over the limit',
        contentType: 'application/x-www-form-urlencoded',
        body: `a=${'x'.repeat(300_000)}`,
      },
    ]),
  );
  if (!letIn) return cases;
  cases.push(...of(mutatedForms(form).map(([name, mutated]) => asTheRouteReads(row, name, mutated))));
  cases.push(...of(wrongJsonTypes(form)));
  cases.push(
    ...junkQueryUrls(url)
      .slice(0, 2)
      .map((junkUrl, index) => ({ ...asTheRouteReads(row, `junk query (${index})`, {}), method, url: junkUrl })),
  );
  cases.push(...catalogCases(route, row, world));
  return cases;
}

/** Whether the answer to the matrix's request says the actor got past the permission check. */
const isLetIn = (response: Response) =>
  ![401, 403, 404].includes(response.status) &&
  !(response.status === 302 && response.headers.get('location')?.startsWith('/users/sign_in'));

/** Requests to other servers end on the loopback, which the Network settings refuse: nothing leaves the machine. */
const loopbackOnly = async (): Promise<ResolvedAddress[]> => [{ address: '127.0.0.1', family: 4 }];

interface FuzzWorld {
  app: Hono<AppEnv>;
  db: Db;
  world: World;
  /** The session cookie (pages) or the token header (API) of the actor. */
  credentials: { page: Record<string, string>; api: Record<string, string> };
  /** Where the database files of the cases are kept (SQLite). */
  folder: string;
  /** The database as every case of the current route starts from, and its snapshot. */
  start: Checkpoint;
  /** Where the database of the current case is: its file (SQLite) or its name on the test server (PostgreSQL). */
  at: string;
}

/** A copy of the database: a file (SQLite) or its rows (PostgreSQL), with its snapshot. */
interface Checkpoint {
  file?: string;
  rows?: SavedRows;
  snapshot: string;
}

/**
 * The test password hashed with scrypt at N = 2^10: a hash says its own parameters, so signing
 * in (which the fuzz test does often) verifies at this cost instead of the real one.
 */
function cheapHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFKC'), salt, 64, { N: 1024, r: 8, p: 1 });
  return ['scrypt', 1024, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
}

const fuzzApp = async (db: Db) =>
  (await createTestApp({ db, outbound: { resolve: loopbackOnly, timeoutMs: 500 } })).app;

const openAt = (at: string) =>
  TEST_DIALECT === 'sqlite' ? openSqlite(at) : openPostgres(postgresUrl(at), { poolSize: 4 });

/** A consistent copy of the database as it is now, with the snapshot to compare cases with. */
async function kept(fuzz: Pick<FuzzWorld, 'db' | 'at' | 'folder'>, name: string): Promise<Checkpoint> {
  const snapshot = await databaseSnapshot(fuzz.db);
  if (TEST_DIALECT === 'postgres') return { rows: await saveRows(fuzz.at), snapshot };
  const file = join(fuzz.folder, `${name}.db`);
  rmSync(file, { force: true });
  await execute(fuzz.db, sql.raw(`vacuum into '${file}'`));
  return { file, snapshot };
}

let copies = 0;

/** Goes back to the database the route's cases start from, with an app of its own. */
async function startAgain(fuzz: FuzzWorld): Promise<void> {
  await fuzz.db.close();
  if (TEST_DIALECT === 'postgres') {
    await restoreRows(fuzz.at, fuzz.start.rows!);
  } else {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${fuzz.at}${suffix}`, { force: true });
    fuzz.at = join(fuzz.folder, `case-${++copies}.db`);
    copyFileSync(fuzz.start.file!, fuzz.at);
  }
  fuzz.db = openAt(fuzz.at);
  fuzz.world.db = fuzz.db;
  fuzz.app = await fuzzApp(fuzz.db);
}

async function fuzzWorld(actor: (typeof FUZZ_ACTORS)[number]): Promise<FuzzWorld> {
  const folder = mkdtempSync(join(tmpdir(), 'cascade-fuzz-'));
  const at = TEST_DIALECT === 'sqlite' ? join(folder, 'world.db') : await createPostgresDatabase(false);
  const opened = openAt(at);
  await migrateDatabase(opened);
  const world = await buildWorld(opened);
  await writeConnection(opened)
    .update(users)
    .set({ passwordHash: cheapHash(TEST_PASSWORD) });
  const cookie = world.cookies[actor];
  const token = actor === 'anonymous' ? undefined : await apiToken(opened, world.users[actor], ['api']);
  // Used just now: the first use would record itself again in every case.
  await writeConnection(opened).update(personalAccessTokens).set({ lastUsedAt: new Date() });
  const start = await kept({ db: opened, at, folder }, 'pristine');
  return {
    app: await fuzzApp(opened),
    db: opened,
    world,
    credentials: { page: cookie ? { cookie } : {}, api: token ? { 'private-token': token } : {} },
    folder,
    start,
    at,
  };
}

/** Sends one request; `failure` says what went wrong: a 5xx, or a refusal (4xx) that changed a row. */
async function sendCase(
  fuzz: FuzzWorld,
  fuzzCase: FuzzCase,
  api: boolean,
): Promise<{ response: Response; failure?: string }> {
  const headers: Record<string, string> = { origin: ORIGIN, ...(api ? fuzz.credentials.api : fuzz.credentials.page) };
  if (fuzzCase.contentType) headers['content-type'] = fuzzCase.contentType;
  const written = await databaseStamp(fuzz.db);
  const response = await fuzz.app.request(fuzzCase.url, { method: fuzzCase.method, headers, body: fuzzCase.body });
  await response.arrayBuffer();
  // The next case starts from the same database as this one did.
  const changed =
    (await databaseStamp(fuzz.db)) !== written && (await databaseSnapshot(fuzz.db)) !== fuzz.start.snapshot;
  if (changed) await startAgain(fuzz);
  const what = `${fuzzCase.name}: ${fuzzCase.method} ${fuzzCase.url.slice(0, 120)} -> ${response.status}`;
  if (response.status >= 500) return { response, failure: what };
  if (response.status >= 400 && changed) return { response, failure: `${what}, but rows changed` };
  return { response };
}

const ROUTES = endpoints((await createTestApp()).app);

describe('the fuzz test', () => {
  it('covers every route: each has a row in permission-matrix.ts that says how to reach it', () => {
    const missing = ROUTES.map(({ key }) => key).filter((key) => !(key in PERMISSION_MATRIX));
    expect(missing, 'add a row for each of these routes to test/http/permission-matrix.ts').toEqual([]);
  });
});

describe.each(FUZZ_ACTORS)('as %s', (actor) => {
  let fuzz: FuzzWorld;
  let pristine: FuzzWorld['start'];
  beforeAll(async () => {
    fuzz = await fuzzWorld(actor);
    pristine = fuzz.start;
  });
  afterAll(async () => {
    await fuzz.db.close();
    rmSync(fuzz.folder, { recursive: true, force: true });
  });

  it.each(ROUTES)('$key never answers 5xx, and changes nothing when it refuses', async ({ key, route }) => {
    const row = PERMISSION_MATRIX[key];
    if (!row) throw new Error(`No fuzz coverage for "${key}": add its row to test/http/permission-matrix.ts`);
    // Every route starts from the world as built; its cases start from the world after its setup.
    fuzz.start = pristine;
    await startAgain(fuzz);
    await row.setup?.(fuzz.app, fuzz.world);
    fuzz.start = await kept(fuzz, 'route');
    const matrix = await sendCase(fuzz, matrixCase(route, row, fuzz.world), row.api === true);
    const failures = matrix.failure ? [matrix.failure] : [];
    for (const fuzzCase of fuzzCases(route, row, fuzz.world, isLetIn(matrix.response))) {
      const { failure } = await sendCase(fuzz, fuzzCase, row.api === true);
      if (failure) failures.push(failure);
    }
    expect(failures).toEqual([]);
  });
});
