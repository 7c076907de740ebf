/**
 * @module views/pages/admin/code-hosts
 * Admin Area › Code hosts: the list of connections, a connection's page with its import's
 * progress, and what removing one does. {@link SyncProgress} is both part of the page and the
 * fragment htmx fetches every 2 s while a run is going; without JavaScript the page reloads.
 */
import {
  connectionStatus,
  runProgress,
  type ImportedCounts,
  type RemovalImpact,
} from '../../../src/code-hosts/connections.js';
import { HOST_KIND_LABELS } from '../../../src/code-hosts/host.js';
import type { CodeHost, HostSyncRun } from '../../../src/db/schema.js';
import { ActionsHeader, EmptyState } from '../../components/lists.js';

export const CODE_HOSTS_PATH = '/admin/code_hosts';

export const codeHostPath = (host: Pick<CodeHost, 'id'>, action = '') =>
  `${CODE_HOSTS_PATH}/${host.id}${action ? `/${action}` : ''}`;

/** How often htmx asks for the progress while a run is going. */
const POLL_INTERVAL = '2s';

export interface ConnectionRow {
  host: CodeHost;
  run: HostSyncRun | undefined;
  counts: ImportedCounts;
}

const when = (date: Date | null) => (date ? date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : 'Never');

function StatusBadge({ host, run }: { host: CodeHost; run: HostSyncRun | undefined }) {
  const status = connectionStatus(host, run);
  const style = status === 'Active' ? 'badge-active' : status.endsWith('failed') ? 'badge-blocked' : 'badge-none';
  return <span class={`badge ${style}`}>{status}</span>;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const importedSummary = (counts: ImportedCounts) =>
  `${plural(counts.groups, 'group')}, ${plural(counts.projects, 'project')}, ${plural(counts.users, 'user')}`;

export function CodeHostsPage({ rows }: { rows: ConnectionRow[] }) {
  return (
    <>
      <div class="page-heading">
        <h1>Code hosts</h1>
        <div class="actions">
          <a class="button button-primary" href={`${CODE_HOSTS_PATH}/new`}>
            Connect a code host
          </a>
        </div>
      </div>
      {rows.length === 0 ? (
        <EmptyState>
          No code host is connected. Connecting a GitLab, Gitea or Forgejo instance imports its groups, projects and
          members into Cascade and keeps them in step through the host's hooks, so that their integrations are managed
          here, inherited down the real tree.
        </EmptyState>
      ) : (
        <table class="table">
          <caption class="visually-hidden">Connected code hosts</caption>
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Imported</th>
              <th scope="col">Last reconcile</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {rows.map(({ host, run, counts }) => (
              <tr>
                <td>
                  <a href={codeHostPath(host)}>
                    <strong>{host.name}</strong>
                  </a>
                  <div class="muted">
                    {HOST_KIND_LABELS[host.kind]} · {host.url}
                  </div>
                </td>
                <td data-label="Version">{host.version || '—'}</td>
                <td data-label="Status">
                  <StatusBadge host={host} run={run} />
                </td>
                <td data-label="Imported">{importedSummary(counts)}</td>
                <td data-label="Last reconcile">{when(host.lastReconciledAt)}</td>
                <td>
                  <a class="button" href={codeHostPath(host, 'edit')}>
                    Edit
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

const COUNT_LABELS: Record<string, string> = {
  groups: 'Groups',
  projects: 'Projects',
  users: 'Users',
  members: 'Memberships',
};
const countLabel = (name: string) => COUNT_LABELS[name] ?? name[0]!.toUpperCase() + name.slice(1);

/**
 * The current or last run: phase, counts, percent, problems, error. While the run is going it
 * asks for itself again every 2 s (htmx swaps it whole); the answer for a run that has ended has
 * no trigger, so the polling stops with it.
 */
export function SyncProgress({ host, run }: { host: CodeHost; run: HostSyncRun | undefined }) {
  const running = run?.status === 'running';
  const polling = running
    ? { 'hx-get': codeHostPath(host, 'progress'), 'hx-trigger': `every ${POLL_INTERVAL}`, 'hx-swap': 'outerHTML' }
    : {};
  if (!run) {
    return (
      <section id="sync-progress" class="card" aria-labelledby="sync-progress-title">
        <h2 id="sync-progress-title">Import</h2>
        <p class="muted">No import has run yet.</p>
      </section>
    );
  }
  const progress = runProgress(run);
  const title = progress.kind === 'import' ? 'Import' : 'Reconcile';
  const state = running ? 'Running' : progress.status === 'failed' ? 'Failed' : 'Finished';
  return (
    <section id="sync-progress" class="card" aria-labelledby="sync-progress-title" aria-live="polite" {...polling}>
      <h2 id="sync-progress-title">
        {title}: {state}
        {progress.percent !== null && ` (${progress.percent}%)`}
      </h2>
      {progress.percent !== null && (
        <progress max="100" value={String(progress.percent)} aria-label={`${title} progress`}>
          {progress.percent}%
        </progress>
      )}
      <dl class="details-list">
        {progress.phase && running && (
          <>
            <dt>Step</dt>
            <dd>{progress.phase}</dd>
          </>
        )}
        {progress.counts.map((item) => (
          <>
            <dt>{countLabel(item.name)}</dt>
            <dd>{item.total === null ? item.done : `${item.done} of ${item.total}`}</dd>
          </>
        ))}
        <dt>Started</dt>
        <dd>{when(progress.startedAt)}</dd>
        {progress.finishedAt && (
          <>
            <dt>{progress.status === 'failed' ? 'Failed' : 'Finished'}</dt>
            <dd>{when(progress.finishedAt)}</dd>
          </>
        )}
      </dl>
      {progress.error && <p class="callout callout-danger">{progress.error}</p>}
      {progress.problems.length > 0 && (
        <>
          <h3>Reported instead of taken over</h3>
          <ul class="sync-problems">
            {progress.problems.map((problem) => (
              <li>{problem}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

const postButton = (action: string, label: string, style = 'button') => (
  <form method="post" action={action} class="inline-form">
    <button type="submit" class={style}>
      {label}
    </button>
  </form>
);

interface CodeHostPageProps {
  host: CodeHost;
  run: HostSyncRun | undefined;
  counts: ImportedCounts;
  receiverUrl: string;
  imported: boolean;
}

export function CodeHostPage(props: CodeHostPageProps) {
  return (
    <>
      <ConnectionSummary {...props} />
      <SyncProgress host={props.host} run={props.run} />
    </>
  );
}

/**
 * The connection's heading, actions, state and details. The progress route sends it again, out
 * of band, once the run it followed has ended: the state, the counts and the actions change then.
 */
export function ConnectionSummary({
  host,
  run,
  counts,
  receiverUrl,
  imported,
  outOfBand = false,
}: CodeHostPageProps & { outOfBand?: boolean }) {
  return (
    <div id="code-host-summary" {...(outOfBand ? { 'hx-swap-oob': 'outerHTML' } : {})}>
      <div class="page-heading">
        <h1>{host.name}</h1>
        <div class="actions row-actions">
          <a class="button" href={codeHostPath(host, 'edit')}>
            Edit
          </a>
          {host.pausedAt
            ? postButton(codeHostPath(host, 'resume'), 'Resume')
            : postButton(codeHostPath(host, 'pause'), 'Pause')}
          {!host.pausedAt &&
            run?.status !== 'running' &&
            postButton(codeHostPath(host, 'sync'), imported ? 'Reconcile now' : 'Import again')}
          {postButton(codeHostPath(host, 'remove'), 'Remove', 'button button-danger')}
        </div>
      </div>
      <p>
        <StatusBadge host={host} run={run} /> <a href={codeHostPath(host, 'events')}>Recent events</a>
      </p>
      <section class="card" aria-labelledby="connection-settings-title">
        <h2 id="connection-settings-title">Connection</h2>
        <dl class="details-list">
          <dt>Kind</dt>
          <dd>{HOST_KIND_LABELS[host.kind]}</dd>
          <dt>URL</dt>
          <dd>{host.url}</dd>
          <dt>Version</dt>
          <dd>{host.version || '—'}</dd>
          <dt>Token of</dt>
          <dd>{host.tokenUsername ? `@${host.tokenUsername}` : '—'}</dd>
          <dt>System hook</dt>
          <dd>
            {host.systemHookId === null
              ? 'Not registered'
              : `Registered (hook ${host.systemHookId} on the host), sending to ${receiverUrl}`}
          </dd>
          <dt>Sign in with the host</dt>
          <dd>{host.oidcClientId ? `Application ${host.oidcClientId}` : 'Not set up'}</dd>
          <dt>Host administrators are Cascade administrators</dt>
          <dd>{host.adminsAreAdmins ? 'Yes' : 'No'}</dd>
          <dt>Reconcile</dt>
          <dd>
            Every {plural(host.reconcileMinutes, 'minute')}; last reconciled{' '}
            {host.lastReconciledAt ? when(host.lastReconciledAt) : 'never'}
          </dd>
          <dt>Imported</dt>
          <dd>
            {importedSummary(counts)}, {plural(counts.members, 'membership')}
          </dd>
        </dl>
      </section>
    </div>
  );
}

/** What removing the connection does, in full sentences with the counts. */
export function RemovalSummary({ host, impact }: { host: CodeHost; impact: RemovalImpact }) {
  return (
    <>
      <p>
        Cascade removes its system hook from {host.name}
        {impact.projectHooks > 0 && ` and its hooks on ${plural(impact.projectHooks, 'project')}`}, where the host still
        lets it. From then on nothing from the host reaches Cascade.
      </p>
      <p>
        The {plural(impact.groups, 'group')}, {plural(impact.projects, 'project')} and {plural(impact.users, 'user')} it
        imported stay in Cascade as ordinary groups, projects and users, with their integration settings. Imported users
        keep their {plural(impact.members, 'membership')} but cannot sign in until an administrator gives them a
        password.
      </p>
      <p>
        The connection's {plural(impact.events, 'received event')} and{' '}
        {plural(impact.runs, 'import and reconcile run', 'import and reconcile runs')} are deleted.
      </p>
    </>
  );
}
