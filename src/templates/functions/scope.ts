/**
 * What the functions of this folder read besides their arguments: the template being
 * rendered (its allow_env), the environment, the time the render started, and the config
 * folder files are read from. The renderer makes one scope per render and makes it active
 * around each (synchronous) render pass, as isolation's pass report is; every pass of one
 * render sees the same scope, so `now()` is one instant for the whole render.
 */
import { TemplateFailure } from '../errors.ts';

/** One render's view of the outside world (see the module comment). */
export interface FunctionScope {
  /** The template rendered, for messages. */
  readonly template: string;
  /** The variables env() may read (templates.<name>.allow_env). */
  readonly allowEnv: ReadonlySet<string>;
  /** Where env() reads them. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** When this render started (ms since the Unix epoch): what now() returns. */
  readonly startedAtMs: number;
  /** The config's folder: file() reads only below it. */
  readonly baseDir: string | undefined;
  /** The largest file file() reads (bytes). */
  readonly maxFileBytes: number;
  /** The files file() read in this render (absolute paths), each read once per render. */
  readonly files: Map<string, string>;
}

let active: FunctionScope | undefined;

/** Runs `render` (one synchronous render pass) with `scope` active; restores what was active before. */
export function runInScope<T>(scope: FunctionScope, render: () => T): T {
  const previous = active;
  active = scope;
  try {
    return render();
  } finally {
    active = previous;
  }
}

/** The active scope; a TemplateFailure naming `fn` outside a render. */
export function activeScope(fn: string): FunctionScope {
  if (active === undefined) throw new TemplateFailure(`${fn}() works only while informant renders a template`);
  return active;
}
