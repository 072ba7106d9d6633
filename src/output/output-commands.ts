/**
 * The commands of one template's output (validate, on_change) as the output runs them:
 * with its timeout, working directory and environment, heard by the metrics, and logged
 * with their output.
 */
import type { TemplateConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { SecretMask } from '../secrets/index.ts';
import type { Clock } from '../time/clock.ts';
import { CommandError, formatArgv, runCommand, substituteFile, type CommandResult } from './command.ts';

/** The steps from a template to its output, which a failure is attributed to (metrics label `stage`). */
export type OutputStage = 'render' | 'validate' | 'write' | 'on_change';

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

/** What running an output's commands needs. */
export interface OutputCommandSettings {
  clock: Clock;
  /** The output's logger (component and template bound). */
  logger: Logger;
  /** validate and on_change are stopped after this long, in ms. */
  commandTimeoutMs: number;
  /** Working directory of the commands (the config's folder). */
  cwd: string;
  /** Aborted at shutdown: running commands are stopped. */
  signal?: AbortSignal;
  /** Hears every finished command (metrics). */
  onCommand?: (command: 'validate' | 'on_change', result: CommandResult) => void;
}

/** Runs the validate and on_change commands of one template's output. */
export class OutputCommands {
  readonly #template: TemplateConfig;
  readonly #settings: OutputCommandSettings;
  /** Masks the values of the Secrets the last rendering read in the commands' output. */
  mask: SecretMask = SecretMask.none;

  constructor(template: TemplateConfig, settings: OutputCommandSettings) {
    this.#template = template;
    this.#settings = settings;
  }

  /**
   * Runs validate on `candidate` (`{{ file }}`); the error when it rejected it. `what`
   * names what the candidate would replace, for the message.
   */
  async validate(candidate: string, what: string): Promise<OutputError | undefined> {
    const argv = this.#template.validate;
    if (argv === undefined) return undefined;
    const result = await this.run('validate', substituteFile(argv, candidate), { INFORMANT_CANDIDATE: candidate });
    if (result.ok) return undefined;
    const error = new CommandError(`template "${this.#template.name}": validate rejected the new ${what}; kept the previous one:`, result);
    return new OutputError(error.message, { template: this.#template.name, stage: 'validate', cause: error });
  }

  /**
   * Runs `argv` with the output's environment (INFORMANT_TEMPLATE, INFORMANT_OUTPUT) and
   * `env`; its output is masked (see `mask`) before it is logged, reported or returned.
   */
  async run(command: 'validate' | 'on_change', argv: string[], env: Record<string, string>): Promise<CommandResult> {
    const raw = await runCommand(argv, {
      timeoutMs: this.#settings.commandTimeoutMs,
      clock: this.#settings.clock,
      cwd: this.#settings.cwd,
      env: { INFORMANT_TEMPLATE: this.#template.name, INFORMANT_OUTPUT: this.#template.forEach?.dir ?? this.#template.output, ...env },
      ...(this.#settings.signal ? { signal: this.#settings.signal } : {}),
    });
    const result = { ...raw, stdout: this.mask.apply(raw.stdout), stderr: this.mask.apply(raw.stderr) };
    this.#settings.onCommand?.(command, result);
    this.#log(command, result);
    return result;
  }

  #log(command: string, result: CommandResult): void {
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
    const log = this.#settings.logger;
    if (!result.ok) log.warn(fields, `${command} failed`);
    else if (fields.stdout || fields.stderr) log.info(fields, `${command} ok`);
    else log.debug(fields, `${command} ok`);
  }
}
