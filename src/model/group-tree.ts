/**
 * @module model/group-tree
 * Admin Area › Groups as a tree: every group after its parent, siblings by name, each with how
 * many projects it holds directly and with its subgroups. A page is one query, whatever its
 * size: a recursive query orders the whole tree, and the projects of a subtree are summed from
 * the groups' own counts (`project_count`, kept by triggers). A page that starts inside a
 * subtree also gets the groups it is in, in a second query, so that it can be shown nested.
 */
import { sql, type SQL } from 'drizzle-orm';
import { rows, type Queryable } from '../db/client.js';
import type { Group } from '../db/schema.js';
import { traversalIdList } from '../auth/permissions.js';
import { containsText } from './search.js';

/** One group of the tree, with its depth (0 for a top-level group) and its project counts. */
export interface GroupTreeRow {
  group: Pick<Group, 'id' | 'name' | 'fullPath' | 'codeHostId' | 'traversalIds'>;
  depth: number;
  /** Projects directly in the group. */
  projects: number;
  /** Projects in the group and all its subgroups. */
  allProjects: number;
}

export interface GroupTreeQuery {
  /** Part of a name or full path; a search lists the groups that match, in tree order. */
  search: string;
  page: number;
  perPage: number;
}

export interface GroupTreePage {
  rows: GroupTreeRow[];
  /** The groups the page's first row is in, top-level first, when the page starts inside a subtree (and has no search). */
  ancestors: GroupTreeRow[];
  total: number;
}

interface TreeRecord {
  id: number;
  name: string;
  full_path: string;
  code_host_id: number | null;
  traversal_ids: string;
  project_count: number;
  depth: number;
  all_projects: number;
  total: number;
}

/**
 * Each group's place in the tree as a sort key: its rank by name among its siblings, and its
 * ancestors' ranks before it, each a fixed-width number, so that a parent's key is the start of
 * its children's and keys compare alike in every collation.
 */
function treeRecords(db: Queryable, filter: SQL, page?: { limit: number; offset: number }): Promise<TreeRecord[]> {
  return rows<TreeRecord>(
    db,
    sql`with recursive ranked as (
        select id, parent_id,
          cast(1000000 + row_number() over (partition by parent_id order by lower(name), id) as text) as sibling_rank
        from groups
      ), tree as (
        select id, sibling_rank as sort_key, 0 as depth from ranked where parent_id is null
        union all
        select ranked.id, tree.sort_key || ranked.sibling_rank, tree.depth + 1
        from ranked join tree on ranked.parent_id = tree.id
      )
      select g.id, g.name, g.full_path, g.code_host_id, g.traversal_ids, g.project_count, tree.depth,
        (select coalesce(sum(d.project_count), 0) from groups d
          where d.traversal_ids like g.traversal_ids || '%') as all_projects,
        count(*) over () as total
      from groups g join tree on tree.id = g.id
      where ${filter}
      order by tree.sort_key
      ${page ? sql`limit ${page.limit} offset ${page.offset}` : sql``}`,
  );
}

const asRow = (record: TreeRecord): GroupTreeRow => ({
  group: {
    id: record.id,
    name: record.name,
    fullPath: record.full_path,
    codeHostId: record.code_host_id,
    traversalIds: record.traversal_ids,
  },
  depth: Number(record.depth),
  projects: Number(record.project_count),
  allProjects: Number(record.all_projects),
});

/**
 * One page of the group tree.
 *
 * @example
 * const { rows } = await groupTreePage(db, { search: '', page: 1, perPage: 20 })
 * rows.map((row) => `${'  '.repeat(row.depth)}${row.group.name} ${row.allProjects}`) // ['Platform 7', '  Backend 4', ...]
 */
export async function groupTreePage(db: Queryable, query: GroupTreeQuery): Promise<GroupTreePage> {
  const filter = query.search
    ? sql`(${containsText(sql`g.name`, query.search)} or ${containsText(sql`g.full_path`, query.search)})`
    : sql`1 = 1`;
  const offset = (query.page - 1) * query.perPage;
  const records = await treeRecords(db, filter, { limit: query.perPage, offset });
  const first = records[0];
  // Past the last page no row carries the total: count it, as the first page would.
  const total = first
    ? Number(first.total)
    : Number((await treeRecords(db, filter, { limit: 1, offset: 0 }))[0]?.total ?? 0);
  const above = first && !query.search ? traversalIdList(first.traversal_ids).slice(0, -1) : [];
  const ancestors =
    above.length === 0
      ? []
      : await treeRecords(
          db,
          sql`g.id in (${sql.join(
            above.map((id) => sql`${id}`),
            sql`, `,
          )})`,
        );
  return { rows: records.map(asRow), ancestors: ancestors.map(asRow), total };
}
