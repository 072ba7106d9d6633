/**
 * ChildSupervisor: the one child process `informant run` supervises in exec mode, usually
 * the proxy whose config informant renders (consul-template's exec mode). It
 *   - starts the child when asked (the daemon asks once every template has an output),
 *     in its own process group, with informant's stdout and stderr;
 *   - reloads it after a change: `reload_signal` to the child, or `reload_command` run as
 *     a command (INFORMANT_CHILD_PID in its environment);
 *   - stops it when informant stops: `kill_signal` (or the signal informant received),
 *     then SIGKILL to its whole group after `kill_timeout`;
 *   - when the child exits on its own, either tells the daemon to exit with it
 *     (`on_exit: exit`, the default) or starts it again, backing off from 1 s to 30 s
 *     (`on_exit: restart`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { ExecConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { formatArgv, runCommand } from '../output/command.ts';
import { Backoff } from '../time/backoff.ts';
import type { Clock } from '../time/clock.ts';

/** Timing of restarts. */
export const DEFAULTS = Object.freeze({
  /** First restart delay (ms): a child that dies at once is not restarted in a tight loop. */
  restartInitialMs: 1_000,
  /** Restart delays double up to this (ms). */
  restartMaxMs: 30_000,
  /** A child that ran this long (ms) before exiting is restarted after restartInitialMs again. */
  restartResetAfterMs: 60_000,
});

/** How the child ended: its exit code, or the signal that ended it. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What /debug/ and the metrics show of the child. */
export interface ChildState {
  command: string;
  running: boolean;
  pid?: number;
  /** Times the child was started (restarts included). */
  starts: number;
  /** Reloads sent (signal or command), and those that failed. */
  reloads: { sent: number; failed: number };
  /** How the child last exited, and when (clock ms). */
  lastExit?: ChildExit & { at: number };
  /** A restart is scheduled at this clock time (on_exit: restart). */
  restartAt?: number;
}

/** What a ChildSupervisor needs. */
export interface SupervisorOptions {
  settings: ExecConfig;
  /** The child's working directory (the config's folder). */
  cwd: string;
  logger: Logger;
  clock: Clock;
  /** How long a reload_command may run. */
  commandTimeoutMs: number;
  /** The child exited on its own and on_exit is exit: informant should stop, and exit with the child's code. */
  onExit: (exit: ChildExit) => void;
}

/** The supervised child (see the module comment). */
export class ChildSupervisor {
  readonly #options: SupervisorOptions;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  #child: ChildProcess | undefined;
  #exited: Promise<ChildExit> | undefined;
  #state: Omit<ChildState, 'command' | 'running' | 'pid'> = { starts: 0, reloads: { sent: 0, failed: 0 } };
  #restartTimer: unknown;
  #startedAt = 0;
  #stopping = false;
  /** The reload in progress (a reload_command), and whether another was asked for meanwhile. */
  #reloading: Promise<void> | undefined;
  #reloadAgain = false;

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'exec' });
    this.#backoff = new Backoff(
      { initialMs: DEFAULTS.restartInitialMs, capMs: DEFAULTS.restartMaxMs, resetAfterMs: DEFAULTS.restartResetAfterMs, jitter: 'none' },
      options.clock,
    );
  }

  /** Whether the child has been started (it may have exited since). */
  get started(): boolean {
    return this.#state.starts > 0;
  }

  state(): ChildState {
    const child = this.#child;
    return {
      command: formatArgv(this.#options.settings.command),
      running: child !== undefined,
      ...(child?.pid !== undefined ? { pid: child.pid } : {}),
      ...this.#state,
    };
  }

  /** Starts the child unless it runs, is scheduled to restart, or informant is stopping. */
  start(): void {
    if (this.#child !== undefined || this.#stopping || this.#restartTimer !== undefined) return;
    const [program, ...args] = this.#options.settings.command;
    const child = spawn(program!, args, { cwd: this.#options.cwd, stdio: 'inherit', detached: true });
    this.#child = child;
    this.#startedAt = this.#options.clock.now();
    this.#state.starts++;
    this.#exited = new Promise((resolve) => {
      child.once('error', (err) => {
        if (child.pid !== undefined) return; // only a failed spawn ends it; the signals sent go through process.kill
        this.#log.error({ command: formatArgv(this.#options.settings.command), err: err.message }, 'could not start the child process');
        this.#onExit(child, { code: 127, signal: null }, resolve);
      });
      child.once('exit', (code, signal) => this.#onExit(child, { code, signal }, resolve));
    });
    this.#log.info({ pid: child.pid, command: formatArgv(this.#options.settings.command) }, 'started the child process');
  }

  /**
   * Tells a running child that its config changed: reload_signal, or reload_command. A
   * reload asked for while a reload_command runs follows it once, so the child always
   * sees the last change and commands never overlap. Resolves when done; never rejects.
   */
  reload(): Promise<void> {
    if (this.#reloading !== undefined) {
      this.#reloadAgain = true;
      return this.#reloading;
    }
    const reloading = (async () => {
      do {
        this.#reloadAgain = false;
        await this.#reloadOnce();
      } while (this.#reloadAgain);
    })();
    this.#reloading = reloading.finally(() => (this.#reloading = undefined));
    return this.#reloading;
  }

  async #reloadOnce(): Promise<void> {
    const child = this.#child;
    if (child?.pid === undefined || this.#stopping) return;
    const { reloadCommand, reloadSignal } = this.#options.settings;
    this.#state.reloads.sent++;
    if (reloadCommand === undefined) {
      this.#log.info({ pid: child.pid, signal: reloadSignal }, 'output changed: reloading the child');
      if (!signal(child.pid, reloadSignal)) this.#state.reloads.failed++;
      return;
    }
    const result = await runCommand(reloadCommand, {
      timeoutMs: this.#options.commandTimeoutMs,
      clock: this.#options.clock,
      cwd: this.#options.cwd,
      env: { INFORMANT_CHILD_PID: String(child.pid) },
    });
    const fields = { argv: formatArgv(reloadCommand), exitCode: result.exitCode, stdout: result.stdout || undefined, stderr: result.stderr || undefined };
    if (result.ok) this.#log.info(fields, 'output changed: reload_command ran');
    else {
      this.#state.reloads.failed++;
      this.#log.warn({ ...fields, timedOut: result.timedOut || undefined }, 'reload_command failed');
    }
  }

  /**
   * Stops the child: `signal` (kill_signal wins when set), then SIGKILL to its group after
   * kill_timeout; also ends whatever it left running in its group. Resolves with how it
   * exited, the signal it was sent, and whether it had to be killed (undefined when it was
   * not running); no restart follows.
   */
  async stop(received: NodeJS.Signals = 'SIGTERM'): Promise<(ChildExit & { killed: boolean; sent: NodeJS.Signals }) | undefined> {
    this.#stopping = true;
    this.#options.clock.clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const child = this.#child;
    const exited = this.#exited;
    if (child?.pid === undefined || exited === undefined) return undefined;
    const sent = this.#options.settings.killSignal ?? received;
    this.#log.info({ pid: child.pid, signal: sent }, 'stopping the child process');
    signal(child.pid, sent);
    let timer: unknown;
    const timeout = new Promise<'timeout'>((resolve) => (timer = this.#options.clock.setTimeout(() => resolve('timeout'), this.#options.settings.killTimeoutMs)));
    const first = await Promise.race([exited, timeout]);
    this.#options.clock.clearTimeout(timer);
    const killed = first === 'timeout';
    if (killed) {
      this.#log.warn({ pid: child.pid, killTimeoutMs: this.#options.settings.killTimeoutMs }, 'the child did not exit within kill_timeout: SIGKILL');
      signal(-child.pid, 'SIGKILL');
    }
    const exit = await exited;
    signal(-child.pid, 'SIGKILL'); // anything it left running in its group
    return { ...exit, killed, sent };
  }

  #onExit(child: ChildProcess, exit: ChildExit, resolve: (exit: ChildExit) => void): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    this.#state.lastExit = { ...exit, at: this.#options.clock.now() };
    resolve(exit);
    if (this.#stopping) return;
    const ranMs = this.#options.clock.now() - this.#startedAt;
    if (this.#options.settings.onExit === 'exit') {
      this.#log.error({ ...exit, ranMs }, 'the child process exited; informant exits with it (exec.on_exit: exit)');
      this.#options.onExit(exit);
      return;
    }
    const delayMs = this.#backoff.next();
    this.#state.restartAt = this.#options.clock.now() + delayMs;
    this.#log.error({ ...exit, ranMs, restartInMs: delayMs }, 'the child process exited; restarting it (exec.on_exit: restart)');
    this.#restartTimer = this.#options.clock.setTimeout(() => {
      this.#restartTimer = undefined;
      delete this.#state.restartAt;
      this.start();
    }, delayMs);
  }
}

/** The exit code a shell would give: the code, or 128 + the signal's number. */
export function exitCodeOf(exit: ChildExit): number {
  if (exit.code !== null) return exit.code;
  return 128 + (exit.signal ? (constants.signals[exit.signal] ?? 0) : 0);
}

/** Sends `sig` to a process (or, with a negative pid, a process group); false when it is gone. */
function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}
