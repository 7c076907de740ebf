/**
 * @module views/pages/user-settings/tokens
 * User settings › Access tokens: the new token (once, right after it is created), the form to
 * add one, and the user's tokens.
 */
import { lastValue } from '../../../src/form-values.js';
import { MAX_LIFETIME_DAYS, SCOPE_DESCRIPTIONS, type TokenScope } from '../../../src/auth/tokens.js';
import type { PersonalAccessToken } from '../../../src/db/schema.js';
import type { FieldErrors } from '../../../src/validation.js';
import { CheckboxGroup, ErrorSummary, TextField, type FormValues } from '../../components/form.js';
import { EmptyState } from '../../components/lists.js';
import { TokensTable } from '../../components/tokens.js';

export const TOKENS_URL = '/-/user_settings/personal_access_tokens';

interface TokensPageProps {
  tokens: PersonalAccessToken[];
  values: FormValues;
  errors: FieldErrors;
  /** The token just created: its only appearance. */
  created?: { name: string; token: string } | undefined;
  /** The bounds of the expiry date, "YYYY-MM-DD". */
  earliest: string;
  latest: string;
  /** The scopes the user may choose: `sudo` for administrators only. */
  offered: readonly TokenScope[];
}

function NewTokenPanel({ name, token }: { name: string; token: string }) {
  return (
    <section class="card new-token" aria-labelledby="new-token-title">
      <h2 id="new-token-title">Your new personal access token "{name}"</h2>
      <div class="field">
        <label for="new-token-value">Token</label>
        <input
          id="new-token-value"
          type="text"
          value={token}
          readonly
          autocomplete="off"
          spellcheck={false}
          aria-describedby="new-token-help"
        />
        <p class="field-help" id="new-token-help">
          Copy it now and keep it somewhere safe: it is not shown again. Send it in the <code>PRIVATE-TOKEN</code>{' '}
          header of API requests.
        </p>
      </div>
    </section>
  );
}

export function PersonalAccessTokensPage({
  tokens,
  values,
  errors,
  created,
  earliest,
  latest,
  offered,
}: TokensPageProps) {
  const scopes = [values.scopes ?? []].flat();
  return (
    <>
      <h1>Personal access tokens</h1>
      <p class="muted">
        A personal access token lets scripts and tools use the API (<code>/api/v4</code>, GitLab-compatible) as you,
        with your role in each group and project.
      </p>
      {created && <NewTokenPanel {...created} />}
      <ErrorSummary errors={errors} />
      <form method="post" action={TOKENS_URL} class="card form" aria-labelledby="add-token-title">
        <h2 id="add-token-title">Add a personal access token</h2>
        <TextField
          name="name"
          label="Token name"
          value={lastValue(values.name)}
          error={errors.name}
          required
          maxlength={255}
          autocomplete="off"
        />
        <TextField
          name="expires_at"
          label="Expiration date"
          type="date"
          value={lastValue(values.expires_at)}
          error={errors.expires_at}
          required
          min={earliest}
          max={latest}
          help={`At most ${MAX_LIFETIME_DAYS} days ahead. The token works until the end of that day (UTC).`}
        />
        <CheckboxGroup
          name="scopes"
          legend="Select scopes"
          options={offered.map((scope) => ({ value: scope, label: scope, help: SCOPE_DESCRIPTIONS[scope] }))}
          checked={scopes}
          error={errors.scopes}
        />
        <div class="form-actions">
          <button type="submit" class="button button-primary">
            Create token
          </button>
        </div>
      </form>
      <h2>Your tokens</h2>
      {tokens.length === 0 ? (
        <EmptyState>You have no personal access tokens.</EmptyState>
      ) : (
        <TokensTable
          rows={tokens.map((token) => ({ token }))}
          caption="Your personal access tokens"
          revokeAction={(token) => `${TOKENS_URL}/${token.id}/revoke`}
        />
      )}
    </>
  );
}
