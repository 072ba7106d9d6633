/**
 * TemplateOutput: the output file of one template and the steps that replace it. A new
 * rendering replaces the output in this order, and any failure stops it with the previous
 * file untouched:
 *   1. unchanged checksum → nothing is written and nothing runs;
 *   2. the candidate `.name.<random>.candidate` is written beside the output (a fresh file,
 *      never through a link planted there) and fsynced;
 *   3. `validate` runs on it (`{{ file }}` = the candidate);
 *   4. the previous output is copied to `name.bak` (when `backup` is on);
 *   5. the candidate is renamed over the output (atomic) and the folder fsynced;
 *   6. `on_change` runs (when this replica may run it; else it is remembered as pending).
 */
import { rm } from 'node:fs/promises';
import type { TemplateConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { SecretMask } from '../secrets/index.ts';
import type { Clock } from '../time/clock.ts';
import { CommandError, formatArgv, runCommand, substituteFile, type CommandResult } from './command.ts';
import { backupFile, backupPath, checksum, fileChecksum, replaceFile, writeTemporary } from './atomic-file.ts';

/**
 * The steps from a template to its output file, which a failure is attributed to (metrics
 * label `stage`): rendering the template, then validate, write and on_change.
 */
export type OutputStage = 'render' | 'validate' | 'write' | 'on_change';

/** What writing one rendering to its output did. `error` is set whenever a step failed. */
export interface WriteResult {
  /** failed: the output was not replaced. written with an error: on_change failed afterwards. */
  status: 'written' | 'unchanged' | 'failed';
  stage?: OutputStage;
  error?: Error;
}

/** A step of replacing an output failed; names the template and the step. */
export class OutputError extends Error {
  override readonly name = 'OutputError';
  readonly template: string;
  readonly stage: OutputStage;
  constructor(message: string, options: { template: string; stage: OutputStage; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.template = options.template;
    this.stage = options.stage;
  }
}

/** What a TemplateOutput needs besides its template. */
export interface TemplateOutputSettings {
  template: TemplateConfig;
  clock: Clock;
  logger: Logger;
  /** Run validate and on_change (`run`), or only write (`render`). */
  runCommands: boolean;
  /** validate and on_change are stopped after this long, in ms. */
  commandTimeoutMs: number;
  /** Working directory of the commands (the config's folder). */
  cwd: string;
  /** Aborted at shutdown: running commands are stopped. */
  signal?: AbortSignal;
  /** Hears every finished command (metrics). */
  onCommand?: (command: 'validate' | 'on_change', result: CommandResult) => void;
}

/** The Secret data a rendering holds: whether it read any, and the mask for messages about it. */
export interface RenderedSecrets {
  readonly read: boolean;
  readonly mask: SecretMask;
}

/** A snapshot for the debug endpoint and readiness. */
export interface TemplateOutputState {
  template: string;
  output: string;
  /** sha256 of the output on disk as this process knows it; undefined when there is none. */
  checksum: string | undefined;
  /** Clock time of the last replace by this process. */
  lastWrittenAt: number | undefined;
  /** on_change has not run for the current output yet (not the leader, or it failed). */
  onChangePending: boolean;
}

/**
 * Owns one output file. Replacing it is serialized by the controller (never two at once);
 * the file's checksum is read from disk the first time, so a restart with identical
 * content writes nothing and runs nothing.
 */
export class TemplateOutput {
  readonly template: TemplateConfig;
  readonly #settings: TemplateOutputSettings;
  readonly #log: Logger;
  /** sha256 of the output on disk as this process knows it (read from disk once). */
  #checksum: string | undefined;
  #checksumKnown = false;
  #rejected: { checksum: string; error: Error } | undefined;
  #content: string | undefined;
  /** The content this process replaced last (for the diff of the last change in /debug/ui). */
  #previous: string | undefined;
  #candidate: string | undefined;
  #lastWrittenAt: number | undefined;
  #onChangePending = false;
  /** A rendering of this output read Secret data (once true, it stays: its contents are never shown). */
  #readsSecrets = false;
  /** Masks the values of the last rendering's Secrets in command output. */
  #mask: SecretMask = SecretMask.none;

  constructor(settings: TemplateOutputSettings) {
    this.#settings = settings;
    this.template = settings.template;
    this.#log = settings.logger.child({ component: 'output', template: settings.template.name });
  }

  /** Takes over what `previous` (the same output under the config before a reload) knew. */
  adopt(previous: TemplateOutput): void {
    if (previous.template.output !== this.template.output) return;
    this.#checksum = previous.#checksum;
    this.#checksumKnown = previous.#checksumKnown;
    this.#content = previous.#content;
    this.#previous = previous.#previous;
    this.#lastWrittenAt = previous.#lastWrittenAt;
    this.#onChangePending = previous.#onChangePending && this.template.onChange !== undefined;
    this.#readsSecrets = previous.#readsSecrets;
    this.#mask = previous.#mask;
  }

  /** Whether a rendering of this output read Secret data: its content and candidates are not to be shown. */
  get readsSecrets(): boolean {
    return this.#readsSecrets;
  }

  /** The content of the output as last written (or found identical on disk), if this process rendered it. */
  get currentContent(): string | undefined {
    return this.#content;
  }

  /** What the last replace by this process replaced, when this process knew it (undefined before its second change). */
  get previousContent(): string | undefined {
    return this.#previous;
  }

  /** The last rendering that did not replace the output (validate or write failed), for debugging. */
  get rejectedCandidate(): string | undefined {
    return this.#candidate;
  }

  get onChangePending(): boolean {
    return this.#onChangePending;
  }

  state(): TemplateOutputState {
    return {
      template: this.template.name,
      output: this.template.output,
      checksum: this.#checksum,
      lastWrittenAt: this.#lastWrittenAt,
      onChangePending: this.#onChangePending,
    };
  }

  /**
   * Replaces the output with `content` (steps in the module comment). Never throws: the
   * result says what happened and which step failed. `mayRunOnChange` says whether this
   * replica runs on_change. `secrets` says what Secret data the rendering read: command
   * output is masked with it in errors and in the log.
   */
  async replace(content: string, mayRunOnChange: boolean, secrets?: RenderedSecrets): Promise<WriteResult> {
    if (secrets) {
      this.#readsSecrets ||= secrets.read;
      this.#mask = secrets.mask;
    }
    const sum = checksum(content);
    try {
      await this.#loadChecksum();
    } catch (err) {
      return this.#failed('write', `cannot read ${this.template.output}: ${(err as Error).message}`, err);
    }
    if (sum === this.#checksum) {
      this.#content = content;
      this.#candidate = undefined;
      return this.#onChangePending ? this.#runPendingOnChange(mayRunOnChange, 'unchanged') : { status: 'unchanged' };
    }
    if (this.#rejected?.checksum === sum) {
      return { status: 'failed', stage: 'validate', error: this.#rejected.error };
    }
    const failure = await this.#writeAndRename(content, sum);
    if (failure) {
      this.#candidate = content;
      return failure;
    }
    this.#onChangePending = this.template.onChange !== undefined && this.#settings.runCommands;
    return this.#runPendingOnChange(mayRunOnChange, 'written');
  }

  /** Runs a pending on_change (after a leadership change or an earlier failure). */
  async runPendingOnChange(mayRunOnChange: boolean): Promise<WriteResult> {
    return this.#runPendingOnChange(mayRunOnChange, 'unchanged');
  }

  /** Steps 2 to 5: the candidate is written, validated and renamed over the output; the failure, if any. */
  async #writeAndRename(content: string, sum: string): Promise<WriteResult | undefined> {
    const { output, mode } = this.template;
    let candidate: string;
    try {
      candidate = await writeTemporary(output, content, mode, 'candidate');
    } catch (err) {
      return this.#failed('write', `cannot write the candidate beside ${output}: ${(err as Error).message}`, err);
    }
    const rejected = await this.#validate(candidate);
    if (rejected) {
      await rm(candidate, { force: true }).catch(() => undefined);
      this.#rejected = { checksum: sum, error: rejected };
      return { status: 'failed', stage: 'validate', error: rejected };
    }
    try {
      if (this.template.backup && (await backupFile(output, backupPath(output)))) {
        this.#log.debug({ backup: backupPath(output) }, 'kept the previous output');
      }
      await replaceFile(candidate, output);
    } catch (err) {
      await rm(candidate, { force: true }).catch(() => undefined);
      return this.#failed('write', `cannot replace ${output}: ${(err as Error).message}`, err);
    }
    this.#checksum = sum;
    this.#previous = this.#content;
    this.#content = content;
    this.#candidate = undefined;
    this.#rejected = undefined;
    this.#lastWrittenAt = this.#settings.clock.now();
    return undefined;
  }

  /** Runs validate on the candidate; the error when it rejected it. */
  async #validate(candidate: string): Promise<OutputError | undefined> {
    const argv = this.template.validate;
    if (argv === undefined || !this.#settings.runCommands) return undefined;
    const result = await this.#run('validate', substituteFile(argv, candidate), { INFORMANT_CANDIDATE: candidate });
    if (result.ok) return undefined;
    const error = new CommandError(`template "${this.template.name}": validate rejected the new output; kept the previous one:`, result);
    return new OutputError(error.message, { template: this.template.name, stage: 'validate', cause: error });
  }

  async #runPendingOnChange(mayRunOnChange: boolean, status: Exclude<WriteResult['status'], 'failed'>): Promise<WriteResult> {
    const argv = this.template.onChange;
    if (!this.#onChangePending || argv === undefined) return { status };
    if (!mayRunOnChange) {
      this.#log.debug('on_change left to the leader');
      return { status };
    }
    const result = await this.#run('on_change', substituteFile(argv, this.template.output), {});
    if (result.ok) {
      this.#onChangePending = false;
      return { status };
    }
    const error = new CommandError(`template "${this.template.name}": on_change failed after ${this.template.output} was replaced:`, result);
    return { status, stage: 'on_change', error: new OutputError(error.message, { template: this.template.name, stage: 'on_change', cause: error }) };
  }

  /** Runs a command; the result's output is masked (see replace()) before anyone sees it. */
  async #run(command: 'validate' | 'on_change', argv: string[], env: Record<string, string>): Promise<CommandResult> {
    const raw = await runCommand(argv, {
      timeoutMs: this.#settings.commandTimeoutMs,
      clock: this.#settings.clock,
      cwd: this.#settings.cwd,
      env: { INFORMANT_TEMPLATE: this.template.name, INFORMANT_OUTPUT: this.template.output, ...env },
      ...(this.#settings.signal ? { signal: this.#settings.signal } : {}),
    });
    const result = { ...raw, stdout: this.#mask.apply(raw.stdout), stderr: this.#mask.apply(raw.stderr) };
    this.#settings.onCommand?.(command, result);
    this.#logCommand(command, result);
    return result;
  }

  #logCommand(command: string, result: CommandResult): void {
    const fields = {
      command,
      argv: formatArgv(result.argv),
      exitCode: result.exitCode,
      signal: result.signal ?? undefined,
      durationMs: result.durationMs,
      ...(result.stdout.trim() ? { stdout: result.stdout } : {}),
      ...(result.stderr.trim() ? { stderr: result.stderr } : {}),
      ...(result.truncated ? { truncated: true } : {}),
      ...(result.strays ? { strays: 'processes it left running were stopped (a daemon must leave the group: setsid)' } : {}),
    };
    if (!result.ok) this.#log.warn(fields, `${command} failed`);
    else if (fields.stdout || fields.stderr) this.#log.info(fields, `${command} ok`);
    else this.#log.debug(fields, `${command} ok`);
  }

  async #loadChecksum(): Promise<void> {
    if (this.#checksumKnown) return;
    this.#checksum = await fileChecksum(this.template.output);
    this.#checksumKnown = true;
  }

  #failed(stage: OutputStage, message: string, cause: unknown): WriteResult {
    const error = new OutputError(`template "${this.template.name}": ${message}`, { template: this.template.name, stage, cause });
    return { status: 'failed', stage, error };
  }
}
