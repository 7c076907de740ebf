/**
 * Rendering a page must not turn on Node's promise hooks (see views/jsx/jsx-runtime.ts): once on,
 * they cost every later request, the health check included.
 */
import { executionAsyncId } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { createTestApp, get } from '../support/app.js';
import { buildWorld } from '../support/world.js';

/** Promise continuations get an id of their own only while promise hooks are on. */
async function idAfterAwait(): Promise<number> {
  await Promise.resolve();
  return executionAsyncId();
}

describe('JSX context', () => {
  it('renders pages that read the request context, without turning on promise hooks', async () => {
    const { app, db } = await createTestApp();
    const world = await buildWorld(db);
    const page = await get(app, '/groups/top', { cookie: world.cookies.owner });
    // The header shows the signed-in user, taken from the request.
    expect(await page.text()).toContain('@owner');
    expect(await idAfterAwait()).toBe(0);
  });
});
