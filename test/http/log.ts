/**
 * Test support: the app's JSON log lines (test/support/app.ts collects them) as objects.
 */

export interface LogEntry {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** pino's number for the error level. */
export const ERROR_LEVEL = 50;

export const logEntries = (lines: readonly string[]): LogEntry[] => lines.map((line) => JSON.parse(line) as LogEntry);

/** The one line each request writes when it is answered or aborted (src/http/request-log.ts). */
export const requestEntries = (lines: readonly string[]): LogEntry[] =>
  logEntries(lines).filter((entry) => entry.msg.startsWith('request '));

/** Lines that carry an error with its stack. */
export const stackTraces = (lines: readonly string[]): LogEntry[] =>
  logEntries(lines).filter((entry) => entry.err !== undefined || /\n\s+at /.test(JSON.stringify(entry)));
