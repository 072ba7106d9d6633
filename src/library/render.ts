/**
 * Rendering as a library call: from objects the caller has (buildStores, then
 * renderTemplates), or once from the config's own source (renderOnce: a folder of
 * manifests, a cluster, a shared store), as `informant render` does. Nothing here runs a
 * validate or on_change command; renderOnce writes files only when asked to.
 */
import type { Config } from '../config/types.ts';
import { Controller } from '../controller/controller.ts';
import type { OutputTarget } from '../controller/output-target.ts';
import type { SharedBackendRegistry } from '../controller/shared-backends.ts';
import type { RenderOutcome } from '../controller/status.ts';
import type { KubeObject } from '../k8s.ts';
import { defaultLibraryLogger, type Logger } from '../log.ts';
import type { StoreReader } from '../store/index.ts';
import { renderFromStores, storesFromObjects, type TemplateOutcome } from '../template-tests/render.ts';

/** The stores of a config's watched resources, by name: what templates see as `resources.<name>`. */
export type Stores = ReadonlyMap<string, StoreReader>;

/** What every library call may be given. */
export interface LibraryOptions {
  /** Default: warnings and errors as JSON lines on stderr, Secret data redacted (defaultLibraryLogger). */
  logger?: Logger;
}

/**
 * Stores for `config` holding `objects` (Kubernetes objects as plain data): each object
 * goes to every watched resource whose api_version, kind, namespace and selectors match,
 * with remove_fields applied and indexed by index_by, exactly as from a folder of
 * manifests. Every store keeps its objects in memory. Rejects when a selector or index_by
 * expression does not compile.
 */
export async function buildStores(config: Config, objects: readonly KubeObject[], options: LibraryOptions = {}): Promise<Stores> {
  return storesFromObjects(config, objects, options.logger ?? defaultLibraryLogger());
}

/**
 * Renders the config's templates (or only `templates`, by name) from `stores`. Resolves
 * with each template's output or the error that stopped it (a RenderError naming the file,
 * line and column); rejects when a template does not compile.
 */
export async function renderTemplates(
  config: Config,
  stores: Stores,
  options: LibraryOptions & { templates?: readonly string[] } = {},
): Promise<Map<string, TemplateOutcome>> {
  const names = options.templates ?? config.templates.map((template) => template.name);
  return renderFromStores(config, stores, names, options.logger ?? defaultLibraryLogger());
}

/** How renderFromSource runs. */
export interface RenderFromSourceOptions extends LibraryOptions {
  /** Where the outputs go: the configured files (default), another folder, or a callback. */
  target?: OutputTarget;
  /** The shared-store backends (source.shared); default the built-in ones. */
  sharedBackends?: SharedBackendRegistry;
  /**
   * Run validate and on_change as `informant run` does (`run --once`), on_change whatever
   * leader election says (there is none); default false: outputs are only written.
   */
  runCommands?: boolean;
  /** Optional resources (sync: optional) that did not sync in time and were rendered as empty; default: a warning in the log. */
  onWithout?: (resources: readonly string[]) => void;
}

/**
 * Starts the config's source, waits until every watched resource has synced (at most
 * render.sync_timeout), renders every template once into `target`, and stops the source.
 * Rejects, writing nothing, when the source cannot start, does not sync in time, or reports
 * a problem (a malformed manifest); a template that fails is an outcome, and the outputs
 * of the others are still written.
 */
export async function renderFromSource(config: Config, options: RenderFromSourceOptions = {}): Promise<RenderOutcome[]> {
  const logger = options.logger ?? defaultLibraryLogger();
  const runCommands = options.runCommands ?? false;
  const controller = new Controller({ config, logger, watch: false, runCommands, ...(options.sharedBackends ? { sharedBackends: options.sharedBackends } : {}) });
  if (runCommands) controller.setLeader(true);
  // A source that cannot start (a manifests folder that does not exist) is a problem with the input.
  await controller.start().catch((err: Error) => {
    throw new Error(`${config.file}: ${err.message}`, { cause: err });
  });
  const state = await controller.whenRenderable();
  const problems = controller.problems;
  // The source stays up while rendering: on-demand stores fetch through it.
  const outcomes = state.renderable && problems.length === 0 ? await controller.renderAll(options.target ?? { kind: 'configured' }) : [];
  await controller.stop();
  if (!state.renderable) {
    const stuck = state.stuck.map((s) => `${s.resource} after ${Math.round(s.waitingMs / 1000)} s: ${s.message}`);
    throw new Error(`not synced within sync_timeout: ${stuck.join('; ')}`);
  }
  if (problems.length > 0) throw new Error(`${problems.map((err) => err.message).join('\n')}\nnothing was written`);
  if (state.without.length > 0) (options.onWithout ?? ((without) => logger.warn({ without }, withoutMessage(without))))(state.without);
  return outcomes;
}

/** What rendering without optional resources that did not sync in time is reported as. */
export function withoutMessage(without: readonly string[]): string {
  return `rendered without the optional ${without.join(', ')} (not synced within sync_timeout: empty)`;
}

/**
 * Renders every template once from the config's own source, writing nothing: resolves
 * with each template's output or the error that stopped it (see renderFromSource for when
 * it rejects).
 */
export async function renderOnce(config: Config, options: Omit<RenderFromSourceOptions, 'target'> = {}): Promise<Map<string, TemplateOutcome>> {
  const outcomes = await renderFromSource(config, { ...options, target: { kind: 'callback', write: () => {} } });
  return new Map(
    outcomes.map((outcome): [string, TemplateOutcome] => [
      outcome.template,
      outcome.error ? { ok: false, error: outcome.error } : { ok: true, content: outcome.content ?? '' },
    ]),
  );
}
