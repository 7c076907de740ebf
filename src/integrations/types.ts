/**
 * @module integrations/types
 * The shape of the catalog: an integration type declares its fields and trigger events, and the
 * settings a level saves for it are values of those fields and events.
 */
import type { z } from 'zod';
import type { OutboundRequest } from '../outbound/request.js';

export type Level = 'instance' | 'group' | 'project';

export type Category = 'chat' | 'email' | 'issue_tracker' | 'ci' | 'monitoring' | 'wiki' | 'notification';

/**
 * How a field is entered and stored. `secret` is never shown again once saved (a blank
 * submission keeps it); `list` is a string array, entered one item per line or comma-separated.
 */
export type FieldKind = 'text' | 'url' | 'secret' | 'checkbox' | 'select' | 'number' | 'textarea' | 'list';

/** A stored value: null when a field is left blank. */
export type FieldValue = string | number | boolean | string[] | null;

/**
 * GitLab's sections of the settings form (`SECTION_TYPE_CONNECTION`, `SECTION_TYPE_TRIGGER`,
 * `SECTION_TYPE_CONFIGURATION`): where to connect, which events send, and how.
 */
export type SectionKind = 'connection' | 'trigger' | 'configuration';

/** A type's own title or help line for a section, instead of the category's. */
export interface SectionText {
  title?: string;
  help?: string;
}

export interface Choice {
  readonly value: string;
  readonly label: string;
}

/**
 * One setting of an integration type, named as in GitLab's API.
 *
 * @example
 * const room: Field = { name: 'room', label: 'Channel identifier', kind: 'text', required: true }
 */
export interface Field {
  name: string;
  label: string;
  kind: FieldKind;
  /** Enforced only when the integration is active, as in GitLab. */
  required?: boolean;
  default?: FieldValue;
  help?: string;
  placeholder?: string;
  /** The options of a `select`. */
  choices?: readonly Choice[];
  /** What a `secret` holds (a webhook URL carries its token), or that a text lists email addresses. */
  format?: 'url' | 'emails';
  /** Overrides the length cap of the kind. */
  maxLength?: number;
  /** A rule a text value must follow whenever it is set, and the message when it does not. */
  pattern?: { regex: RegExp; message: string };
  /** GitLab's ResetSecretFields: changing this field asks for every secret of the type again. */
  exposesSecrets?: true;
  /**
   * A text field that names a host: the URL requests go to when it holds `value` (Datadog's site
   * `datadoghq.com` -> `https://api.datadoghq.com`). Saving checks that URL as it checks URL fields.
   */
  yieldsUrl?: (value: string) => string;
  /** Shown beside this trigger event's toggle instead of among the fields (GitLab's per-event channels). */
  event?: string;
  /** The form section it is shown in: Connection details unless it says how, not where (GitLab's `section:`). */
  section?: 'configuration';
  /** GitLab's JSON type when it is not the kind's: Jira's `jira_auth_type` is chosen from a list but is a number. */
  apiType?: 'integer';
}

/**
 * A deprecated yes/no API parameter that sets a field instead, as GitLab still takes it:
 * `notify_only_default_branch=true` is `branches_to_be_notified=default`.
 */
export interface ParameterAlias {
  name: string;
  /** The field it sets. */
  field: string;
  /** The field's value for the parameter's. */
  write: (value: boolean) => string;
  /** The parameter's value, as GET reports it, for the field's. */
  read: (value: FieldValue | undefined) => boolean;
}

/** A trigger toggle, named as in GitLab's API (`push_events`). */
export interface TriggerEvent {
  name: string;
  label: string;
  description: string;
  default: boolean;
  /** Only these levels offer the event; every level when absent. */
  levels?: readonly Level[];
}

/** The settings of one type at one level, as a form saves them. */
export interface SettingsValues {
  active: boolean;
  fields: Record<string, FieldValue>;
  events: Record<string, boolean>;
}

/** What one integration type file declares. */
export interface IntegrationDefinition {
  /** GitLab's API path form: `microsoft-teams`. */
  slug: string;
  title: string;
  description: string;
  category: Category;
  /** The type's documentation, linked from each section of the form. */
  docsUrl?: string;
  /** Titles or help lines of the form's sections where the category's do not fit (Datadog's "CI Visibility"). */
  sections?: Partial<Record<SectionKind, SectionText>>;
  levels: readonly Level[];
  fields: readonly Field[];
  /** Empty for types with a single event or none: GitLab shows no toggles for them. */
  events: readonly TriggerEvent[];
  /**
   * GitLab's event flags of a type that has no toggles for them: what it sends, always or as its
   * fields say (`{ pipeline_events: true }` for pipeline emails). The API reports them; they cannot be set.
   */
  reportedEvents?: (fields: Readonly<Record<string, FieldValue>>) => Record<string, boolean>;
  /** Deprecated parameters the API still takes for a field. */
  parameterAliases?: readonly ParameterAlias[];
  /** Rules across fields, checked while active: field name -> message (none when fine). */
  validate?: (values: SettingsValues) => Record<string, string | undefined>;
  /** What "Test settings" sends; types without one (emails) cannot be tested. */
  testRequest?: TestRequestBuilder;
}

/** The settings to test (the form merged with inherited values and stored secrets) and the message to send. */
export interface TestContext {
  fields: Record<string, FieldValue>;
  /** "This is a test message from Cascade for the Slack notifications settings of Platform / API." */
  message: string;
}

export type TestRequestBuilder = (context: TestContext) => OutboundRequest;

export interface IntegrationType extends IntegrationDefinition {
  /** The zod schema the settings of this type are validated with. */
  schema: z.ZodType<SettingsValues>;
}
