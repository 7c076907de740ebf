/**
 * @module delivery/mail
 * One attempt of a delivery that is a mail, in the words of the delivery log: the SMTP reply
 * code as its status and the server's reply as its excerpt. A 4xx is transient and tried again
 * on the retry schedule, as is a server that cannot be reached; a 5xx is final, as an HTTP 4xx is.
 */
import { MailError, type Mailer } from '../mail/mailer.js';
import type { MailRequest } from './messages/request.js';
import type { AttemptResult } from './schedule.js';

export const MAIL_NOT_CONFIGURED = 'Mail is not configured: set SMTP_URL and MAIL_FROM';

const isTransient = (code: number) => code >= 400 && code < 500;

/**
 * @example
 * await mailAttempt(mailer, { kind: 'mail', to: ['jane@example.com'], subject: '…', text: '…' })
 * // { ok: true, status: 250, headers: {}, body: '250 Ok: queued', durationMs: 12 }
 * await mailAttempt(undefined, mail) // { ok: false, failure: 'mail_not_configured', message: 'Mail is not configured: …', ... }
 */
export async function mailAttempt(
  mailer: Mailer | undefined,
  { kind: _, ...message }: MailRequest,
): Promise<AttemptResult> {
  if (!mailer) return { ok: false, failure: 'mail_not_configured', message: MAIL_NOT_CONFIGURED, durationMs: 0 };
  const started = performance.now();
  const durationMs = () => Math.round(performance.now() - started);
  try {
    const sent = await mailer.send(message);
    const refused = sent.refused.length ? `\nRefused recipients: ${sent.refused.join(', ')}` : '';
    return { ok: true, status: sent.code, headers: {}, body: `${sent.reply}${refused}`, durationMs: durationMs() };
  } catch (error) {
    if (!(error instanceof MailError)) throw error;
    if (error.failure !== 'smtp') {
      return { ok: false, failure: error.failure, message: error.message, durationMs: durationMs() };
    }
    const code = error.code!;
    return {
      ok: false,
      failure: isTransient(code) ? 'smtp_transient' : 'smtp_permanent',
      message: `The mail server answered with ${code}`,
      status: code,
      ...(error.reply ? { reply: error.reply } : {}),
      durationMs: durationMs(),
    };
  }
}
