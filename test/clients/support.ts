/**
 * Client test support: a real Cascade server on a free local port (the browser tests' server),
 * with a project "top/sub/app", its maintainer with a personal access token, an administrator's
 * token for changing the tree, and an instance Slack default it can inherit. The clients under test talk to it over HTTP; their results are
 * checked on the project's integration page, as a user would see them.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROLES } from '../../src/auth/permissions.js';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.js';
import { members, type User } from '../../src/db/schema.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { createUser, findUserByUsername } from '../../src/model/users.js';
import { apiToken } from '../support/api.js';
import { controlOf, shownValueOf } from '../support/app.js';
import { must } from '../support/world.js';
import { ROOT, startServer, type RunningServer } from '../browser/support.js';
import { writeConnection } from '../../src/db/client.js';

export const PROJECT_PATH = 'top/sub/app';
export const INSTANCE_CHANNEL = '#company';

export interface ClientServer {
  server: RunningServer;
  /** "http://127.0.0.1:<port>" */
  url: string;
  projectId: number;
  /** The maintainer's token (scope api), as copied from the token page. */
  token: string;
  /** The administrator's token (scope api): the tree and its members are the administrators' to change. */
  adminToken: string;
  /** The maintainer's user id, to add them as a member elsewhere. */
  maintainerId: number;
  /** What the project's Slack page shows: which settings it uses and the values in the form. */
  slackPage(): Promise<{
    inheritance: 'inherit' | 'custom' | null;
    channel: string | undefined;
    username: string | undefined;
    status: number;
  }>;
  close(): Promise<void>;
}

/** A field's value: its input's in custom settings, the text shown for it while the project inherits. */
const valueOf = (html: string, name: string) =>
  /\bvalue="([^"]*)"/.exec(controlOf(html, name) ?? '')?.[1] ?? shownValueOf(html, name);

export async function startClientServer(): Promise<ClientServer> {
  const server = await startServer();
  const { db, origin } = server;
  const top = must(await createGroup(db, { name: 'Top', path: 'top' }));
  const sub = must(await createGroup(db, { name: 'Sub', path: 'sub' }, top));
  const project = must(await createProject(db, { name: 'App', path: 'app' }, sub));
  // More projects than a page holds, for the clients' pagination.
  const others = [
    must(await createProject(db, { name: 'Web', path: 'web' }, sub)),
    must(await createProject(db, { name: 'Worker', path: 'worker' }, sub)),
  ];
  const maintainer: User = must(
    await createUser(db, {
      name: 'Mia Maintainer',
      username: 'mia',
      email: 'mia@example.com',
      password: 'mia-password-123',
    }),
  );
  await writeConnection(db)
    .insert(members)
    .values(
      [project, ...others].map((each) => ({
        userId: maintainer.id,
        projectId: each.id,
        accessLevel: ROLES.maintainer,
      })),
    );
  const root = (await findUserByUsername(db, ROOT.username))!;

  const instanceDefault = await fetch(`${origin}/api/v4/admin/application_settings/integrations/slack`, {
    method: 'PUT',
    headers: { 'private-token': await apiToken(db, root), 'content-type': 'application/json' },
    body: JSON.stringify({
      webhook: 'https://hooks.slack.com/services/T0/B0/COMPANY',
      channel: INSTANCE_CHANNEL,
      username: 'company-bot',
    }),
  });
  if (instanceDefault.status !== 200)
    throw new Error(`Could not save the instance default: ${instanceDefault.status} ${await instanceDefault.text()}`);

  const cookie = `${SESSION_COOKIE}=${await createSession(db, maintainer.id)}`;
  return {
    server,
    url: origin,
    projectId: project.id,
    token: await apiToken(db, maintainer),
    adminToken: await apiToken(db, root),
    maintainerId: maintainer.id,
    async slackPage() {
      const response = await fetch(`${origin}/${PROJECT_PATH}/-/settings/integrations/slack`, { headers: { cookie } });
      const html = await response.text();
      const inheritance = /<option value="(inherit|custom)" selected/.exec(html)?.[1] as
        'inherit' | 'custom' | undefined;
      return {
        status: response.status,
        inheritance: inheritance ?? null,
        channel: valueOf(html, 'channel'),
        username: valueOf(html, 'username'),
      };
    },
    close: () => server.close(),
  };
}

const PYTHON = '/usr/bin/python3';

/**
 * Runs one step of a python-gitlab script in this folder against the live server (its URL, the
 * maintainer's and the administrator's tokens, the member's id, and the project's id and path are
 * in its environment, with `env`) and returns the JSON it prints. `args` follow the step on its
 * command line, `input` goes to its stdin. Fails, never skips, when python-gitlab is missing.
 *
 * @example
 * const python = pythonSteps('python_gitlab_client.py', () => cascade)
 * expect(await python('whoami')).toMatchObject({ username: 'mia' })
 */
export function pythonSteps(
  script: string,
  server: () => ClientServer,
  env: Record<string, string> = {},
): (step: string, more?: { args?: readonly string[]; input?: string }) => Promise<Record<string, unknown>> {
  const file = fileURLToPath(new URL(`./${script}`, import.meta.url));
  return (step, { args = [], input = '' } = {}) => {
    const cascade = server();
    const command = [step, ...args].join(' ');
    return new Promise((resolve, reject) => {
      const child = execFile(
        PYTHON,
        [file, step, ...args],
        {
          env: {
            PATH: process.env.PATH ?? '',
            CASCADE_URL: cascade.url,
            CASCADE_TOKEN: cascade.token,
            CASCADE_ADMIN_TOKEN: cascade.adminToken,
            MEMBER_ID: String(cascade.maintainerId),
            PROJECT_ID: String(cascade.projectId),
            PROJECT_PATH,
            ...env,
          },
          timeout: 20_000,
        },
        (error, stdout, stderr) => {
          if (!error) return resolve(JSON.parse(stdout) as Record<string, unknown>);
          reject(
            new Error(
              `python-gitlab step "${command}" of ${script} failed (install it with apt-get install python3-gitlab):\n${stderr}`,
              { cause: error },
            ),
          );
        },
      );
      child.stdin?.end(input);
    });
  };
}
