/**
 * A pino logger whose lines tests can read: each line parsed as JSON, in order.
 */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.ts';

/** One parsed log line. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A logger at `level` (default debug) and the lines it wrote; `warnings()` are those at warn. */
export function capturedLogger(level: 'debug' | 'info' | 'warn' = 'debug'): { logger: Logger; lines: LogLine[]; warnings: () => LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as LogLine);
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines, warnings: () => lines.filter((line) => line.level === 40) };
}
