/**
 * @module test/support/loopback-only
 * Every test file's guard (vitest `setupFiles`): tests talk only to this machine. A connection
 * to an address other than the loopback, or a DNS lookup of a name other than localhost (which
 * would ask the network's name server), is refused as the network would refuse it, and fails
 * the test that made it. Outbound requests in tests go to local receivers, and their host names
 * go through a test resolver (`testResolve`), never the system's.
 */
import dns from 'node:dns';
import net, { isIP, type LookupFunction } from 'node:net';
import { afterEach } from 'vitest';

const GUARDED = Symbol.for('cascade.loopbackOnly');

/** Kept on the global object: a worker may run several test files, each with its own copy of this module. */
const state = globalThis as { [GUARDED]?: { attempts: string[] } };

const isLoopbackAddress = (address: string) => address === '::1' || /^(::ffff:)?127\./i.test(address);
const isLocalhostName = (host: string) => /^localhost\.?$|\.localhost\.?$/i.test(host);

/** Records the attempt and returns the error the code under test sees instead of a connection. */
function refused(what: string, code: 'ENOTFOUND' | 'ECONNREFUSED'): NodeJS.ErrnoException {
  state[GUARDED]!.attempts.push(what);
  return Object.assign(new Error(`Tests may reach only the loopback: ${what}`), { code });
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/** A lookup that lets only loopback addresses through, whatever lookup it wraps (the system's or a pinned one). */
function loopbackLookup(lookup: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, options, (error, address, family) => {
      if (error) return callback(error, '');
      const outside = (Array.isArray(address) ? address.map((entry) => entry.address) : [address]).find(
        (each) => !isLoopbackAddress(each),
      );
      if (outside) return callback(refused(`a connection to ${hostname} at ${outside}`, 'ECONNREFUSED'), '');
      callback(null, address, family);
    });
  };
}

function guardSystemResolver(): void {
  const lookup = dns.lookup;
  dns.lookup = ((hostname: string, ...rest: unknown[]) => {
    const callback = rest[rest.length - 1] as LookupCallback;
    if (!isIP(hostname) && !isLocalhostName(hostname))
      return process.nextTick(() => callback(refused(`a DNS lookup of ${hostname}`, 'ENOTFOUND'), ''));
    return (lookup as (...args: unknown[]) => void)(hostname, ...rest);
  }) as typeof dns.lookup;
  const lookupPromise = dns.promises.lookup;
  dns.promises.lookup = ((hostname: string, ...rest: unknown[]) => {
    if (!isIP(hostname) && !isLocalhostName(hostname))
      return Promise.reject(refused(`a DNS lookup of ${hostname}`, 'ENOTFOUND'));
    return (lookupPromise as (...args: unknown[]) => Promise<unknown>)(hostname, ...rest);
  }) as typeof dns.promises.lookup;
}

function guardConnections(): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with apply(this), on the socket it belongs to
  const connect = net.Socket.prototype.connect as (this: net.Socket, ...args: unknown[]) => net.Socket;
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    // net.connect passes its arguments already normalized, as [options, callback].
    const first = Array.isArray(args[0]) ? (args[0][0] as net.TcpNetConnectOpts) : args[0];
    const options: Partial<net.TcpNetConnectOpts> & { path?: string } =
      typeof first === 'object' && first !== null
        ? first
        : { port: Number(first), host: typeof args[1] === 'string' ? args[1] : 'localhost' };
    if (options.path || (typeof first === 'string' && !/^\d+$/.test(first))) return connect.apply(this, args);
    const host = options.host ?? 'localhost';
    if (isIP(host)) {
      if (isLoopbackAddress(host)) return connect.apply(this, args);
      const error = refused(`a connection to ${host}:${options.port}`, 'ECONNREFUSED');
      process.nextTick(() => this.destroy(error));
      return this;
    }
    const guarded = { ...options, lookup: loopbackLookup(options.lookup ?? dns.lookup) };
    const callback = Array.isArray(args[0]) ? args[0][1] : args.find((arg) => typeof arg === 'function');
    return connect.apply(this, callback ? [guarded, callback] : [guarded]);
  };
}

if (!state[GUARDED]) {
  state[GUARDED] = { attempts: [] };
  guardSystemResolver();
  guardConnections();
}

afterEach(() => {
  const seen = state[GUARDED]!.attempts.splice(0);
  if (seen.length > 0)
    throw new Error(`This test tried to leave the machine (tests may reach only the loopback): ${seen.join('; ')}`);
});
