/**
 * @module views/pages/integrations/deliveries
 * An integration's Recent deliveries at one level (GitLab's words for a webhook's log), and one
 * delivery: its event, its target with secrets redacted, every attempt, and the levels whose
 * settings it used.
 */
import { CONTENT_EVENT_KINDS, eventKindLabel } from '../../../src/code-hosts/events.js';
import {
  DELIVERY_STATES,
  type DeliveryDetail,
  type DeliveryPage as DeliveryListPage,
  type DeliveryState,
  type DeliverySummary,
} from '../../../src/delivery/log.js';
import type { ShownRequest } from '../../../src/delivery/redaction.js';
import { deliveryUrl, integrationsUrl, integrationUrl } from '../../../src/http/paths.js';
import type { IntegrationType } from '../../../src/integrations/types.js';
import type { Level, ValueSource } from '../../../src/settings/resolve.js';
import { EventLog, UtcTime, type EventColumn } from '../../components/event-log.js';
import { IntegrationTabs } from './edit.js';
import { describeValue } from './overrides.js';

const STATE_LABELS: Record<DeliveryState, string> = { pending: 'Pending', delivered: 'Delivered', failed: 'Failed' };
const STATE_BADGES: Record<DeliveryState, string> = {
  pending: 'badge badge-not-configured',
  delivered: 'badge badge-active',
  failed: 'badge badge-inactive',
};

function StateBadge({ delivery }: { delivery: Pick<DeliverySummary, 'state' | 'lastStatus'> }) {
  return (
    <>
      <span class={STATE_BADGES[delivery.state]}>{STATE_LABELS[delivery.state]}</span>
      {delivery.lastStatus !== null && <span class="muted"> HTTP {delivery.lastStatus}</span>}
    </>
  );
}

const Target = ({ target }: { target: ShownRequest }) => (
  <code class="delivery-target">
    {target.method} {target.url}
  </code>
);

function columns(type: IntegrationType, baseUrl: string, level: Level): EventColumn<DeliverySummary>[] {
  return [
    {
      header: 'Delivery',
      cell: (delivery) => (
        <>
          <a href={deliveryUrl(baseUrl, type.slug, delivery.id)}>#{delivery.id}</a>
          {delivery.resentFromId !== null && <div class="muted">Resent #{delivery.resentFromId}</div>}
        </>
      ),
    },
    ...(level === 'project'
      ? []
      : [
          {
            header: 'Project',
            cell: (delivery: DeliverySummary) => <a href={`/${delivery.projectPath}`}>{delivery.projectPath}</a>,
          },
        ]),
    { header: 'Event', cell: (delivery) => eventKindLabel(delivery.kind) },
    { header: 'Target', cell: (delivery) => <Target target={delivery.target} /> },
    { header: 'Status', cell: (delivery) => <StateBadge delivery={delivery} /> },
    { header: 'Attempts', cell: (delivery) => String(delivery.attempts) },
    { header: 'Created', cell: (delivery) => <UtcTime date={delivery.createdAt} /> },
  ];
}

function listHref(baseUrl: string, slug: string, filter: DeliveryFilter, before?: number): string {
  const params = new URLSearchParams();
  for (const key of ['project', 'state', 'event'] as const) if (filter[key]) params.set(key, filter[key]);
  if (before !== undefined) params.set('before', String(before));
  const query = params.toString();
  const path = integrationUrl(baseUrl, slug, 'deliveries');
  return query ? `${path}?${query}` : path;
}

/** The filters as the list's form shows them; '' for any. */
export interface DeliveryFilter {
  project: string;
  state: string;
  event: string;
  before?: number | undefined;
}

interface DeliveriesPageProps {
  type: IntegrationType;
  level: Level;
  baseUrl: string;
  page: DeliveryListPage;
  filter: DeliveryFilter;
  /** For the tab of the descendants using custom settings. */
  customCount: number;
}

/** JSON indented for reading; anything else as it is. */
function readable(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/**
 * A request's body as it was sent (already redacted), made readable: a form's fields one by one
 * (Slack's and Mattermost's `payload`, Pushover's message), JSON indented.
 */
function RequestBody({ body, headers }: { body: string; headers: Record<string, string> }) {
  const type = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  // Focusable: a long body scrolls, and a keyboard must reach what is out of view.
  if (!type.includes('application/x-www-form-urlencoded'))
    return (
      <pre class="delivery-body" tabindex={0}>
        {readable(body)}
      </pre>
    );
  return (
    <table class="table">
      <caption class="visually-hidden">Form fields of the request body</caption>
      <tbody>
        {[...new URLSearchParams(body)].map(([name, value]) => (
          <tr>
            <th scope="row">{name}</th>
            <td>
              <pre class="delivery-body" tabindex={0}>
                {readable(value)}
              </pre>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DeliveriesPage({ type, level, baseUrl, page, filter, customCount }: DeliveriesPageProps) {
  const action = integrationUrl(baseUrl, type.slug, 'deliveries');
  return (
    <>
      <h1>{type.title}</h1>
      <IntegrationTabs
        baseUrl={baseUrl}
        slug={type.slug}
        hasDescendants={level !== 'project'}
        customCount={customCount}
        delivers
        current="deliveries"
      />
      <h2>Recent deliveries</h2>
      <p class="lead">
        {level === 'project'
          ? "What was sent for this project's events, newest first."
          : 'What was sent for the events of every project below, newest first.'}{' '}
        Deliveries are kept for a limited time (DELIVERY_RETENTION_DAYS, 14 days by default).
      </p>
      <form method="get" action={action} class="card form form-inline" role="search" aria-label="Filter deliveries">
        {level !== 'project' && (
          <div class="field">
            <label for="filter-project">Project</label>
            <input id="filter-project" name="project" value={filter.project} placeholder="group/project" />
          </div>
        )}
        <div class="field">
          <label for="filter-state">Status</label>
          <select id="filter-state" name="state">
            <option value="">All statuses</option>
            {DELIVERY_STATES.map((state) => (
              <option value={state} selected={state === filter.state}>
                {STATE_LABELS[state]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-event">Event</label>
          <select id="filter-event" name="event">
            <option value="">All events</option>
            {CONTENT_EVENT_KINDS.map((kind) => (
              <option value={kind} selected={kind === filter.event}>
                {eventKindLabel(kind)}
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
        caption="Recent deliveries"
        columns={columns(type, baseUrl, level)}
        page={page}
        empty="No deliveries match."
        isFirstPage={filter.before === undefined}
        pageHref={(before) => listHref(baseUrl, type.slug, filter, before)}
      />
    </>
  );
}

/** Where a value came from, linked to that level's settings (the instance's for administrators only). */
function SourceLink({ from, slug, canSeeInstance }: { from: ValueSource; slug: string; canSeeInstance: boolean }) {
  if (from === 'default') return <span class="muted">The type's default</span>;
  if (from.level === 'instance' && !canSeeInstance) return <>{from.name}</>;
  return <a href={integrationUrl(integrationsUrl(from), slug)}>{from.name}</a>;
}

function attemptOutcome(attempt: DeliveryDetail['attemptLog'][number]): string {
  if (attempt.failure === null) return attempt.status === null ? '—' : `HTTP ${attempt.status}`;
  return attempt.message ?? attempt.failure;
}

interface DeliveryPageProps {
  type: IntegrationType;
  baseUrl: string;
  delivery: DeliveryDetail;
  canResend: boolean;
  canSeeInstance: boolean;
}

export function DeliveryPage({ type, baseUrl, delivery, canResend, canSeeInstance }: DeliveryPageProps) {
  const { target } = delivery;
  const fieldOf = (name: string) => type.fields.find((field) => field.name === name);
  const eventLabel = (name: string) => type.events.find((event) => event.name === name)?.label;
  return (
    <>
      <h1>
        {type.title}: delivery #{delivery.id}
      </h1>
      <dl class="details-list card">
        <dt>Event</dt>
        <dd>
          {eventKindLabel(delivery.kind)} <span class="muted">({delivery.hostEvent})</span>
        </dd>
        <dt>Project</dt>
        <dd>
          <a href={`/${delivery.projectPath}`}>{delivery.projectPath}</a>
        </dd>
        <dt>Status</dt>
        <dd>
          <StateBadge delivery={delivery} />
          {delivery.state === 'pending' && (
            <span class="muted">
              {' '}
              Next attempt <UtcTime date={delivery.nextAttemptAt} />
            </span>
          )}
        </dd>
        <dt>Created</dt>
        <dd>
          <UtcTime date={delivery.createdAt} />
        </dd>
        {delivery.finishedAt && (
          <>
            <dt>Finished</dt>
            <dd>
              <UtcTime date={delivery.finishedAt} />
            </dd>
          </>
        )}
        {delivery.resentFromId !== null && (
          <>
            <dt>Resent from</dt>
            <dd>
              <a href={deliveryUrl(baseUrl, type.slug, delivery.resentFromId)}>#{delivery.resentFromId}</a>
            </dd>
          </>
        )}
      </dl>
      {canResend && delivery.state !== 'pending' && (
        <form method="post" action={deliveryUrl(baseUrl, type.slug, delivery.id, 'resend')} class="form-actions">
          <button type="submit" class="button">
            Resend
          </button>
        </form>
      )}

      <section aria-labelledby="request-title">
        <h2 id="request-title">Request</h2>
        <p class="muted">Tokens and secrets are redacted.</p>
        <p>
          <Target target={target} />
        </p>
        {Object.keys(target.headers).length > 0 && (
          <table class="table">
            <caption class="visually-hidden">Request headers</caption>
            <tbody>
              {Object.entries(target.headers).map(([name, value]) => (
                <tr>
                  <th scope="row">{name}</th>
                  <td>
                    <code>{value}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {target.body !== null && <RequestBody body={target.body} headers={target.headers} />}
      </section>

      <section aria-labelledby="attempts-title">
        <h2 id="attempts-title">Attempts</h2>
        {delivery.attemptLog.length === 0 ? (
          <p class="muted">Not sent yet.</p>
        ) : (
          <table class="table">
            <caption class="visually-hidden">Attempts</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Status</th>
                <th scope="col">Duration</th>
                <th scope="col">Response (first 8 KB)</th>
              </tr>
            </thead>
            <tbody>
              {delivery.attemptLog.map((attempt) => (
                <tr>
                  <td data-label="Time">
                    <UtcTime date={attempt.attemptedAt} />
                  </td>
                  <td data-label="Status">{attemptOutcome(attempt)}</td>
                  <td data-label="Duration">{attempt.durationMs} ms</td>
                  <td data-label="Response (first 8 KB)">
                    {attempt.responseExcerpt ? (
                      <pre class="delivery-body">{attempt.responseExcerpt}</pre>
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="used-title">
        <h2 id="used-title">Settings used</h2>
        <p class="muted">
          As they were when the event was dispatched, and the level each came from. Secrets are left out.
        </p>
        <table class="table">
          <caption class="visually-hidden">Settings used</caption>
          <thead>
            <tr>
              <th scope="col">Setting</th>
              <th scope="col">Value</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(delivery.used).map(([name, { value, from }]) => (
              <tr>
                <th scope="row">{fieldOf(name)?.label ?? eventLabel(name) ?? name}</th>
                <td data-label="Value">{describeValue(fieldOf(name), value)}</td>
                <td data-label="From">
                  <SourceLink from={from} slug={type.slug} canSeeInstance={canSeeInstance} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
