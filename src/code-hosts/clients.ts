/**
 * @module code-hosts/clients
 * The client of each kind of code host: what the app uses to reach a real one.
 *
 * @example
 * const client = createHostClient({ kind: 'gitlab', url: 'https://gitlab.example.com', token }, await outboundPolicy(db))
 * await client.check() // { version: '17.5.1-ee', username: 'root', missing: [] }
 */
import type { Queryable } from '../db/client.js';
import type { CodeHost } from '../db/schema.js';
import { outboundPolicy } from '../model/network-settings.js';
import type { OutboundPolicy } from '../outbound/request.js';
import { GiteaClient } from './gitea.js';
import { GitLabClient } from './gitlab.js';
import {
  HostRequestFailed,
  type HostClient,
  type HostClientFactory,
  type HostPatience,
  type HostTarget,
} from './host.js';
import type { HostHttpOptions } from './host-http.js';
import type { HostSecrets } from './secrets.js';

/**
 * The factory with options of its own (tests shorten the waits for Retry-After and the pages);
 * the patience a caller gives goes over them.
 */
export function hostClientFactory(options: HostHttpOptions = {}): HostClientFactory {
  return (target: HostTarget, policy: OutboundPolicy, patience: HostPatience = {}): HostClient => {
    const own = { ...options, ...patience };
    return target.kind === 'gitlab'
      ? new GitLabClient(target, policy, own)
      : new GiteaClient(target.kind, target, policy, own);
  };
}

export const createHostClient: HostClientFactory = hostClientFactory();

/**
 * The client of a stored connection: its sealed token opened, the Network settings as they are
 * now, waiting on the host as `patience` says. Throws {@link HostRequestFailed} when the token
 * does not open (sealed with another SECRET_KEY_BASE, or for another URL).
 */
export async function connectionClient(
  db: Queryable,
  connection: CodeHost,
  clients: HostClientFactory,
  secrets: HostSecrets,
  patience?: HostPatience,
): Promise<HostClient> {
  const token = secrets.open(connection, 'token');
  if (!token)
    throw new HostRequestFailed(
      `The access token of ${connection.name} does not open: enter it again on its edit page`,
    );
  return clients({ kind: connection.kind, url: connection.url, token }, await outboundPolicy(db), patience);
}
