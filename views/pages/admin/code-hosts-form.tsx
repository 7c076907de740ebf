/**
 * @module views/pages/admin/code-hosts-form
 * Admin Area › Code hosts: the form that connects a host, and the same form to change a
 * connection. Secrets are write-only: their inputs are always empty.
 */
import { parseBoolean } from '../../../src/boolean.js';
import {
  DEFAULT_RECONCILE_MINUTES,
  MAX_RECONCILE_MINUTES,
  MIN_RECONCILE_MINUTES,
  NETWORK_SETTINGS_PATH,
  TOKEN_HELP,
} from '../../../src/code-hosts/connections.js';
import { HOST_KIND_LABELS, HOST_KINDS } from '../../../src/code-hosts/host.js';
import type { CodeHost } from '../../../src/db/schema.js';
import { lastValue } from '../../../src/form-values.js';
import type { FieldErrors } from '../../../src/validation.js';
import { CheckboxField, ErrorSummary, SelectField, TextField, type FormValues } from '../../components/form.js';
import { CODE_HOSTS_PATH } from './code-hosts.js';

interface CodeHostFormProps {
  values: FormValues;
  errors: FieldErrors;
  /** The connection being changed; absent on the connect form. */
  host?: CodeHost;
}

/** The form's values for a stored connection (never its secrets). */
export function connectionValues(host: CodeHost): FormValues {
  return {
    kind: host.kind,
    url: host.url,
    oidc_client_id: host.oidcClientId ?? '',
    admins_are_admins: host.adminsAreAdmins ? '1' : '0',
    reconcile_minutes: String(host.reconcileMinutes),
  };
}

export function CodeHostFormPage({ values, errors, host }: CodeHostFormProps) {
  const value = (name: string) => lastValue(values[name]);
  const kept = (what: string) =>
    host ? ` Leave it blank to keep the stored ${what}; a changed URL needs it entered again.` : '';
  return (
    <>
      <h1>{host ? `Edit ${host.name}` : 'Connect a code host'}</h1>
      <p class="lead">
        Cascade imports the host's groups, projects and members, keeps them in step with the host's system hook and a
        periodic reconcile, and manages their integrations.
      </p>
      <ErrorSummary errors={errors} />
      <form method="post" action={host ? `${CODE_HOSTS_PATH}/${host.id}` : CODE_HOSTS_PATH} class="card form">
        {host ? (
          <p>
            Kind: <strong>{HOST_KIND_LABELS[host.kind]}</strong>
          </p>
        ) : (
          <SelectField
            name="kind"
            label="Kind"
            value={value('kind') ?? 'gitlab'}
            error={errors.kind}
            required
            options={HOST_KINDS.map((kind) => ({ value: kind, label: HOST_KIND_LABELS[kind] }))}
          />
        )}
        <TextField
          name="url"
          label="URL"
          type="url"
          value={value('url')}
          error={errors.url}
          required
          placeholder="https://gitlab.example.com"
          help={
            <>
              The address of the host, as its users open it. A host on the local network (such as 10.0.0.5 or
              gitlab.internal) can be reached only once the <a href={NETWORK_SETTINGS_PATH}>Network settings</a> allow
              it.
            </>
          }
        />
        <TextField
          name="token"
          label="Access token"
          type="password"
          error={errors.token}
          required={!host}
          autocomplete="off"
          help={`${TOKEN_HELP.gitlab} ${TOKEN_HELP.gitea} ${TOKEN_HELP.forgejo}${kept('token')}`}
        />
        <fieldset class="field">
          <legend>Sign in with the code host (optional)</legend>
          <TextField
            name="oidc_client_id"
            label="Application ID"
            value={value('oidc_client_id')}
            error={errors.oidc_client_id}
            autocomplete="off"
            help={`The OAuth application registered on the host for "Sign in with ${host?.name ?? 'the host'}", with the openid scope and the redirect URI the README gives.`}
          />
          <TextField
            name="oidc_client_secret"
            label="Application secret"
            type="password"
            error={errors.oidc_client_secret}
            autocomplete="off"
            help={`The secret of that application.${kept('secret')}`}
          />
          <CheckboxField
            name="admins_are_admins"
            label="Host administrators are Cascade administrators"
            checked={parseBoolean(value('admins_are_admins')) === true}
            error={errors.admins_are_admins}
            help="When they sign in through the host. Off: they get the roles the host gives them on groups and projects, and nothing more."
          />
        </fieldset>
        <TextField
          name="reconcile_minutes"
          label="Reconcile interval (minutes)"
          type="number"
          min={String(MIN_RECONCILE_MINUTES)}
          max={String(MAX_RECONCILE_MINUTES)}
          value={value('reconcile_minutes') ?? String(DEFAULT_RECONCILE_MINUTES)}
          error={errors.reconcile_minutes}
          required
          help={`How often Cascade compares the whole tree with the host, to repair what hooks missed: ${MIN_RECONCILE_MINUTES} to ${MAX_RECONCILE_MINUTES} minutes.`}
        />
        <div class="form-actions">
          <button type="submit" class="button button-primary">
            {host ? 'Save changes' : 'Connect'}
          </button>
          <a class="button" href={host ? `${CODE_HOSTS_PATH}/${host.id}` : CODE_HOSTS_PATH}>
            Cancel
          </a>
        </div>
      </form>
    </>
  );
}
