/**
 * @module views/components/form
 * The one way forms show fields and their errors: a label for every input, the message next
 * to its field, and a summary on top that links to each field.
 */
import type { Child } from 'hono/jsx';
import type { FieldErrors } from '../../src/validation.js';

export type FormValues = Record<string, string | string[] | undefined>;

export const fieldId = (name: string) => `field-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

export function ErrorSummary({ errors }: { errors: FieldErrors }) {
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1}>
      <h2>{entries.length === 1 ? 'The form has 1 error' : `The form has ${entries.length} errors`}</h2>
      <ul>
        {entries.map(([name, message]) => (
          <li>{name === '_form' ? message : <a href={`#${fieldId(name)}`}>{message}</a>}</li>
        ))}
      </ul>
    </div>
  );
}

interface FieldShellProps {
  name: string;
  label: string;
  error?: string | undefined;
  help?: Child;
  required?: boolean | undefined;
  /** A control of this field on the label's line (the per-field "Inherit <label>"). */
  aside?: Child;
  children: Child;
}

/** Label, input (the child), help and error, wired together with ids for screen readers. */
export function FieldShell({ name, label, error, help, required, aside, children }: FieldShellProps) {
  const id = fieldId(name);
  const labelElement = (
    <label for={id}>
      {label}
      {required && <span class="required-mark"> (required)</span>}
    </label>
  );
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      {aside ? (
        <div class="field-label-row">
          {labelElement}
          {aside}
        </div>
      ) : (
        labelElement
      )}
      {children}
      {help && (
        <p class="field-help" id={`${id}-help`}>
          {help}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function describedBy(name: string, error?: string, help?: unknown): string | undefined {
  const id = fieldId(name);
  const ids = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

interface TextFieldProps {
  name: string;
  label: string;
  value?: string | undefined;
  error?: string | undefined;
  help?: Child;
  type?: 'text' | 'email' | 'password' | 'url' | 'number' | 'search' | 'date';
  required?: boolean;
  /** Bounds of a `date` (or `number`) input. */
  min?: string;
  max?: string;
  autocomplete?: string;
  placeholder?: string | undefined;
  maxlength?: number;
  autofocus?: boolean;
  disabled?: boolean;
}

export function TextField(props: TextFieldProps) {
  const {
    name,
    label,
    value,
    error,
    help,
    type = 'text',
    required,
    autocomplete,
    placeholder,
    maxlength,
    autofocus,
    disabled,
    min,
    max,
  } = props;
  return (
    <FieldShell name={name} label={label} error={error} help={help} required={required}>
      <input
        id={fieldId(name)}
        name={name}
        type={type}
        value={type === 'password' ? undefined : value}
        required={required}
        autocomplete={autocomplete}
        placeholder={placeholder}
        maxlength={maxlength}
        min={min}
        max={max}
        autofocus={autofocus}
        disabled={disabled}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(name, error, help)}
      />
    </FieldShell>
  );
}

interface SelectFieldProps {
  name: string;
  label: string;
  value?: string | undefined;
  error?: string | undefined;
  help?: Child;
  required?: boolean;
  options: { value: string; label: string }[];
}

export function SelectField({ name, label, value, error, help, required, options }: SelectFieldProps) {
  return (
    <FieldShell name={name} label={label} error={error} help={help} required={required}>
      <select
        id={fieldId(name)}
        name={name}
        required={required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(name, error, help)}
      >
        {options.map((option) => (
          <option value={option.value} selected={option.value === value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

export function TextAreaField({ name, label, value, error, help, required }: Omit<TextFieldProps, 'type'>) {
  return (
    <FieldShell name={name} label={label} error={error} help={help} required={required}>
      <textarea
        id={fieldId(name)}
        name={name}
        rows={3}
        required={required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(name, error, help)}
      >
        {value ?? ''}
      </textarea>
    </FieldShell>
  );
}

interface CheckboxFieldProps {
  name: string;
  label: Child;
  checked: boolean;
  error?: string | undefined;
  help?: Child;
  disabled?: boolean;
  /** A control of this field on the box's line (the per-field "Inherit <label>"). */
  aside?: Child;
}

/** A checkbox that always submits a value: the hidden "0" is sent when the box is unchecked. */
export function CheckboxField({ name, label, checked, error, help, disabled, aside }: CheckboxFieldProps) {
  const id = fieldId(name);
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <div class="checkbox">
        {!disabled && <input type="hidden" name={name} value="0" />}
        <input
          id={id}
          type="checkbox"
          name={name}
          value="1"
          checked={checked}
          disabled={disabled}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy(name, error, help)}
        />
        <label for={id}>{label}</label>
        {aside}
      </div>
      {help && (
        <p class="field-help" id={`${id}-help`}>
          {help}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

interface CheckboxOption {
  value: string;
  label: string;
  help?: string;
}

interface CheckboxGroupProps {
  name: string;
  legend: string;
  options: CheckboxOption[];
  /** More options, in fieldsets of their own inside the group (the sections of a form). */
  sections?: { legend: string; options: CheckboxOption[] }[];
  checked: readonly string[];
  error?: string | undefined;
}

/** Several values of one field (`scopes=api&scopes=read_api`), with the error under the legend. */
export function CheckboxGroup({ name, legend, options, sections = [], checked, error }: CheckboxGroupProps) {
  const id = fieldId(name);
  const box = (option: CheckboxOption) => {
    const optionId = `${id}-${option.value}`;
    return (
      <>
        <div class="checkbox">
          <input
            id={optionId}
            type="checkbox"
            name={name}
            value={option.value}
            checked={checked.includes(option.value)}
            aria-describedby={option.help ? `${optionId}-help` : undefined}
          />
          <label for={optionId}>{option.label}</label>
        </div>
        {option.help && (
          <p class="field-help" id={`${optionId}-help`}>
            {option.help}
          </p>
        )}
      </>
    );
  };
  return (
    <fieldset
      id={id}
      class={error ? 'field field-invalid' : 'field'}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <legend>{legend}</legend>
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
      {options.map(box)}
      {sections.map((section) => (
        <fieldset class="checkbox-section">
          <legend>{section.legend}</legend>
          {section.options.map(box)}
        </fieldset>
      ))}
    </fieldset>
  );
}
