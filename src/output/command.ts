/**
 * Runs the commands a template configures (`validate`, `on_change`) as real child
 * processes: no shell unless the argv names one, each in a process group of its own, a
 * timeout that sends SIGTERM and then SIGKILL to that whole group, and stdout/stderr kept
 * (bounded) for the log and for error messages. When the command itself exits, whatever
 * it left running in its group (`sleep 60 &`) is ended the same way: a command never
 * outlives its run. A daemon a command means to start must leave the group (`setsid`).
 */
import { spawn } from 'node:child_process';
import type { Clock } from '../time/clock.ts';

/** Defaults of runCommand. */
export const DEFAULTS = Object.freeze({
  /** Time between SIGTERM and SIGKILL (ms): 5 s lets a command clean up, and no more. */
  killAfterMs: 5_000,
  /**
   * Bytes of stdout and of stderr kept per command (the last ones): 16 KiB holds every
   * message of `haproxy -c` or `nginx -t` while bounding memory and log line size.
   */
  maxOutputBytes: 16 * 1024,
});

/** How to run one command. */
export interface CommandOptions {
  /** Stop the command (SIGTERM, then SIGKILL) after this long, in ms. */
  timeoutMs: number;
  clock: Clock;
  /** Working directory; default the process's. */
  cwd?: string;
  /** Added to the environment the command inherits. */
  env?: Readonly<Record<string, string>>;
  /** Aborting stops the command as a timeout does (shutdown). */
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL, in ms; default DEFAULTS.killAfterMs. */
  killAfterMs?: number;
  /** Bytes of each output stream kept; default DEFAULTS.maxOutputBytes. */
  maxOutputBytes?: number;
}

/** How a command ended. `ok` means it ran and exited with code 0. */
export interface CommandResult {
  argv: readonly string[];
  ok: boolean;
  /** The exit code, or null when a signal ended it or it never started. */
  exitCode: number | null;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  /** It ran longer than its timeout and was stopped. */
  timedOut: boolean;
  /** It was stopped because the caller aborted (shutdown). */
  aborted: boolean;
  /** It could not be started (e.g. ENOENT: no such program). */
  spawnError?: Error;
  /** The last DEFAULTS.maxOutputBytes of each stream, as text. */
  stdout: string;
  stderr: string;
  /** Whether earlier output was dropped to stay within the bound. */
  truncated: boolean;
  /** Processes it started were still running in its group when it exited, and were stopped. */
  strays: boolean;
  /** How long it ran (clock ms). */
  durationMs: number;
}

/** A command that failed: it could not start, exited non-zero, was killed or timed out. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly result: CommandResult;
  constructor(what: string, result: CommandResult) {
    super(`${what} ${describeFailure(result)}`, { cause: result.spawnError });
    this.result = result;
  }
}

/**
 * Runs `argv` (program, then arguments; never through a shell) and resolves with how it
 * ended; it never rejects. The command is started in its own process group so that a
 * timeout or an abort stops everything it started, not only its first process.
 */
export function runCommand(argv: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error('runCommand: argv must name a program');
  const started = options.clock.now();
  const stdout = new OutputTail(options.maxOutputBytes ?? DEFAULTS.maxOutputBytes);
  const stderr = new OutputTail(options.maxOutputBytes ?? DEFAULTS.maxOutputBytes);
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const stopper = new Stopper(child.pid, options);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let spawnError: Error | undefined;
    child.on('error', (err) => (spawnError = err));
    child.on('exit', () =>
      stopper.exited(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }),
    );
    child.on('close', (exitCode, signal) => {
      stopper.dispose();
      resolve({
        argv,
        ok: exitCode === 0 && !stopper.timedOut && !stopper.aborted && spawnError === undefined,
        exitCode,
        signal,
        timedOut: stopper.timedOut,
        aborted: stopper.aborted,
        ...(spawnError ? { spawnError } : {}),
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.truncated || stderr.truncated,
        strays: stopper.strays,
        durationMs: options.clock.now() - started,
      });
    });
  });
}

/** A command line for messages: arguments with spaces or quotes are JSON-quoted. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ');
}

/** Replaces `{{ file }}` (any spacing) in every argument with `file`. */
export function substituteFile(argv: readonly string[], file: string): string[] {
  return argv.map((arg) => arg.replace(/\{\{\s*file\s*\}\}/g, file));
}

function describeFailure(result: CommandResult): string {
  const command = `(${formatArgv(result.argv)})`;
  if (result.spawnError) return `${command} could not be started: ${result.spawnError.message}`;
  const output = lastLines(result.stderr.trim() || result.stdout.trim());
  const detail = output === '' ? '' : `: ${output}`;
  if (result.timedOut) return `${command} timed out after ${result.durationMs / 1000} s and was stopped${detail}`;
  if (result.aborted) return `${command} was stopped by shutdown${detail}`;
  if (result.signal) return `${command} was killed by ${result.signal}${detail}`;
  return `${command} exited with code ${result.exitCode}${detail}`;
}

/** The last few lines of a command's output, for one-line messages. */
function lastLines(text: string, count = 5): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.slice(-count).join(' | ');
}

/** The timeout, abort and exit handling of one child: SIGTERM to the group, then SIGKILL. */
class Stopper {
  timedOut = false;
  aborted = false;
  strays = false;
  readonly #pid: number | undefined;
  readonly #options: CommandOptions;
  readonly #timer: unknown;
  #killTimer: unknown;
  #drainTimer: unknown;
  readonly #onAbort = (): void => this.#stop('abort');

  constructor(pid: number | undefined, options: CommandOptions) {
    this.#pid = pid;
    this.#options = options;
    this.#timer = options.clock.setTimeout(() => this.#stop('timeout'), options.timeoutMs);
    if (options.signal?.aborted) queueMicrotask(this.#onAbort);
    else options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /**
   * The process exited: what it left running in its group is stopped (SIGTERM, SIGKILL
   * after the grace period), and output pipes still held open are closed after it.
   */
  exited(closePipes: () => void): void {
    this.#options.clock.clearTimeout(this.#timer);
    if (!this.timedOut && !this.aborted && this.#groupAlive()) {
      this.strays = true;
      this.#signal('SIGTERM');
      this.#killTimer = this.#options.clock.setTimeout(() => this.#signal('SIGKILL'), this.#killAfterMs);
    }
    this.#drainTimer = this.#options.clock.setTimeout(closePipes, this.#killAfterMs);
  }

  dispose(): void {
    const { clock, signal } = this.#options;
    clock.clearTimeout(this.#timer);
    clock.clearTimeout(this.#killTimer);
    clock.clearTimeout(this.#drainTimer);
    signal?.removeEventListener('abort', this.#onAbort);
  }

  get #killAfterMs(): number {
    return this.#options.killAfterMs ?? DEFAULTS.killAfterMs;
  }

  #stop(why: 'timeout' | 'abort'): void {
    if (this.timedOut || this.aborted) return;
    if (why === 'timeout') this.timedOut = true;
    else this.aborted = true;
    this.#signal('SIGTERM');
    this.#killTimer = this.#options.clock.setTimeout(() => this.#signal('SIGKILL'), this.#killAfterMs);
  }

  /** Whether any process of the group still exists (the group outlives its first process). */
  #groupAlive(): boolean {
    if (this.#pid === undefined) return false;
    try {
      process.kill(-this.#pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  #signal(signal: NodeJS.Signals): void {
    if (this.#pid === undefined) return;
    try {
      process.kill(-this.#pid, signal); // the whole process group
    } catch {
      // Already gone.
    }
  }
}

/** Keeps the last `max` bytes written to it. */
class OutputTail {
  readonly #max: number;
  #chunks: Buffer[] = [];
  #size = 0;
  truncated = false;

  constructor(max: number) {
    this.#max = max;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size - (this.#chunks[0]?.length ?? 0) >= this.#max && this.#chunks.length > 1) {
      this.#size -= this.#chunks.shift()!.length;
      this.truncated = true;
    }
  }

  text(): string {
    const all = Buffer.concat(this.#chunks);
    if (all.length <= this.#max) return all.toString('utf8');
    this.truncated = true;
    return all.subarray(all.length - this.#max).toString('utf8');
  }
}
