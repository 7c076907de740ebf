/**
 * Deliveries that are mails, through a real SMTP server on loopback: Pipeline status emails
 * and Emails on push as GitLab sends them for its documented payloads and for a Gitea push,
 * their recipients and senders, and what the worker does with the server's answers.
 */
import { sql } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { rows } from '../../src/db/client.js';
import { MAIL_NOT_CONFIGURED } from '../../src/delivery/mail.js';
import { emailsOnPushMail } from '../../src/delivery/messages/emails-on-push.js';
import { pipelinesEmailMail } from '../../src/delivery/messages/pipelines-email.js';
import type { MailRequest } from '../../src/delivery/messages/request.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { parseMailFrom, parseSmtpUrl } from '../../src/mail/settings.js';
import { deliveryEventOf, deliveryPayload, exampleEvent, payload } from '../support/code-host-events.js';
import { openTestDatabase } from '../support/database.js';
import {
  attemptsOf,
  deliveryWorld,
  INSTANCE,
  queueDeliveries,
  requests,
  storedDeliveries,
  TestClock,
} from '../support/deliveries.js';
import { smtpReceiverForFile, startSmtpReceiver } from '../support/smtp.js';

const smtp = smtpReceiverForFile();
const SCHEDULE = [5_000, 300_000];
const PUBLIC_ORIGIN = 'https://cascade.example.com';

function mailerFor(url = smtp().url, publicOrigin = PUBLIC_ORIGIN): Mailer {
  const config = { smtp: parseSmtpUrl(url)!, from: parseMailFrom('Cascade <cascade@cascade.example.com>')! };
  return createMailer(config, { publicOrigin, timeoutMs: 2_000 });
}

/** Stores the mails as deliveries of one event and lets a worker send what is due; `null`: no mailer. */
async function send(mails: MailRequest[], given: Mailer | null = mailerFor()) {
  const mailer = given ?? undefined;
  const db = await openTestDatabase();
  const world = await deliveryWorld(db);
  const clock = new TestClock();
  const planned = mails.map((request) => ({
    integration: 'emails-on-push',
    settingsOwner: INSTANCE,
    request,
    used: {},
    secrets: [],
    ...(mailer ? { mailHost: mailer.targetHost } : {}),
  }));
  await queueDeliveries(db, world, planned, clock.now());
  const worker = new DeliveryWorker(db, { requests, schedule: SCHEDULE, now: clock.now, mailer });
  const sendDue = async () => {
    worker.wake();
    await worker.idle();
  };
  await sendDue();
  return { db, clock, sendDue };
}

/** The one mail that arrived. */
function arrived(): { recipients: string[]; mail: ParsedMail } {
  expect(smtp().received).toHaveLength(1);
  return smtp().received[0]!;
}

const header = (mail: ParsedMail, name: string) => mail.headers.get(name.toLowerCase());

const GITLAB_PUSH = () => deliveryEventOf('gitlab', 'Push Hook', deliveryPayload('gitlab-push'));
const GITLAB_PIPELINE = () => exampleEvent('gitlab', 'pipeline', 'Pipeline Hook');

describe('Emails on push', () => {
  it("mails GitLab's documented push with GitLab's subject, sender, headers and commits", async () => {
    const [mail] = emailsOnPushMail(GITLAB_PUSH(), { recipients: 'dev@example.com, Ops@Example.com' });
    await send([mail!]);
    const { recipients, mail: received } = arrived();
    expect(recipients).toEqual(['dev@example.com', 'ops@example.com']);
    expect(received.subject).toBe('[Git][mike/diaspora][master] 4 commits: Update Catalan translation to e38cb41.');
    expect(received.from?.value).toEqual([{ name: 'John Smith (@jsmith)', address: 'cascade@cascade.example.com' }]);
    expect(received.replyTo).toBeUndefined();
    expect(header(received, 'X-GitLab-Project')).toBe('Diaspora');
    expect(header(received, 'X-GitLab-Project-Id')).toBe('15');
    expect(header(received, 'X-GitLab-Project-Path')).toBe('mike/diaspora');
    expect(header(received, 'X-GitLab-Author')).toBe('jsmith');
    expect(received.text?.trimEnd()).toBe(
      [
        'John Smith pushed to branch master at Mike / Diaspora',
        '',
        'Commits:',
        'b6568db1bc by Jordi Mallach',
        'Update Catalan translation to e38cb41.',
        '',
        'See https://gitlab.com/gitlab-org/gitlab for more information',
        '- - - - -',
        'da1560886d by GitLab dev user',
        'fixed readme',
        '- - - - -',
        '',
        '2 changed files:',
        '+ CHANGELOG',
        'app/controller/application.rb',
        '',
        '-- ',
        'View it on GitLab: http://example.com/mike/diaspora/-/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      ].join('\n'),
    );
    expect(received.html).toContain(
      '<a href="http://example.com/mike/diaspora/-/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7">',
    );
  });

  it('mails a Gitea push, its one commit linked', async () => {
    const push = deliveryEventOf('gitea', 'push', JSON.parse(payload('gitea-push')));
    await send(emailsOnPushMail(push, { recipients: 'dev@example.com' }));
    const { mail } = arrived();
    expect(mail.subject).toBe('[Git][gitea/webhooks][develop] Webhooks Yay!');
    expect(mail.from?.value).toEqual([{ name: 'Gitea (@gitea)', address: 'cascade@cascade.example.com' }]);
    expect(mail.text?.trimEnd()).toBe(
      [
        'Gitea pushed to branch develop at Gitea / webhooks',
        '',
        'Commits:',
        'bffeb74224 by Gitea',
        'Webhooks Yay!',
        '- - - - -',
        '',
        '-- ',
        'View it on Gitea: http://localhost:3000/gitea/webhooks/commit/bffeb74224043ba2feb48d137756c8a9331c449a',
      ].join('\n'),
    );
  });

  it('names a new tag in the subject and lists no commits, as GitLab does for a new ref', () => {
    const [mail] = emailsOnPushMail(exampleEvent('gitlab', 'tag-push', 'Tag Push Hook'), {
      recipients: 'a@example.com',
    });
    expect(mail).toMatchObject({
      subject: '[Git][jsmith/example] Pushed new tag v1.0.0',
      text: [
        'John Smith pushed new tag v1.0.0 at Jsmith / Example',
        '',
        '-- ',
        'View it on GitLab: http://example.com/jsmith/example/-/tree/v1.0.0',
      ].join('\n'),
    });
  });

  it("sends from the pusher's address with send_from_committer_email only in the instance's own domains", async () => {
    const fromOwnDomain = emailsOnPushMail(GITLAB_PUSH(), {
      recipients: 'dev@example.com',
      send_from_committer_email: true,
    });
    await send(fromOwnDomain);
    // john@example.com is in example.com, a domain of cascade.example.com.
    expect(arrived().mail.from?.value).toEqual([{ name: 'John Smith (@jsmith)', address: 'john@example.com' }]);
    expect(arrived().mail.replyTo?.value).toEqual([{ name: '', address: 'john@example.com' }]);

    smtp().received = [];
    await send(fromOwnDomain, mailerFor(smtp().url, 'https://cascade.example.org'));
    expect(arrived().mail.from?.value).toEqual([
      { name: 'John Smith (@jsmith)', address: 'cascade@cascade.example.com' },
    ]);
    expect(arrived().mail.replyTo).toBeUndefined();
  });

  it('mails at most 750 recipients, each once', () => {
    const many = Array.from({ length: 760 }, (_, index) => `user${index}@example.com`);
    const [mail] = emailsOnPushMail(GITLAB_PUSH(), { recipients: [...many, 'USER0@example.com'].join('\n') });
    expect(mail!.to).toEqual(many.slice(0, 750));
  });
});

describe('Pipeline status emails', () => {
  it("mails GitLab's documented passed pipeline with GitLab's subject, headers and text", async () => {
    await send(pipelinesEmailMail(GITLAB_PIPELINE(), { recipients: 'dev@example.com' }));
    const { recipients, mail } = arrived();
    expect(recipients).toEqual(['dev@example.com']);
    expect(mail.subject).toBe('Gitlab Test | Successful pipeline for test | bcbb5ec3');
    expect(mail.from?.value).toEqual([{ name: 'Cascade', address: 'cascade@cascade.example.com' }]);
    expect(header(mail, 'X-GitLab-Pipeline-Id')).toBe('31');
    expect(header(mail, 'X-GitLab-Pipeline-Ref')).toBe('master');
    expect(header(mail, 'X-GitLab-Pipeline-Status')).toBe('success');
    expect(mail.text?.trimEnd()).toBe(
      [
        'Pipeline Pipeline for branch: master has passed!',
        '',
        'Project: Gitlab Test ( http://192.168.64.1:3005/gitlab-org/gitlab-test )',
        'Branch: test ( http://192.168.64.1:3005/gitlab-org/gitlab-test/-/commits/test )',
        'Merge request: !1 ( http://192.168.64.1:3005/gitlab-org/gitlab-test/merge_requests/1 )',
        '',
        'Commit: bcbb5ec3 ( http://example.com/gitlab-org/gitlab-test/commit/bcbb5ec396a2c0f828686f14fac9b80b780504f2 )',
        'Commit Message: test',
        'Commit Author: User',
        '',
        'Pipeline Pipeline for branch: master ( http://example.com/gitlab-org/gitlab-test/-/pipelines/31 ) triggered by Administrator ( http://192.168.64.1:3005/root )',
        'successfully completed 5 jobs in 3 stages.',
      ].join('\n'),
    );
  });

  it('mails a failed pipeline with its failed jobs', () => {
    const failed = exampleEvent('gitlab', 'pipeline', 'Pipeline Hook', (body) => {
      (body.object_attributes as Record<string, unknown>).status = 'failed';
      delete body.merge_request;
    });
    const [mail] = pipelinesEmailMail(failed, { recipients: 'dev@example.com' });
    expect(mail!.subject).toBe('Gitlab Test | Failed pipeline for master | bcbb5ec3');
    expect(mail!.text.split('\n').slice(-6)).toEqual([
      'Pipeline Pipeline for branch: master ( http://example.com/gitlab-org/gitlab-test/-/pipelines/31 ) triggered by Administrator ( http://192.168.64.1:3005/root )',
      'had 1 failed job.',
      '',
      'Job #378 ( http://192.168.64.1:3005/gitlab-org/gitlab-test/-/jobs/378 )',
      'Stage: test',
      'Name: test-build',
    ]);
  });

  it('mails at most 30 recipients', async () => {
    const many = Array.from({ length: 31 }, (_, index) => `user${index}@example.com`);
    await send(pipelinesEmailMail(GITLAB_PIPELINE(), { recipients: many.join(', ') }));
    expect(arrived().recipients).toEqual(many.slice(0, 30));
  });
});

describe('sending a mail delivery', () => {
  const mail: MailRequest = { kind: 'mail', to: ['dev@example.com'], subject: 'Passed', text: 'It passed.' };

  it('records the SMTP reply code and reply, with the SMTP server as the target host', async () => {
    const { db } = await send([mail]);
    const [delivery] = await storedDeliveries(db);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 1, targetHost: `127.0.0.1:${smtp().port}` });
    const [attempt] = await attemptsOf(db, delivery!.id);
    expect(attempt).toMatchObject({ status: 250, failure: null });
    expect(attempt!.responseExcerpt).toMatch(/^250 /);
  });

  it('tries a 4xx again on the schedule, and sends it once the server takes it', async () => {
    smtp().refuseData = { code: 451, message: '4.3.0 Try again later' };
    const { db, clock, sendDue } = await send([mail]);
    const [delivery] = await storedDeliveries(db);
    expect(delivery).toMatchObject({ state: 'pending', attempts: 1 });
    expect(await attemptsOf(db, delivery!.id)).toMatchObject([
      {
        status: 451,
        failure: 'smtp_transient',
        message: 'The mail server answered with 451',
        responseExcerpt: expect.stringContaining('4.3.0 Try again later'),
      },
    ]);
    smtp().refuseData = undefined;
    clock.advance(SCHEDULE[0]!);
    await sendDue();
    expect(await storedDeliveries(db)).toMatchObject([{ state: 'delivered', attempts: 2 }]);
    expect(smtp().received).toHaveLength(1);
  });

  it('fails a 5xx at once and never sends it again', async () => {
    smtp().refuseData = { code: 554, message: '5.7.1 Message rejected' };
    const { db, clock, sendDue } = await send([mail]);
    clock.advance(24 * 3600_000);
    await sendDue();
    const [delivery] = await storedDeliveries(db);
    expect(delivery).toMatchObject({ state: 'failed', attempts: 1 });
    expect(await attemptsOf(db, delivery!.id)).toMatchObject([
      { status: 554, failure: 'smtp_permanent', responseExcerpt: expect.stringContaining('5.7.1 Message rejected') },
    ]);
  });

  it('fails at once when every recipient is refused, and sends to the others when some are', async () => {
    smtp().refusedRecipients.add('gone@example.com');
    const { db } = await send([
      { ...mail, to: ['gone@example.com'] },
      { ...mail, to: ['gone@example.com', 'dev@example.com'] },
    ]);
    const [refused, partly] = await storedDeliveries(db);
    expect(refused).toMatchObject({ state: 'failed' });
    expect(partly).toMatchObject({ state: 'delivered' });
    expect((await attemptsOf(db, partly!.id))[0]!.responseExcerpt).toContain('Refused recipients: gone@example.com');
    expect(arrived().recipients).toEqual(['dev@example.com']);
  });

  it('tries again when the SMTP server cannot be reached', async () => {
    const closed = await startSmtpReceiver();
    await closed.close();
    const { db } = await send([mail], mailerFor(closed.url));
    const [delivery] = await storedDeliveries(db);
    expect(delivery).toMatchObject({ state: 'pending', attempts: 1 });
    expect(await attemptsOf(db, delivery!.id)).toMatchObject([{ failure: 'refused', status: null }]);
  });

  it('fails without SMTP_URL, saying so', async () => {
    const { db } = await send([mail], null);
    const [delivery] = await storedDeliveries(db);
    expect(delivery).toMatchObject({ state: 'failed', attempts: 1 });
    expect(await attemptsOf(db, delivery!.id)).toMatchObject([
      { failure: 'mail_not_configured', message: MAIL_NOT_CONFIGURED },
    ]);
    expect(MAIL_NOT_CONFIGURED).toBe('Mail is not configured: set SMTP_URL and MAIL_FROM');
  });

  it("logs in with SMTP_URL's user and password", async () => {
    const url = `smtp://cascade:p%40ss%20word@127.0.0.1:${smtp().port}`;
    await send([mail], mailerFor(url));
    expect(smtp().logins).toEqual(['cascade:p@ss word']);
    expect(smtp().received).toHaveLength(1);
  });

  it('keeps the recipients sealed: no row shows them', async () => {
    const { db } = await send([{ ...mail, to: ['private.person@example.com'] }]);
    for (const table of ['deliveries', 'delivery_attempts'])
      expect(JSON.stringify(await rows(db, sql.raw(`select * from ${table}`)))).not.toContain('private.person');
  });
});
