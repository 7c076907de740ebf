/**
 * The one rule for yes/no values: GitLab's (Grape's Boolean, dry-types' Params::Bool), for the
 * pages, the API and the environment alike.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { booleanField, parseBoolean } from '../../src/boolean.js';

describe('parseBoolean', () => {
  it.each(['1', 't', 'T', 'true', 'True', 'TRUE', 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', true, 1])(
    'reads %o as yes',
    (value) => {
      expect(parseBoolean(value)).toBe(true);
    },
  );

  it.each(['0', 'f', 'F', 'false', 'False', 'FALSE', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', false, 0, ''])(
    'reads %o as no',
    (value) => {
      expect(parseBoolean(value)).toBe(false);
    },
  );

  it.each(['maybe', 'tRuE', ' true', 'yes please', '2', 2, null, undefined, ['1'], { value: true }])(
    'refuses %o, as GitLab does',
    (value) => {
      expect(parseBoolean(value)).toBeUndefined();
    },
  );
});

describe('booleanField', () => {
  it('parses into a boolean, or gives the field its message', () => {
    const schema = z.object({ is_admin: booleanField('Administrator must be yes or no') });
    expect(schema.parse({ is_admin: 'yes' })).toEqual({ is_admin: true });
    expect(schema.safeParse({ is_admin: 'maybe' }).error?.issues).toMatchObject([
      { path: ['is_admin'], message: 'Administrator must be yes or no' },
    ]);
  });
});
