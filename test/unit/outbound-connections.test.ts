import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_ALLOWLIST } from '../../src/outbound/addresses.js';
import { fetchOutbound, sendOutbound, type OutboundPolicy } from '../../src/outbound/request.js';

const ALLOWING: OutboundPolicy = { allowLocalRequests: true, allowlist: EMPTY_ALLOWLIST };

/** An HTTP server on every loopback address that records the address each connection came to. */
async function countingServer(answer = 'ok'): Promise<{ port: number; connections: string[]; server: Server }> {
  const connections: string[] = [];
  const server = createHttpServer((request, response) => {
    request.resume();
    request.on('end', () => response.end(answer));
  });
  server.on('connection', (socket: Socket) => connections.push(socket.localAddress ?? ''));
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  return { port: (server.address() as AddressInfo).port, connections, server };
}

const servers: { close(): void; closeAllConnections?(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections?.();
    server.close();
  }
});

describe('outbound connections', () => {
  it('keeps the connection to an address for the next requests, read or not', async () => {
    const { port, connections, server } = await countingServer('x'.repeat(10_000));
    servers.push(server);
    const url = `http://127.0.0.1:${port}/api/v4/projects`;
    for (let i = 0; i < 3; i++)
      expect(await fetchOutbound({ method: 'GET', url }, ALLOWING)).toMatchObject({ status: 200 });
    for (let i = 0; i < 2; i++)
      expect(await sendOutbound({ method: 'POST', url, body: '{}' }, ALLOWING)).toMatchObject({ ok: true });
    expect(connections).toEqual(['127.0.0.1']);
  });

  it('opens a new connection when the host name resolves to another address, never the kept one', async () => {
    const { port, connections, server } = await countingServer();
    servers.push(server);
    const url = `http://gitlab.example:${port}/api/v4/version`;
    const at = (address: string) => ({ resolve: async () => [{ address, family: 4 }] });
    await fetchOutbound({ method: 'GET', url }, ALLOWING, at('127.0.0.1'));
    await fetchOutbound({ method: 'GET', url }, ALLOWING, at('127.0.0.2'));
    await fetchOutbound({ method: 'GET', url }, ALLOWING, at('127.0.0.1'));
    expect(connections).toEqual(['127.0.0.1', '127.0.0.2']);
  });

  it('sends again on a new connection when the server closed the kept one as the request went out', async () => {
    // Answers the first request of each connection with keep-alive, then resets the connection
    // when the next request arrives on it: what a server whose idle timeout just ran out does.
    let opened = 0;
    const server = createNetServer((socket) => {
      opened++;
      let requests = 0;
      socket.on('data', (chunk) => {
        if (!chunk.toString().includes('\r\n\r\n')) return;
        if (++requests > 1) return void socket.resetAndDestroy();
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    expect(await fetchOutbound({ method: 'GET', url }, ALLOWING)).toMatchObject({ status: 200, body: 'ok' });
    expect(await fetchOutbound({ method: 'GET', url }, ALLOWING)).toMatchObject({ status: 200, body: 'ok' });
    expect(opened).toBe(2);
  });
});
