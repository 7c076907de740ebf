/**
 * A local SMTP server (smtp-server) that stands in for the instance's mail server in tests: it
 * takes every mail, parses what arrived (mailparser), and refuses as the test tells it.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll } from 'vitest';

export interface ReceivedMail {
  /** The envelope's recipients (RCPT TO). */
  recipients: string[];
  mail: ParsedMail;
}

/** An SMTP refusal: "451 Try again later" is `{ code: 451, message: 'Try again later' }`. */
export interface SmtpRefusal {
  code: number;
  message: string;
}

export interface SmtpReceiver {
  port: number;
  /** "smtp://127.0.0.1:<port>" */
  url: string;
  received: ReceivedMail[];
  /** The logins the server was given, as "user:password". */
  logins: string[];
  /** Set, every mail's data is refused with it. */
  refuseData: SmtpRefusal | undefined;
  /** Recipients refused at RCPT TO. */
  refusedRecipients: Set<string>;
  close(): Promise<void>;
}

const refusal = ({ code, message }: SmtpRefusal) => Object.assign(new Error(message), { responseCode: code });

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const receiver: SmtpReceiver = {
    port: 0,
    url: '',
    received: [],
    logins: [],
    refuseData: undefined,
    refusedRecipients: new Set(),
    close: () => Promise.resolve(),
  };
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      receiver.logins.push(`${auth.username}:${auth.password}`);
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      callback(
        receiver.refusedRecipients.has(address.address) ? refusal({ code: 550, message: '5.1.1 User unknown' }) : null,
      );
    },
    onData(stream, session, callback) {
      void simpleParser(stream).then((mail) => {
        if (receiver.refuseData) return callback(refusal(receiver.refuseData));
        receiver.received.push({ recipients: session.envelope.rcptTo.map(({ address }) => address), mail });
        callback();
      }, callback);
    },
  });
  const { port } = await new Promise<AddressInfo>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(server.server.address() as AddressInfo)),
  );
  receiver.port = port;
  receiver.url = `smtp://127.0.0.1:${port}`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

/**
 * One SMTP server for a test file; after each test it forgets what it got and takes every mail
 * again. Read it inside tests, not at load time.
 */
export function smtpReceiverForFile(): () => SmtpReceiver {
  let receiver: SmtpReceiver | undefined;
  beforeAll(async () => {
    receiver = await startSmtpReceiver();
  });
  afterEach(() => {
    receiver!.received = [];
    receiver!.logins = [];
    receiver!.refuseData = undefined;
    receiver!.refusedRecipients.clear();
  });
  afterAll(() => receiver?.close());
  return () => receiver!;
}
