/**
 * https through the outbound module: the connection goes to the checked address but TLS still
 * names the host (SNI), certificates are verified unless a type turns that off (Jenkins), and
 * a failed verification is reported as such. The certificate is made for each run by openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_ALLOWLIST } from '../../src/outbound/addresses.js';
import { sendOutbound, type OutboundPolicy } from '../../src/outbound/request.js';

const HOST = 'hooks.example.test';
const ALLOWING: OutboundPolicy = { allowLocalRequests: true, allowlist: EMPTY_ALLOWLIST };
const resolve = async () => [{ address: '127.0.0.1', family: 4 }];

let server: Server;
let port: number;
const seen: { servername: string | false | null; host: string | undefined }[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cascade-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        `/CN=${HOST}`,
        '-addext',
        `subjectAltName=DNS:${HOST}`,
      ],
      { stdio: 'ignore' },
    );
    server = createServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (request, response) => {
        seen.push({ servername: (request.socket as TLSSocket).servername, host: request.headers.host });
        response.end('ok');
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  port = await new Promise<number>((done) =>
    server.listen(0, '127.0.0.1', () => done((server.address() as AddressInfo).port)),
  );
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('sendOutbound over https', () => {
  it('reports a certificate it cannot verify, sending nothing', async () => {
    const result = await sendOutbound({ method: 'GET', url: `https://${HOST}:${port}/job` }, ALLOWING, { resolve });
    expect(result).toMatchObject({
      ok: false,
      failure: 'tls',
      message: `The TLS certificate of ${HOST}:${port} could not be verified (DEPTH_ZERO_SELF_SIGNED_CERT)`,
    });
    expect(seen).toEqual([]);
  });

  it('connects to the checked address while naming the host in SNI and the Host header, when verification is off', async () => {
    const result = await sendOutbound(
      { method: 'GET', url: `https://${HOST}:${port}/job`, verifyTls: false },
      ALLOWING,
      { resolve },
    );
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(seen).toEqual([{ servername: HOST, host: `${HOST}:${port}` }]);
  });
});
