/** @module views/components/move: moving a project or a subgroup to another parent group. */
import type { Group } from '../../src/db/schema.js';
import type { FieldErrors } from '../../src/validation.js';
import { ErrorSummary, SelectField } from './form.js';

interface MoveFormProps {
  action: string;
  /** "parent_id" for groups, "group_id" for projects. */
  field: 'parent_id' | 'group_id';
  label: string;
  targets: Group[];
  /** Groups may move to the top level. */
  allowTopLevel: boolean;
  errors: FieldErrors;
  what: 'group' | 'project';
}

export function MoveForm({ action, field, label, targets, allowTopLevel, errors, what }: MoveFormProps) {
  const options = [
    ...(allowTopLevel ? [{ value: '', label: 'None (top-level group)' }] : []),
    ...targets.map((group) => ({ value: String(group.id), label: group.fullPath })),
  ];
  return (
    <section class="card" aria-labelledby="move-title" id="move-section">
      <h2 id="move-title">Move {what}</h2>
      <p class="muted">
        Its URL changes. Integration settings it inherits follow its new parent groups at once; its own custom settings
        stay as they are.
      </p>
      <ErrorSummary errors={errors} />
      <form method="post" action={action} class="form form-inline">
        <SelectField name={field} label={label} error={errors[field]} options={options} />
        <div class="form-actions">
          <button type="submit" class="button">
            Move {what}
          </button>
        </div>
      </form>
    </section>
  );
}
