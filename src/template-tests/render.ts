/**
 * Renders a test's templates from its objects: a fresh pipeline (indexers and stores) per
 * test, fed by a FixtureSource, and the config's templates compiled as `render` compiles
 * them. Only the named templates are rendered; nothing is written and no validate or
 * on_change command runs.
 */
import type { Config, WatchedResourceConfig } from '../config/types.ts';
import type { KubeObject } from '../k8s.ts';
import type { Logger } from '../log.ts';
import { createRenderer, type Renderer } from '../templates/index.ts';
import { buildPipeline } from '../controller/pipeline.ts';
import { createDefaultRegistry } from '../controller/registry.ts';
import { FixtureSource } from './fixture-source.ts';

/**
 * What rendering one template gave: its output, or the error that stopped it. A for_each
 * template's outcome has its files (and the files whose element failed); `content` is then
 * empty.
 */
export type TemplateOutcome =
  | { ok: true; content: string; files?: ReadonlyMap<string, string>; failedFiles?: ReadonlyMap<string, Error> }
  | { ok: false; error: Error };

/**
 * Renders `templates` (names of configured templates) from `objects`. Throws when the
 * config's templates do not compile or a watched resource cannot be indexed; a failing
 * render is an outcome, not an exception.
 */
export async function renderFromObjects(
  config: Config,
  objects: readonly KubeObject[],
  templates: readonly string[],
  logger: Logger,
): Promise<Map<string, TemplateOutcome>> {
  const resources = config.watchedResources.map(inMemory);
  const pipeline = buildPipeline({ ...config, watchedResources: resources }, createDefaultRegistry(), logger, () => {});
  const renderer = createRenderer({
    templates: config.templates,
    timeoutMs: config.render.timeoutMs,
    stores: pipeline.stores,
    logger: logger.child({ component: 'templates' }),
    baseDir: config.baseDir,
  });
  const source = new FixtureSource(objects, resources);
  await source.start(pipeline.sinks);
  const outcomes = new Map<string, TemplateOutcome>();
  try {
    for (const name of new Set(templates)) {
      try {
        outcomes.set(name, await renderOne(renderer, config, name));
      } catch (err) {
        outcomes.set(name, { ok: false, error: err instanceof Error ? err : new Error(String(err)) });
      }
    }
  } finally {
    await source.stop();
  }
  return outcomes;
}

async function renderOne(renderer: Renderer, config: Config, name: string): Promise<TemplateOutcome> {
  if (config.templates.find((t) => t.name === name)?.forEach === undefined) return { ok: true, content: await renderer.render(name) };
  const { files, failed } = await renderer.renderEach(name);
  return { ok: true, content: '', files, failedFiles: failed };
}

/**
 * The resource with a full (in-memory) store: fixtures are all there is, so an on-demand
 * store, which fetches from an API server, keeps every object in memory instead.
 */
function inMemory(resource: WatchedResourceConfig): WatchedResourceConfig {
  const { cacheTtlMs: _ttl, maxCacheSize: _size, ...rest } = resource;
  return { ...rest, store: 'full' };
}
