/** @module views/pages/error: 4xx and 5xx pages that say what happened and reveal nothing else. */
import type { AppContext } from '../../src/http/context.js';

export type ErrorStatus = 400 | 403 | 404 | 409 | 413 | 422 | 429 | 500;

const TITLES: Record<ErrorStatus, string> = {
  400: 'Bad request',
  403: 'Access denied',
  404: 'Page not found',
  409: 'Changed by someone else',
  413: 'Request too large',
  422: 'Cannot be processed',
  429: 'Too many requests',
  500: 'Something went wrong',
};

export function ErrorPage({ status, message }: { status: ErrorStatus; message: string }) {
  return (
    <section class="error-page">
      <p class="error-code">{status}</p>
      <h1>{TITLES[status]}</h1>
      <p>{message}</p>
      <p>
        <a href="/">Go to your groups and projects</a>
      </p>
    </section>
  );
}

/** Renders the error page with the layout and the given status. */
export function renderError(c: AppContext, status: ErrorStatus, message: string) {
  c.status(status);
  return c.render(<ErrorPage status={status} message={message} />, { title: TITLES[status] });
}
