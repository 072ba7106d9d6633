/**
 * A logger whose records tests read: every line pino writes, parsed, in order.
 */
import { createLogger, type Logger, type LogLevel } from '../../src/log.ts';

/** A logger that keeps every record (as parsed JSON) in `records`, from `level` up (default debug). */
export function captureLogger(level: LogLevel = 'debug'): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const destination = { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) };
  const logger = createLogger({ level, destination: destination as unknown as NodeJS.WritableStream });
  return { logger, records };
}
