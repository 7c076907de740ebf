/**
 * @module http/host-marks
 * The code hosts of what a page shows, loaded once per page, and whether the viewer may open
 * their connections (administrators): what views/components/host-marks renders.
 */
import { managingHosts, type ManagingHost } from '../model/managed.js';
import type { AppContext } from './context.js';

/** The connections of what a page shows, and whether the viewer may open them (administrators). */
export interface HostMarks {
  hosts: ReadonlyMap<number, ManagingHost>;
  linked: boolean;
}

/**
 * @example
 * const marks = await hostMarks(c, [group, ...subgroups, ...projects, ...members.map((row) => row.member)])
 */
export async function hostMarks(c: AppContext, items: readonly { codeHostId: number | null }[]): Promise<HostMarks> {
  return { hosts: await managingHosts(c.var.db, items), linked: c.var.user?.isAdmin === true };
}
