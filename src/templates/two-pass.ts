/**
 * The two-pass render: how a template reads on-demand objects in one render call although
 * nunjucks cannot wait for a fetch (a member lookup returns its value at once). A pass renders
 * synchronously; every on-demand object it reads that is not cached reads as a
 * placeholder and is recorded. If anything was missing, the pass's output (and any error)
 * is discarded, every miss is fetched concurrently, and the template is rendered again.
 * Each level of a data-dependent chain (a name read from a fetched object) costs one pass;
 * with a warm cache a render is a single pass.
 */
import { isOnDemandStore, type StoreReader } from '../store/index.ts';
import { FetchSession, type MissingObject } from './fetch-session.ts';
import { onDemandView } from './on-demand-view.ts';
import { createResources, type Resources, type ResourceView, type ViewSource } from './resources.ts';
import type { RenderTrace } from './types.ts';

/** Defaults of the two-pass render. */
export const DEFAULTS = Object.freeze({
  /**
   * Passes per render at most (passes): one to discover, and one per level of a chain of
   * lookups that depend on fetched data, so chains of up to 3 levels resolve.
   */
  maxPasses: 4,
  /** Unresolved objects an error names (the count is always given). */
  namedMisses: 10,
});

/** What one two-pass render needs. */
export interface TwoPassOptions {
  /** The stores, by watched resource name. */
  stores: ReadonlyMap<string, StoreReader>;
  /** The views of full stores (cached across renders). */
  fullViews: ViewSource;
  /** One synchronous render over `resources`; throws what the template throws. */
  renderPass: (resources: Resources) => string;
  /** Default DEFAULTS.maxPasses. */
  maxPasses?: number;
  /** Hears the resources the passes read and the on-demand bodies they were handed (also when the render fails). */
  trace?: RenderTrace;
}

/** What a two-pass render did. */
export interface TwoPassResult {
  output: string;
  /** Passes rendered. */
  passes: number;
  /** Objects fetched between passes. */
  fetched: number;
  /** On-demand resources the template read whole (every object fetched). */
  fullReads: string[];
}

/** Misses were left after the last allowed pass. */
export class UnresolvedFetchError extends Error {
  override readonly name = 'UnresolvedFetchError';
  /** The objects still missing after the last pass. */
  readonly missing: readonly MissingObject[];
  constructor(passes: number, missing: MissingObject[], cause: unknown) {
    const shown = missing.slice(0, DEFAULTS.namedMisses).map((m) => `${m.resource} ${m.id}`);
    const more = missing.length > shown.length ? `, and ${missing.length - shown.length} more` : '';
    super(
      `on-demand objects still missing after ${passes} render passes: ${shown.join(', ')}${more} ` +
        `(each pass fetches what the one before found missing; a chain of lookups that depend on ` +
        `fetched data resolves ${passes - 1} levels deep at most)`,
      cause === undefined ? undefined : { cause },
    );
    this.missing = missing;
  }
}

/**
 * Renders until a pass misses nothing (its output, or its error, is the result), at most
 * `maxPasses` times. A pass that read an object whose fetch failed (403, 5xx, timeout)
 * ends the render with that pass's error, which names the call and the object. Misses
 * left after the last pass reject with an UnresolvedFetchError naming them.
 */
export async function renderTwoPass(options: TwoPassOptions): Promise<TwoPassResult> {
  const session = new FetchSession();
  try {
    return await renderPasses(options, session);
  } finally {
    options.trace?.fetched.push(...session.bodies());
  }
}

async function renderPasses(options: TwoPassOptions, session: FetchSession): Promise<TwoPassResult> {
  const maxPasses = options.maxPasses ?? DEFAULTS.maxPasses;
  for (let pass = 1; ; pass++) {
    session.startPass();
    const resources = createResources(options.stores, traced(options.trace, passViews(session, options.fullViews)));
    let output = '';
    let error: unknown;
    let failed = false;
    try {
      output = options.renderPass(resources);
    } catch (err) {
      error = err;
      failed = true;
    }
    if (session.fetchFailed || !session.hasMisses()) {
      if (failed) throw error;
      return { output, passes: pass, fetched: session.fetched, fullReads: session.fullReads() };
    }
    if (pass >= maxPasses) throw new UnresolvedFetchError(pass, session.missing(), error);
    await session.fetchMissing();
  }
}

/** `views`, noting in `trace` each resource read. */
function traced(trace: RenderTrace | undefined, views: ViewSource): ViewSource {
  if (!trace) return views;
  return (name, store) => {
    trace.resources.add(name);
    return views(name, store);
  };
}

/** The views of one pass: full stores' from the long-lived cache, on-demand ones over the session. */
function passViews(session: FetchSession, fullViews: ViewSource): ViewSource {
  const views = new Map<string, ResourceView>();
  return (name, store) => {
    if (!isOnDemandStore(store)) return fullViews(name, store);
    let view = views.get(name);
    if (view === undefined) {
      view = onDemandView(name, store, session);
      views.set(name, view);
    }
    return view;
  };
}
