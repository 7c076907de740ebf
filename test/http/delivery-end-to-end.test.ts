/**
 * A code host's hook, all the way to an integration: the receiver stores a GitLab push, the
 * dispatcher resolves the project's Slack settings as they are then, and the worker posts
 * GitLab's message to the webhook of the level that set it; Emails on push reaches the SMTP server.
 */
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { writeConnection } from '../../src/db/client.js';
import { deliveries, deliveryAttempts, hostEvents, projects } from '../../src/db/schema.js';
import { startDelivery } from '../../src/delivery/background.js';
import { MAIL_NOT_CONFIGURED } from '../../src/delivery/mail.js';
import { createPlanner } from '../../src/delivery/planner.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { parseMailFrom, parseSmtpUrl } from '../../src/mail/settings.js';
import { createTestApp, ORIGIN, post, TEST_SECRET_KEY_BASE } from '../support/app.js';
import { deliver, hostHeaders, insertConnection, insertImportedProject } from '../support/code-host-events.js';
import {
  ADMIN_INTEGRATIONS,
  allowLoopbackRequests,
  projectIntegrations,
  saveInstanceSlack,
  slackForm,
} from '../support/integrations.js';
import { receiverForFile } from '../support/receiver.js';
import { openTestDatabase } from '../support/database.js';
import { smtpReceiverForFile } from '../support/smtp.js';
import { buildWorld } from '../support/world.js';

const receiver = receiverForFile();
const smtp = smtpReceiverForFile();
const PUSH = readFileSync(new URL('../support/host-payloads/delivery-gitlab-push.json', import.meta.url), 'utf8');
const PIPELINE = readFileSync(
  new URL('../support/host-payloads/delivery-gitlab-pipeline.json', import.meta.url),
  'utf8',
);
const MERGE_REQUEST = readFileSync(
  new URL('../support/host-payloads/delivery-gitlab-merge-request.json', import.meta.url),
  'utf8',
);

/** `mailer`: as a server with SMTP_URL and MAIL_FROM sends mail; without, as one with neither. */
async function setUp(mailer?: Mailer) {
  const db = await openTestDatabase();
  const delivery = startDelivery({
    db,
    planner: createPlanner(db, TEST_SECRET_KEY_BASE, { mailHost: mailer?.targetHost }),
    mailer,
    secretKeyBase: TEST_SECRET_KEY_BASE,
    schedule: [50, 50],
    pollIntervalMs: 50,
  });
  onTestFinished(() => delivery.stop());
  const t = await createTestApp({ db, delivery });
  const world = await buildWorld(t.db);
  const admin = world.cookies.admin!;
  expect((await allowLoopbackRequests(t.app, admin)).status).toBe(303);
  const gitlab = await insertConnection(t.db, 'gitlab');
  // The documented push is to project 15 ("mike/diaspora"), on its default branch.
  const project = await insertImportedProject(t.db, gitlab, 15, 'diaspora');
  await writeConnection(t.db).update(projects).set({ defaultBranch: 'master' }).where(eq(projects.id, project.id));
  return { ...t, world, admin, gitlab, project };
}

/** A project's Jenkins form, active, with credentials. */
const jenkinsForm = (jenkinsUrl: string) => ({
  _version: '0',
  inheritance: 'custom',
  active: '1',
  jenkins_url: jenkinsUrl,
  project_name: 'diaspora-build',
  username: 'ci-user',
  password: 'jenkins-secret',
});

const smtpMailer = () =>
  createMailer(
    { smtp: parseSmtpUrl(smtp().url)!, from: parseMailFrom('cascade@example.com')! },
    { publicOrigin: ORIGIN },
  );

/** Saves the instance's Emails on push, for pushes to every branch. */
const saveInstanceEmailsOnPush = (app: Awaited<ReturnType<typeof setUp>>['app'], admin: string) =>
  post(
    app,
    `${ADMIN_INTEGRATIONS}/emails-on-push`,
    { _version: '0', active: '1', recipients: 'dev@example.com', push_events: '1', _confirmed: '1' },
    { cookie: admin },
  );

async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; !(await done()); waited += 20) {
    if (waited > 5_000) throw new Error(`Still waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function untilReceived(count: number): Promise<void> {
  for (let waited = 0; receiver().received.length < count; waited += 20) {
    if (waited > 5_000) throw new Error(`${receiver().received.length} of ${count} requests arrived`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('delivering a code host event', () => {
  it("posts GitLab's push message to the instance's Slack webhook, and records the attempt", async () => {
    const { app, db, admin, gitlab } = await setUp();
    const webhook = `${receiver().origin}/services/T000/B000/instance-secret`;
    expect((await saveInstanceSlack(app, admin, { webhook, channel: '#dev' })).status).toBe(303);
    expect((await deliver(app, gitlab.id, PUSH, hostHeaders('gitlab', 'Push Hook', PUSH))).status).toBe(201);

    await untilReceived(1);
    const [request] = receiver().received;
    expect(request!.path).toBe('/services/T000/B000/instance-secret');
    const payload = JSON.parse(new URLSearchParams(request!.body).get('payload')!) as Record<string, unknown>;
    expect(payload).toMatchObject({ channel: '#dev', username: 'cascade' });
    expect(String(payload.text)).toContain('pushed to branch');

    for (let i = 0; i < 100 && (await db.select().from(deliveryAttempts)).length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const [event] = await db.select().from(hostEvents);
    expect(event).toMatchObject({ outcome: 'dispatched' });
    const [stored] = await db.select().from(deliveries);
    expect(stored).toMatchObject({ integration: 'slack', settingsLevel: 'instance', state: 'delivered', attempts: 1 });
    // The webhook's token is sealed: no column shows it.
    expect(JSON.stringify(stored)).not.toContain('instance-secret');
    const used = JSON.parse(stored!.used) as Record<string, { value: unknown; from: unknown }>;
    expect(used.channel).toMatchObject({ value: '#dev' });
    expect(used).not.toHaveProperty('webhook');
  });

  it("sends to the project's own webhook when it uses custom settings, and not to the instance's", async () => {
    const { app, db, admin, world, gitlab, project } = await setUp();
    const instance = `${receiver().origin}/services/instance-secret`;
    const own = `${receiver().origin}/services/project-secret`;
    expect((await saveInstanceSlack(app, admin, { webhook: instance })).status).toBe(303);
    const saved = await post(
      app,
      `${projectIntegrations(project.fullPath)}/slack`,
      { ...slackForm({ webhook: own }), inheritance: 'custom', _confirmed: '1' },
      { cookie: world.cookies.admin },
    );
    expect(saved.status).toBe(303);
    expect((await deliver(app, gitlab.id, PUSH, hostHeaders('gitlab', 'Push Hook', PUSH))).status).toBe(201);

    await untilReceived(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver().received.map(({ path }) => path)).toEqual(['/services/project-secret']);
    const [stored] = await db.select().from(deliveries);
    expect(stored).toMatchObject({ settingsLevel: 'project', settingsOwnerId: project.id });
  });

  it('records why nothing was sent when no integration is active', async () => {
    const { app, db, gitlab } = await setUp();
    expect((await deliver(app, gitlab.id, PUSH, hostHeaders('gitlab', 'Push Hook', PUSH))).status).toBe(201);
    for (let i = 0; i < 100 && (await db.select().from(hostEvents))[0]?.outcome === 'received'; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await db.select().from(hostEvents))[0]).toMatchObject({
      outcome: 'dispatched',
      detail: 'No active integration',
    });
    expect(receiver().received).toEqual([]);
  });

  it("triggers the project's Jenkins build with GitLab's push hook and basic auth; the password is used, never recorded", async () => {
    const { app, db, world, gitlab, project } = await setUp();
    const saved = await post(
      app,
      `${projectIntegrations(project.fullPath)}/jenkins`,
      { ...jenkinsForm(`${receiver().origin}/ci/`), _confirmed: '1' },
      { cookie: world.cookies.admin },
    );
    expect(saved.status).toBe(303);
    expect((await deliver(app, gitlab.id, PUSH, hostHeaders('gitlab', 'Push Hook', PUSH))).status).toBe(201);

    await untilReceived(1);
    const [request] = receiver().received;
    expect(request).toMatchObject({ method: 'POST', path: '/ci/project/diaspora-build' });
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-gitlab-event': 'Push Hook',
      authorization: `Basic ${Buffer.from('ci-user:jenkins-secret').toString('base64')}`,
    });
    expect(JSON.parse(request!.body)).toEqual(JSON.parse(PUSH));
    const [stored] = await db.select().from(deliveries);
    expect(stored).toMatchObject({ integration: 'jenkins', settingsLevel: 'project', settingsOwnerId: project.id });
    expect(JSON.stringify(stored)).not.toContain('jenkins-secret');
    const used = JSON.parse(stored!.used) as Record<string, unknown>;
    expect(used).toMatchObject({
      username: { value: 'ci-user', from: { level: 'project', id: project.id } },
      push_events: { value: true },
    });
    expect(used).not.toHaveProperty('password');
  });

  it('sends Jenkins a merge request update, which only the chat notifications skip', async () => {
    const { app, world, gitlab } = await setUp();
    // The documented merge request is of project 1 ("gitlabhq/gitlab-test").
    const project = await insertImportedProject(world.db, gitlab, 1, 'gitlab-test');
    const saved = await post(
      app,
      `${projectIntegrations(project.fullPath)}/jenkins`,
      { ...jenkinsForm(`${receiver().origin}/ci`), merge_requests_events: '1', _confirmed: '1' },
      { cookie: world.cookies.admin },
    );
    expect(saved.status).toBe(303);
    const updated = JSON.parse(MERGE_REQUEST) as { object_attributes: Record<string, unknown> };
    updated.object_attributes.action = 'update';
    const body = JSON.stringify(updated);
    expect((await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'Merge Request Hook', body))).status).toBe(201);

    await untilReceived(1);
    expect(receiver().received[0]).toMatchObject({ path: '/ci/project/diaspora-build' });
    expect(receiver().received[0]!.headers).toMatchObject({ 'x-gitlab-event': 'Merge Request Hook' });
  });

  it("mails a push to the recipients of the instance's Emails on push, through the SMTP server", async () => {
    const { app, db, admin, gitlab } = await setUp(smtpMailer());
    expect((await saveInstanceEmailsOnPush(app, admin)).status).toBe(303);
    expect((await deliver(app, gitlab.id, PUSH, hostHeaders('gitlab', 'Push Hook', PUSH))).status).toBe(201);

    await until(() => smtp().received.length === 1, 'the mail');
    const { recipients, mail } = smtp().received[0]!;
    expect(recipients).toEqual(['dev@example.com']);
    expect(mail.subject).toBe('[Git][mike/diaspora][master] 4 commits: Update Catalan translation to e38cb41.');
    await until(async () => (await db.select().from(deliveryAttempts)).length === 1, 'the attempt');
    const [stored] = await db.select().from(deliveries);
    expect(stored).toMatchObject({
      integration: 'emails-on-push',
      state: 'delivered',
      targetHost: `127.0.0.1:${smtp().port}`,
    });
  });

  it("holds Pipeline status emails to GitLab's filters: a passed pipeline is not mailed when only broken ones are", async () => {
    const { app, db, admin, gitlab } = await setUp(smtpMailer());
    // The documented pipeline is of project 1 ("gitlabhq/gitlab-test"), on the branch "test".
    await insertImportedProject(db, gitlab, 1, 'gitlab-test');
    const form = {
      _version: '0',
      active: '1',
      recipients: 'ci@example.com',
      notify_only_broken_pipelines: '1',
      branches_to_be_notified: 'all',
      _confirmed: '1',
    };
    expect((await post(app, `${ADMIN_INTEGRATIONS}/pipelines-email`, form, { cookie: admin })).status).toBe(303);
    const failed = JSON.parse(PIPELINE) as { object_attributes: Record<string, unknown> };
    failed.object_attributes.status = 'failed';
    const failedBody = JSON.stringify(failed);

    expect((await deliver(app, gitlab.id, PIPELINE, hostHeaders('gitlab', 'Pipeline Hook', PIPELINE))).status).toBe(
      201,
    );
    expect((await deliver(app, gitlab.id, failedBody, hostHeaders('gitlab', 'Pipeline Hook', failedBody))).status).toBe(
      201,
    );

    await until(() => smtp().received.length === 1, 'the mail');
    expect(smtp().received[0]!.mail.subject).toMatch(/^Gitlab Test \| Failed pipeline for test \| /);
    expect(await db.select().from(deliveries)).toHaveLength(1);
  });

  it('fails the mail, saying why, on a server without SMTP_URL', async () => {
    const { app, db, admin, gitlab } = await setUp();
    expect((await saveInstanceEmailsOnPush(app, admin)).status).toBe(303);
    expect((await deliver(app, gitlab.id, PUSH, hostHeaders('gitlab', 'Push Hook', PUSH))).status).toBe(201);

    await until(async () => (await db.select().from(deliveryAttempts)).length === 1, 'the attempt');
    expect(await db.select().from(deliveries)).toMatchObject([{ integration: 'emails-on-push', state: 'failed' }]);
    expect(await db.select().from(deliveryAttempts)).toMatchObject([
      { failure: 'mail_not_configured', message: MAIL_NOT_CONFIGURED },
    ]);
    expect(smtp().received).toHaveLength(0);
  });
});
