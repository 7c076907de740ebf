/**
 * Personal access tokens in the user's settings and the Admin Area: created with a name, scopes
 * and an expiry date, shown once, stored as a hash, listed, revoked.
 */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { daysAhead } from '../../src/auth/tokens.js';
import { personalAccessTokens } from '../../src/db/schema.js';
import {
  createTestApp,
  fieldErrorOf,
  flashOf,
  get,
  insertUser,
  post,
  sessionCookie,
  textOf,
  type TestApp,
} from '../support/app.js';

const TOKENS = '/-/user_settings/personal_access_tokens';
const inDays = (days: number) => daysAhead(new Date(), days);
const tokenOn = (html: string) => /value="(glpat-[^"]+)"/.exec(html)?.[1];

let t: TestApp;
let cookie: string;

beforeEach(async () => {
  t = await createTestApp();
  cookie = await sessionCookie(t.db, await insertUser(t.db, 'ada'));
});

const create = (form: Record<string, string | string[]>, as = cookie) => post(t.app, TOKENS, form, { cookie: as });
const storedTokens = async () => await t.db.select().from(personalAccessTokens);

describe('creating a personal access token', () => {
  it('offers a name, the api and read_api scopes, and an expiry date 30 days ahead by default', async () => {
    const html = await (await get(t.app, TOKENS, { cookie })).text();
    expect(html).toContain('name="name"');
    expect(html).toMatch(/type="checkbox" name="scopes" value="api" checked/);
    expect(html).toContain('value="read_api"');
    expect(html).toContain(`value="${inDays(30)}"`);
    expect(html).toContain(`max="${inDays(365)}"`);
  });

  it('shows the token once, stores only its SHA-256, and lists it with its dates', async () => {
    const response = await create({ name: 'CI script', scopes: ['api', 'read_api'], expires_at: inDays(10) });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    const token = tokenOn(html)!;
    expect(token).toMatch(/^glpat-[A-Za-z0-9_-]{20,}$/);
    const [stored] = await storedTokens();
    expect(stored!.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(JSON.parse(stored!.scopes)).toEqual(['api', 'read_api']);

    const list = await (await get(t.app, TOKENS, { cookie })).text();
    expect(list).not.toContain(token);
    expect(textOf(list)).toContain(`CI script api, read_api ${inDays(0)} Never ${inDays(10)} Active`);
  });

  it.each([
    ['no name', { name: '  ', scopes: 'api', expires_at: inDays(5) }, 'name', 'Name is required'],
    ['no scope', { name: 'x', expires_at: inDays(5) }, 'scopes', 'Select at least one scope'],
    [
      'an unknown scope',
      { name: 'x', scopes: 'sudo', expires_at: inDays(5) },
      'scopes',
      'Scopes can be api or read_api',
    ],
    [
      'today',
      { name: 'x', scopes: 'api', expires_at: inDays(0) },
      'expires_at',
      'Expiration date must be in the future',
    ],
    [
      'a past date',
      { name: 'x', scopes: 'api', expires_at: '2020-01-01' },
      'expires_at',
      'Expiration date must be in the future',
    ],
    [
      'more than a year ahead',
      { name: 'x', scopes: 'api', expires_at: inDays(366) },
      'expires_at',
      `Expiration date must be at most 365 days ahead (${inDays(365)} at the latest)`,
    ],
    [
      'not a date',
      { name: 'x', scopes: 'api', expires_at: '2026-02-30' },
      'expires_at',
      'Expiration date must be a date (YYYY-MM-DD)',
    ],
  ])('refuses %s with a message next to the field, 422, and saves nothing', async (_case, form, field, message) => {
    const response = await create(form);
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(fieldErrorOf(html, field)).toBe(message);
    expect(tokenOn(html)).toBeUndefined();
    expect(await storedTokens()).toEqual([]);
  });

  it('keeps what was typed after an error', async () => {
    const html = await (await create({ name: 'Deploy bot', scopes: 'read_api', expires_at: '2020-01-01' })).text();
    expect(html).toContain('value="Deploy bot"');
    expect(html).toMatch(/name="scopes" value="read_api" checked/);
    expect(html).not.toMatch(/name="scopes" value="api" checked/);
  });

  it('refuses a post from another site (CSRF) and a signed-out visitor', async () => {
    const form = { name: 'x', scopes: 'api', expires_at: inDays(5) };
    expect((await post(t.app, TOKENS, form, { cookie, origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(t.app, TOKENS, form)).headers.get('location')).toMatch(/^\/users\/sign_in/);
    expect(await storedTokens()).toEqual([]);
  });
});

describe('revoking a token', () => {
  const createdId = async () => {
    await create({ name: 'Old script', scopes: 'api', expires_at: inDays(5) });
    return (await storedTokens())[0]!.id;
  };

  it('asks for confirmation first, then revokes it and shows it as revoked', async () => {
    const id = await createdId();
    const confirm = await post(t.app, `${TOKENS}/${id}/revoke`, {}, { cookie });
    expect(confirm.status).toBe(200);
    expect(textOf(await confirm.text())).toContain('Revoke the token "Old script"?');
    expect((await storedTokens())[0]!.revokedAt).toBeNull();

    const done = await post(t.app, `${TOKENS}/${id}/revoke`, { _confirmed: '1' }, { cookie });
    expect(done.status).toBe(303);
    expect(flashOf(done)).toBe('The token "Old script" was revoked.');
    expect((await storedTokens())[0]!.revokedAt).not.toBeNull();
    expect(textOf(await (await get(t.app, TOKENS, { cookie })).text())).toContain('Old script api');
    expect(textOf(await (await get(t.app, TOKENS, { cookie })).text())).toMatch(/Revoked$/);
  });

  it("does not reveal another user's token", async () => {
    const id = await createdId();
    const grace = await sessionCookie(t.db, await insertUser(t.db, 'grace'));
    expect((await post(t.app, `${TOKENS}/${id}/revoke`, { _confirmed: '1' }, { cookie: grace })).status).toBe(404);
    expect((await post(t.app, `${TOKENS}/nope/revoke`, { _confirmed: '1' }, { cookie })).status).toBe(404);
    expect((await storedTokens())[0]!.revokedAt).toBeNull();
  });
});

describe("the Admin Area's list of tokens", () => {
  it("lists every user's tokens and revokes one", async () => {
    await create({ name: 'Ada script', scopes: 'read_api', expires_at: inDays(5) });
    const admin = await sessionCookie(t.db, await insertUser(t.db, 'root', { isAdmin: true }));
    const list = textOf(await (await get(t.app, '/admin/personal_access_tokens', { cookie: admin })).text());
    expect(list).toContain('Ada script ada @ada read_api');
    const id = (await storedTokens())[0]!.id;
    const done = await post(
      t.app,
      `/admin/personal_access_tokens/${id}/revoke`,
      { _confirmed: '1' },
      { cookie: admin },
    );
    expect(flashOf(done)).toBe('The token "Ada script" of @ada was revoked.');
    expect((await storedTokens())[0]!.revokedAt).not.toBeNull();
  });

  it('links to the token pages from the user menu and the Admin Area', async () => {
    const admin = await sessionCookie(t.db, await insertUser(t.db, 'root', { isAdmin: true }));
    const html = await (await get(t.app, '/admin', { cookie: admin })).text();
    expect(html).toContain(`href="${TOKENS}"`);
    expect(html).toContain('href="/admin/personal_access_tokens"');
  });
});
