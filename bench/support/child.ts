/**
 * The parent's side of a contender process: every contender runs in a fresh Node process
 * (`--expose-gc`, so heap figures start from an empty heap and are read after full
 * collections), started on bench/child.ts with a module, a task and JSON parameters, and
 * talked to over the IPC channel. See link.ts for the child's side.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A message between parent and child: a type and any JSON fields. */
export interface Message {
  type: string;
  [field: string]: unknown;
}

/** What to run in a child. */
export interface ChildSpec {
  /** Module path relative to bench/, e.g. "contenders/informant.ts". */
  module: string;
  /** The exported async function to call: `(params, link) => result`. */
  task: string;
  /** JSON parameters handed to the task. */
  params: unknown;
  /** Extra node flags (e.g. --cpu-prof); `--expose-gc` is always set. */
  nodeFlags?: readonly string[];
}

const ENTRY = fileURLToPath(new URL('../child.ts', import.meta.url));

const DEFAULTS = Object.freeze({
  /** ms a child that has answered gets to exit on its own (writing a CPU profile takes a moment). */
  exitGraceMs: 10_000,
});

/** Flags every child gets: a collector the task can call, and room for 100k-object heaps. */
const NODE_FLAGS = Object.freeze(['--expose-gc', '--max-old-space-size=8192']);

/** A running contender process. `result()` resolves with what its task returned. */
export class Child {
  readonly #process: ChildProcess;
  readonly #spec: ChildSpec;
  readonly #inbox: Message[] = [];
  readonly #waiters: Array<{ type: string; resolve: (m: Message) => void; reject: (e: Error) => void }> = [];
  #stderr = '';
  #failure: Error | undefined;
  #answered = false;
  readonly #exit: Promise<void>;

  private constructor(spec: ChildSpec) {
    this.#spec = spec;
    const args = [...NODE_FLAGS, ...(spec.nodeFlags ?? []), ENTRY, spec.module, spec.task, JSON.stringify(spec.params)];
    this.#process = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.#process.stdout!.on('data', (chunk: Buffer) => this.#keepOutput(chunk));
    this.#process.stderr!.on('data', (chunk: Buffer) => this.#keepOutput(chunk));
    this.#process.on('message', (message: Message) => this.#receive(message));
    this.#exit = new Promise((resolve) => this.#process.on('exit', resolve));
    this.#process.on('exit', (code, signal) => this.#exited(code, signal));
  }

  /** Starts `spec` in a new process. */
  static start(spec: ChildSpec): Child {
    return new Child(spec);
  }

  /** Starts `spec`, waits for its result and the process's exit. */
  static async run<T>(spec: ChildSpec): Promise<T> {
    return Child.start(spec).result<T>();
  }

  /** The process id (for signals). */
  get pid(): number {
    return this.#process.pid!;
  }

  /** Sends a message to the task (it reads it with `link.next(type)`). */
  send(message: Message): void {
    this.#process.send(message);
  }

  /** The next message of `type` (earlier ones of that type are consumed in order). */
  next(type: string): Promise<Message> {
    const index = this.#inbox.findIndex((m) => m.type === type);
    if (index !== -1) return Promise.resolve(this.#inbox.splice(index, 1)[0]!);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#waiters.push({ type, resolve, reject }));
  }

  /** The task's return value; rejects with the child's error (and its stderr) if it failed. */
  async result<T>(): Promise<T> {
    const message = await this.next('result');
    return message.value as T;
  }

  /**
   * Ends the process: one that has sent its result exits by itself (and writes its
   * --cpu-prof profile on the way out), so it gets up to `graceMs`; then, or for one that
   * has not answered, SIGKILL.
   */
  async close(graceMs = DEFAULTS.exitGraceMs): Promise<void> {
    if (this.#process.exitCode !== null || this.#process.signalCode !== null) return;
    if (this.#answered) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#exit, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    if (this.#process.exitCode === null && this.#process.signalCode === null) this.#process.kill('SIGKILL');
  }

  #receive(message: Message): void {
    if (message.type === 'result') this.#answered = true;
    if (message.type === 'error') {
      this.#fail(new Error(`${this.#describe()} failed: ${String(message.stack ?? message.message)}`));
      return;
    }
    const index = this.#waiters.findIndex((w) => w.type === message.type);
    if (index === -1) this.#inbox.push(message);
    else this.#waiters.splice(index, 1)[0]!.resolve(message);
  }

  #exited(code: number | null, signal: NodeJS.Signals | null): void {
    const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    this.#fail(new Error(`${this.#describe()} ${why} before answering${this.#stderr ? `:\n${this.#stderr.trim()}` : ''}`));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure);
  }

  /** Keeps the last few KB of the child's output for error messages. */
  #keepOutput(chunk: Buffer): void {
    this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-4000);
  }

  #describe(): string {
    return `bench child ${this.#spec.module} ${this.#spec.task}`;
  }
}
