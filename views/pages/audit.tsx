/** @module views/pages/audit: the audit trail, newest first, with filters and page links. */
import { ACTION_LABELS, type AuditAction, type AuditPage } from '../../src/audit/trail.js';
import { integrationTypes } from '../../src/integrations/index.js';
import { EmptyState } from '../components/lists.js';

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
      {page.events.length === 0 ? (
        <EmptyState>No audit events match.</EmptyState>
      ) : (
        <table class="table">
          <caption class="visually-hidden">Audit events</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Where</th>
              <th scope="col">What</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            {page.events.map((event) => (
              <tr>
                <td>
                  <time datetime={event.createdAt.toISOString()}>
                    {event.createdAt.toISOString().replace('T', ' ').slice(0, 19)} UTC
                  </time>
                </td>
                <td>@{event.actorName}</td>
                <td>
                  {event.ownerName}
                  <div class="muted">{event.level[0]!.toUpperCase() + event.level.slice(1)}</div>
                </td>
                <td>
                  {ACTION_LABELS[event.action as AuditAction] ?? event.action}
                  <div class="muted">{titleOf(event.integration)}</div>
                </td>
                <td>
                  {event.changeList.length === 0 ? (
                    <span class="muted">No values changed</span>
                  ) : (
                    <ul class="differences">
                      {event.changeList.map((change) => (
                        <li>
                          {change.label}: {change.before ?? '(not set)'} → {change.after ?? '(not set)'}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pagination" aria-label="Pagination">
        {!isFirstPage && <a href={queryHref(baseUrl, filters)}>« Newest</a>}
        {page.next !== null && (
          <a href={queryHref(baseUrl, filters, page.next)} rel="next">
            Older events ›
          </a>
        )}
      </nav>
    </>
  );
}
