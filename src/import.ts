/**
 * @module import
 * `npm run import -- <connection id or URL>`: imports (or resumes importing) a connected code
 * host's groups, projects and members into the database the configuration names, as the Admin
 * Area's import does (src/code-hosts/sync.ts). Progress goes to stderr, a bar per step on a
 * terminal; the counts and the problems go to stdout at the end. Exits 1 with one line when it
 * refuses or fails; a failed import resumes where it stopped when run again.
 */
import cliProgress from 'cli-progress';
import { eq, sql } from 'drizzle-orm';
import { HOST_KIND_LABELS } from './code-hosts/host.js';
import { HostSecrets } from './code-hosts/secrets.js';
import { createHostClient } from './code-hosts/clients.js';
import { HostSyncRefused, runImport, type RunCounts } from './code-hosts/sync.js';
import { loadConfig } from './config.js';
import { migrateDatabase, openDatabase, type Db } from './db/client.js';
import { codeHosts, type CodeHost, type HostSyncRun } from './db/schema.js';
import { outboundPolicy } from './model/network-settings.js';
import { loadSecretKeyBase } from './secrets.js';

const USAGE = 'name the connection to import: npm run import -- <connection id or URL>';

/** A reason not to import, said before anything is written. */
class ImportRefused extends Error {}

async function findConnection(db: Db, named: string): Promise<CodeHost> {
  const byId = /^\d+$/.test(named);
  const url = named.replace(/\/+$/, '');
  const found = (
    await db
      .select()
      .from(codeHosts)
      .where(byId ? eq(codeHosts.id, Number(named)) : sql`lower(${codeHosts.url}) = lower(${url})`)
      .limit(1)
  )[0];
  if (!found) throw new ImportRefused(`no code host connection ${byId ? `has the id ${named}` : `has the URL ${url}`}`);
  return found;
}

const STEPS = [
  { phase: 'groups', label: 'Groups', done: 'groups', total: 'groupsTotal' },
  { phase: 'projects', label: 'Projects', done: 'projects', total: 'projectsTotal' },
] as const;

/**
 * On a terminal, a bar for the step the import is in; otherwise a line each time a step ends
 * (the page that ends a step is saved with the next step's phase, so steps end on a change).
 */
function progressReporter(): { update(run: HostSyncRun): void; stop(): void } {
  let bar: cliProgress.SingleBar | undefined;
  let current = 0;
  const indexOf = (phase: string) => {
    const index = STEPS.findIndex((step) => step.phase === phase);
    return index < 0 ? STEPS.length : index;
  };
  return {
    update(run) {
      const counts = JSON.parse(run.counts) as RunCounts;
      const doneOf = (step: (typeof STEPS)[number]) => counts[step.done] ?? 0;
      const totalOf = (step: (typeof STEPS)[number]) => Math.max(doneOf(step), counts[step.total] ?? 0);
      const index = indexOf(run.phase);
      for (; current < index; current++) {
        const ended = STEPS[current]!;
        if (bar) {
          bar.setTotal(totalOf(ended));
          bar.update(doneOf(ended));
          bar.stop();
          bar = undefined;
        } else if (!process.stderr.isTTY) {
          process.stderr.write(`${ended.label}: ${doneOf(ended).toLocaleString('en')} done\n`);
        }
      }
      const step = STEPS[index];
      if (!step || !process.stderr.isTTY) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: `${step.label.padEnd(10)} [{bar}] {value}/{total}` },
          cliProgress.Presets.shades_classic,
        );
        bar.start(totalOf(step), doneOf(step));
      }
      bar.setTotal(totalOf(step));
      bar.update(doneOf(step));
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

function summary(run: HostSyncRun): string {
  const counts = JSON.parse(run.counts) as RunCounts;
  const problems = JSON.parse(run.problems) as string[];
  const number = (value: number | undefined) => (value ?? 0).toLocaleString('en');
  const lines = [
    `Imported ${number(counts.groups)} groups, ${number(counts.projects)} projects, ${number(counts.users)} users and ${number(counts.members)} memberships.`,
    `Changed: ${number(counts.groupsImported)} groups and ${number(counts.projectsImported)} projects new, ` +
      `${number(counts.groupsUpdated)} groups and ${number(counts.projectsUpdated)} projects updated, ` +
      `${number(counts.membersAdded)} members added, ${number(counts.membersUpdated)} changed, ${number(counts.membersRemoved)} removed.`,
  ];
  if (problems.length > 0)
    lines.push(`${problems.length} problems (not taken over):`, ...problems.map((p) => `  ${p}`));
  return lines.join('\n');
}

async function main(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  if (args.length !== 1 || args[0]!.startsWith('-')) throw new ImportRefused(USAGE);
  const config = loadConfig(env);
  const db = openDatabase({ url: config.databaseUrl, path: config.databasePath });
  try {
    await migrateDatabase(db);
    const connection = await findConnection(db, args[0]!);
    const secretKeyBase = loadSecretKeyBase(config);
    const token = new HostSecrets(secretKeyBase).open(connection, 'token');
    if (!token)
      throw new ImportRefused(`the access token of ${connection.name} does not open: enter it again in the Admin Area`);
    const client = createHostClient({ kind: connection.kind, url: connection.url, token }, await outboundPolicy(db));
    process.stderr.write(
      `Importing from ${connection.name} (${HOST_KIND_LABELS[connection.kind]}, ${connection.url})\n`,
    );
    const progress = progressReporter();
    try {
      return summary(
        await runImport(db, connection, client, {
          onProgress: (run) => progress.update(run),
          receiver: { publicOrigin: config.publicOrigin, secretKeyBase },
        }),
      );
    } finally {
      progress.stop();
    }
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2), process.env).then(
  (lines) => console.log(lines),
  (error: unknown) => {
    const refused = error instanceof ImportRefused || error instanceof HostSyncRefused;
    // One line: the first of the reason's (a database error goes on with its query).
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/\.$/, '');
    console.error(refused ? `Import refused: ${reason}.` : `Import failed: ${reason}. Run it again to resume.`);
    process.exit(1);
  },
);
