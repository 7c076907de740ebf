/**
 * @module audit/export
 * The audit trail as CSV or JSON, written as it is read: events come in a page at a time and
 * leave as text, so a long trail is never held whole. Values are the page's words (labels, choice
 * labels, secrets only as "changed").
 */
import type { AuditEvent } from '../db/schema.js';
import { actionLabel, changeLine, describeChanges, integrationTitle } from './describe.js';
import type { AuditChange } from './trail.js';

export type ExportedEvent = AuditEvent & { changeList: AuditChange[] };

/** One event as the JSON export writes it. */
export function exportedRecord(event: ExportedEvent) {
  return {
    id: event.id,
    created_at: event.createdAt.toISOString(),
    user: event.actorName,
    level: event.level,
    owner: event.ownerName,
    owner_path: event.ownerPath,
    integration: event.integration,
    integration_title: integrationTitle(event.integration),
    action: event.action,
    action_label: actionLabel(event.action),
    changes: describeChanges(event).map((change) => ({
      key: change.key,
      label: change.label,
      before: change.before,
      after: change.after,
      text: changeLine(change),
    })),
  };
}

const CSV_HEADER = ['Time (UTC)', 'User', 'Level', 'Group or project', 'Integration', 'Action', 'Changes'];

/** A cell a spreadsheet would run as a formula is prefixed with a quote (OWASP's CSV injection advice). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180: every cell quoted, quotes doubled, so commas and line breaks stay inside their cell. */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

const csvLine = (cells: readonly string[]) => `${cells.map(csvCell).join(',')}\r\n`;

function csvRow(event: ExportedEvent): string {
  return csvLine([
    event.createdAt.toISOString(),
    event.actorName,
    event.level,
    event.ownerName,
    integrationTitle(event.integration) ?? '',
    actionLabel(event.action),
    describeChanges(event).map(changeLine).join('\n'),
  ]);
}

function textStream(chunks: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/**
 * @example
 * return c.body(auditCsv(allAuditEvents(db, query)), 200, { 'Content-Type': 'text/csv; charset=utf-8' })
 */
export function auditCsv(events: AsyncIterable<ExportedEvent>): ReadableStream<Uint8Array> {
  return textStream(
    (async function* () {
      yield csvLine(CSV_HEADER);
      for await (const event of events) yield csvRow(event);
    })(),
  );
}

/** A JSON array of {@link exportedRecord}s, one per line. */
export function auditJson(events: AsyncIterable<ExportedEvent>): ReadableStream<Uint8Array> {
  return textStream(
    (async function* () {
      let separator = '[\n';
      for await (const event of events) {
        yield `${separator}${JSON.stringify(exportedRecord(event))}`;
        separator = ',\n';
      }
      yield separator === '[\n' ? '[]\n' : '\n]\n';
    })(),
  );
}
