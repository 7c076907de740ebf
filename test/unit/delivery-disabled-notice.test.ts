/**
 * The notice sent when repeated failures disable an integration (src/delivery/disabled-notice.ts):
 * who gets it at each level, and what it says, through a fake standing in for the mailer.
 */
import { describe, expect, it } from 'vitest';
import {
  disabledNotifier,
  ownersToNotify,
  type OwnersMessage,
  type Recipient,
} from '../../src/delivery/disabled-notice.js';
import { integrationsUrl, integrationUrl } from '../../src/http/paths.js';
import { groupOwner, INSTANCE_OWNER, projectOwner } from '../../src/settings/owners.js';
import type { SettingsOwner } from '../../src/settings/resolve.js';
import { openTestDatabase } from '../support/database.js';
import { buildWorld } from '../support/world.js';

const emails = (recipients: Recipient[]) => recipients.map(({ email }) => email);

describe('the notice of a disabled integration', () => {
  it("goes to a project's Maintainers and Owners, roles from its groups included, never to a blocked user", async () => {
    const db = await openTestDatabase();
    const w = await buildWorld(db);
    const owner = projectOwner(w.project, [w.top, w.sub]);
    expect(emails(await ownersToNotify(db, owner))).toEqual(['maintainer@example.com', 'owner@example.com']);
  });

  it("goes to a group's Owners, and to the administrators for the instance", async () => {
    const db = await openTestDatabase();
    const w = await buildWorld(db);
    expect(emails(await ownersToNotify(db, groupOwner(w.sub, [w.top, w.sub])))).toEqual(['owner@example.com']);
    expect(emails(await ownersToNotify(db, INSTANCE_OWNER))).toEqual(['admin@example.com']);
  });

  it('names the integration and the level, and links to the page where it is re-enabled', async () => {
    const db = await openTestDatabase();
    const w = await buildWorld(db);
    const sent: { owners: readonly Recipient[]; message: OwnersMessage }[] = [];
    const pageUrl = (owner: SettingsOwner, slug: string) =>
      new URL(integrationUrl(integrationsUrl(owner), slug), 'https://cascade.example.com').href;
    const notify = disabledNotifier(db, pageUrl, async (owners, message) => {
      sent.push({ owners, message });
    });
    await notify({ integration: 'slack', level: 'group', ownerId: w.sub.id });
    expect(sent).toHaveLength(1);
    expect(emails([...sent[0]!.owners])).toEqual(['owner@example.com']);
    expect(sent[0]!.message.subject).toBe('"Slack notifications" was disabled after repeated failures');
    expect(sent[0]!.message.text).toContain('"Slack notifications" in the settings of Top / Sub failed to connect');
    expect(sent[0]!.message.text).toContain('https://cascade.example.com/groups/top/sub/-/settings/integrations/slack');
  });
});
