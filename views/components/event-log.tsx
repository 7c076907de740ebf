/**
 * @module views/components/event-log
 * A page of events, newest first, as the audit trail and a code host's Recent events show them:
 * a table (or a line saying none match) and links to the newest and the next older page.
 */
import type { Child } from 'hono/jsx';
import { EmptyState } from './lists.js';

export interface EventColumn<Event> {
  header: string;
  cell: (event: Event) => Child;
}

interface EventLogProps<Event> {
  /** The table's name for screen readers. */
  caption: string;
  columns: EventColumn<Event>[];
  page: { events: Event[]; next: number | null };
  /** Shown instead of an empty table. */
  empty: string;
  isFirstPage: boolean;
  /** The link to the page of events older than `before`, or to the newest without it; filters kept. */
  pageHref: (before?: number) => string;
}

/**
 * @example
 * <EventLog caption="Audit events" columns={[{ header: 'When', cell: (e) => <UtcTime date={e.createdAt} /> }]}
 *   page={page} empty="No audit events match." isFirstPage={!before} pageHref={(before) => href(before)} />
 */
export function EventLog<Event>({ caption, columns, page, empty, isFirstPage, pageHref }: EventLogProps<Event>) {
  return (
    <>
      {page.events.length === 0 ? (
        <EmptyState>{empty}</EmptyState>
      ) : (
        <table class="table">
          <caption class="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((column) => (
                <th scope="col">{column.header}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {page.events.map((event) => (
              <tr>
                {columns.map((column) => (
                  <td>{column.cell(event)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pagination" aria-label="Pagination">
        {!isFirstPage && <a href={pageHref()}>« Newest</a>}
        {page.next !== null && (
          <a href={pageHref(page.next)} rel="next">
            Older events ›
          </a>
        )}
      </nav>
    </>
  );
}

/** When an event happened, to the second in UTC; the machine-readable time in `datetime`. */
export function UtcTime({ date }: { date: Date }) {
  return <time datetime={date.toISOString()}>{date.toISOString().replace('T', ' ').slice(0, 19)} UTC</time>;
}
