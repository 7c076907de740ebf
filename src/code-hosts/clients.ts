/**
 * @module code-hosts/clients
 * The client of each kind of code host: what the app uses to reach a real one.
 *
 * @example
 * const client = createHostClient({ kind: 'gitlab', url: 'https://gitlab.example.com', token }, await outboundPolicy(db))
 * await client.check() // { version: '17.5.1-ee', username: 'root', missing: [] }
 */
import type { OutboundPolicy } from '../outbound/request.js';
import { GiteaClient } from './gitea.js';
import { GitLabClient } from './gitlab.js';
import type { HostClient, HostClientFactory, HostTarget } from './host.js';
import type { HostHttpOptions } from './host-http.js';

/** The factory with options of its own (tests shorten the waits for Retry-After and the pages). */
export function hostClientFactory(options: HostHttpOptions = {}): HostClientFactory {
  return (target: HostTarget, policy: OutboundPolicy): HostClient =>
    target.kind === 'gitlab'
      ? new GitLabClient(target, policy, options)
      : new GiteaClient(target.kind, target, policy, options);
}

export const createHostClient: HostClientFactory = hostClientFactory();
