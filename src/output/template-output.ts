/**
 * TemplateOutput: the output file of one template and the steps that replace it. A new
 * rendering replaces the output in this order, and any failure stops it with the previous
 * file untouched:
 *   1. unchanged checksum → nothing is written (a wrong mode or owner is corrected);
 *   2. the candidate `.name.<random>.candidate` is written beside the output (a fresh file,
 *      never through a link planted there) with the output's mode and owner
 *      (file-attributes.ts), and fsynced;
 *   3. `validate` runs on it (`{{ file }}` = the candidate);
 *   4. the previous output is copied to `name.bak` (when `backup` is on);
 *   5. the candidate is renamed over the output (atomic) and the folder fsynced;
 *   6. `on_change` is owed; the controller runs it once every output of the cycle is
 *      written (on-change.ts), or `replace` runs it at once.
 */
import { rm } from 'node:fs/promises';
import type { TemplateConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import type { Clock } from '../time/clock.ts';
import type { CommandResult } from './command.ts';
import { backupFile, backupPath, checksum, fileChecksum, replaceFile, writeTemporary } from './atomic-file.ts';
import { FileAttributes, type FileAttributeDeps } from './file-attributes.ts';
import { PendingOnChange, runOnChanges } from './on-change.ts';
import { OutputCommands, OutputError, type OutputStage } from './output-commands.ts';
import type { Output, OutputState, RenderedSecrets, WriteResult } from './types.ts';

export { OutputError, type OutputStage } from './output-commands.ts';
export type { RenderedSecrets, WriteResult } from './types.ts';

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
  /** chown and the account files (tests); default the system's. */
  attributes?: FileAttributeDeps;
}

/** A snapshot for the debug endpoint and readiness. */
export type TemplateOutputState = OutputState;

/**
 * Owns one output file. Replacing it is serialized by the controller (never two at once);
 * the file's checksum is read from disk the first time, so a restart with identical
 * content writes nothing and runs nothing.
 */
export class TemplateOutput implements Output {
  readonly template: TemplateConfig;
  readonly onChange: PendingOnChange;
  readonly #settings: TemplateOutputSettings;
  readonly #log: Logger;
  readonly #commands: OutputCommands;
  readonly #attributes: FileAttributes;
  /** sha256 of the output on disk as this process knows it (read from disk once). */
  #checksum: string | undefined;
  #checksumKnown = false;
  /** The mode and owner of the file on disk were checked under this config version. */
  #attributesChecked = false;
  #rejected: { checksum: string; error: Error } | undefined;
  #content: string | undefined;
  /** The content this process replaced last (for the diff of the last change in /debug/ui). */
  #previous: string | undefined;
  #candidate: string | undefined;
  #lastWrittenAt: number | undefined;
  /** A rendering of this output read Secret data (once true, it stays: its contents are never shown). */
  #readsSecrets = false;

  constructor(settings: TemplateOutputSettings) {
    this.#settings = settings;
    this.template = settings.template;
    this.#log = settings.logger.child({ component: 'output', template: settings.template.name });
    this.#commands = new OutputCommands(settings.template, { ...settings, logger: this.#log });
    this.#attributes = new FileAttributes(settings.template, this.#log, settings.attributes);
    this.onChange = new PendingOnChange(settings.template, settings.template.output, this.#commands, settings.runCommands);
  }

  /** Takes over what `previous` (the same output under the config before a reload) knew. */
  adopt(previous: Output): void {
    if (!(previous instanceof TemplateOutput) || previous.template.output !== this.template.output) return;
    this.#checksum = previous.#checksum;
    this.#checksumKnown = previous.#checksumKnown;
    this.#content = previous.#content;
    this.#previous = previous.#previous;
    this.#lastWrittenAt = previous.#lastWrittenAt;
    this.#attributesChecked = previous.#attributesChecked && sameAttributes(previous.template, this.template);
    this.onChange.adopt(previous.onChange);
    this.#readsSecrets = previous.#readsSecrets;
    this.#commands.mask = previous.#commands.mask;
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
    return this.onChange.pending;
  }

  state(): OutputState {
    return {
      template: this.template.name,
      output: this.template.output,
      checksum: this.#checksum,
      lastWrittenAt: this.#lastWrittenAt,
      onChangePending: this.onChangePending,
    };
  }

  /**
   * Replaces the output with `content` and runs on_change at once (steps in the module
   * comment). Never throws: the result says what happened and which step failed.
   * `mayRunOnChange` says whether this replica runs on_change; `secrets`, see write().
   */
  async replace(content: string, mayRunOnChange: boolean, secrets?: RenderedSecrets): Promise<WriteResult> {
    const written = await this.write(content, secrets);
    if (written.status === 'failed') return written;
    const ran = await this.runPendingOnChange(mayRunOnChange);
    return ran.error ? { ...ran, status: written.status } : written;
  }

  /**
   * Steps 1 to 5: replaces the output with `content` unless it is unchanged; on_change is
   * then owed (see `onChange`). Never throws. `secrets` says what Secret data the rendering
   * read: command output is masked with it in errors and in the log.
   */
  async write(content: string, secrets?: RenderedSecrets): Promise<WriteResult> {
    if (secrets) {
      this.#readsSecrets ||= secrets.read;
      this.#commands.mask = secrets.mask;
    }
    const sum = checksum(content);
    try {
      await this.#loadChecksum();
    } catch (err) {
      return this.#failed('write', `cannot read ${this.template.output}: ${(err as Error).message}`, err);
    }
    if (sum === this.#checksum) return this.#unchanged(content);
    if (this.#rejected?.checksum === sum) {
      return { status: 'failed', stage: 'validate', error: this.#rejected.error };
    }
    const failure = await this.#writeAndRename(content, sum);
    if (failure) {
      this.#candidate = content;
      return failure;
    }
    this.onChange.changed();
    return { status: 'written' };
  }

  /** Runs a pending on_change (after a leadership change or an earlier failure). */
  async runPendingOnChange(mayRunOnChange: boolean): Promise<WriteResult> {
    const errors = await runOnChanges([this.onChange], mayRunOnChange, this.#log);
    const error = errors.get(this.template.name);
    return error ? { status: 'unchanged', stage: 'on_change', error } : { status: 'unchanged' };
  }

  /** Step 1: the content is already in place; its mode and owner are corrected once per config version. */
  async #unchanged(content: string): Promise<WriteResult> {
    this.#content = content;
    this.#candidate = undefined;
    if (!this.#attributesChecked) {
      try {
        await this.#attributes.correct(this.template.output, content);
        this.#attributesChecked = true;
      } catch (err) {
        return this.#failed('write', `cannot set the mode or owner of ${this.template.output}: ${(err as Error).message}`, err);
      }
    }
    return { status: 'unchanged' };
  }

  /** Steps 2 to 5: the candidate is written, validated and renamed over the output; the failure, if any. */
  async #writeAndRename(content: string, sum: string): Promise<WriteResult | undefined> {
    const { output } = this.template;
    let candidate: string;
    try {
      candidate = await writeTemporary(output, content, this.#attributes.mode(content, output), 'candidate');
    } catch (err) {
      return this.#failed('write', `cannot write the candidate beside ${output}: ${(err as Error).message}`, err);
    }
    try {
      await this.#attributes.own(candidate);
    } catch (err) {
      await rm(candidate, { force: true }).catch(() => undefined);
      return this.#failed('write', `cannot set the owner of the candidate ${candidate}: ${(err as Error).message}`, err);
    }
    const rejected = this.#settings.runCommands ? await this.#commands.validate(candidate, 'output') : undefined;
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
    this.#attributesChecked = true;
    this.#lastWrittenAt = this.#settings.clock.now();
    return undefined;
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

/** Whether two versions of a template give their files the same mode and owner. */
export function sameAttributes(a: TemplateConfig, b: TemplateConfig): boolean {
  return a.mode === b.mode && a.owner?.user === b.owner?.user && a.owner?.group === b.owner?.group;
}
