/**
 * @module mail/settings
 * SMTP_URL and MAIL_FROM as the mailer takes them. Pure: parsed by src/config.ts at start.
 */

/** The SMTP server of SMTP_URL; the password is never logged. */
export interface SmtpServer {
  hostname: string;
  /** Unset: nodemailer's default, 587 (465 for smtps). */
  port: number | undefined;
  /** smtps: TLS from the first byte; smtp: STARTTLS when the server offers it. */
  secure: boolean;
  user: string | undefined;
  password: string | undefined;
}

/** An address with the name shown before it, if any. */
export interface MailAddress {
  name: string | undefined;
  address: string;
}

export interface MailConfig {
  smtp: SmtpServer;
  from: MailAddress;
}

// One @, no spaces or characters that would end an address in a header.
const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/;

/** Whether a text is one mail address ("jane@example.com"). */
export const isMailAddress = (text: string): boolean => ADDRESS.test(text);

/**
 * @example
 * parseSmtpUrl('smtps://cascade:secret@smtp.example.com') // { hostname: 'smtp.example.com', port: undefined, secure: true, user: 'cascade', password: 'secret' }
 * parseSmtpUrl('https://smtp.example.com') // null
 */
export function parseSmtpUrl(text: string): SmtpServer | null {
  if (!URL.canParse(text)) return null;
  const url = new URL(text);
  const secure = url.protocol === 'smtps:';
  if ((!secure && url.protocol !== 'smtp:') || !url.hostname) return null;
  // Nothing else of the URL would be used: refused rather than silently dropped.
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) return null;
  return {
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : undefined,
    secure,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
  };
}

/**
 * @example
 * parseMailFrom('cascade@example.com') // { name: undefined, address: 'cascade@example.com' }
 * parseMailFrom('"Cascade" <cascade@example.com>') // { name: 'Cascade', address: 'cascade@example.com' }
 */
export function parseMailFrom(text: string): MailAddress | null {
  const trimmed = text.trim();
  if (isMailAddress(trimmed)) return { name: undefined, address: trimmed };
  const named = /^(.*?)\s*<([^<>]+)>$/.exec(trimmed);
  if (!named || !isMailAddress(named[2]!)) return null;
  const name = named[1]!.replace(/^"(.*)"$/, '$1').trim();
  return { name: name || undefined, address: named[2]! };
}

/** Where mail goes, as a delivery's target host: "smtp.example.com:587". */
export function smtpTargetHost({ hostname, port }: SmtpServer): string {
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return port === undefined ? host : `${host}:${port}`;
}
