/**
 * The API's PUT parameters as the submission the settings service saves: GitLab's conventions
 * (no version, saving turns an integration on, unknown parameters are ignored) and Cascade's
 * inherited_fields. How the service turns the integration on (unless sent, inherited or enforced)
 * is tested with the service, in service.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BadRequest } from '../../src/errors.js';
import { datadog } from '../../src/integrations/catalog/datadog.js';
import { jira } from '../../src/integrations/catalog/jira.js';
import { pipelinesEmail } from '../../src/integrations/catalog/pipelines-email.js';
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

describe("settingsSubmissionOfParams and GitLab's other parameter names", () => {
  it('turns the deprecated notify_only_default_branch into branches_to_be_notified: true is default, false all', () => {
    expect(settingsSubmissionOfParams(slack, { notify_only_default_branch: true }, 'project').values).toEqual({
      branches_to_be_notified: 'default',
    });
    expect(settingsSubmissionOfParams(pipelinesEmail, { notify_only_default_branch: 'false' }, 'group').values).toEqual(
      { branches_to_be_notified: 'all' },
    );
  });

  it('lets branches_to_be_notified win over notify_only_default_branch, and an inherited branch filter stay inherited', () => {
    expect(
      settingsSubmissionOfParams(
        slack,
        { notify_only_default_branch: true, branches_to_be_notified: 'protected' },
        'project',
      ).values,
    ).toEqual({ branches_to_be_notified: 'protected' });
    expect(
      settingsSubmissionOfParams(
        slack,
        { notify_only_default_branch: true, inherited_fields: ['branches_to_be_notified'] },
        'project',
      ).values,
    ).toEqual({});
  });

  it('refuses a deprecated or reported flag that is not yes or no; a reported one sets nothing', () => {
    expect(() => settingsSubmissionOfParams(slack, { notify_only_default_branch: 'often' }, 'project')).toThrow(
      new BadRequest('notify_only_default_branch is invalid'),
    );
    expect(() => settingsSubmissionOfParams(pipelinesEmail, { pipeline_events: 'often' }, 'project')).toThrow(
      new BadRequest('pipeline_events is invalid'),
    );
    expect(() => settingsSubmissionOfParams(datadog, { job_events: 'maybe' }, 'project')).toThrow(
      new BadRequest('job_events is invalid'),
    );
    expect(settingsSubmissionOfParams(pipelinesEmail, { pipeline_events: true }, 'project').values).toEqual({});
  });

  it('reads a list sent form-encoded as name[] (Jira project keys), as an array or as a comma list', () => {
    for (const params of [
      { 'project_keys[]': ['PROJ', 'OPS'] },
      { project_keys: ['PROJ', 'OPS'] },
      { project_keys: 'PROJ,OPS' },
    ]) {
      expect(settingsSubmissionOfParams(jira, params, 'project').values).toEqual({ project_keys: 'PROJ,OPS' });
    }
    expect(settingsSubmissionOfParams(jira, { jira_auth_type: 1 }, 'project').values).toEqual({ jira_auth_type: '1' });
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
