/**
 * The outputs of one config version: one per template (a single file, or the files of a
 * for_each template), each taking over what the previous version knew of the same output
 * (checksums, the manifest, a pending on_change), so a reload neither rewrites unchanged
 * outputs nor forgets an on_change still owed.
 */
import type { Config } from '../config/types.ts';
import type { Logger } from '../log.ts';
import type { Clock } from '../time/clock.ts';
import type { CommandResult } from './command.ts';
import { PerObjectOutput } from './per-object-output.ts';
import { TemplateOutput, type TemplateOutputSettings } from './template-output.ts';
import type { Output } from './types.ts';

/** What every output of a controller shares. */
export interface OutputDeps {
  clock: Clock;
  logger: Logger;
  /** Run validate and on_change (`run`), or only write (`render`). */
  runCommands: boolean;
  /** Aborted at shutdown: running commands are stopped. */
  signal: AbortSignal;
  /** Hears every finished command (metrics). */
  onCommand: (template: string, command: 'validate' | 'on_change', result: CommandResult) => void;
}

/** The outputs of `config` by template name, adopting the state of `previous` outputs of the same files. */
export function buildOutputs(config: Config, previous: ReadonlyMap<string, Output>, deps: OutputDeps): Map<string, Output> {
  const byFile = new Map([...previous.values()].map((output) => [output.template.output, output]));
  const outputs = new Map<string, Output>();
  for (const template of config.templates) {
    const settings: TemplateOutputSettings = {
      template,
      clock: deps.clock,
      logger: deps.logger,
      runCommands: deps.runCommands,
      commandTimeoutMs: template.commandTimeoutMs ?? config.render.commandTimeoutMs,
      cwd: config.baseDir,
      signal: deps.signal,
      onCommand: (command, result) => deps.onCommand(template.name, command, result),
    };
    const output = template.forEach === undefined ? new TemplateOutput(settings) : new PerObjectOutput(settings);
    const before = byFile.get(template.output);
    if (before) output.adopt(before);
    outputs.set(template.name, output);
  }
  return outputs;
}
