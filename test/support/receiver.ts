/**
 * A local HTTP server that stands in for Slack, Jira and the rest in tests: it records every
 * request it gets and answers as the test tells it (a status, a redirect, or never).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  /** "http://127.0.0.1:<port>" */
  origin: string;
  port: number;
  received: ReceivedRequest[];
  /** How the next requests are answered; 200 with "ok" by default. */
  answer: (response: ServerResponse, request: ReceivedRequest) => void;
  close(): Promise<void>;
}

const answerOk = (response: ServerResponse) => response.end('ok');

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { origin: '', port: 0, received: [], answer: answerOk, close: () => Promise.resolve() };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      receiver.received.push(received);
      receiver.answer(response, received);
    });
  });
  const { port } = await new Promise<AddressInfo>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo)),
  );
  receiver.port = port;
  receiver.origin = `http://127.0.0.1:${port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/**
 * One receiver for a test file, started before its tests and closed after them; after each
 * test it forgets what it got and answers 200 again. Read it inside tests, not at load time.
 *
 * @example
 * const receiver = receiverForFile()
 * it('posts', async () => { ...; expect(receiver().received).toHaveLength(1) })
 */
export function receiverForFile(): () => Receiver {
  let receiver: Receiver | undefined;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterEach(() => {
    receiver!.received = [];
    receiver!.answer = answerOk;
  });
  afterAll(() => receiver?.close());
  return () => receiver!;
}

/** A receiver answer that never answers: for timeouts. */
export const neverAnswer = () => undefined;

/** A receiver answer that redirects to `location`. */
export const redirectTo =
  (location: string, status = 302) =>
  (response: ServerResponse) => {
    response.writeHead(status, { location });
    response.end();
  };
