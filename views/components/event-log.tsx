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
                  <td data-label={column.header}>{column.cell(event)}</td>
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

const RELATIVE_UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

/**
 * How long ago a moment was, as of `now`, as GitLab's lists say it.
 *
 * @example
 * timeAgo(new Date('2026-12-02T03:00:00Z'), new Date('2026-12-02T06:10:00Z')) // "3 hours ago"
 */
export function timeAgo(date: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  if (Math.abs(seconds) < 60) return 'just now';
  const [unit, size] = RELATIVE_UNITS.find(([, size]) => Math.abs(seconds) >= size)!;
  return relative.format(-Math.trunc(seconds / size), unit);
}

/**
 * When an event happened, in UTC without JavaScript (public/local-time.js shows it in the viewer's
 * time zone), and how long before `now` (the moment of rendering).
 */
export function EventTime({ date, now }: { date: Date; now: Date }) {
  return (
    <>
      <time datetime={date.toISOString()} data-local-time>
        {date.toISOString().replace('T', ' ').slice(0, 19)} UTC
      </time>
      <div class="muted">{timeAgo(date, now)}</div>
    </>
  );
}
