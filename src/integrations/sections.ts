/**
 * @module integrations/sections
 * GitLab's sections of an integration's settings form: Connection details, Trigger, and how it
 * works (Notification settings for the types that notify). A field says which section it
 * belongs to; the events offered at a level and their channels make the Trigger section.
 */
import type { Category, Field, IntegrationDefinition, Level, SectionKind, TriggerEvent } from './types.js';

export interface FormSection {
  kind: SectionKind;
  title: string;
  /** One line on what the section holds. */
  help: string;
  /** Connection details also hold the Enabled toggle; Trigger holds each event's own channel. */
  fields: Field[];
  /** Trigger only: the events offered at the level. */
  events: TriggerEvent[];
  /** The setting keys shown in the section (`active`, field and event names), to say where they come from. */
  keys: string[];
}

const NOTIFYING: readonly Category[] = ['chat', 'email', 'notification'];

/** GitLab's titles and help lines (`Integrations|Trigger`...), and Cascade's where GitLab has none. */
function defaultText(category: Category): Record<SectionKind, { title: string; help: string }> {
  const notifies = NOTIFYING.includes(category);
  return {
    connection: {
      title: 'Connection details',
      help: notifies
        ? 'Where Cascade sends the notifications, and the credentials it uses.'
        : 'Where Cascade connects to, and the credentials it uses.',
    },
    trigger: { title: 'Trigger', help: 'An event will be triggered when one of the following items happen.' },
    configuration: notifies
      ? { title: 'Notification settings', help: 'Configure the scope of notifications.' }
      : { title: 'Configuration', help: 'Optional settings for how the integration works.' },
  };
}

const ORDER: readonly SectionKind[] = ['connection', 'trigger', 'configuration'];

const sectionOf = (field: Field): SectionKind => (field.event ? 'trigger' : (field.section ?? 'connection'));

/**
 * The sections of a type's form at a level, in GitLab's order; Connection details always (it
 * holds Enabled), the others only when they hold something.
 *
 * @example
 * formSections(slack, 'project').map((section) => section.title)
 * // ['Connection details', 'Trigger', 'Notification settings']
 */
export function formSections(type: IntegrationDefinition, level: Level): FormSection[] {
  const events = type.events.filter((event) => !event.levels || event.levels.includes(level));
  const offered = new Set(events.map((event) => event.name));
  const text = defaultText(type.category);
  return ORDER.map((kind) => {
    const fields = type.fields.filter(
      (field) => sectionOf(field) === kind && (!field.event || offered.has(field.event)),
    );
    const sectionEvents = kind === 'trigger' ? events : [];
    const keys = [
      ...(kind === 'connection' ? ['active'] : []),
      ...sectionEvents.map((event) => event.name),
      ...fields.map((field) => field.name),
    ];
    return { kind, ...text[kind], ...type.sections?.[kind], fields, events: sectionEvents, keys };
  }).filter((section) => section.keys.length > 0);
}
