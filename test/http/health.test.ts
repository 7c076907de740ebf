/**
 * GET /-/health as a load balancer asks it: 200 while the database answers, 503 once it does not.
 */
import { describe, expect, it } from 'vitest';
import { createTestApp, get } from '../support/app.js';
import { logEntries } from './log.js';

describe('GET /-/health', () => {
  it('answers 200 {"status":"ok"} without a session', async () => {
    const t = await createTestApp();
    const response = await get(t.app, '/-/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers 503 and says why when the database cannot be reached, and logs it', async () => {
    const t = await createTestApp();
    await t.db.close();
    const response = await get(t.app, '/-/health');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'failed', message: 'The database cannot be reached.' });
    expect(logEntries(t.logLines)).toContainEqual(
      expect.objectContaining({
        msg: 'Health check failed: the database cannot be reached',
        requestId: response.headers.get('x-request-id'),
        // Each driver says it in its own words.
        err: expect.objectContaining({ message: expect.stringMatching(/not open|after calling end/) }),
      }),
    );
  });
});
