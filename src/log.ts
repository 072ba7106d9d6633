import pino, { type Logger, type LoggerOptions } from 'pino';
import pinoPretty from 'pino-pretty';

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

/** How log lines are written: one JSON object per line, or pino-pretty's human-readable form. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerSettings {
  /** Level from config; LOG_LEVEL in the environment wins over it, `commandLineLevel` over both. Default: info. */
  level?: LogLevel;
  /** The level given on the command line (--log-level): wins over LOG_LEVEL and the config. */
  commandLineLevel?: LogLevel;
  /**
   * Pretty, human-readable output (pino-pretty, colored on a terminal) instead of JSON
   * lines. Default: when the destination is a terminal (stdout without a destination).
   */
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
    level: resolveLogLevel(settings.level, process.env, settings.commandLineLevel),
    redact: { paths: [...REDACT_PATHS], censor: '[Redacted]' },
    base: { name: 'informant' },
  };
  const destination = settings.destination ?? process.stdout;
  const pretty = settings.pretty ?? (settings.destination === undefined && process.stdout.isTTY === true);
  if (pretty) {
    const colorize = (destination as { isTTY?: boolean }).isTTY === true;
    return pino(options, pinoPretty({ destination, colorize, sync: true, ignore: 'pid,hostname,name' }));
  }
  if (settings.destination) return pino(options, settings.destination as pino.DestinationStream);
  return pino(options);
}

/**
 * The level to log at: `commandLine` (--log-level) when given, else LOG_LEVEL from `env`
 * when it names a level, else the configured one, else info. Used at start and again when a
 * reloaded config changes logging.level.
 */
export function resolveLogLevel(configured?: LogLevel, env: NodeJS.ProcessEnv = process.env, commandLine?: LogLevel): LogLevel {
  if (commandLine !== undefined) return commandLine;
  const fromEnv = env.LOG_LEVEL as LogLevel | undefined;
  if (fromEnv && LOG_LEVELS.includes(fromEnv)) return fromEnv;
  return configured ?? 'info';
}

/** A logger that drops everything (tests, and the renderer's default). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * The logger of library calls that are given none: warnings and errors as JSON lines on
 * stderr (never stdout, which belongs to the program using informant), Secret data
 * redacted as always; LOG_LEVEL changes the level.
 */
export function defaultLibraryLogger(): Logger {
  return createLogger({ level: 'warn', destination: process.stderr });
}
