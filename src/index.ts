/**
 * informant as a library (the package's main entry): load a config, build the stores of
 * its watched resources from objects you have, and render its templates, with the same
 * validation, indexing, escaping and error messages as the `informant` command.
 *
 *   import { loadConfig, buildStores, renderTemplates } from 'informant';
 *   const config = await loadConfig('config.yaml');          // ConfigError lists every problem
 *   const stores = await buildStores(config, objects);       // plain Kubernetes objects
 *   const outputs = await renderTemplates(config, stores);   // name → {ok, content} | {ok: false, error}
 *
 * `renderOnce(config)` renders from the config's own source instead (manifests, a
 * cluster, a shared store). Every call takes an optional pino `logger`; without one,
 * warnings and errors go to stderr as JSON lines, with Secret data redacted. Templates are
 * code (see the README's Template API): load them only from sources you trust.
 */
export { loadConfig, parseConfig, ConfigError, type Config, type ConfigOptions, type ConfigProblem, type TemplateConfig, type WatchedResourceConfig } from './config/index.ts';
export { buildStores, renderTemplates, renderOnce, renderFromSource, type LibraryOptions, type RenderFromSourceOptions, type Stores } from './library/render.ts';
export type { TemplateOutcome } from './template-tests/render.ts';
export type { OutputTarget } from './controller/output-target.ts';
export type { RenderOutcome } from './controller/status.ts';
export { RenderError } from './templates/errors.ts';
export type { KubeObject, ObjectMeta } from './k8s.ts';
export type { StoreReader } from './store/index.ts';
export { createLogger, defaultLibraryLogger, silentLogger, type Logger, type LoggerSettings } from './log.ts';
export { VERSION } from './version.ts';
