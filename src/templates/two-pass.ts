/**
 * The two-pass render: how a template reads on-demand objects in one render call although
 * nunjucks cannot wait for a fetch (a member lookup returns its value at once). A pass renders
 * synchronously; every on-demand object it reads that is not cached reads as a
 * placeholder and is recorded. If anything was missing, the pass's output (and any error)
 * is discarded, every miss is fetched concurrently, and the template is rendered again.
 * Each level of a data-dependent chain (a name read from a fetched object) costs one pass;
 * with a warm cache a render is a single pass.
 *
 * Passes also leave objects out (see isolation/): a complete pass (one that missed nothing)
 * that rejected objects, or printed a value the line check refused, is discarded too, and
 * the template is rendered again without those objects. A render with no bad object is
 * still a single pass.
 */
import type { KubeObject } from '../k8s.ts';
import { isOnDemandStore, type StoreReader } from '../store/index.ts';
import { FetchSession, type MissingObject } from './fetch-session.ts';
import { DEFAULTS as ISOLATION_DEFAULTS, type RenderReport, type UnsafeValue } from './isolation/index.ts';
import { Isolation } from './isolation/isolation.ts';
import type { TemplateMemo } from './memo/cache.ts';
import { runMemoPass } from './memo/pass.ts';
import { runPass } from './isolation/pass-report.ts';
import { onDemandView } from './on-demand-view.ts';
import { buildView, createResources, type Resources, type ResourceView, type ViewSource } from './resources.ts';
import type { RenderTrace } from './types.ts';
import { describeCharacter } from './unsafe-text.ts';

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
  /** Check every printed value for line breaks and control characters (escape: line); default off. */
  lineMode?: boolean;
  /** Passes that leave objects out, at most; default isolation's DEFAULTS.maxRounds. */
  maxIsolationRounds?: number;
  /** Hears the resources the passes read and the on-demand bodies they were handed (also when the render fails). */
  trace?: RenderTrace;
  /**
   * The object this render is about (the element of a for_each template): once it is left
   * out, the render ends with `subjectLeftOut` (there is nothing to render for it).
   */
  subject?: unknown;
  /** The template's cache of `{% memo %}` results; none: every block renders (see memo/). */
  memo?: TemplateMemo;
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
  /** The objects left out, and the warnings of the final pass. */
  report: RenderReport;
  /** The subject was left out: `output` is empty. */
  subjectLeftOut?: boolean;
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
 * A printed value held a line break or another control character (escape: line), and no
 * watched object holds it: the template made it (a literal joined in, a decoded value), so
 * no object can be left out for it. Names the character, never the value.
 */
export class UnsafeOutputError extends Error {
  override readonly name = 'UnsafeOutputError';
  readonly value: UnsafeValue;
  constructor(value: UnsafeValue) {
    super(
      `the printed value holds ${describeCharacter(value.code)} at character ${value.index + 1}, and no watched object holds it ` +
        `(escape: line refuses line breaks and control characters in printed values: validate the value, or mark text that ` +
        `is meant to span lines with "| safe")`,
    );
    this.value = value;
  }
}

/** Too many rounds of leaving objects out: the template keeps rejecting objects once others are gone. */
export class IsolationLimitError extends Error {
  override readonly name = 'IsolationLimitError';
}

/**
 * Renders until a pass misses nothing and leaves nothing out (its output, or its error, is
 * the result). Passes with misses count against `maxPasses`; passes that left objects out
 * against `maxIsolationRounds`. A pass that read an object whose fetch failed (403, 5xx,
 * timeout) ends the render with that pass's error, which names the call and the object.
 * Misses left after the last allowed pass reject with an UnresolvedFetchError naming them;
 * a refused value no object holds rejects with an UnsafeOutputError.
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
  const maxRounds = options.maxIsolationRounds ?? ISOLATION_DEFAULTS.maxRounds;
  const isolation = new Isolation(options.stores);
  let missPasses = 0;
  let rounds = 0;
  for (let pass = 1; ; pass++) {
    const { output, error, report } = renderPass(options, session, isolation);
    if (!session.fetchFailed && session.hasMisses()) {
      if (++missPasses >= maxPasses) throw new UnresolvedFetchError(pass, session.missing(), error?.cause);
      await session.fetchMissing();
      continue;
    }
    if (!session.fetchFailed) {
      const decision = isolation.decide(report);
      if (decision.leftOut > 0 && isolation.hides(options.subject as KubeObject)) {
        return { output: '', passes: pass, fetched: session.fetched, fullReads: session.fullReads(), report: isolation.report(report), subjectLeftOut: true };
      }
      if (decision.leftOut > 0) {
        if (++rounds > maxRounds) throw new IsolationLimitError(`objects were still being left out after ${maxRounds} rounds: ${isolation.report(report).leftOut.length} left out so far`);
        continue;
      }
      if (decision.unattributed !== undefined && error === undefined) throw new UnsafeOutputError(decision.unattributed);
    }
    if (error !== undefined) throw error.cause;
    return { output, passes: pass, fetched: session.fetched, fullReads: session.fullReads(), report: isolation.report(report) };
  }
}

/** One synchronous pass over the stores as they are now, minus what is left out; what it threw is `error.cause`. */
function renderPass(options: TwoPassOptions, session: FetchSession, isolation: Isolation) {
  session.startPass();
  const report = isolation.startPass(options.lineMode === true);
  const resources = createResources(options.stores, traced(options.trace, passViews(session, options.fullViews, isolation)));
  try {
    const output = runPass(report, () => runMemoPass(options.memo, resources, report, () => options.renderPass(resources)));
    return { output, error: undefined, report };
  } catch (cause) {
    return { output: '', error: { cause }, report };
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

/**
 * The views of one pass: full stores' from the long-lived cache, on-demand ones over the
 * session, and those of stores with objects left out built for the pass.
 */
function passViews(session: FetchSession, fullViews: ViewSource, isolation: Isolation): ViewSource {
  const views = new Map<string, ResourceView>();
  return (name, store) => {
    let view = views.get(name);
    if (view !== undefined) return view;
    const visible = isolation.visible(name, store);
    if (isOnDemandStore(visible)) view = onDemandView(name, visible, session);
    else view = visible === store ? fullViews(name, store) : buildView(name, visible);
    views.set(name, view);
    return view;
  };
}
