/**
 * @module model/managed
 * Groups and projects imported from a code host are the host's: their name, path and place are
 * changed there, and the host's sync brings the change here. Cascade refuses to rename, move or
 * delete them itself; their integration settings stay Cascade's to manage.
 */
import { eq } from 'drizzle-orm';
import type { AuditActor } from '../audit/trail.js';
import type { Queryable } from '../db/client.js';
import { codeHosts, type Group, type Project } from '../db/schema.js';

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
  const host = (await db.select({ name: codeHosts.name }).from(codeHosts).where(eq(codeHosts.id, item.codeHostId)))[0];
  return `${item.fullPath} is managed by ${host?.name ?? 'its code host'}: change its name, path and place there`;
}
