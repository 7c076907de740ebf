/**
 * @module code-hosts/background
 * What a server does for its code hosts beside the requests: the imports started from the Admin
 * Area, the processor that applies the hooks' tree events and the periodic reconcile (the
 * retention of received events is db/retention.ts's sweep). Started together by src/server.ts and stopped together on shutdown.
 */
import type { Db } from '../db/client.js';
import type { CodeHost } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { connectionClient } from './clients.js';
import type { HostClientFactory, HostImports, HostSync } from './host.js';
import { HostEventProcessor } from './processor.js';
import { HostSecrets } from './secrets.js';
import { createHostSync, hasImported, runImport, runReconcile, startReconciler, type Reconciler } from './sync.js';

export interface CodeHostBackgroundOptions {
  clients: HostClientFactory;
  secretKeyBase: string;
  /** Cascade's public origin (PUBLIC_URL), where the hosts' project hooks are sent; none are kept without it. */
  publicOrigin?: string;
  logger: Logger;
}

export interface CodeHostBackground {
  /** Given to the app: the Admin Area starts a connection's import (or, once imported, its reconcile). */
  imports: HostImports;
  /** Given to the app: the receiver wakes it after storing an event. */
  processor: HostEventProcessor;
  /** Lets what runs finish its step; an import cut short resumes where it stopped on the next start. */
  stop(): Promise<void>;
}

/**
 * @example
 * const background = startCodeHostBackground(db, { clients: createHostClient, secretKeyBase, publicOrigin, logger })
 * createApp({ ..., hostImports: background.imports, hostEventProcessor: background.processor })
 * await background.stop() // on shutdown
 */
export function startCodeHostBackground(db: Db, options: CodeHostBackgroundOptions): CodeHostBackground {
  const { clients, logger } = options;
  const secrets = new HostSecrets(options.secretKeyBase);
  const clientOf = (connection: CodeHost) => connectionClient(db, connection, clients, secrets);

  const { publicOrigin, secretKeyBase } = options;
  const receiver = publicOrigin === undefined ? undefined : { publicOrigin, secretKeyBase };
  const reconciler: Reconciler = startReconciler(db, { clients, secretKeyBase, publicOrigin, logger });

  const running = new Map<number, Promise<void>>();
  const imports: HostImports = {
    start(connection) {
      if (running.has(connection.id)) return;
      const work = (async () => {
        const client = await clientOf(connection);
        if (await hasImported(db, connection)) {
          await runReconcile(db, connection, client, { receiver });
          return;
        }
        const run = await runImport(db, connection, client, { receiver });
        logger.info({ codeHost: connection.name, counts: JSON.parse(run.counts) }, 'Imported the code host');
        // The first reconcile comes right after the import, for what changed on the host meanwhile.
        await reconciler.tick();
      })()
        .catch((error: unknown) => logger.warn({ codeHost: connection.name, err: error }, 'The code host run failed'))
        .finally(() => running.delete(connection.id));
      running.set(connection.id, work);
    },
  };

  // The client is made when an event is applied: the Network settings and token as they are then.
  const syncFor = (connection: CodeHost): HostSync => {
    const withSync = async (use: (sync: HostSync) => Promise<void>) =>
      use(createHostSync(db, connection, await clientOf(connection), { receiver }));
    return {
      group: (hostId) => withSync((sync) => sync.group(hostId)),
      project: (hostId) => withSync((sync) => sync.project(hostId)),
      groupMembers: (hostId) => withSync((sync) => sync.groupMembers(hostId)),
      projectMembers: (hostId) => withSync((sync) => sync.projectMembers(hostId)),
      reconcile: () => withSync((sync) => sync.reconcile()),
    };
  };
  const processor = new HostEventProcessor(db, syncFor, logger);
  // What a previous run stored and did not apply; requests are served meanwhile.
  void processor.start();

  return {
    imports,
    processor,
    async stop() {
      await Promise.all([reconciler.stop(), processor.stop()]);
    },
  };
}
