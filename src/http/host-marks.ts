/**
 * @module http/host-marks
 * The code hosts of what a page shows, loaded once per page, and whether the viewer may open
 * their connections (administrators): what views/components/host-marks renders.
 */
import { managingHosts } from '../model/managed.js';
import type { HostMarks } from '../../views/components/host-marks.js';
import type { AppContext } from './context.js';

/**
 * @example
 * const marks = await hostMarks(c, [group, ...subgroups, ...projects, ...members.map((row) => row.member)])
 */
export async function hostMarks(c: AppContext, items: readonly { codeHostId: number | null }[]): Promise<HostMarks> {
  return { hosts: await managingHosts(c.var.db, items), linked: c.var.user?.isAdmin === true };
}
