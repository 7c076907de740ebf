/** @module views/pages/admin/tokens: every user's personal access tokens, with Revoke. */
import { EmptyState, Pagination, pageHref } from '../../components/lists.js';
import { TokensTable, type TokenRow } from '../../components/tokens.js';

export const ADMIN_TOKENS_URL = '/admin/personal_access_tokens';

export function AdminTokensPage({
  rows,
  page,
  perPage,
  total,
}: {
  rows: TokenRow[];
  page: number;
  perPage: number;
  total: number;
}) {
  return (
    <>
      <h1>Personal access tokens</h1>
      <p class="muted">
        The API tokens of every user. Revoking one stops every script that uses it at once; blocking a user stops all of
        theirs.
      </p>
      {rows.length === 0 ? (
        <EmptyState>No user has a personal access token.</EmptyState>
      ) : (
        <TokensTable
          rows={rows}
          caption="Personal access tokens of all users"
          revokeAction={(token) => `${ADMIN_TOKENS_URL}/${token.id}/revoke`}
        />
      )}
      <Pagination page={page} perPage={perPage} total={total} href={pageHref(ADMIN_TOKENS_URL, '')} />
    </>
  );
}
