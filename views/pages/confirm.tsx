/**
 * @module views/pages/confirm
 * The confirmation step of an action that reaches other levels, for browsers without
 * JavaScript (with it, the same text appears in a dialog on the page itself).
 */
import type { Child } from 'hono/jsx';

interface ConfirmPageProps {
  title: string;
  /** What will happen, in full sentences. */
  children: Child;
  action: string;
  /** Hidden fields that carry the request to confirm. */
  hidden: Record<string, string | string[]>;
  /** Fields the user fills in to confirm, e.g. the name of what is deleted, typed. */
  fields?: Child;
  confirmLabel: string;
  danger?: boolean;
  cancelHref: string;
}

export function ConfirmPage({
  title,
  children,
  action,
  hidden,
  fields,
  confirmLabel,
  danger,
  cancelHref,
}: ConfirmPageProps) {
  const buttons = (
    <>
      <button type="submit" class={danger ? 'button button-danger' : 'button button-primary'}>
        {confirmLabel}
      </button>
      <a class="button" href={cancelHref}>
        Cancel
      </a>
    </>
  );
  return (
    <>
      <h1>{title}</h1>
      <section class="card confirm-panel" aria-label="Confirmation">
        {children}
        <form method="post" action={action} class={fields ? 'form' : 'form-actions'}>
          {Object.entries(hidden).flatMap(([name, value]) =>
            (Array.isArray(value) ? value : [value]).map((item) => <input type="hidden" name={name} value={item} />),
          )}
          <input type="hidden" name="_confirmed" value="1" />
          {fields ? (
            <>
              {fields}
              <div class="form-actions">{buttons}</div>
            </>
          ) : (
            buttons
          )}
        </form>
      </section>
    </>
  );
}
