/** @module views/pages/admin/code-host-events: Admin Area › Code hosts › a connection › Recent events. */
import { EVENT_OUTCOMES, type RecentEventsPage } from '../../../src/code-hosts/recent-events.js';
import { EmptyState } from '../../components/lists.js';

interface CodeHostEventsProps {
  connection: { id: number; name: string };
  page: RecentEventsPage;
  /** The outcome shown; '' for all. */
  outcome: string;
  isFirstPage: boolean;
}

const OUTCOME_LABELS: Record<string, string> = {
  received: 'Received',
  applied: 'Applied',
  dispatched: 'Dispatched',
  unknown_project: 'Unknown project',
  failed: 'Failed',
};

export const codeHostEventsPath = (id: number) => `/admin/code_hosts/${id}/events`;

function pageHref(id: number, outcome: string, before?: number) {
  const params = new URLSearchParams();
  if (outcome) params.set('outcome', outcome);
  if (before !== undefined) params.set('before', String(before));
  const text = params.toString();
  return text ? `${codeHostEventsPath(id)}?${text}` : codeHostEventsPath(id);
}

export function CodeHostEventsPage({ connection, page, outcome, isFirstPage }: CodeHostEventsProps) {
  const path = codeHostEventsPath(connection.id);
  return (
    <>
      <h1>Recent events</h1>
      <p class="lead">
        What {connection.name} sent to Cascade, newest first, and what became of it. Events are kept for a limited time
        (HOST_EVENTS_RETENTION_DAYS, 14 days by default).
      </p>
      <form method="get" action={path} class="card form form-inline" role="search" aria-label="Filter events">
        <div class="field">
          <label for="filter-outcome">Outcome</label>
          <select id="filter-outcome" name="outcome">
            <option value="">All outcomes</option>
            {EVENT_OUTCOMES.map((value) => (
              <option value={value} selected={value === outcome}>
                {OUTCOME_LABELS[value]}
              </option>
            ))}
          </select>
        </div>
        <div class="form-actions">
          <button type="submit" class="button">
            Filter
          </button>
        </div>
      </form>
      {page.events.length === 0 ? (
        <EmptyState>No events match.</EmptyState>
      ) : (
        <table class="table">
          <caption class="visually-hidden">Recent events</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Project</th>
              <th scope="col">Received</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {page.events.map((event) => (
              <tr>
                <td>
                  {event.kind}
                  {event.hostEvent && <div class="muted">{event.hostEvent}</div>}
                </td>
                <td>
                  {event.projectPath ? (
                    <a href={`/${event.projectPath}`}>{event.projectPath}</a>
                  ) : event.hostProjectId !== null ? (
                    <span class="muted">Host project {event.hostProjectId}</span>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  <time datetime={event.receivedAt.toISOString()}>
                    {event.receivedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC
                  </time>
                </td>
                <td>
                  {OUTCOME_LABELS[event.outcome] ?? event.outcome}
                  {event.detail && <div class="muted">{event.detail}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pagination" aria-label="Pagination">
        {!isFirstPage && <a href={pageHref(connection.id, outcome)}>« Newest</a>}
        {page.next !== null && (
          <a href={pageHref(connection.id, outcome, page.next)} rel="next">
            Older events ›
          </a>
        )}
      </nav>
    </>
  );
}
