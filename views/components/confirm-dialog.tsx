/**
 * @module views/components/confirm-dialog
 * The confirmation a form asks for with JavaScript on (app.js opens it instead of submitting):
 * its confirm button submits the form with `_confirmed=1`. Without JavaScript the form posts
 * unconfirmed and the server answers with the same text on a confirmation page.
 */
import type { Child } from 'hono/jsx';

interface ConfirmDialogProps {
  /** Also the value of the form's `data-confirm-dialog`. */
  id: string;
  title: Child;
  children: Child;
  confirmLabel: string;
  danger?: boolean;
}

export function ConfirmDialog({ id, title, children, confirmLabel, danger }: ConfirmDialogProps) {
  return (
    <dialog id={id} class="confirm-dialog" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
      <div class="form-actions">
        <button
          type="submit"
          class={danger ? 'button button-danger' : 'button button-primary'}
          name="_confirmed"
          value="1"
        >
          {confirmLabel}
        </button>
        <button type="button" class="button" data-close-dialog>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
