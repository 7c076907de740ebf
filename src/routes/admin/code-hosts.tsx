/**
 * @module routes/admin/code-hosts
 * Admin Area › Code hosts: connect, change, pause, resume and remove a connection, start its
 * import or reconcile, and follow the run's progress (the region htmx refreshes).
 */
import { Hono } from 'hono';
import {
  connectCodeHost,
  findCodeHost,
  hasImported,
  importedCounts,
  latestRun,
  listCodeHosts,
  parseConnectionForm,
  pauseCodeHost,
  receiverUrlFor,
  removalImpact,
  removeCodeHost,
  resumeCodeHost,
  updateCodeHost,
  type ConnectionOptions,
} from '../../code-hosts/connections.js';
import type { CodeHost, HostSyncRun } from '../../db/schema.js';
import { NotFound } from '../../errors.js';
import type { AppContext, AppEnv } from '../../http/context.js';
import { redirectWithFlash } from '../../http/flash.js';
import { isConfirmed, readForm } from '../../http/forms.js';
import { idSchema, type FieldErrors } from '../../validation.js';
import { AdminNav } from '../../../views/components/nav.js';
import type { FormValues } from '../../../views/components/form.js';
import { ConfirmPage } from '../../../views/pages/confirm.js';
import { CodeHostFormPage, connectionValues } from '../../../views/pages/admin/code-hosts-form.js';
import {
  CODE_HOSTS_PATH,
  codeHostPath,
  CodeHostPage,
  CodeHostsPage,
  RemovalSummary,
  SyncProgress,
  ConnectionSummary,
} from '../../../views/pages/admin/code-hosts.js';

/** Seconds between reloads of a connection's page while a run is going, without JavaScript. */
const REFRESH_SECONDS = 3;

const crumbs = (...rest: { label: string; href?: string }[]) => [
  { label: 'Admin Area', href: '/admin' },
  { label: 'Code hosts', href: CODE_HOSTS_PATH },
  ...rest,
];

function render(
  c: AppContext,
  title: string,
  page: Parameters<AppContext['render']>[0],
  trail = crumbs(),
  refresh?: number,
) {
  return c.render(page, {
    title,
    breadcrumbs: trail,
    nav: <AdminNav current={CODE_HOSTS_PATH} />,
    refreshSeconds: refresh,
  });
}

function connectionOptions(c: AppContext): ConnectionOptions {
  const { deps } = c.var;
  return {
    clients: deps.hostClients!,
    secretKeyBase: deps.secretKeyBase,
    receiverUrl: receiverUrlFor(deps.config.publicOrigin),
    ...(deps.outbound ? { outbound: deps.outbound } : {}),
  };
}

/** The connection named by the URL; a 404 for any other id. */
async function connectionOf(c: AppContext): Promise<CodeHost> {
  const id = idSchema.safeParse(c.req.param('id'));
  const host = id.success ? await findCodeHost(c.var.db, id.data) : undefined;
  if (!host) throw new NotFound();
  return host;
}

/** The form as typed, to show again: secrets are never echoed back. */
const withoutSecrets = (form: FormValues): FormValues => ({ ...form, token: undefined, oidc_client_secret: undefined });

export function adminCodeHostRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', async (c) => {
    const hosts = await listCodeHosts(c.var.db);
    const rows = [];
    for (const host of hosts)
      rows.push({ host, run: await latestRun(c.var.db, host.id), counts: await importedCounts(c.var.db, host.id) });
    return render(c, 'Code hosts', <CodeHostsPage rows={rows} />);
  });

  const renderForm = (c: AppContext, values: FormValues, errors: FieldErrors, host?: CodeHost) =>
    render(
      c,
      host ? `Edit ${host.name}` : 'Connect a code host',
      <CodeHostFormPage values={values} errors={errors} {...(host ? { host } : {})} />,
      host ? crumbs({ label: host.name, href: codeHostPath(host) }, { label: 'Edit' }) : crumbs({ label: 'Connect' }),
    );

  routes.get('/new', (c) => renderForm(c, {}, {}));

  routes.post('/', async (c) => {
    const form = await readForm(c);
    const parsed = parseConnectionForm(form);
    const outcome = parsed.ok
      ? await connectCodeHost(c.var.db, parsed.value, c.var.user!, connectionOptions(c))
      : parsed;
    if (!outcome.ok) {
      c.status(422);
      return renderForm(c, withoutSecrets(form), outcome.errors);
    }
    const imports = c.var.deps.hostImports;
    imports?.start(outcome.value);
    const started = imports ? ' The import has started.' : '';
    return redirectWithFlash(c, codeHostPath(outcome.value), `Connected to ${outcome.value.name}.${started}`);
  });

  /** What the connection's page shows of it (`run`: its latest, when already read). */
  const pageProps = async (c: AppContext, host: CodeHost, run?: HostSyncRun) => ({
    host,
    run: run ?? (await latestRun(c.var.db, host.id)),
    counts: await importedCounts(c.var.db, host.id),
    receiverUrl: connectionOptions(c).receiverUrl(host.id),
    imported: await hasImported(c.var.db, host.id),
  });

  routes.get('/:id', async (c) => {
    const props = await pageProps(c, await connectionOf(c));
    return render(
      c,
      props.host.name,
      <CodeHostPage {...props} />,
      crumbs({ label: props.host.name }),
      props.run?.status === 'running' ? REFRESH_SECONDS : undefined,
    );
  });

  /** The run's region; once it has ended, the connection's summary too (out of band), which the end changed. */
  routes.get('/:id/progress', async (c) => {
    const host = await connectionOf(c);
    const run = await latestRun(c.var.db, host.id);
    if (run?.status === 'running') return c.html(<SyncProgress host={host} run={run} />);
    const props = await pageProps(c, host, run);
    return c.html(
      <>
        <SyncProgress host={host} run={run} />
        <ConnectionSummary {...props} outOfBand />
      </>,
    );
  });

  routes.get('/:id/edit', async (c) => {
    const host = await connectionOf(c);
    return renderForm(c, connectionValues(host), {}, host);
  });

  routes.post('/:id', async (c) => {
    const host = await connectionOf(c);
    const form = await readForm(c);
    const parsed = parseConnectionForm(form, host);
    const outcome = parsed.ok
      ? await updateCodeHost(c.var.db, host, parsed.value, c.var.user!, connectionOptions(c))
      : parsed;
    if (!outcome.ok) {
      c.status(422);
      return renderForm(c, withoutSecrets(form), outcome.errors, host);
    }
    const notes = outcome.value.notes;
    return redirectWithFlash(
      c,
      codeHostPath(host),
      ['The connection was saved.', ...notes].join(' '),
      notes.length > 0 ? 'alert' : 'notice',
    );
  });

  routes.post('/:id/pause', async (c) => {
    const host = await connectionOf(c);
    await pauseCodeHost(c.var.db, host, c.var.user!);
    return redirectWithFlash(
      c,
      codeHostPath(host),
      `${host.name} is paused: no import or reconcile runs, and the events it sends are refused.`,
    );
  });

  routes.post('/:id/resume', async (c) => {
    const host = await connectionOf(c);
    await resumeCodeHost(c.var.db, host, c.var.user!);
    return redirectWithFlash(c, codeHostPath(host), `${host.name} is active again.`);
  });

  routes.post('/:id/sync', async (c) => {
    const host = await connectionOf(c);
    if (host.pausedAt)
      return redirectWithFlash(c, codeHostPath(host), `${host.name} is paused: resume it first.`, 'alert');
    if ((await latestRun(c.var.db, host.id))?.status === 'running')
      return redirectWithFlash(c, codeHostPath(host), 'A run is already going.', 'alert');
    const imports = c.var.deps.hostImports;
    if (!imports)
      return redirectWithFlash(c, codeHostPath(host), 'This build of Cascade cannot run imports yet.', 'alert');
    imports.start(host);
    return redirectWithFlash(c, codeHostPath(host), 'The run has started.');
  });

  routes.post('/:id/remove', async (c) => {
    const host = await connectionOf(c);
    const form = await readForm(c);
    if (!isConfirmed(form)) {
      return render(
        c,
        `Remove ${host.name}`,
        <ConfirmPage
          title={`Remove the connection to ${host.name}?`}
          action={codeHostPath(host, 'remove')}
          hidden={{}}
          confirmLabel="Remove the connection"
          danger
          cancelHref={codeHostPath(host)}
        >
          <RemovalSummary host={host} impact={await removalImpact(c.var.db, host)} />
        </ConfirmPage>,
        crumbs({ label: host.name, href: codeHostPath(host) }, { label: 'Remove' }),
      );
    }
    const { notes } = await removeCodeHost(c.var.db, host, c.var.user!, connectionOptions(c));
    return redirectWithFlash(
      c,
      CODE_HOSTS_PATH,
      [`The connection to ${host.name} was removed.`, ...notes].join(' '),
      notes.length > 0 ? 'alert' : 'notice',
    );
  });

  return routes;
}
