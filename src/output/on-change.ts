/**
 * on_change: whether an output owes its command, and running the commands of a render
 * cycle. The controller writes every output of a cycle first and runs the on_change
 * commands owed afterwards, in config order, each distinct command once: templates whose
 * on_change is the same command (after `{{ file }}` is substituted) share one run, so the
 * files a proxy reads together (certificates, a crt-list, its config) are reloaded once,
 * when all of them are in place.
 */
import type { TemplateConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { CommandError, substituteFile, type CommandResult } from './command.ts';
import { OutputError, type OutputCommands } from './output-commands.ts';

/** The on_change of one output: owed or not, and how to run it. */
export class PendingOnChange {
  readonly template: TemplateConfig;
  /** What `{{ file }}` stands for: the output file, or the folder of per-object files. */
  readonly #target: string;
  readonly #commands: OutputCommands;
  readonly #runCommands: boolean;
  #pending = false;

  constructor(template: TemplateConfig, target: string, commands: OutputCommands, runCommands: boolean) {
    this.template = template;
    this.#target = target;
    this.#commands = commands;
    this.#runCommands = runCommands;
  }

  /** on_change has not run for the current output yet (not the leader, deferred, or it failed). */
  get pending(): boolean {
    return this.#pending;
  }

  /** The output changed: its on_change is owed (when it has one and commands run at all). */
  changed(): void {
    this.#pending = this.template.onChange !== undefined && this.#runCommands;
  }

  /** Takes over what was owed under the previous config version of the same output. */
  adopt(previous: PendingOnChange): void {
    this.#pending = previous.#pending && this.template.onChange !== undefined;
  }

  /** The command owed, `{{ file }}` substituted; undefined when nothing is owed. */
  command(): string[] | undefined {
    const argv = this.template.onChange;
    return this.#pending && argv !== undefined ? substituteFile(argv, this.#target) : undefined;
  }

  /** Runs the command owed on behalf of `templates` (this one first); the caller settles every one of them. */
  run(argv: string[], templates: readonly string[]): Promise<CommandResult> {
    return this.#commands.run('on_change', argv, { INFORMANT_TEMPLATES: templates.join(' ') });
  }

  /** Records how the run of its command went: no longer owed when it succeeded; the error when it failed. */
  settle(result: CommandResult): OutputError | undefined {
    if (result.ok) {
      this.#pending = false;
      return undefined;
    }
    const error = new CommandError(`template "${this.template.name}": on_change failed after ${this.#target} was replaced:`, result);
    return new OutputError(error.message, { template: this.template.name, stage: 'on_change', cause: error });
  }
}

/**
 * Runs the on_change commands owed by `owed` (in this order, each distinct command once,
 * see the module comment); returns the error of each template whose command failed. With
 * `mayRun` false (a follower), nothing runs and everything stays owed.
 */
export async function runOnChanges(owed: readonly PendingOnChange[], mayRun: boolean, logger: Logger): Promise<Map<string, OutputError>> {
  const errors = new Map<string, OutputError>();
  const groups = new Map<string, { argv: string[]; members: PendingOnChange[] }>();
  for (const item of owed) {
    const argv = item.command();
    if (argv === undefined) continue;
    const key = JSON.stringify(argv);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { argv, members: [item] });
    else group.members.push(item);
  }
  if (groups.size === 0) return errors;
  if (!mayRun) {
    logger.debug({ templates: [...groups.values()].flatMap((g) => g.members.map((m) => m.template.name)) }, 'on_change left to the leader');
    return errors;
  }
  for (const { argv, members } of groups.values()) {
    const result = await members[0]!.run(argv, members.map((m) => m.template.name));
    for (const member of members) {
      const error = member.settle(result);
      if (error) errors.set(member.template.name, error);
    }
  }
  return errors;
}
