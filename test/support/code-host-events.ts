/**
 * Test support for the receiver of code hosts' hooks: a connection with a known hook secret,
 * deliveries signed as GitLab, Gitea and Forgejo sign them, the documented example payloads
 * (test/support/host-payloads/receiver-*.json, delivery-*.json), and a HostSync that records what it is asked.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import { HostSecrets } from '../../src/code-hosts/secrets.js';
import type { HostKind, HostSync } from '../../src/code-hosts/host.js';
import { writeConnection, type Db } from '../../src/db/client.js';
import { codeHosts, hostEvents, projects, type CodeHost, type HostEvent } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import type { AppEnv } from '../../src/http/context.js';
import { asc } from 'drizzle-orm';
import { toDeliveryEvent, type DeliveryEvent } from '../../src/delivery/event.js';

export const SECRET_KEY_BASE = 'test-secret-key-base-that-is-long-enough-0123456789';
export const HOOK_SECRET = 'hook-secret-0123456789abcdef';

export function payload(name: string): string {
  return readFileSync(new URL(`host-payloads/receiver-${name}.json`, import.meta.url), 'utf8');
}

/** A documented example of a content event (test/support/host-payloads/delivery-*.json), parsed. */
export function deliveryPayload(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`host-payloads/delivery-${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** A payload as the delivery model, failing the test when it cannot be one. */
export function deliveryEventOf(kind: HostKind, hostEvent: string, body: unknown): DeliveryEvent {
  const result = toDeliveryEvent(kind, hostEvent, body);
  if ('invalid' in result) throw new Error(result.invalid);
  return result.event;
}

/** A documented example (delivery-<host>-<name>.json), changed by `change`, as the delivery model. */
export function exampleEvent(
  kind: 'gitlab' | 'gitea',
  name: string,
  hostEvent: string,
  change: (body: Record<string, unknown>) => void = () => {},
): DeliveryEvent {
  const body = deliveryPayload(`${kind}-${name}`);
  change(body);
  return deliveryEventOf(kind, hostEvent, body);
}

export async function insertConnection(db: Db, kind: HostKind, extra: Partial<CodeHost> = {}): Promise<CodeHost> {
  const url = `https://${kind}.example.com`;
  const secrets = new HostSecrets(SECRET_KEY_BASE);
  const [connection] = await writeConnection(db)
    .insert(codeHosts)
    .values({
      kind,
      name: `${kind}.example.com`,
      url,
      token: secrets.seal(url, 'token', 'admin-token'),
      hookSecret: secrets.seal(url, 'hookSecret', HOOK_SECRET),
      ...extra,
    })
    .returning();
  return connection!;
}

/** A project (in a group of its own) imported from `connection` with host id `hostId`. */
export async function insertImportedProject(db: Db, connection: CodeHost, hostId: number, path = `p${hostId}`) {
  const group = await createGroup(db, { name: `g${hostId}`, path: `g${hostId}`, description: '' });
  if (!group.ok) throw new Error('group not created');
  const [project] = await writeConnection(db)
    .insert(projects)
    .values({
      name: path,
      path,
      fullPath: `g${hostId}/${path}`,
      groupId: group.value.id,
      codeHostId: connection.id,
      hostId,
    })
    .returning();
  return project!;
}

export const signature = (body: string, secret = HOOK_SECRET) =>
  createHmac('sha256', secret).update(body).digest('hex');

/** The headers a host sends with `body` (services/webhook/deliver.go; GitLab's webhooks page). */
export function hostHeaders(
  kind: HostKind,
  hostEvent: string,
  body: string,
  id = randomUUID(),
): Record<string, string> {
  const json = { 'content-type': 'application/json' };
  if (kind === 'gitlab') {
    return {
      ...json,
      'x-gitlab-event': hostEvent,
      'x-gitlab-token': HOOK_SECRET,
      'x-gitlab-event-uuid': id,
      'idempotency-key': id,
    };
  }
  const gitea = { 'x-gitea-event': hostEvent, 'x-gitea-delivery': id, 'x-gitea-signature': signature(body) };
  if (kind === 'gitea') return { ...json, ...gitea };
  return {
    ...json,
    ...gitea,
    'x-forgejo-event': hostEvent,
    'x-forgejo-delivery': id,
    'x-forgejo-signature': signature(body),
  };
}

export function deliver(app: Hono<AppEnv>, connectionId: number, body: string, headers: Record<string, string>) {
  return Promise.resolve(app.request(`/-/code_hosts/${connectionId}/hook`, { method: 'POST', headers, body }));
}

export async function storedEvents(db: Db): Promise<HostEvent[]> {
  return db.select().from(hostEvents).orderBy(asc(hostEvents.id));
}

/** A HostSync that records each call as "project 74", "groupMembers 78", ...; `fail` makes a call throw. */
export function recordingSync(fail: (call: string) => Error | undefined = () => undefined) {
  const calls: string[] = [];
  const record = (name: string) => async (id?: number) => {
    const call = id === undefined ? name : `${name} ${id}`;
    calls.push(call);
    const error = fail(call);
    if (error) throw error;
  };
  const sync: HostSync = {
    group: record('group'),
    project: record('project'),
    groupMembers: record('groupMembers'),
    projectMembers: record('projectMembers'),
    reconcile: record('reconcile'),
  };
  return { sync, calls };
}
