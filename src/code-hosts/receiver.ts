/**
 * @module code-hosts/receiver
 * One delivery of a host's hook: checked (GitLab's token, Gitea's and Forgejo's HMAC signature of
 * the raw body, both compared in constant time), put in Cascade's words (events.ts) and stored
 * once per delivery id, before the host gets its answer. Applying it comes later (processor.ts).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { perDatabase, prepareNamed, type Db, type Queryable } from '../db/client.js';
import { codeHosts, hostEvents, projects, type CodeHost } from '../db/schema.js';
import { isTreeEvent, normaliseEvent } from './events.js';
import type { HostKind } from './host.js';
import type { HostSecrets } from './secrets.js';

/** What a delivery carries, as the route read it from the request. */
export interface Delivery {
  /** A request header by its (case-insensitive) name. */
  header: (name: string) => string | undefined;
  /** The body exactly as received: signatures are computed over these bytes. */
  body: Uint8Array;
}

export type Receipt =
  | { result: 'unknown_connection' }
  | { result: 'unauthorized' }
  /** The connection is paused: nothing stored (see README, "Receiving hooks"). */
  | { result: 'paused' }
  | { result: 'malformed'; message: string }
  /** A documented event Cascade has no use for: answered 2xx, not stored. */
  | { result: 'unused' }
  /** `tree`: a tree event, for the processor; a content event waits for delivery. */
  | { result: 'stored'; codeHostId: number; tree: boolean }
  /** A redelivery of an event already stored. */
  | { result: 'duplicate' };

/** Shown in Recent events for an event about a project Cascade has not imported. */
export const UNKNOWN_PROJECT_DETAIL =
  'Cascade does not know this project; the next reconcile imports it if it belongs to a group.';

/** The headers each kind of host sends: Forgejo sends its own and Gitea's, Gitea only its own. */
const GITEA_HEADERS = { event: ['x-gitea-event'], delivery: ['x-gitea-delivery'], signature: ['x-gitea-signature'] };
const FORGEJO_HEADERS = {
  event: ['x-forgejo-event', 'x-gitea-event'],
  delivery: ['x-forgejo-delivery', 'x-gitea-delivery'],
  signature: ['x-forgejo-signature', 'x-gitea-signature'],
};

const firstHeader = (delivery: Delivery, names: string[]) =>
  names.map((name) => delivery.header(name)).find((value) => value !== undefined && value !== '');

const sha256 = (value: string | Uint8Array) => createHash('sha256').update(value).digest();

/** GitLab sends the secret itself in X-Gitlab-Token; compared as digests, so that lengths match. */
function gitlabTokenMatches(given: string | undefined, secret: string): boolean {
  return given !== undefined && timingSafeEqual(sha256(given), sha256(secret));
}

/** Gitea and Forgejo send hex(HMAC-SHA256(secret, raw body)) (services/webhook/deliver.go). */
function signatureMatches(given: string | undefined, body: Uint8Array, secret: string): boolean {
  if (given === undefined || !/^[0-9a-f]{64}$/i.test(given)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

function isAuthentic(kind: HostKind, delivery: Delivery, secret: string): boolean {
  if (kind === 'gitlab') return gitlabTokenMatches(delivery.header('x-gitlab-token'), secret);
  const headers = kind === 'forgejo' ? FORGEJO_HEADERS : GITEA_HEADERS;
  return signatureMatches(firstHeader(delivery, headers.signature), delivery.body, secret);
}

/**
 * The host's id of this delivery. GitLab 17.4+ sends Idempotency-Key (the same on a retry);
 * older versions X-Gitlab-Event-UUID. Without either, the body's digest: a redelivery of the
 * same body is then the same event.
 */
function deliveryIdOf(kind: HostKind, delivery: Delivery): string {
  const names =
    kind === 'gitlab'
      ? ['idempotency-key', 'x-gitlab-event-uuid']
      : (kind === 'forgejo' ? FORGEJO_HEADERS : GITEA_HEADERS).delivery;
  return (firstHeader(delivery, names) ?? `sha256:${sha256(delivery.body).toString('hex')}`).slice(0, 255);
}

const hostEventOf = (kind: HostKind, delivery: Delivery) =>
  (kind === 'gitlab'
    ? delivery.header('x-gitlab-event')
    : firstHeader(delivery, (kind === 'forgejo' ? FORGEJO_HEADERS : GITEA_HEADERS).event)) ?? '';

function parseObject(body: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The receiver's statements, prepared once: every delivery runs them, and building a query
 * costs drizzle more than SQLite takes to run it.
 */
const lookups = perDatabase((db) => ({
  connection: prepareNamed(
    db
      .select()
      .from(codeHosts)
      .where(eq(codeHosts.id, sql.placeholder('id')))
      .limit(1),
    'receiver_connection',
  ),
  project: prepareNamed(
    db
      .select({ id: projects.id })
      .from(projects)
      .where(
        and(eq(projects.codeHostId, sql.placeholder('codeHostId')), eq(projects.hostId, sql.placeholder('hostId'))),
      )
      .limit(1),
    'receiver_project',
  ),
}));

/**
 * The insert of a delivery: `received`, for the processor or for delivery; `unknownProject`,
 * processed as it arrives. Two statements because drizzle encodes a placeholder's null as a
 * date. On SQLite every transaction is the same writer, so these are prepared once; on
 * PostgreSQL once per transaction, under one name.
 */
const inserts = perDatabase((tx: Queryable) => {
  const values = {
    codeHostId: sql.placeholder('codeHostId'),
    deliveryId: sql.placeholder('deliveryId'),
    hostEvent: sql.placeholder('hostEvent'),
    kind: sql.placeholder('kind'),
    hostProjectId: sql.placeholder('hostProjectId'),
    payload: sql.placeholder('payload'),
    receivedAt: sql.placeholder('receivedAt'),
  };
  // A redelivery, or the same delivery arriving twice at once: the unique index keeps one.
  const once = { target: [hostEvents.codeHostId, hostEvents.deliveryId] };
  return {
    received: prepareNamed(
      tx
        .insert(hostEvents)
        .values({ ...values, projectId: sql.placeholder('projectId'), outcome: 'received' })
        .onConflictDoNothing(once)
        .returning({ id: hostEvents.id }),
      'receiver_insert_received',
    ),
    unknownProject: prepareNamed(
      tx
        .insert(hostEvents)
        .values({
          ...values,
          outcome: 'unknown_project',
          detail: UNKNOWN_PROJECT_DETAIL,
          processedAt: sql.placeholder('receivedAt'),
        })
        .onConflictDoNothing(once)
        .returning({ id: hostEvents.id }),
      'receiver_insert_unknown_project',
    ),
  };
});

async function findConnection(db: Db, id: number): Promise<CodeHost | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  return (await lookups(db).connection.execute({ id }))[0];
}

async function projectIdOf(db: Db, codeHostId: number, hostProjectId: number | null): Promise<number | null> {
  if (hostProjectId === null) return null;
  const [row] = await lookups(db).project.execute({ codeHostId, hostId: hostProjectId });
  return row?.id ?? null;
}

/**
 * Checks and stores one delivery to connection `codeHostId`. The token or signature is checked
 * before anything else is read, so that a forged request learns nothing but 401.
 *
 * @example
 * const receipt = await receiveDelivery(db, secrets, 1, { header: (n) => req.header(n), body })
 * // { result: 'stored', codeHostId: 1 }
 */
export async function receiveDelivery(
  db: Db,
  secrets: HostSecrets,
  codeHostId: number,
  delivery: Delivery,
  now = new Date(),
): Promise<Receipt> {
  const connection = await findConnection(db, codeHostId);
  if (!connection) return { result: 'unknown_connection' };
  const secret = secrets.open(connection, 'hookSecret');
  if (secret === null || !isAuthentic(connection.kind, delivery, secret)) return { result: 'unauthorized' };
  if (connection.pausedAt) return { result: 'paused' };

  const payload = parseObject(delivery.body);
  if (!payload) return { result: 'malformed', message: 'The body is not a JSON object.' };
  const hostEvent = hostEventOf(connection.kind, delivery).slice(0, 255);
  const normalised = normaliseEvent(connection.kind, hostEvent, payload);
  if ('unknown' in normalised) return { result: 'malformed', message: normalised.unknown };
  if ('unused' in normalised) return { result: 'unused' };

  const { kind, hostProjectId } = normalised.event;
  const projectId = await projectIdOf(db, connection.id, hostProjectId);
  // Tree events are for the processor, which knows the project once it is imported; a content
  // event for a project Cascade has not imported has nowhere to go.
  const unknownProject = !isTreeEvent(kind) && projectId === null;
  const values = {
    codeHostId: connection.id,
    deliveryId: deliveryIdOf(connection.kind, delivery),
    hostEvent,
    kind,
    hostProjectId,
    payload: new TextDecoder().decode(delivery.body),
    receivedAt: now,
  };
  const [stored] = await db.transaction(async (tx) =>
    unknownProject
      ? inserts(tx).unknownProject.execute(values)
      : inserts(tx).received.execute({ ...values, projectId }),
  );
  return stored ? { result: 'stored', codeHostId: connection.id, tree: isTreeEvent(kind) } : { result: 'duplicate' };
}
