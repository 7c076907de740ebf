import { describe, expect, it } from 'vitest';
import { createTestApp, get, insertUser, sessionCookie } from '../support/app.js';

describe('health', () => {
  it('answers 200 without a session', async () => {
    const { app } = await createTestApp();
    const response = await get(app, '/-/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('shows the dashboard to a signed-in user', async () => {
    const { app, db } = await createTestApp();
    const user = await insertUser(db, 'ada');
    const response = await get(app, '/', { cookie: await sessionCookie(db, user) });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Welcome, ada');
  });
});
