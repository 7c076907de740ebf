/**
 * Forms posted with fields left out or sent twice still get a message that names the field.
 */
import { describe, expect, it } from 'vitest';
import { groups, users } from '../../src/db/schema.js';
import { createTestApp, post } from '../support/app.js';
import { buildWorld } from '../support/world.js';

describe('tampered forms', () => {
  it('names a field that is missing from the post', async () => {
    const { app, db } = await createTestApp();
    const world = await buildWorld(db);
    const before = (await db.select().from(groups)).length;
    const response = await post(app, '/admin/groups', { path: 'no-name' }, { cookie: world.cookies.admin });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('Name is required');
    expect(await db.select().from(groups)).toHaveLength(before);
  });

  it('names a field that is sent twice', async () => {
    const { app, db } = await createTestApp();
    const world = await buildWorld(db);
    const before = (await db.select().from(users)).length;
    const response = await post(
      app,
      '/admin/users',
      { name: 'Twice', username: ['one', 'two'], email: 'twice@example.com', password: 'long-enough-password' },
      { cookie: world.cookies.admin },
    );
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('Username must be a single value');
    expect(await db.select().from(users)).toHaveLength(before);
  });
});
