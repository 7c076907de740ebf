/** @module views/pages/admin/network: Admin Area › Settings › Network, outbound requests. */
import { parseBoolean } from '../../../src/boolean.js';
import { lastValue } from '../../../src/form-values.js';
import type { FieldErrors } from '../../../src/validation.js';
import { ALLOW_LOCAL_LABEL, ALLOWLIST_LABEL } from '../../../src/model/network-settings.js';
import { CheckboxField, ErrorSummary, TextAreaField, type FormValues } from '../../components/form.js';

export const NETWORK_PATH = '/admin/application_settings/network';

export function NetworkSettingsPage({ values, errors }: { values: FormValues; errors: FieldErrors }) {
  return (
    <>
      <h1>Network</h1>
      <p class="lead">Outbound requests: what webhooks and integrations may reach.</p>
      <ErrorSummary errors={errors} />
      <form method="post" action={NETWORK_PATH} class="card form">
        <CheckboxField
          name="allow_local_requests"
          label={ALLOW_LOCAL_LABEL}
          checked={parseBoolean(lastValue(values.allow_local_requests)) === true}
          error={errors.allow_local_requests}
          help="While this is off, integrations cannot send requests to loopback, private, link-local or other local addresses (such as 127.0.0.1, 10.0.0.0/8 or the cloud metadata service at 169.254.169.254), nor to host names that resolve to them."
        />
        <TextAreaField
          name="outbound_allowlist"
          label={ALLOWLIST_LABEL}
          value={lastValue(values.outbound_allowlist)}
          error={errors.outbound_allowlist}
          help="Reachable even while local requests are not allowed. One entry per line (commas and semicolons also separate entries): an IP address (127.0.0.1, ::1), a CIDR range (10.0.0.0/8, fd00::/8) or a host name (ci.internal.example)."
        />
        <div class="form-actions">
          <button type="submit" class="button button-primary">
            Save changes
          </button>
        </div>
      </form>
    </>
  );
}
