/**
 * @module model/protected-branches
 * The branches each imported project protects, as its code host last listed them: written by the
 * reconcile and the sync of one project (src/code-hosts/sync.ts), read by the delivery planner
 * for GitLab's `protected` branch filters. Patterns stay in the host's own syntax.
 */
import { eq } from 'drizzle-orm';
import type { Queryable, Tx } from '../db/client.js';
import { protectedBranches } from '../db/schema.js';

/**
 * Replaces what is known of a project's protected branches with what the host listed now.
 *
 * @example
 * await saveProtectedBranches(tx, project.id, ['main', 'release/*'], new Date())
 */
export async function saveProtectedBranches(
  tx: Tx,
  projectId: number,
  rules: readonly string[],
  now: Date,
): Promise<void> {
  const row = { rules: JSON.stringify(rules), readAt: now };
  await tx
    .insert(protectedBranches)
    .values({ projectId, ...row })
    .onConflictDoUpdate({ target: protectedBranches.projectId, set: row });
}

/**
 * The project's protected branch rules; none before the host was first asked (the reconcile
 * after the import asks).
 *
 * @example
 * await protectedBranchesOf(db, project.id) // ['main', 'release/*']
 */
export async function protectedBranchesOf(db: Queryable, projectId: number): Promise<string[]> {
  const [row] = await db
    .select({ rules: protectedBranches.rules })
    .from(protectedBranches)
    .where(eq(protectedBranches.projectId, projectId))
    .limit(1);
  return row ? (JSON.parse(row.rules) as string[]) : [];
}
