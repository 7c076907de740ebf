/**
 * @module logger
 * Structured logs with pino: one JSON object per line (`LOG_FORMAT=json`), or the same lines made
 * readable for a terminal (`pretty`), filtered by LOG_LEVEL. Every line goes through one
 * synchronous sink, so that nothing is lost when the process exits and tests can read the lines.
 * Headers and fields that carry credentials are redacted wherever they appear in a line.
 */
import { pino } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.js';

export type Logger = pino.Logger;

/** The value a redacted field is logged with. */
export const REDACTED = '[Redacted]';

const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'set-cookie', 'private-token'];
const CREDENTIAL_FIELDS = ['password', 'token', 'secret'];

/** Paths in pino's redact syntax: a header in any `headers` object, a field at the top or one level down. */
const REDACTED_PATHS = [
  ...CREDENTIAL_HEADERS.flatMap((name) => [`headers["${name}"]`, `*.headers["${name}"]`]),
  ...CREDENTIAL_FIELDS.flatMap((name) => [name, `*.${name}`]),
];

const writeToStdout = (line: string) => void process.stdout.write(`${line}\n`);

/**
 * @example
 * const logger = createLogger('info')
 * logger.info({ userId: 7 }, 'signed in') // {"level":30,"time":...,"userId":7,"msg":"signed in"}
 * logger.debug('hidden') // not written at info
 *
 * const lines: string[] = []
 * createLogger('info', (line) => lines.push(line)) // each line one JSON object, without the newline
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = writeToStdout,
  format: LogFormat = 'json',
): Logger {
  const prettify =
    format === 'pretty'
      ? prettyFactory({ translateTime: 'SYS:standard', ignore: 'pid,hostname', singleLine: true })
      : undefined;
  const destination = {
    write(chunk: string) {
      write((prettify ? prettify(chunk) : chunk).replace(/\n$/, ''));
    },
  };
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: REDACTED } }, destination);
}
