/** docs/api.md lists every endpoint of the API, and only endpoints that exist. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app.js';
import { endpoints } from './route-table.js';

const DOCS = readFileSync(resolve(import.meta.dirname, '../../docs/api.md'), 'utf8');
const section = DOCS.slice(DOCS.indexOf('## Endpoints'), DOCS.indexOf('## Authentication'));
const listed = [...section.matchAll(/^\| `((?:GET|POST|PUT|DELETE) \/[^`]*)` \|/gm)].map((match) => match[1]!);
const routes = endpoints((await createTestApp()).app)
  .map(({ key }) => key)
  .filter((key) => key.includes(' /api/v4/'))
  .map((key) => key.replace(' /api/v4/', ' /'));

describe('docs/api.md', () => {
  it('lists every endpoint of the API in its table of endpoints', () => {
    expect(routes.length).toBeGreaterThan(50);
    expect(routes.filter((route) => !listed.includes(route))).toEqual([]);
  });

  it('lists no endpoint the API does not have, and none twice', () => {
    expect(listed.filter((route) => !routes.includes(route))).toEqual([]);
    expect(listed.length).toBe(new Set(listed).size);
  });
});
