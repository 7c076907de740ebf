/** @module views/components/lists: search box, page links and the shared table header cell of lists. */

export function SearchForm({ action, value, label }: { action: string; value: string; label: string }) {
  return (
    <form class="search-form" method="get" action={action} role="search">
      <label for="search" class="visually-hidden">
        {label}
      </label>
      <input id="search" type="search" name="search" value={value} placeholder={label} maxlength={255} />
      <button type="submit" class="button">
        Search
      </button>
    </form>
  );
}

interface PaginationProps {
  page: number;
  perPage: number;
  total: number;
  /** Builds the link to a page, keeping the other query parameters. */
  href: (page: number) => string;
}

export function Pagination({ page, perPage, total, href }: PaginationProps) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return null;
  return (
    <nav class="pagination" aria-label="Pagination">
      {page > 1 ? (
        <a href={href(page - 1)} rel="prev">
          ‹ Previous
        </a>
      ) : (
        <span class="disabled">‹ Previous</span>
      )}
      <span class="pagination-status">
        Page {Math.min(page, pages)} of {pages}
      </span>
      {page < pages ? (
        <a href={href(page + 1)} rel="next">
          Next ›
        </a>
      ) : (
        <span class="disabled">Next ›</span>
      )}
    </nav>
  );
}

/** `?search=...&page=N` as a link for {@link Pagination}. */
export function pageHref(path: string, search: string) {
  return (page: number) => {
    const query = new URLSearchParams();
    if (search) query.set('search', search);
    if (page > 1) query.set('page', String(page));
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  };
}

export function EmptyState({ children }: { children: unknown }) {
  return <p class="empty-state">{children}</p>;
}

/** The header of a table's last column, which holds each row's buttons: named for screen readers only. */
export function ActionsHeader() {
  return (
    <th scope="col">
      <span class="visually-hidden">Actions</span>
    </th>
  );
}
