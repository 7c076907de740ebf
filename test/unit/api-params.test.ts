/**
 * The API's PUT parameters as the submission the settings service saves: GitLab's conventions
 * (no version, saving turns an integration on, unknown parameters are ignored) and Cascade's
 * inherited_fields. How the service turns the integration on (unless sent, inherited or enforced)
 * is tested with the service, in service.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BadRequest } from '../../src/errors.js';
import { slack } from '../../src/integrations/catalog/slack.js';
import { pageRequest, settingsSubmissionOfParams } from '../../src/routes/api/params.js';

describe('settingsSubmissionOfParams', () => {
  it('writes JSON values as the form would send them, makes no version, and asks to turn the integration on', () => {
    expect(
      settingsSubmissionOfParams(
        slack,
        { webhook: 'https://hooks.slack.com/x', notify_only_broken_pipelines: false, push_events: true, channel: null },
        'project',
      ),
    ).toEqual({
      mode: 'custom',
      values: {
        webhook: 'https://hooks.slack.com/x',
        notify_only_broken_pipelines: 'false',
        push_events: 'true',
        channel: '',
      },
      inherited: [],
      activates: true,
    });
  });

  it('keeps an explicit active', () => {
    expect(settingsSubmissionOfParams(slack, { active: false }, 'project').values.active).toBe('false');
  });

  it('ignores parameters that are not settings of the type, and events of other levels', () => {
    const submission = settingsSubmissionOfParams(
      slack,
      { id: 7, title: 'x', properties: {}, group_mention_events: true, password: 'p' },
      'project',
    );
    expect(submission.values).toEqual({});
  });

  it('reads inherited_fields as an array, a comma list or the form-encoded []; their values are not sent', () => {
    for (const params of [
      { inherited_fields: ['webhook', 'channel'] },
      { inherited_fields: 'webhook, channel' },
      { 'inherited_fields[]': ['webhook', 'channel'] },
    ]) {
      const submission = settingsSubmissionOfParams(
        slack,
        { ...params, channel: '#ignored', username: 'bot' },
        'project',
      );
      expect(submission.inherited).toEqual(['webhook', 'channel']);
      expect(submission.values).not.toHaveProperty('channel');
      expect(submission.values.username).toBe('bot');
    }
  });

  it('picks the inherited settings with use_inherited_settings', () => {
    expect(settingsSubmissionOfParams(slack, { use_inherited_settings: 'true' }, 'project').mode).toBe('inherit');
    expect(settingsSubmissionOfParams(slack, { use_inherited_settings: false }, 'project').mode).toBe('custom');
  });

  it('refuses values of the wrong kind and unknown inherited fields', () => {
    expect(() => settingsSubmissionOfParams(slack, { channel: { name: '#x' } }, 'project')).toThrow(
      new BadRequest('channel is invalid'),
    );
    expect(() => settingsSubmissionOfParams(slack, { inherited_fields: ['nope'] }, 'project')).toThrow(
      new BadRequest('inherited_fields does not have a valid value: nope'),
    );
    expect(() => settingsSubmissionOfParams(slack, { use_inherited_settings: true }, 'instance')).toThrow(BadRequest);
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
