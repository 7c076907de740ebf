/**
 * @module views/pages/general-settings
 * A group's or project's Settings › General, after GitLab's: its name and description, and under
 * Advanced its URL and deleting it, with what deleting takes along (a dialog with JavaScript, a
 * confirmation page without). An imported group or project shows where to change them instead.
 */
import { lastValue } from '../../src/form-values.js';
import type { Group, Project } from '../../src/db/schema.js';
import type { DeletionImpact } from '../../src/model/tree.js';
import type { FieldErrors } from '../../src/validation.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ErrorSummary, TextAreaField, TextField, type FormValues } from '../components/form.js';
import { editableHere, ManagedOnHost, type HostMarks } from '../components/host-marks.js';
import { ConfirmPage } from './confirm.js';

export type TreeKind = 'group' | 'project';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const are = (n: number) => (n === 1 ? 'is' : 'are');

const capitalized = (what: TreeKind) => (what === 'group' ? 'Group' : 'Project');

/** The field that confirms a deletion: the full path, typed, as GitLab asks for it. */
export const CONFIRM_FIELD = 'confirm_path';

/** What deleting a group or project deletes with it and what stays, in full sentences with the counts. */
export function DeletionSummary({ what, impact }: { what: TreeKind; impact: DeletionImpact }) {
  return (
    <>
      {what === 'group' ? (
        <p>
          This permanently deletes the group with its {plural(impact.subgroups, 'subgroup')} and{' '}
          {plural(impact.projects, 'project')}. Nothing that inherited its integration settings is left: everything
          below it is deleted with it.
        </p>
      ) : (
        <p>This permanently deletes the project. No other group or project inherits settings from a project.</p>
      )}
      <ul>
        <li>
          {plural(impact.settings, 'integration setting')}{' '}
          {what === 'group' ? 'of the group, its subgroups and projects' : 'of the project'} (custom settings and
          enforced values) {are(impact.settings)} deleted, and so is the integration health counted against{' '}
          {what === 'group' ? 'them' : 'it'}.
        </li>
        <li>
          {plural(impact.memberships, 'membership')} {are(impact.memberships)} removed; the users themselves stay.
        </li>
        <li>
          {plural(impact.deliveries, 'recent delivery', 'recent deliveries')}
          {what === 'group' ? ' of its projects' : ''} {are(impact.deliveries)} deleted with their attempts.
        </li>
        <li>The audit events stay in the Admin Area's audit trail.</li>
      </ul>
      <p>
        <strong>This cannot be undone.</strong>
      </p>
    </>
  );
}

function ConfirmPathField({ item, error }: { item: Group | Project; error?: string | undefined }) {
  return (
    <TextField
      name={CONFIRM_FIELD}
      label={`Enter the following to confirm: ${item.fullPath}`}
      error={error}
      autocomplete="off"
    />
  );
}

interface GeneralSettingsProps {
  what: TreeKind;
  item: Group | Project;
  /** "/groups/platform" or "/platform/api": the item's pages start there. */
  base: string;
  /** The URL of the level above, which a new path is appended to. */
  parentUrl: string;
  values: FormValues;
  errors: FieldErrors;
  impact: DeletionImpact;
  marks: HostMarks;
}

export function GeneralSettingsPage({
  what,
  item,
  base,
  parentUrl,
  values,
  errors,
  impact,
  marks,
}: GeneralSettingsProps) {
  const Kind = capitalized(what);
  const field = (name: 'name' | 'path' | 'description') => lastValue(values[name]) ?? item[name];
  return (
    <>
      <h1>General settings</h1>
      {!editableHere(item) ? (
        <ManagedOnHost item={item} marks={marks} what={what} errors={errors} />
      ) : (
        <>
          <ErrorSummary errors={errors} />
          <section class="card" aria-labelledby="naming-title">
            <h2 id="naming-title">Naming</h2>
            <p class="muted">Update your {what} name and description.</p>
            <form method="post" action={`${base}/-/edit`} class="form">
              <TextField
                name="name"
                label={`${Kind} name`}
                value={field('name')}
                error={errors.name}
                required
                maxlength={255}
                autocomplete="off"
              />
              <TextAreaField
                name="description"
                label={`${Kind} description (optional)`}
                value={field('description')}
                error={errors.description}
              />
              <div class="form-actions">
                <button type="submit" class="button button-primary">
                  Save changes
                </button>
              </div>
            </form>
          </section>
          <section class="card" aria-labelledby="path-title">
            <h2 id="path-title">{what === 'group' ? 'Change group URL' : 'Change path'}</h2>
            <p class="muted">
              Changing the {what}'s URL can have unintended side effects: links and bookmarks to its old URL stop
              working.
              {what === 'group' && ' The URLs of its subgroups and projects change with it.'} Its integration settings,
              inherited or its own, stay as they are.
            </p>
            <form method="post" action={`${base}/-/edit`} class="form">
              <TextField
                name="path"
                label={what === 'group' ? 'Group URL' : 'Path'}
                value={field('path')}
                error={errors.path}
                required
                maxlength={255}
                autocomplete="off"
                help={`${parentUrl}/… Letters, digits, '_', '-' and '.'.`}
              />
              <div class="form-actions">
                <button type="submit" class="button">
                  {what === 'group' ? 'Change group URL' : 'Change path'}
                </button>
              </div>
            </form>
          </section>
          <section class="card danger-zone" aria-labelledby="delete-title">
            <h2 id="delete-title">Delete {what}</h2>
            <DeletionSummary what={what} impact={impact} />
            <form method="post" action={`${base}/-/delete`} data-confirm-dialog="confirm-delete">
              <button type="submit" class="button button-danger">
                Delete {what}
              </button>
              <ConfirmDialog
                id="confirm-delete"
                title={`Delete ${item.fullPath}?`}
                confirmLabel={`Yes, delete ${what}`}
                danger
              >
                <DeletionSummary what={what} impact={impact} />
                <ConfirmPathField item={item} />
              </ConfirmDialog>
            </form>
          </section>
        </>
      )}
    </>
  );
}

interface DeleteConfirmProps {
  what: TreeKind;
  item: Group | Project;
  base: string;
  impact: DeletionImpact;
  error?: string | undefined;
}

/** The confirmation without JavaScript, and after a wrong path was typed. */
export function DeleteConfirmPage({ what, item, base, impact, error }: DeleteConfirmProps) {
  return (
    <ConfirmPage
      title={`Delete ${item.fullPath}?`}
      action={`${base}/-/delete`}
      hidden={{}}
      fields={
        <>
          <ErrorSummary errors={error ? { [CONFIRM_FIELD]: error } : {}} />
          <ConfirmPathField item={item} error={error} />
        </>
      }
      confirmLabel={`Yes, delete ${what}`}
      danger
      cancelHref={`${base}/-/edit`}
    >
      <DeletionSummary what={what} impact={impact} />
    </ConfirmPage>
  );
}
