/**
 * One template of a render cycle, rendered into its target: the configured output (the
 * single file, or the files of a for_each template, whose on_change is then owed), a folder
 * (`render --out DIR`: see directory-target.ts) or a callback (`render --out -`).
 */
import { performance } from 'node:perf_hooks';
import type { TemplateConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { PerObjectOutput, type FileBatch } from '../output/per-object-output.ts';
import type { TemplateOutput } from '../output/template-output.ts';
import type { Output } from '../output/types.ts';
import type { EachResult, Renderer, RenderTrace } from '../templates/index.ts';
import type { Clock } from '../time/clock.ts';
import { writeIfChanged } from './directory-target.ts';
import type { ControllerMetrics } from './metrics.ts';
import { maskedError, newTrace, type SecretReads } from './secret-reads.ts';
import type { OutputTarget } from './output-target.ts';
import type { RenderOutcome } from './status.ts';

/** What rendering into a target needs from the controller. */
export interface RenderTargetDeps {
  renderer: Renderer;
  /** The configured outputs, by template name. */
  outputs: ReadonlyMap<string, Output>;
  /** Hears the render duration of configured renders. */
  metrics: Pick<ControllerMetrics, 'renderDuration'>;
  clock: Clock;
  logger: Logger;
  /** The config's folder (the working directory of commands). */
  baseDir: string;
  /** What a render of `template` traced in `trace` read of Secret data (remembered by the controller). */
  secretReads(template: TemplateConfig, trace: RenderTrace): SecretReads;
}

/**
 * Renders `template` and writes it to `target` (`place`: its file or folder under a
 * directory target). Never throws: the outcome says what failed.
 */
export function renderToTarget(template: TemplateConfig, target: OutputTarget, place: string | undefined, deps: RenderTargetDeps): Promise<RenderOutcome> {
  return template.forEach ? renderEach(template, target, place, deps) : renderOne(template, target, place, deps);
}

async function renderOne(template: TemplateConfig, target: OutputTarget, place: string | undefined, deps: RenderTargetDeps): Promise<RenderOutcome> {
  const output = place ?? template.output;
  const base = { template: template.name, output: target.kind === 'callback' ? '-' : output };
  const trace = newTrace();
  const rendered = await timed(template, target, deps, () => deps.renderer.render(template.name, trace));
  const secrets = deps.secretReads(template, trace);
  if ('error' in rendered) return { ...base, status: 'failed', stage: 'render', error: maskedError(rendered.error, secrets.mask) };
  const content = rendered.value;
  if (target.kind === 'callback') {
    target.write(template, content);
    return { ...base, status: 'written', content };
  }
  if (target.kind === 'directory') return { ...base, ...(await writeIfChanged(output, content, template.mode)), content };
  const result = await (deps.outputs.get(template.name) as TemplateOutput).write(content, secrets);
  return { ...base, ...result, content };
}

/** A for_each template: every element rendered, then the batch of files written (see output/per-object-output.ts). */
async function renderEach(template: TemplateConfig, target: OutputTarget, place: string | undefined, deps: RenderTargetDeps): Promise<RenderOutcome> {
  const folder = place ?? template.forEach!.dir;
  const base = { template: template.name, output: target.kind === 'callback' ? '-' : folder };
  const trace = newTrace();
  const rendered = await timed<EachResult>(template, target, deps, () => deps.renderer.renderEach(template.name, trace));
  const secrets = deps.secretReads(template, trace);
  if ('error' in rendered) return { ...base, status: 'failed', stage: 'render', error: maskedError(rendered.error, secrets.mask) };
  const failed = new Map([...rendered.value.failed].map(([file, error]) => [file, maskedError(error, secrets.mask)]));
  const batch: FileBatch = { files: rendered.value.files, failed };
  if (target.kind === 'callback') {
    for (const [file, content] of [...batch.files].sort(([a], [b]) => (a < b ? -1 : 1))) target.write(template, content, file);
    return { ...base, status: batch.failed.size > 0 ? 'failed' : 'written', ...eachFailure(template, batch) };
  }
  const output = target.kind === 'directory' ? directoryOutput(template, folder, deps) : (deps.outputs.get(template.name) as PerObjectOutput);
  return { ...base, ...(await output.write(batch, secrets)) };
}

/** Runs a render; its duration goes to the metrics when it renders the configured outputs. */
async function timed<T>(template: TemplateConfig, target: OutputTarget, deps: RenderTargetDeps, render: () => Promise<T>): Promise<{ value: T } | { error: Error }> {
  const started = performance.now();
  try {
    return { value: await render() };
  } catch (err) {
    return { error: err as Error };
  } finally {
    if (target.kind === 'configured') deps.metrics.renderDuration(template.name, (performance.now() - started) / 1000);
  }
}

/** A for_each template's files under `render --out DIR`: written and cleaned up by their own manifest there, with modes but no owner or command. */
function directoryOutput(template: TemplateConfig, folder: string, deps: RenderTargetDeps): PerObjectOutput {
  const { owner: _owner, ...unowned } = template;
  const settings = { template: unowned, clock: deps.clock, logger: deps.logger, runCommands: false, commandTimeoutMs: 0, cwd: deps.baseDir };
  return new PerObjectOutput(settings, folder);
}

/** The error of elements that failed to render (`render --out -`: the others are printed). */
function eachFailure(template: TemplateConfig, batch: FileBatch): { stage?: 'render'; error?: Error } {
  const [first] = batch.failed;
  if (first === undefined) return {};
  return { stage: 'render', error: new Error(`template "${template.name}": ${batch.failed.size} file(s) failed to render; ${first[0]}: ${first[1].message}`) };
}
