/**
 * @module logger
 * Plain lines to stdout, filtered by LOG_LEVEL. Callers never pass secrets or tokens.
 */
import type { LogLevel } from './config.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * @example
 * const logger = createLogger('info')
 * logger.debug('hidden') // not printed at info
 */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => console.log(line)): Logger {
  const at = (wanted: LogLevel) => (message: string) => {
    if (ORDER[wanted] >= ORDER[level]) write(message);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
