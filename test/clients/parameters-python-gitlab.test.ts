/**
 * python-gitlab (Debian's python3-gitlab, run by /usr/bin/python3), unmodified, against a live
 * Cascade: every parameter GitLab documents for Slack, Jira, Microsoft Teams, Pipeline status
 * emails and Datadog is saved at project, group and instance level and read back with the client,
 * value by value with GitLab's JSON types; secrets are taken and never read back. The table is
 * the HTTP test's (test/support/integration-parameters.ts).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENTED, readBack, sentValues } from '../support/integration-parameters.js';
import { PROJECT_PATH, startClientServer, type ClientServer } from './support.js';

const PYTHON = '/usr/bin/python3';
const CLIENT = fileURLToPath(new URL('./parameters_python_client.py', import.meta.url));
const GROUP_PATH = 'top';

let cascade: ClientServer;

beforeAll(async () => {
  cascade = await startClientServer();
});

afterAll(async () => {
  await cascade?.close();
});

type Level = 'project' | 'group' | 'instance';

/** Runs one step of the Python client, with `input` on its stdin; fails (never skips) when python-gitlab is missing. */
function python(step: 'save' | 'disable', level: Level, slug: string, input = ''): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      PYTHON,
      [CLIENT, step, level, slug],
      {
        env: {
          PATH: process.env.PATH ?? '',
          CASCADE_URL: cascade.url,
          CASCADE_TOKEN: cascade.token,
          CASCADE_ADMIN_TOKEN: cascade.adminToken,
          PROJECT_PATH,
          GROUP_PATH,
        },
        timeout: 20_000,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(`python-gitlab "${step} ${level} ${slug}" failed (apt-get install python3-gitlab):\n${stderr}`, {
              cause: error,
            }),
          );
          return;
        }
        resolve(JSON.parse(stdout) as Record<string, unknown>);
      },
    );
    child.stdin?.end(input);
  });
}

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
