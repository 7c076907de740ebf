/**
 * @module model/network-settings
 * Admin Area › Settings › Network: whether webhooks and integrations may reach the local
 * network, and the allowlist of exceptions. One row (id 1); absent until first saved.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { INSTANCE_LEVEL, recordAuditEvent } from '../audit/trail.js';
import { booleanField } from '../boolean.js';
import { perDatabase, type Queryable } from '../db/client.js';
import { applicationSettings, type User } from '../db/schema.js';
import { lastValue, type FormInput } from '../form-values.js';
import { validate, type Outcome } from '../validation.js';
import { allowlistEntries, EMPTY_ALLOWLIST, parseAllowlist } from '../outbound/addresses.js';
import type { OutboundPolicy } from '../outbound/request.js';

export const ALLOW_LOCAL_LABEL = 'Allow requests to the local network from webhooks and integrations';
export const ALLOWLIST_LABEL = 'Local IP addresses and domain names that hooks and integrations can access';

const MAX_ALLOWLIST_LENGTH = 100_000;

const networkSchema = z.object({
  allow_local_requests: booleanField(`${ALLOW_LOCAL_LABEL} must be yes or no`),
  outbound_allowlist: z
    .string()
    .max(MAX_ALLOWLIST_LENGTH, `The allowlist is too long (maximum is ${MAX_ALLOWLIST_LENGTH} characters)`)
    .transform((text) => allowlistEntries(text).join('\n'))
    .superRefine((text, ctx) => {
      const parsed = parseAllowlist(text);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
    }),
});

export type NetworkSettings = z.infer<typeof networkSchema>;

const DEFAULTS: NetworkSettings = { allow_local_requests: false, outbound_allowlist: '' };

const settingsRow = perDatabase((db) =>
  db.select().from(applicationSettings).where(eq(applicationSettings.id, 1)).prepare(),
);

export async function networkSettings(db: Queryable): Promise<NetworkSettings> {
  const row = (await settingsRow(db).execute())[0];
  return row ? { allow_local_requests: row.allowLocalRequests, outbound_allowlist: row.outboundAllowlist } : DEFAULTS;
}

/**
 * What outbound requests are held to now.
 *
 * @example
 * sendOutbound(request, await outboundPolicy(db))
 */
export async function outboundPolicy(db: Queryable): Promise<OutboundPolicy> {
  const settings = await networkSettings(db);
  const parsed = parseAllowlist(settings.outbound_allowlist);
  return {
    allowLocalRequests: settings.allow_local_requests,
    allowlist: parsed.ok ? parsed.allowlist : EMPTY_ALLOWLIST,
  };
}

/** The Network form: the checkbox (with its hidden "0") and the allowlist, one entry a line. */
export function parseNetworkForm(form: FormInput): Outcome<NetworkSettings> {
  return validate(networkSchema, {
    allow_local_requests: lastValue(form.allow_local_requests) ?? '',
    outbound_allowlist: (lastValue(form.outbound_allowlist) ?? '').replace(/\r\n/g, '\n'),
  });
}

/** Saves the settings with an audit event naming what changed. */
export async function saveNetworkSettings(db: Queryable, values: NetworkSettings, actor: User): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await networkSettings(tx);
    const row = {
      allowLocalRequests: values.allow_local_requests,
      outboundAllowlist: values.outbound_allowlist,
      updatedBy: actor.id,
      updatedAt: new Date(),
    };
    await tx
      .insert(applicationSettings)
      .values({ id: 1, ...row })
      .onConflictDoUpdate({ target: applicationSettings.id, set: row });
    const changes = [
      {
        key: 'allow_local_requests',
        label: ALLOW_LOCAL_LABEL,
        before: String(before.allow_local_requests),
        after: String(values.allow_local_requests),
      },
      {
        key: 'outbound_allowlist',
        label: ALLOWLIST_LABEL,
        before: before.outbound_allowlist || null,
        after: values.outbound_allowlist || null,
      },
    ].filter((change) => change.before !== change.after);
    if (changes.length > 0)
      await recordAuditEvent(tx, { actor, action: 'network.updated', owner: INSTANCE_LEVEL, changes });
  });
}
