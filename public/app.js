// Progressive enhancement for Cascade's pages. Every form works without this file; with it,
// "Update form" buttons hide (htmx swaps the fields instead) and saves that reach other levels
// ask for confirmation in a dialog instead of a separate page.
document.documentElement.classList.add('js');

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const dialogId = form.dataset.confirmDialog;
  if (!dialogId) return;
  const submitter = event.submitter;
  // The dialog's own button confirms; Update form and Test settings save nothing, so need no confirming.
  if (submitter && (submitter.name === '_confirmed' || submitter.value === 'update_form' || submitter.value === 'test'))
    return;
  const dialog = document.getElementById(dialogId);
  if (!(dialog instanceof HTMLDialogElement)) return;
  event.preventDefault();
  dialog.showModal();
});

document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-close-dialog]') : null;
  if (!button) return;
  button.closest('dialog')?.close();
});

// "Inherit <label>": the value typed next to it would be ignored, so lock it while checked.
function syncInheritToggle(toggle) {
  const input = document.getElementById(toggle.dataset.inheritFor);
  if (input) input.disabled = toggle.checked;
}

document.addEventListener('change', (event) => {
  if (event.target instanceof HTMLInputElement && event.target.dataset.inheritFor) syncInheritToggle(event.target);
});

function syncAllInheritToggles(root) {
  root.querySelectorAll('input[data-inherit-for]').forEach(syncInheritToggle);
}

syncAllInheritToggles(document);
// Fields swapped in by htmx bring their own toggles.
document.addEventListener('htmx:after:swap', () => syncAllInheritToggles(document));
