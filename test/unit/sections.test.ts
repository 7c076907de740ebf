/**
 * GitLab's sections of the settings form: every field of every type in exactly one, in GitLab's
 * order, with a title, a help line and the type's documentation.
 */
import { describe, expect, it } from 'vitest';
import { findIntegrationType, integrationTypes } from '../../src/integrations/index.js';
import { formSections } from '../../src/integrations/sections.js';

const slack = findIntegrationType('slack')!;
const names = (section: { fields: readonly { name: string }[] }) => section.fields.map((field) => field.name);

describe('formSections', () => {
  it("groups Slack's form as GitLab does: Connection details, Trigger, Notification settings", () => {
    const [connection, trigger, configuration] = formSections(slack, 'project');
    expect([connection!.title, trigger!.title, configuration!.title]).toEqual([
      'Connection details',
      'Trigger',
      'Notification settings',
    ]);
    expect(names(connection!)).toEqual(['webhook', 'username']);
    expect(connection!.keys).toEqual(['active', 'webhook', 'username']);
    expect(trigger!.help).toBe('An event will be triggered when one of the following items happen.');
    expect(trigger!.events.map((event) => event.name)).toContain('push_events');
    expect(names(trigger!)).toContain('push_channel');
    expect(names(configuration!)).toEqual([
      'notify_only_broken_pipelines',
      'notify_only_when_pipeline_status_changes',
      'branches_to_be_notified',
      'channel',
      'labels_to_be_notified',
      'labels_to_be_notified_behavior',
    ]);
    expect(configuration!.help).toBe('Configure the scope of notifications.');
  });

  it('offers the group-only events in the Trigger section of groups only', () => {
    const eventsAt = (level: 'group' | 'project') =>
      formSections(slack, level)
        .find((section) => section.kind === 'trigger')!
        .events.map((event) => event.name);
    expect(eventsAt('group')).toContain('group_mention_events');
    expect(eventsAt('project')).not.toContain('group_mention_events');
  });

  it("takes a type's own titles where the category's do not fit", () => {
    expect(formSections(findIntegrationType('datadog')!, 'project').map((section) => section.title)).toEqual([
      'Datadog account',
      'CI Visibility',
    ]);
  });

  it('shows every key of every type once, each type linking its documentation', () => {
    for (const type of integrationTypes) {
      for (const level of type.levels) {
        const keys = formSections(type, level).flatMap((section) => section.keys);
        const offered = type.events.filter((event) => !event.levels || event.levels.includes(level));
        const expected = [
          'active',
          ...offered.map((event) => event.name),
          ...type.fields
            .filter((field) => !field.event || offered.some((event) => event.name === field.event))
            .map((field) => field.name),
        ];
        expect(keys.toSorted(), `${type.slug} at ${level}`).toEqual(expected.toSorted());
      }
      expect(type.docsUrl, type.slug).toMatch(/^https:\/\/docs\.gitlab\.com\//);
    }
  });
});
