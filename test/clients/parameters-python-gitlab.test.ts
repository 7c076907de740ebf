/**
 * python-gitlab (Debian's python3-gitlab, run by /usr/bin/python3), unmodified, against a live
 * Cascade: every parameter GitLab documents for Slack, Jira, Microsoft Teams, Pipeline status
 * emails and Datadog is saved at project, group and instance level and read back with the client,
 * value by value with GitLab's JSON types; secrets are taken and never read back. The table is
 * the HTTP test's (test/support/integration-parameters.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENTED, readBack, sentValues } from '../support/integration-parameters.js';
import { pythonSteps, startClientServer, type ClientServer } from './support.js';

const GROUP_PATH = 'top';

let cascade: ClientServer;

beforeAll(async () => {
  cascade = await startClientServer();
});

afterAll(async () => {
  await cascade?.close();
});

type Level = 'project' | 'group' | 'instance';

const steps = pythonSteps('parameters_python_client.py', () => cascade, { GROUP_PATH });

/** Saves (the values as JSON on stdin) or disables one type at one level with python-gitlab. */
const python = (step: 'save' | 'disable', level: Level, slug: string, input = '') =>
  steps(step, { args: [level, slug], input });

describe.each<Level>(['project', 'group', 'instance'])(
  'python-gitlab: every documented parameter at the %s level',
  (level) => {
    it.each(Object.keys(DOCUMENTED))('%s: saved with the client, each one reads back with its type', async (slug) => {
      const read = await python('save', level, slug, JSON.stringify(sentValues(slug)));
      const { shown, expected, leakedSecrets } = readBack(slug, read);
      expect(shown).toStrictEqual(expected);
      expect(leakedSecrets).toEqual([]);
    });

    it('disables Datadog with a DELETE: it reads back inactive, its own, with its settings reset', async () => {
      const read = await python('disable', level, 'datadog');
      expect(read).toMatchObject({ active: false, inherited: false });
      expect(read.properties).toMatchObject({ datadog_env: null, datadog_service: null });
    });
  },
);
