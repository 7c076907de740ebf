/**
 * @module views/components/password-fields
 * "New password" and "Password confirmation", as every form that sets a password shows them:
 * User settings › Password, the administrator's reset, and the reset by a mailed link.
 */
import { MIN_PASSWORD_LENGTH } from '../../src/config.js';
import type { FieldErrors } from '../../src/validation.js';
import { TextField } from './form.js';

export function NewPasswordFields({ errors, help }: { errors: FieldErrors; help?: string }) {
  return (
    <>
      <TextField
        name="new_password"
        label="New password"
        type="password"
        error={errors.new_password}
        required
        autocomplete="new-password"
        help={help ?? `At least ${MIN_PASSWORD_LENGTH} characters.`}
        maxlength={128}
      />
      <TextField
        name="password_confirmation"
        label="Password confirmation"
        type="password"
        error={errors.password_confirmation}
        required
        autocomplete="new-password"
        maxlength={128}
      />
    </>
  );
}
