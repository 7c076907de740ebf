/** @module views/pages/audit: the audit trail, newest first, with filters and page links. */
import { ACTION_LABELS, type AuditAction, type AuditPage } from '../../src/audit/trail.js';
import { integrationTypes } from '../../src/integrations/index.js';
import { EventLog, UtcTime, type EventColumn } from '../components/event-log.js';

export interface AuditFilters {
  integration: string;
  level: string;
  owner: string;
  user: string;
}

interface AuditPageProps {
  page: AuditPage;
  /** Where the list lives; the filters and page links are query parameters on it. */
  baseUrl: string;
  filters: AuditFilters;
  /** The Admin Area filters by level and owner too; a group or project page shows its own events only. */
  allLevels: boolean;
  isFirstPage: boolean;
}

const LEVELS = [
  { value: '', label: 'All levels' },
  { value: 'instance', label: 'Instance' },
  { value: 'group', label: 'Group' },
  { value: 'project', label: 'Project' },
];

const titleOf = (slug: string | null) =>
  slug ? (integrationTypes.find((type) => type.slug === slug)?.title ?? slug) : '—';

const AUDIT_COLUMNS: EventColumn<AuditPage['events'][number]>[] = [
  { header: 'When', cell: (event) => <UtcTime date={event.createdAt} /> },
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
        {ACTION_LABELS[event.action as AuditAction] ?? event.action}
        <div class="muted">{titleOf(event.integration)}</div>
      </>
    ),
  },
  {
    header: 'Changes',
    cell: (event) =>
      event.changeList.length === 0 ? (
        <span class="muted">No values changed</span>
      ) : (
        <ul class="differences">
          {event.changeList.map((change) => (
            <li>
              {change.label}: {change.before ?? '(not set)'} → {change.after ?? '(not set)'}
            </li>
          ))}
        </ul>
      ),
  },
];

function queryHref(baseUrl: string, filters: AuditFilters, before?: number) {
  const params = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ''));
  if (before !== undefined) params.set('before', String(before));
  const text = params.toString();
  return text ? `${baseUrl}?${text}` : baseUrl;
}

export function AuditEventsPage({ page, baseUrl, filters, allLevels, isFirstPage }: AuditPageProps) {
  return (
    <>
      <h1>Audit events</h1>
      <p class="lead">
        Every change to integration settings, and every move, with who made it and what each value was before and after.
      </p>
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
        <div class="form-actions">
          <button type="submit" class="button">
            Filter
          </button>
        </div>
      </form>
      <EventLog
        caption="Audit events"
        columns={AUDIT_COLUMNS}
        page={page}
        empty="No audit events match."
        isFirstPage={isFirstPage}
        pageHref={(before) => queryHref(baseUrl, filters, before)}
      />
    </>
  );
}
