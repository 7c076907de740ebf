/**
 * The API's PUT parameters as the settings form the pages submit: GitLab's conventions (saving
 * turns an integration on, unknown parameters are ignored) and Cascade's inherited_fields.
 */
import { describe, expect, it } from 'vitest';
import { BadRequest } from '../../src/errors.js';
import { slack } from '../../src/integrations/catalog/slack.js';
import { pageRequest, settingsFormOf } from '../../src/routes/api/params.js';

const context = { level: 'project' as const, version: 3, enforced: new Set<string>() };

describe('settingsFormOf', () => {
  it('writes JSON values as the form would send them, and turns the integration on', () => {
    expect(
      settingsFormOf(
        slack,
        { webhook: 'https://hooks.slack.com/x', notify_only_broken_pipelines: false, push_events: true, channel: null },
        context,
      ),
    ).toEqual({
      _version: '3',
      inheritance: 'custom',
      webhook: 'https://hooks.slack.com/x',
      notify_only_broken_pipelines: 'false',
      push_events: 'true',
      channel: '',
      active: '1',
    });
  });

  it('keeps an explicit active, and leaves active alone when a level above enforces it', () => {
    expect(settingsFormOf(slack, { active: false }, context).active).toBe('false');
    expect(settingsFormOf(slack, {}, { ...context, enforced: new Set(['active']) })).not.toHaveProperty('active');
  });

  it('ignores parameters that are not settings of the type, and events of other levels', () => {
    const form = settingsFormOf(
      slack,
      { id: 7, title: 'x', properties: {}, group_mention_events: true, password: 'p' },
      context,
    );
    expect(Object.keys(form).sort()).toEqual(['_version', 'active', 'inheritance']);
  });

  it('reads inherited_fields as an array, a comma list or the form-encoded []; their values are not sent', () => {
    for (const params of [
      { inherited_fields: ['webhook', 'channel'] },
      { inherited_fields: 'webhook, channel' },
      { 'inherited_fields[]': ['webhook', 'channel'] },
    ]) {
      const form = settingsFormOf(slack, { ...params, channel: '#ignored', username: 'bot' }, context);
      expect(form._inherit).toEqual(['webhook', 'channel']);
      expect(form).not.toHaveProperty('channel');
      expect(form.username).toBe('bot');
    }
  });

  it('picks the inherited settings with use_inherited_settings', () => {
    expect(settingsFormOf(slack, { use_inherited_settings: 'true' }, context).inheritance).toBe('inherit');
    expect(settingsFormOf(slack, { use_inherited_settings: false }, context).inheritance).toBe('custom');
  });

  it('refuses values of the wrong kind and unknown inherited fields', () => {
    expect(() => settingsFormOf(slack, { channel: { name: '#x' } }, context)).toThrow(
      new BadRequest('channel is invalid'),
    );
    expect(() => settingsFormOf(slack, { inherited_fields: ['nope'] }, context)).toThrow(
      new BadRequest('inherited_fields does not have a valid value: nope'),
    );
    expect(() => settingsFormOf(slack, { use_inherited_settings: true }, { ...context, level: 'instance' })).toThrow(
      BadRequest,
    );
  });
});

describe('pageRequest', () => {
  it('reads page and per_page as GitLab does: from 1, 20 by default, at most 100', () => {
    expect(pageRequest({})).toEqual({ page: 1, perPage: 20 });
    expect(pageRequest({ page: '3', per_page: '500' })).toEqual({ page: 3, perPage: 100 });
    expect(pageRequest({ page: '0', per_page: '-5' })).toEqual({ page: 1, perPage: 1 });
    expect(() => pageRequest({ page: 'two' })).toThrow(new BadRequest('page is invalid'));
  });
});
