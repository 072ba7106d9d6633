/**
 * The contract of the templates stage: what createRenderer and checkTemplates take, and
 * the Renderer they return. index.ts re-exports these for the stage's users.
 */
import type { TemplateConfig } from '../config/types.ts';
import type { KubeObject } from '../k8s.ts';
import type { Logger } from '../log.ts';
import type { StoreReader } from '../store/index.ts';
import type { TemplateReport } from './isolation/report-log.ts';
import type { EachResult } from './for-each.ts';
import type { MemoOptions, MemoStats } from './memo/index.ts';

/** What compiling the configured templates needs. */
export interface TemplateCheckOptions {
  /** The configured templates, in config order. */
  templates: readonly TemplateConfig[];
  /**
   * The config's folder: searched for included files after the template files' own
   * folders, and the only folder inline templates include from. Default: none.
   */
  baseDir?: string;
  /** The watched resources' names: checkTemplates reports `resources.<name>` of any other. Default: not checked. */
  resources?: readonly string[];
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
  /**
   * Hears, after every successful render, which objects it left out and warned about (the
   * renderer has logged them already: new findings at warn, repeats at debug).
   */
  onReport?: (report: TemplateReport) => void;
  /**
   * A render (every pass of it) taking longer than this, in ms, is stopped with a
   * RenderError at the loop or macro call where time ran out (render.timeout); default none.
   */
  timeoutMs?: number;
  /** Where env() reads the variables templates allow (allow_env); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The wall clock now() reads, in ms since the Unix epoch; default Date.now. */
  now?: () => number;
  /** The largest file file() reads, in bytes (limits.max_file_size); default 16 MiB. */
  maxFileBytes?: number;
  /**
   * Whether and how much `{% memo %}` results are kept (render.memo, render.memo_max_bytes,
   * render.memo_max_entries); default memo/index.ts DEFAULTS: on, 256 MiB and 250k entries per template.
   */
  memo?: Partial<MemoOptions>;
}

/**
 * What one render read, filled in as it goes (also when it fails): the watched resources
 * it looked at (`resources.<name>`, any use), and the objects of on-demand stores it was
 * handed. Callers use it to know whether an output holds Secret data and to mask it.
 */
export interface RenderTrace {
  /** Watched resource names the template read. */
  readonly resources: Set<string>;
  /** Bodies of on-demand objects the template was given (fetched or cached). */
  readonly fetched: KubeObject[];
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
   * concurrent renders share the GETs of objects they both read. Objects the template
   * rejects (fail_object, a validating filter given the object, a printed value the line
   * check of `escape: line` refuses) are left out and the template rendered without them
   * (see isolation/); a refused value no object holds fails the render at its position.
   * `trace` hears what the render read.
   */
  render(templateName: string, trace?: RenderTrace): Promise<string>;
  /**
   * Renders a for_each template: its elements, then each element's file name and content
   * (see for-each.ts). Rejects with a RenderError when the list cannot be computed, a file
   * name cannot be rendered, or two elements get the same name; an element whose own render
   * fails is listed in `failed` (the others render). `trace` hears what all of them read.
   */
  renderEach(templateName: string, trace?: RenderTrace): Promise<EachResult>;
  /** What each template's `{% memo %}` cache holds and did (empty when render.memo is off), in config order. */
  memoStats(): MemoStats[];
}
