/**
 * The templates stage's vocabulary: what the controller and the CLI use to render
 * configured templates from the stores.
 *
 * Templates are nunjucks 3.2.4 (pinned) with autoescape off, `throwOnUndefined`, and
 * trim/lstrip blocks. They see one variable, `resources`: per watched resource `x`,
 * `resources.x` is the array of its objects sorted by namespace then name, with the
 * methods `List()`, `Get(...keys)`, `Fetch(...keys)` and `GetSingle(...keys)` (see
 * resources.ts); informant's filters and the `fail(msg)` function are in filters.ts.
 *
 * Templates are code. nunjucks is not a sandbox: whoever can edit a template can run
 * arbitrary JavaScript with the controller's permissions (which include reading Secrets),
 * e.g. through `"".constructor.constructor(...)`. Load templates only from operator-owned
 * sources, never from tenant data. With autoescape off, values are written as they are:
 * a tenant-controlled annotation containing a newline can inject configuration lines, so
 * validate such values before using them.
 */
import type { TemplateConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import type { StoreReader } from '../store/index.ts';

/** What compiling the configured templates needs. */
export interface TemplateCheckOptions {
  /** The configured templates, in config order. */
  templates: readonly TemplateConfig[];
  /**
   * The config's folder: searched for included files after the template files' own
   * folders, and the only folder inline templates include from. Default: none.
   */
  baseDir?: string;
}

/** What createRenderer needs: the templates, and the stores they render from. */
export interface RendererOptions extends TemplateCheckOptions {
  /** The store of each watched resource, by name: `resources.<name>` in templates. */
  stores: ReadonlyMap<string, StoreReader>;
  /** Default: silent. */
  logger?: Logger;
  /**
   * Render passes at most when templates read on-demand objects (see two-pass.ts); default
   * 4: chains of lookups that depend on fetched data resolve up to 3 levels deep.
   */
  maxFetchPasses?: number;
}

/**
 * Renders the templates of one config version. Every template is compiled once, when the
 * renderer is created; files are not read again (a new config version needs a new
 * renderer). Renders read the stores as they are at the time of the call.
 */
export interface Renderer {
  /** The template names, in config order. */
  readonly names: readonly string[];
  /**
   * Renders one template. Rejects with a RenderError (file, line, column and message of
   * the failing expression) when rendering fails, and with an Error for an unknown name.
   * Objects of on-demand stores that are not cached are fetched first (the template is
   * rendered again once they are: see two-pass.ts); a fetch that fails (403, 5xx,
   * timeout) fails the render, naming the resource and the object. Renders may overlap:
   * concurrent renders share the GETs of objects they both read.
   */
  render(templateName: string): Promise<string>;
}

export { createRenderer, checkTemplates } from './renderer.ts';
export { RenderError, ResourceError, FilterError, TemplateFailure } from './errors.ts';
export type { ResourceView, ResourceMethods, Resources } from './resources.ts';
export { UnresolvedFetchError, DEFAULTS as TWO_PASS_DEFAULTS } from './two-pass.ts';
