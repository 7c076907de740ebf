/**
 * @module model/search
 * Searching lists by what was typed, as GitLab does: a part of a name or path, with `%` and `_`
 * taken literally rather than as SQL wildcards.
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/**
 * A `like` pattern that finds `search` anywhere, its `%`, `_` and backslash matched literally
 * (escaped with a backslash).
 *
 * @example
 * containsPattern('50%_off') // '%50\\%\\_off%'
 */
export const containsPattern = (search: string): string => `%${search.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/**
 * `column like '%search%'`, the search taken literally (see {@link containsPattern}) and
 * case-insensitive for ASCII on both databases (SQLite's `like` is; PostgreSQL's is not, hence
 * `lower` on both sides).
 *
 * @example
 * db.select().from(groups).where(containsText(groups.name, '50%'))
 */
export const containsText = (column: SQLWrapper, search: string): SQL =>
  sql`lower(${column}) like lower(${containsPattern(search)}) escape '\\'`;
