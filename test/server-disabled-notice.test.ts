/**
 * `npm start` with SMTP_URL: the failure that disables an integration mails the owners of the
 * level whose settings it used (for an instance default, the administrators), through the SMTP
 * server, with a link to the page where it is re-enabled.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { migrateDatabase, openPostgres, openSqlite, writeConnection } from '../src/db/client.js';
import { integrationHealth } from '../src/db/schema.js';
import { DISABLE_THRESHOLD } from '../src/delivery/health.js';
import { freePort, spawnCascade, stopCascade } from './postgres/cascade-servers.js';
import { createPostgresDatabase, postgresUrl, TEST_DIALECT } from './support/database.js';
import {
  DELIVERY_SECRET_KEY_BASE,
  hookUrl,
  markedPush,
  prepareDelivery,
  pushHeaders,
} from './support/delivery-server.js';
import { startReceiver } from './support/receiver.js';
import { startSmtpReceiver } from './support/smtp.js';

async function serverDatabase(): Promise<string> {
  if (TEST_DIALECT === 'postgres') return postgresUrl(await createPostgresDatabase());
  const path = join(mkdtempSync(join(tmpdir(), 'cascade-notice-')), 'cascade.db');
  const db = openSqlite(path);
  await migrateDatabase(db);
  await db.close();
  return path;
}

describe('a server whose integration repeated failures disable', () => {
  it('mails the administrators of the instance default that failed, with the page to re-enable it', async () => {
    const receiver = await startReceiver();
    onTestFinished(() => receiver.close());
    receiver.answer = (response) => {
      response.statusCode = 500;
      response.end('down');
    };
    const smtp = await startSmtpReceiver();
    onTestFinished(() => smtp.close());

    const location = await serverDatabase();
    const db = TEST_DIALECT === 'postgres' ? openPostgres(location) : openSqlite(location);
    onTestFinished(() => db.close());
    const { connection } = await prepareDelivery(db, `${receiver.origin}/services/T000/B000/notice`);
    // The instance's Slack one failure short of being disabled.
    await writeConnection(db)
      .insert(integrationHealth)
      .values({
        integration: 'slack',
        settingsLevel: 'instance',
        settingsOwnerId: 0,
        recentFailures: DISABLE_THRESHOLD - 1,
        lastFailure: 'The server answered with HTTP 500',
        lastFailureAt: new Date(),
        updatedAt: new Date(),
      });
    const port = await freePort();
    const server = spawnCascade('notice', port, {
      HOST: '127.0.0.1',
      ...(TEST_DIALECT === 'postgres' ? { DATABASE_URL: location } : { DATABASE_PATH: location }),
      SECRET_KEY_BASE: DELIVERY_SECRET_KEY_BASE,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Cascade <cascade@example.com>',
      PUBLIC_URL: 'https://cascade.example.com',
    });
    onTestFinished(() => stopCascade(server));
    await server.ready;

    const body = markedPush(1);
    const stored = await fetch(hookUrl(server.base, connection), { method: 'POST', headers: pushHeaders(body), body });
    expect(stored.status).toBe(201);
    await expect.poll(() => smtp.received.length, { timeout: 15_000 }).toBe(1);

    const [{ recipients, mail }] = smtp.received as [(typeof smtp.received)[number]];
    expect(recipients).toEqual(['root@example.com']);
    expect(mail.from?.value).toEqual([{ name: 'Cascade', address: 'cascade@example.com' }]);
    expect(mail.subject).toBe('"Slack notifications" was disabled after repeated failures');
    expect(mail.text).toContain('in the settings of the instance failed to connect too many times in a row');
    expect(mail.text).toContain('https://cascade.example.com/admin/application_settings/integrations/slack');
    expect(receiver.received).toHaveLength(1);
  }, 60_000);
});
