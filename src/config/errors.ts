/**
 * ConfigError: everything wrong with a config file, each problem with its file, line,
 * column and key path.
 */

/** One thing wrong with the config, and where. */
export interface ConfigProblem {
  /** The config file as it was named (e.g. "config.yaml"). */
  file: string;
  /** 1-based line; 0 when the problem has no position (the file could not be read). */
  line: number;
  /** 1-based column; 0 when the problem has no position. */
  col: number;
  /** Key path, e.g. "watched_resources.ingresses.index_by[1]"; "" for the file as a whole. */
  path: string;
  /** What is wrong, in the user's terms. */
  message: string;
}

/** `file:line:col: path: message`, leaving out what is unknown. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.col}` : problem.file;
  return problem.path === '' ? `${where}: ${problem.message}` : `${where}: ${problem.path}: ${problem.message}`;
}

/**
 * Thrown by parseConfig and loadConfig when the config cannot be used. `problems` lists
 * every problem found (sorted by position); the message has one formatted problem per line.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The config file as it was named. */
  readonly file: string;
  readonly problems: readonly ConfigProblem[];
  constructor(file: string, problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super(problems.map(formatProblem).join('\n'), options);
    this.file = file;
    this.problems = Object.freeze([...problems]);
  }
}
