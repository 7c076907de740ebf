/**
 * @module model/managed
 * Groups and projects imported from a code host are the host's: their name, path and place are
 * changed there, and the host's sync brings the change here. Cascade refuses to rename, move or
 * delete them itself; their integration settings stay Cascade's to manage. Memberships the host
 * gave are changed there too; those given in Cascade, even on an imported group, stay Cascade's.
 */
import { inArray } from 'drizzle-orm';
import type { AuditActor } from '../audit/trail.js';
import type { Queryable } from '../db/client.js';
import { codeHosts, type CodeHost, type Group, type Project } from '../db/schema.js';

/** The connection an imported group, project, user or membership came from, as pages name and link it. */
export type ManagingHost = Pick<CodeHost, 'id' | 'kind' | 'name' | 'url'>;

/**
 * The connections that imported any of `items`, by id, in one query: what a page needs to mark a
 * whole list. Items made in Cascade (`codeHostId` null) need none.
 *
 * @example
 * const hosts = await managingHosts(db, [...groups, ...projects])
 * hosts.get(api.codeHostId!)?.name // 'gitlab.example.com'
 */
export async function managingHosts(
  db: Queryable,
  items: readonly { codeHostId: number | null }[],
): Promise<Map<number, ManagingHost>> {
  const ids = [...new Set(items.flatMap((item) => (item.codeHostId === null ? [] : [item.codeHostId])))];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: codeHosts.id, kind: codeHosts.kind, name: codeHosts.name, url: codeHosts.url })
    .from(codeHosts)
    .where(inArray(codeHosts.id, ids));
  return new Map(rows.map((host) => [host.id, host]));
}

/**
 * Where an imported group or project is on its host: GitLab's `<url>/<full path>`; Gitea's and
 * Forgejo's `<url>/<org>/<repo>` for a repository and `<url>/<org>` for an organisation, which
 * are the full paths Cascade keeps for them.
 */
export const hostPageUrl = (host: ManagingHost, item: Pick<Group | Project, 'fullPath'>): string =>
  `${host.url}/${item.fullPath}`;

/** Why a membership may not be changed or removed in Cascade, or null when it was given here. */
export async function hostMembershipRefusal(
  db: Queryable,
  member: { codeHostId: number | null },
  username: string,
): Promise<string | null> {
  if (member.codeHostId === null) return null;
  const host = (await managingHosts(db, [member])).get(member.codeHostId);
  return `The membership of ${username} comes from ${host?.name ?? 'its code host'}: change it there`;
}

/**
 * Who changes the tree: a user, or a code host's connection keeping its own objects in step
 * (`connectionId` set: it may rename, move and delete what it imported). Not `codeHostId`: a
 * user imported from the host has that column, and is not the host.
 */
export type TreeEditor = AuditActor & { connectionId?: number };

/**
 * Why `editor` may not rename, move or delete `item`, or null when it may: the item is Cascade's
 * own, or the editor is the connection that imported it.
 *
 * @example
 * await hostManagedRefusal(db, api, admin) // 'platform/api is managed by gitlab.example.com: change its name, path and place there'
 */
export async function hostManagedRefusal(
  db: Queryable,
  item: Pick<Group | Project, 'fullPath' | 'codeHostId'>,
  editor: TreeEditor,
): Promise<string | null> {
  if (item.codeHostId === null || editor.connectionId === item.codeHostId) return null;
  const host = (await managingHosts(db, [item])).get(item.codeHostId);
  return `${item.fullPath} is managed by ${host?.name ?? 'its code host'}: change its name, path and place there`;
}
