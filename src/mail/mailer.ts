/**
 * @module mail/mailer
 * Sends mail through the SMTP server of SMTP_URL, from MAIL_FROM: the delivery worker's mails
 * (Pipeline status emails, Emails on push) and any other Cascade sends. One connection per
 * message; every wait (DNS, connection, greeting, each reply) is bounded by the timeout.
 */
import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { smtpTargetHost, type MailAddress, type MailConfig } from './settings.js';

/** On whose behalf a mail is sent: shown as its sender's name, before MAIL_FROM's address. */
export interface MailSender {
  name: string;
  /** Sent from this address instead, where it is in one of the instance's own domains. */
  email?: string | null;
}

export interface MailMessage {
  to: readonly string[];
  subject: string;
  text: string;
  html?: string;
  headers?: Readonly<Record<string, string>>;
  sender?: MailSender;
}

/** The server took the message: its reply ("250 2.0.0 Ok: queued as 4F1"), and the recipients it refused. */
export interface SentMail {
  code: number;
  reply: string;
  refused: string[];
}

/** Why a mail was not sent: the server's reply (`code`, `reply`), or a failure to reach it. */
export type MailFailure = 'smtp' | 'dns' | 'refused' | 'timeout' | 'tls' | 'network';

export class MailError extends Error {
  constructor(
    message: string,
    readonly failure: MailFailure,
    readonly code?: number,
    readonly reply?: string,
  ) {
    super(message);
  }
}

export interface Mailer {
  /** Where the mail goes, "smtp.example.com:587": sends to it are bounded like those to any host. */
  readonly targetHost: string;
  /** Resolves once the server took the message; rejects with a {@link MailError}. */
  send(message: MailMessage): Promise<SentMail>;
}

export interface MailerOptions {
  /** PUBLIC_URL's origin: the instance's own domains, which mail may be sent from. */
  publicOrigin: string;
  /** Each wait of the exchange. Default 10 seconds. */
  timeoutMs?: number;
}

/**
 * GitLab's `Notify.allowed_email_domains`: the instance's host and the domains above it,
 * "cascade.corp.example.com", "corp.example.com", "example.com" (never the top-level domain).
 */
export function ownDomains(publicOrigin: string): string[] {
  const hostname = new URL(publicOrigin).hostname;
  if (isIP(hostname.replace(/^\[(.*)\]$/, '$1'))) return [hostname];
  const parts = hostname.split('.');
  const domains: string[] = [];
  do {
    domains.push(parts.join('.'));
    parts.shift();
  } while (parts.length > 1);
  return domains;
}

/** GitLab's `sender`: the sender's name before the instance's address, or their own address in its domains. */
function fromAndReplyTo(from: MailAddress, domains: readonly string[], sender: MailSender | undefined) {
  const own = sender?.email && domains.includes(sender.email.split('@').pop()!.toLowerCase()) ? sender.email : null;
  const name = sender?.name ?? from.name;
  const address = own ?? from.address;
  return { from: name ? { name, address } : address, ...(own ? { replyTo: own } : {}) };
}

const replyCode = (reply: string) => Number(/^\d{3}/.exec(reply)?.[0] ?? 250);

function mailError(error: unknown): MailError {
  const smtp = error as SMTPConnection.SMTPError;
  const message = smtp.message ?? String(error);
  if (smtp.responseCode) return new MailError(message, 'smtp', smtp.responseCode, smtp.response);
  if (smtp.code === 'EDNS') return new MailError(message, 'dns');
  if (smtp.code === 'ETIMEDOUT') return new MailError(message, 'timeout');
  if (smtp.code === 'ETLS') return new MailError(message, 'tls');
  if (/ECONNREFUSED/.test(message)) return new MailError(message, 'refused');
  return new MailError(message, 'network');
}

/**
 * @example
 * const mailer = createMailer(config.mail, { publicOrigin: config.publicOrigin })
 * await mailer.send({ to: ['jane@example.com'], subject: 'Hello', text: 'Hello.' }) // { code: 250, reply: '250 Ok', refused: [] }
 */
export function createMailer(config: MailConfig, { publicOrigin, timeoutMs = 10_000 }: MailerOptions): Mailer {
  const { hostname, port, secure, user, password } = config.smtp;
  const transport = nodemailer.createTransport({
    host: hostname,
    port,
    secure,
    ...(user ? { auth: { user, pass: password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  });
  const domains = ownDomains(publicOrigin);
  return {
    targetHost: smtpTargetHost(config.smtp),
    async send({ to, subject, text, html, headers, sender }) {
      try {
        const info = await transport.sendMail({
          ...fromAndReplyTo(config.from, domains, sender),
          to: [...to],
          subject,
          text,
          ...(html ? { html } : {}),
          ...(headers ? { headers: { ...headers } } : {}),
        });
        const refused = info.rejected.map((address) => (typeof address === 'string' ? address : address.address));
        return { code: replyCode(info.response), reply: info.response, refused };
      } catch (error) {
        throw mailError(error);
      }
    },
  };
}
