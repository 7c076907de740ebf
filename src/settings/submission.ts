/**
 * @module settings/submission
 * A change to one level's settings of one type as the pages and the API submit it: typed, with
 * nothing left of the form or the parameters it was read from.
 */
import { z } from 'zod';

/**
 * The schema of a {@link SettingsSubmission}; the confirmation step reads a sealed one back with it.
 *
 * @example
 * settingsSubmissionSchema.parse({ mode: 'custom', values: { channel: '#ops' }, inherited: ['webhook'], expectedVersion: 3 })
 */
export const settingsSubmissionSchema = z.object({
  /** "inherit": the level takes the settings of the level above; "custom": its own, from `values`. */
  mode: z.enum(['inherit', 'custom']),
  /**
   * Submitted values by setting key (fields, 'active', event keys) as the user typed them; keys
   * left out keep their current value. A key sent several times (a checkbox after its hidden
   * "0") keeps every value, and the last one counts.
   */
  values: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  /** Keys taken from the level above (custom mode, per-field inheritance). */
  inherited: z.array(z.string()),
  /** The version of the level's own settings this was made against (0: none); undefined = last write wins (the API). */
  expectedVersion: z.number().int().nonnegative().optional(),
  /** Turn the integration on unless `values` sets Enabled, it is inherited, or a level above enforces it: GitLab's API saves so. */
  activates: z.boolean().optional(),
});

/**
 * @example
 * const submission: SettingsSubmission = { mode: 'inherit', values: {}, inherited: [], expectedVersion: 2 }
 */
export type SettingsSubmission = z.infer<typeof settingsSubmissionSchema>;

/** Which settings a level uses: those of the level above, or its own. */
export type SettingsMode = SettingsSubmission['mode'];
