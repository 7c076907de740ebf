/** @module views/pages/admin/code-host-events: Admin Area › Code hosts › a connection › Recent events. */
import { eventKindLabel, isTreeEvent } from '../../../src/code-hosts/events.js';
import {
  EVENT_OUTCOMES,
  type EventOutcome,
  type RecentEvent,
  type RecentEventsPage,
} from '../../../src/code-hosts/recent-events.js';
import { EventLog, UtcTime, type EventColumn } from '../../components/event-log.js';

interface CodeHostEventsProps {
  connection: { id: number; name: string };
  page: RecentEventsPage;
  /** The outcome shown; '' for all. */
  outcome: string;
  isFirstPage: boolean;
}

/** Also the filter's words, where `received` takes in tree events waiting to be applied and content events. */
const OUTCOME_LABELS: Record<EventOutcome, string> = {
  received: 'Waiting or received',
  applied: 'Applied',
  dispatched: 'Dispatched',
  unknown_project: 'Unknown project',
  failed: 'Failed',
};

/** One event's outcome: a tree event still `received` is waiting to be applied; a content event stays received. */
function outcomeLabel({ kind, outcome }: RecentEvent) {
  if (outcome === 'received') return isTreeEvent(kind) ? 'Waiting' : 'Received';
  return OUTCOME_LABELS[outcome as EventOutcome] ?? outcome;
}

const EVENT_COLUMNS: EventColumn<RecentEvent>[] = [
  {
    header: 'Type',
    cell: (event) => (
      <>
        {eventKindLabel(event.kind)}
        {event.hostEvent && <div class="muted">{event.hostEvent}</div>}
      </>
    ),
  },
  {
    header: 'Project',
    cell: (event) =>
      event.projectPath ? (
        <a href={`/${event.projectPath}`}>{event.projectPath}</a>
      ) : event.hostProjectId !== null ? (
        <span class="muted">Host project {event.hostProjectId}</span>
      ) : (
        '—'
      ),
  },
  { header: 'Received', cell: (event) => <UtcTime date={event.receivedAt} /> },
  {
    header: 'Outcome',
    cell: (event) => (
      <>
        {outcomeLabel(event)}
        {event.detail && <div class="muted">{event.detail}</div>}
      </>
    ),
  },
];

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
      <EventLog
        caption="Recent events"
        columns={EVENT_COLUMNS}
        page={page}
        empty="No events match."
        isFirstPage={isFirstPage}
        pageHref={(before) => pageHref(connection.id, outcome, before)}
      />
    </>
  );
}
