import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Log levels accepted in config and LOG_LEVEL. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Paths whose values are never logged: Secret payloads wherever an object is logged.
 * pino's redaction replaces them with "[Redacted]".
 */
export const REDACT_PATHS = [
  'object.data',
  'object.stringData',
  'obj.data',
  'obj.stringData',
  '*.data',
  '*.stringData',
  '*.object.data',
  '*.object.stringData',
] as const;

export interface LoggerSettings {
  /** Level from config; LOG_LEVEL in the environment wins when set. Default: info. */
  level?: LogLevel;
  /** Pretty, human-readable output (pino-pretty). Default: when stdout is a TTY. */
  pretty?: boolean;
  /** Where to write; default stdout (fd 1). Tests pass a stream. */
  destination?: NodeJS.WritableStream;
}

/**
 * Creates the root logger. Components take a child with `component` bound
 * (`logger.child({ component: 'store' })`).
 */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: resolveLogLevel(settings.level),
    redact: { paths: [...REDACT_PATHS], censor: '[Redacted]' },
    base: { name: 'informant' },
  };
  if (settings.destination) return pino(options, settings.destination as pino.DestinationStream);
  const pretty = settings.pretty ?? process.stdout.isTTY === true;
  if (pretty) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,name' } },
    });
  }
  return pino(options);
}

/**
 * The level to log at: LOG_LEVEL from `env` when it names a level, else the configured
 * one, else info. Used at start and again when a reloaded config changes logging.level.
 */
export function resolveLogLevel(configured?: LogLevel, env: NodeJS.ProcessEnv = process.env): LogLevel {
  const fromEnv = env.LOG_LEVEL as LogLevel | undefined;
  if (fromEnv && LOG_LEVELS.includes(fromEnv)) return fromEnv;
  return configured ?? 'info';
}

/** A logger that drops everything; the default for library use and tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
