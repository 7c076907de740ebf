/** @module views/pages/audit: the audit trail, newest first, with filters, page links and downloads. */
import { actionLabel, changeLine, describeChanges, foldChanges, integrationTitle } from '../../src/audit/describe.js';
import type { AuditPage } from '../../src/audit/trail.js';
import { integrationTypes } from '../../src/integrations/index.js';
import type { FieldErrors } from '../../src/validation.js';
import { EventLog, EventTime, type EventColumn } from '../components/event-log.js';
import { ErrorSummary, TextField } from '../components/form.js';

export interface AuditFilters {
  integration: string;
  level: string;
  owner: string;
  user: string;
  /** "YYYY-MM-DD" or blank, both days included. */
  from: string;
  to: string;
}

interface AuditPageProps {
  page: AuditPage;
  /** Where the list lives; the filters and page links are query parameters on it. */
  baseUrl: string;
  filters: AuditFilters;
  /** The Admin Area filters by level and owner too; a group or project page shows its own events only. */
  allLevels: boolean;
  isFirstPage: boolean;
  /** Messages for the From and To dates; the list is empty while there are any. */
  errors: FieldErrors;
  /** The moment of rendering, that "3 hours ago" counts from. */
  now: Date;
}

const LEVELS = [
  { value: '', label: 'All levels' },
  { value: 'instance', label: 'Instance' },
  { value: 'group', label: 'Group' },
  { value: 'project', label: 'Project' },
];

const auditColumns = (now: Date): EventColumn<AuditPage['events'][number]>[] => [
  { header: 'When', cell: (event) => <EventTime date={event.createdAt} now={now} /> },
  { header: 'Who', cell: (event) => `@${event.actorName}` },
  {
    header: 'Where',
    cell: (event) => (
      <>
        {event.ownerName}
        <div class="muted">{event.level[0]!.toUpperCase() + event.level.slice(1)}</div>
      </>
    ),
  },
  {
    header: 'What',
    cell: (event) => (
      <>
        {actionLabel(event.action)}
        <div class="muted">{integrationTitle(event.integration) ?? '—'}</div>
      </>
    ),
  },
  {
    header: 'Changes',
    cell: (event) => {
      const changes = describeChanges(event);
      if (changes.length === 0) return <span class="muted">No values changed</span>;
      const { shown, folded, summary } = foldChanges(changes);
      return (
        <>
          {shown.length > 0 && (
            <ul class="differences">
              {shown.map((change) => (
                <li>{changeLine(change)}</li>
              ))}
            </ul>
          )}
          {summary && (
            <details class="folded-changes">
              <summary>{summary}</summary>
              <ul class="differences-folded">
                {folded.map((change) => (
                  <li>{changeLine(change)}</li>
                ))}
              </ul>
            </details>
          )}
        </>
      );
    },
  },
];

/** The list, or a download (`/export.csv`), with the same filters. */
export function queryHref(baseUrl: string, filters: AuditFilters, before?: number) {
  const params = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ''));
  if (before !== undefined) params.set('before', String(before));
  const text = params.toString();
  return text ? `${baseUrl}?${text}` : baseUrl;
}

export function AuditEventsPage({ page, baseUrl, filters, allLevels, isFirstPage, errors, now }: AuditPageProps) {
  const valid = Object.keys(errors).length === 0;
  return (
    <>
      <h1>Audit events</h1>
      <p class="lead">
        Every change to integration settings, and every move, with who made it and what each value was before and after.
      </p>
      <ErrorSummary errors={errors} />
      <form
        method="get"
        action={baseUrl}
        class="card form form-inline audit-filters"
        role="search"
        aria-label="Filter audit events"
      >
        <div class="field">
          <label for="filter-integration">Integration</label>
          <select id="filter-integration" name="integration">
            <option value="">All integrations</option>
            {integrationTypes.map((type) => (
              <option value={type.slug} selected={type.slug === filters.integration}>
                {type.title}
              </option>
            ))}
          </select>
        </div>
        {allLevels && (
          <div class="field">
            <label for="filter-level">Level</label>
            <select id="filter-level" name="level">
              {LEVELS.map((level) => (
                <option value={level.value} selected={level.value === filters.level}>
                  {level.label}
                </option>
              ))}
            </select>
          </div>
        )}
        {allLevels && (
          <div class="field">
            <label for="filter-owner">Group or project path</label>
            <input
              id="filter-owner"
              name="owner"
              value={filters.owner}
              maxlength={255}
              placeholder="platform/backend"
            />
          </div>
        )}
        <div class="field">
          <label for="filter-user">User</label>
          <input id="filter-user" name="user" value={filters.user} maxlength={64} placeholder="username" />
        </div>
        <TextField name="from" label="From" type="date" value={filters.from} error={errors.from} />
        <TextField name="to" label="To" type="date" value={filters.to} error={errors.to} />
        <div class="form-actions">
          <button type="submit" class="button">
            Filter
          </button>
        </div>
      </form>
      {valid && (
        <>
          <p class="audit-downloads">
            <a class="button" href={queryHref(`${baseUrl}/export.csv`, filters)}>
              Download CSV
            </a>{' '}
            <a class="button" href={queryHref(`${baseUrl}/export.json`, filters)}>
              Download JSON
            </a>
          </p>
          <EventLog
            caption="Audit events"
            columns={auditColumns(now)}
            page={page}
            empty="No audit events match."
            isFirstPage={isFirstPage}
            pageHref={(before) => queryHref(baseUrl, filters, before)}
          />
        </>
      )}
    </>
  );
}
