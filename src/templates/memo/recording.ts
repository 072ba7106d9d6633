/**
 * What a memo block read, recorded as it runs, and the check that it still reads the same.
 * A block reads the watched resources through a recording `resources`:
 * - `Get`, `Fetch` and `GetSingle` record the call and the objects it returned (none is an
 *   answer too: a lookup that found nothing is invalidated when the object appears);
 * - anything else (iterating, `List()`, `length`, indexing, `InCluster`, `Clusters`) records
 *   the view of the whole resource, which is rebuilt whenever its store changes.
 * What it read holds when the current pass's view of the resource is the one that answered
 * (the store has not changed since), or else when asking the current view again gives the
 * same objects (by identity: stores replace an object on every change and never change
 * one in place).
 * Asking again goes through the render's own views, so the render's trace hears the
 * resources and on-demand objects a reused result read, as if the block had run.
 */
import { isPlaceholder, LIST_PLACEHOLDER } from '../placeholder.ts';
import type { Resources, ResourceView } from '../resources.ts';

/** A lookup a block made, and the answer it got. */
export interface Lookup {
  readonly method: LookupMethod;
  readonly args: readonly unknown[];
  readonly answer: unknown;
}

/**
 * What a block read of one resource: its lookups, or the whole resource, and the view that
 * answered (or, once checked again, the view the answers were last found to hold in). A
 * view is rebuilt whenever its store changes (and built for each pass when the pass leaves
 * objects out, or the store is on demand), so while the view is the same object every
 * answer is the same, and nothing needs asking again.
 */
export interface ResourceReads {
  /** Held weakly: a cached result must not keep old views (whole copies of a store) alive; one collected is not the current one. */
  view: WeakRef<ResourceView>;
  readonly lookups: Lookup[];
  whole: boolean;
}

/** What a block read, by watched resource name. */
export type Reads = Map<string, ResourceReads>;

type LookupMethod = 'Get' | 'Fetch' | 'GetSingle';

const LOOKUPS: ReadonlySet<PropertyKey> = new Set(['Get', 'Fetch', 'GetSingle']);

/** What one running block has read so far. */
export class Recorder {
  readonly reads: Reads = new Map();
  /**
   * Read something a later render cannot check: an object not loaded yet (the pass will be
   * rendered again). The result is not cached.
   */
  uncheckable = false;

  #of(resource: string, view: ResourceView): ResourceReads {
    let reads = this.reads.get(resource);
    if (reads === undefined) this.reads.set(resource, (reads = { view: refOf(view), lookups: [], whole: false }));
    return reads;
  }

  lookup(resource: string, view: ResourceView, lookup: Lookup): void {
    this.#of(resource, view).lookups.push(lookup);
  }

  whole(resource: string, view: ResourceView): void {
    this.#of(resource, view).whole = true;
  }

  /** Adds what a nested block read (it is read by this block too); its views are this pass's. */
  addAll(reads: Reads): void {
    for (const [resource, theirs] of reads) {
      const view = theirs.view.deref();
      // Never gone here (the nested block's views are this pass's); if it were, nothing could check it.
      if (view === undefined) {
        this.uncheckable = true;
        continue;
      }
      const mine = this.#of(resource, view);
      for (const lookup of theirs.lookups) mine.lookups.push(lookup);
      if (theirs.whole) mine.whole = true;
    }
  }

  /** Lookups recorded (for size estimates). */
  get size(): number {
    let size = 0;
    for (const reads of this.reads.values()) size += reads.lookups.length + 1;
    return size;
  }
}

/** `resources` for a block: the pass's views, recording every read into `recorder`. */
export function recordingResources(resources: Resources, recorder: Recorder): Resources {
  const views = new Map<string, ResourceView>();
  return new Proxy(resources, {
    get(target, prop, receiver): unknown {
      const view = Reflect.get(target, prop, receiver) as ResourceView;
      if (typeof prop !== 'string' || !Array.isArray(view)) return view;
      let recording = views.get(prop);
      if (recording === undefined) views.set(prop, (recording = recordingView(prop, view, recorder)));
      return recording;
    },
  });
}

/**
 * A view that behaves as `view` and records what is read from it. Its target is a plain
 * array (the view itself is frozen, and a proxy of a frozen object must hand out its very
 * members), so that it is still an array to nunjucks and the filters.
 */
function recordingView(resource: string, view: ResourceView, recorder: Recorder): ResourceView {
  let wholeRead = false;
  const readWhole = (): void => {
    if (wholeRead) return;
    wholeRead = true;
    recorder.whole(resource, view);
  };
  const lookups = new Map<PropertyKey, (...args: unknown[]) => unknown>();
  for (const method of LOOKUPS) {
    lookups.set(method, (...args: unknown[]) => {
      const answer = (view[method as LookupMethod] as (...a: unknown[]) => unknown)(...args);
      if (holdsPlaceholder(answer)) recorder.uncheckable = true;
      recorder.lookup(resource, view, { method: method as LookupMethod, args, answer });
      return answer;
    });
  }
  return new Proxy([] as unknown as ResourceView, {
    get(_target, prop): unknown {
      const lookup = lookups.get(prop);
      if (lookup !== undefined) return lookup;
      readWhole();
      return Reflect.get(view, prop, view);
    },
    has(_target, prop): boolean {
      readWhole();
      return Reflect.has(view, prop);
    },
    ownKeys(): ArrayLike<string | symbol> {
      readWhole();
      return Reflect.ownKeys(view);
    },
    getOwnPropertyDescriptor(target, prop): PropertyDescriptor | undefined {
      readWhole();
      if (prop === 'length') return { ...Reflect.getOwnPropertyDescriptor(target, 'length'), value: view.length };
      const descriptor = Reflect.getOwnPropertyDescriptor(view, prop);
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}

function holdsPlaceholder(answer: unknown): boolean {
  if (answer === LIST_PLACEHOLDER || isPlaceholder(answer)) return true;
  return Array.isArray(answer) && answer.some(isPlaceholder);
}

/**
 * Whether everything in `reads` reads the same in the pass whose views are `resources`:
 * for each resource, the same view, or else no whole read and every lookup, asked again,
 * answering the same objects. A lookup that throws now does not hold (the block will throw
 * when it runs). When all hold, `reads` is moved to the current views, so the next check
 * of an unchanged resource costs nothing.
 */
export function stillHolds(reads: Reads, resources: Resources): boolean {
  const moved: Array<[ResourceReads, ResourceView]> = [];
  for (const [resource, read] of reads) {
    const view = resources[resource];
    if (view === read.view.deref()) continue;
    if (view === undefined || read.whole) return false;
    for (const lookup of read.lookups) if (!answersSame(view, lookup)) return false;
    moved.push([read, view]);
  }
  for (const [read, view] of moved) read.view = refOf(view);
  return true;
}

/** One WeakRef per view, shared by every result that read it. */
const refs = new WeakMap<ResourceView, WeakRef<ResourceView>>();

function refOf(view: ResourceView): WeakRef<ResourceView> {
  let ref = refs.get(view);
  if (ref === undefined) refs.set(view, (ref = new WeakRef(view)));
  return ref;
}

function answersSame(view: ResourceView, lookup: Lookup): boolean {
  let answer: unknown;
  try {
    answer = (view[lookup.method] as (...a: unknown[]) => unknown)(...lookup.args);
  } catch {
    return false;
  }
  return sameAnswer(answer, lookup.answer);
}

function sameAnswer(now: unknown, before: unknown): boolean {
  if (now === before) return true;
  if (!Array.isArray(now) || !Array.isArray(before) || now.length !== before.length) return false;
  for (let i = 0; i < now.length; i++) if (now[i] !== before[i] || isPlaceholder(now[i])) return false;
  return true;
}
