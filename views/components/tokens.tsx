/**
 * @module views/components/tokens
 * The table of personal access tokens, shared by the user's own settings and the Admin Area:
 * name, scopes, dates, status and Revoke (a dialog with JavaScript, a confirmation page without).
 */
import { tokenScopes, tokenStatus, type TokenStatus } from '../../src/auth/tokens.js';
import type { PersonalAccessToken, User } from '../../src/db/schema.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { ActionsHeader } from './lists.js';

export interface TokenRow {
  token: PersonalAccessToken;
  /** Shown in the Admin Area's list, where tokens of every user appear. */
  owner?: Pick<User, 'username' | 'name'>;
}

const STATUS_BADGES: Record<TokenStatus, [label: string, className: string]> = {
  active: ['Active', 'badge badge-active'],
  expired: ['Expired', 'badge badge-inactive'],
  revoked: ['Revoked', 'badge badge-blocked'],
};

const day = (moment: Date | null) => (moment ? moment.toISOString().slice(0, 10) : 'Never');

function RevokeButton({ token, action }: { token: PersonalAccessToken; action: string }) {
  const dialogId = `confirm-revoke-${token.id}`;
  return (
    <form method="post" action={action} class="inline-form" data-confirm-dialog={dialogId}>
      <button type="submit" class="button button-danger" aria-label={`Revoke ${token.name}`}>
        Revoke
      </button>
      <ConfirmDialog id={dialogId} title={`Revoke the token "${token.name}"?`} confirmLabel="Revoke" danger>
        <p>{revokeWarning}</p>
      </ConfirmDialog>
    </form>
  );
}

export const revokeWarning = 'Any script or application that uses it stops working at once. This cannot be undone.';

export function TokensTable({
  rows,
  caption,
  revokeAction,
}: {
  rows: TokenRow[];
  caption: string;
  revokeAction: (token: PersonalAccessToken) => string;
}) {
  const now = new Date();
  const showOwner = rows.some((row) => row.owner);
  return (
    <table class="table">
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Token name</th>
          {showOwner && <th scope="col">User</th>}
          <th scope="col">Scopes</th>
          <th scope="col">Created</th>
          <th scope="col">Last used</th>
          <th scope="col">Expires</th>
          <th scope="col">Status</th>
          <ActionsHeader />
        </tr>
      </thead>
      <tbody>
        {rows.map(({ token, owner }) => {
          const status = tokenStatus(token, now);
          const [label, className] = STATUS_BADGES[status];
          return (
            <tr>
              <td>
                <strong>{token.name}</strong>
              </td>
              {showOwner && (
                <td data-label="User">
                  {owner?.name}
                  <div class="muted">@{owner?.username}</div>
                </td>
              )}
              <td data-label="Scopes">{tokenScopes(token).join(', ')}</td>
              <td data-label="Created">{day(token.createdAt)}</td>
              <td data-label="Last used">{day(token.lastUsedAt)}</td>
              <td data-label="Expires">{token.expiresAt}</td>
              <td data-label="Status">
                <span class={className}>{label}</span>
              </td>
              <td>{status === 'revoked' ? null : <RevokeButton token={token} action={revokeAction(token)} />}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
